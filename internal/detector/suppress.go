package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

// suppressDamp scales the scores of the points that follow an alarm within
// the hold-off, keeping their shape visible on a dashboard while holding
// them below the threshold (the largest damped score, 0.2, is far under
// DefaultThreshold).
const suppressDamp = 0.2

// suppressor keeps one alarm per episode. NAB, and an on-call engineer, count
// only the first detection of an event and pay for every further one: once a
// score reaches the alarm level (Config.Threshold), the next horizon points
// are damped whatever their score. The hold-off is counted in the series' own
// points, so it spans the same number of observations at any sampling rate,
// and it does not extend while the deviation lasts: a change that is still
// there after the hold-off is reported again, once.
type suppressor struct {
	left    uint32 // points of hold-off remaining
	horizon uint32
	alarm   float64
}

func newSuppressor(points int, alarm float64) suppressor {
	return suppressor{horizon: uint32(points), alarm: alarm}
}

// apply returns the score to report for a calibrated score, and whether it
// raises an alarm (reaches the alarm level outside a hold-off).
func (s *suppressor) apply(score float64) (float64, bool) {
	if s.left > 0 {
		s.left--
		return score * suppressDamp, false
	}
	if score >= s.alarm {
		s.left = s.horizon
		return score, true
	}
	return score, false
}
