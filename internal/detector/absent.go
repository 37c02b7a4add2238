package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

// maxAssumedZeros bounds the zeros AssumeZeros feeds (40 µs of updates):
// a warm-up of up to 100,000 points would otherwise stall the caller for
// tens of milliseconds per new series.
const maxAssumedZeros = 200

// AssumeZeros gives a series that has seen no point the history it would
// have had if it had been 0 at every interval before ts: n = min(WarmUp,
// 200) points of value 0 at ts-n*interval, ..., ts-interval (step as in
// UpdateStep), after which the series counts as warmed up. It is for
// counts whose series exist only once something is counted: a span-metrics
// error series is created at the first error, a per-template log count at
// the template's first record. Judged from no history, such a series'
// first points fall in the warm-up, and an operation's first-ever errors
// are never scored; judged against zeros, they are what they are, a
// departure from none. The caller vouches for the zeros: it has been
// watching since from, and nothing is assumed from before it.
//
// It reports whether the zeros were added: not when the series has seen a
// point, the interval is not positive, or the first zero would lie before
// from.
func (s *Series) AssumeZeros(ts, interval int64, step float64, from int64) bool {
	n := min(s.cfg.WarmUp, maxAssumedZeros)
	// ts-n*interval >= from, without overflow.
	if s.seen > 0 || interval <= 0 || ts < from || interval > (ts-from)/int64(n) {
		return false
	}
	// The zeros are the warm-up: with a shorter one while they are fed,
	// its second half is ranked as usual.
	warmUp := s.cfg.WarmUp
	s.cfg.WarmUp = n
	for k := int64(n); k >= 1; k-- {
		// Zeros are finite and their timestamps increase: no error.
		_, _ = s.UpdateStep(ts-k*interval, 0, step)
	}
	s.cfg.WarmUp = warmUp
	s.seen = uint32(warmUp)
	return true
}
