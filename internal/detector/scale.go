package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

// scaleHorizon is the effective number of points in the residual scale: long
// enough to be stable, short enough to follow a change of regime in hours.
const scaleHorizon = 1000

// madToSigma converts a mean absolute deviation of a normal variable to its
// standard deviation (sqrt(pi/2)).
const madToSigma = 1.2533141373155003

// scale tracks a robust scale of a residual stream: an exponentially weighted
// mean absolute deviation whose updates are clipped, so that a single outlier
// moves it by a bounded amount, floored so that flat or quantised series do
// not turn every small step into an infinite z-score.
type scale struct {
	mad     float64 // EW mean |residual|
	quantum float64 // smallest positive step seen between consecutive values
	n       uint32
}

// sigma is the current scale, never below the floors.
func (s *scale) sigma(level float64) float64 {
	v := s.mad * madToSigma
	// A quantised series (integer counts, percentages with one decimal)
	// cannot deviate by less than one step: half a step is the finest scale
	// that means something.
	if q := s.quantum / 2; v < q {
		v = q
	}
	// A relative floor keeps constant series finite without depending on units.
	if f := 1e-9*math.Abs(level) + 1e-12; v < f {
		v = f
	}
	return v
}

// observeStep records the step between two consecutive raw values.
func (s *scale) observeStep(d float64) {
	d = math.Abs(d)
	if d > 0 && (s.quantum == 0 || d < s.quantum) {
		s.quantum = d
	}
}

// update adds one residual; sig is the scale the residual was judged with.
func (s *scale) update(r, sig float64) {
	if s.n < scaleHorizon {
		s.n++
	}
	a := math.Abs(r)
	if s.n > 10 && a > 4*sig {
		a = 4 * sig // clip: outliers widen the scale only gradually
	}
	s.mad += (a - s.mad) / float64(s.n)
}

// deviation judges value v against the expectation exp with this scale: it
// returns the scale with its floors for the point (sig), the residual v-exp
// and its z-score |residual|/sig in direction dir. step > 0 is the value's
// known resolution (one event over the point's interval for a count rate),
// 0 if unknown.
func (s *scale) deviation(v, exp, step float64, dir Direction) (sig, r, z float64) {
	sig = s.sigma(exp)
	q := max(s.quantum, step)
	if sig < q/2 {
		sig = q / 2
	}
	// Events that arrive independently (requests, errors, log lines) are
	// counted with Poisson noise: over an interval worth rate/step events
	// the rate's deviation is sqrt(rate*step). The learnt scale lags a
	// level that has just jumped (an incident that multiplied the error
	// rate); judged against the scale of the quiet level, the new level's
	// ordinary noise would read as tens of sigmas and, learnt, make the
	// next incident look ordinary.
	if step > 0 && exp > 0 {
		if ps := math.Sqrt(exp * step); sig < ps {
			sig = ps
		}
	}
	r = v - exp
	// A quantised series (counts per interval, rounded readings) can only
	// land on its grid: a residual under half a step is rounding, not a
	// deviation (after a lone count on a series of zeros, the next zero
	// sits just below the expectation that count pulled up).
	if math.Abs(r) < q/2 {
		r = 0
	}
	switch dir {
	case Up:
		z = math.Max(r, 0) / sig
	case Down:
		z = math.Max(-r, 0) / sig
	default:
		z = math.Abs(r) / sig
	}
	return sig, r, z
}
