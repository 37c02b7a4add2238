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
