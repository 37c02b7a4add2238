package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

// suppressDamp is the factor applied to a score that does not exceed the
// current episode's peak.
const suppressDamp = 0.2

// suppressor keeps one alarm per episode: a score counts fully only if it is
// above the peak of the current episode; the peak decays linearly to zero
// over the suppression horizon, so a later, separate event scores fully.
type suppressor struct {
	peak float64
	step float64 // decay of the peak per point
}

func newSuppressor(points int) suppressor {
	if points <= 0 {
		return suppressor{step: 2}
	}
	return suppressor{step: 1 / float64(points)}
}

func (s *suppressor) apply(score float64) float64 {
	out := score
	if score <= s.peak {
		out = score * suppressDamp
	}
	s.peak -= s.step
	if score > s.peak {
		s.peak = score
	}
	if s.peak < 0 {
		s.peak = 0
	}
	return out
}
