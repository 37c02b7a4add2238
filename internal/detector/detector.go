package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import (
	"errors"
	"math"
)

// ErrNotFinite rejects NaN and ±Inf values: they carry no level to learn.
var ErrNotFinite = errors.New("value is not finite")

// ErrOutOfRange rejects a value beyond ±MaxMagnitude.
var ErrOutOfRange = errors.New("value beyond the detector's range")

// MaxMagnitude bounds the values a series accepts. The seasonal profile
// holds float32 (up to 3.4e38), and differences and products of two values
// must stay finite: beyond this a value would turn the state into
// infinities and NaNs that no later point could repair. No measurement
// comes near it.
const MaxMagnitude = 1e36

// ErrOutOfOrder rejects a point whose timestamp is not after the previous
// accepted point of the series (duplicates included).
var ErrOutOfOrder = errors.New("timestamp not after the previous point")

// bandZ is the half-width of the reported band in residual sigmas.
const bandZ = 3

// Result is the verdict on one point.
type Result struct {
	// Score in [0, 1]; see the package documentation. 0 during warm-up.
	Score float64
	// Unsuppressed is the score before episode suppression: a decision
	// that is already on can stay on while it remains high.
	Unsuppressed float64
	// Point is the score of this point's own deviation alone and Drift
	// that of the mean signed deviation of the last ~39 points when this
	// point pushed it further from zero (or of the count view's recent
	// share of points with events when this point raised it, if higher),
	// else 0 (both before suppression, with the alarm budget). Unlike the
	// surprise average, which remembers an outlier for dozens of points,
	// neither echoes a lone outlier: a decision can ask whether the points
	// after an alarm go on deviating, rather than recall it. (The coarse
	// view is in neither: a block's mean holds an outlier up to 15 points
	// old.)
	Point, Drift float64
	// Expected is the baseline's prediction for this point, made before it
	// was seen; Lower and Upper are Expected -/+ 3 residual sigmas.
	Expected, Lower, Upper float64
	// WarmingUp is true while the series has seen fewer than WarmUp points.
	WarmingUp bool
}

// Detector scores one stream of points. Implementations are not safe for
// concurrent use; callers serialise access per series.
type Detector interface {
	// Update judges the point (ts in Unix nanoseconds, value v) against what
	// came before, then learns from it.
	Update(ts int64, v float64) (Result, error)
}

// Series is the detector of one time series: baseline -> robust scale ->
// calibration -> alarm budget -> episode suppression.
type Series struct {
	cfg   Config
	base  baseline
	cal   calibrator
	sup   suppressor
	bud   alarmBudget
	count countView
	// coarse judges the means of blocks of points (coarse.go).
	coarse *coarseView
	last   float64
	seen   uint32
	lastT  int64
	// prefetched is where Prefetch puts what it read (prefetch.go).
	prefetched uint32
}

var _ Detector = (*Series)(nil)

// New returns a detector for one series. cfg must be valid.
func New(cfg Config) *Series {
	return &Series{
		cfg:    cfg,
		base:   newBaseline(cfg.Seasonality),
		cal:    newCalibrator(cfg.Memory),
		sup:    newSuppressor(cfg.Suppress, cfg.Threshold),
		coarse: newCoarseView(cfg.Memory),
	}
}

// Update implements Detector.
func (s *Series) Update(ts int64, v float64) (Result, error) {
	return s.UpdateStep(ts, v, 0)
}

// UpdateStep is Update for a value whose resolution is known: step > 0 is
// the finest difference this value can show (for a rate of counted events,
// one event over the point's interval). It serves as the quantisation step
// of the point where the steps learnt from the values cannot (a count rate
// over intervals of jittering length takes values off any grid).
func (s *Series) UpdateStep(ts int64, v, step float64) (Result, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Result{}, ErrNotFinite
	}
	if math.Abs(v) > MaxMagnitude {
		return Result{}, ErrOutOfRange
	}
	if !(step <= MaxMagnitude) { // NaN or absurd: unknown
		step = 0
	}
	if s.seen > 0 && ts <= s.lastT {
		return Result{}, ErrOutOfOrder
	}
	s.lastT = ts
	var lpBlock float64
	var jBlock judged
	var learnBlock, scoredBlock bool
	if s.coarse.push(v, step) {
		lpBlock, jBlock, learnBlock, scoredBlock = s.coarse.judge(s.cfg.WarmUp, s.cfg.Direction)
	}
	// Counted events are also judged, upwards, by the count view (count.go).
	counted := step > 0 && s.cfg.Direction != Down
	var events, lpCount float64
	var countPushed bool
	if counted {
		events = v / step // the point's count of events
		lpCount, countPushed = s.count.judge(events)
	}
	if s.seen == 0 {
		if counted {
			s.count.learn(events)
		}
		s.seen = 1
		s.last = v
		s.base.update(ts, v)
		return Result{Expected: v, Lower: v, Upper: v, WarmingUp: true}, nil
	}
	exp, sc := s.base.predict(ts)
	sig, r, z := sc.deviation(v, exp, step, s.cfg.Direction)
	res := Result{Expected: exp, Lower: exp - bandZ*sig, Upper: exp + bandZ*sig}
	episode := false
	// The first half of the warm-up only settles level and scale: z-scores
	// judged against a scale learnt from a handful of points would fill the
	// calibration history with values no later point could exceed.
	if s.seen >= uint32(s.cfg.WarmUp/2) {
		// z signed for the drift: negative below the expectation.
		lp, lpPoint, lpDrift, j := s.cal.judge(z, math.Copysign(z, r))
		lp = min(lp, lpCount)
		if countPushed {
			lpDrift = min(lpDrift, lpCount)
		}
		if s.seen >= uint32(s.cfg.WarmUp) {
			pen := s.bud.penalty()
			res.Unsuppressed = scoreOf(lp+pen, s.cfg.Sensitivity)
			// The exponentials cost about a tenth of an update: skip those
			// whose value is already known.
			res.Point = res.Unsuppressed
			if lpPoint != lp {
				res.Point = scoreOf(lpPoint+pen, s.cfg.Sensitivity)
			}
			switch lpDrift {
			case 0: // not pushed further: 0 (pen >= 0)
			case lp:
				res.Drift = res.Unsuppressed
			default:
				res.Drift = scoreOf(lpDrift+pen, s.cfg.Sensitivity)
			}
			// The block this point completes, judged by the coarse view.
			// The alarm budget does not discount it: on NAB that lost the
			// windows the view finds (measured with an earlier form of the
			// view, a whole Series on the block means, averaged over the
			// blocks' 16 phases: 75.8 / 66.0 / 81.5 against 77.9 / 68.1 /
			// 83.5).
			if scoredBlock {
				res.Unsuppressed = max(res.Unsuppressed, scoreOf(lpBlock, s.cfg.Sensitivity))
			}
			var fired bool
			res.Score, fired = s.sup.apply(res.Unsuppressed)
			s.bud.record(fired)
		}
		// An alarm's hold-off on a series that alarms rarely is an
		// incident: its extreme values stay out of the calibration
		// history, so that the next incident is judged against the
		// series' usual behaviour (calibrator.learn). A series that alarms
		// often, bursty by nature, learns its bursts: on NAB, leaving out
		// the extremes of every hold-off made the next routine burst of the
		// social-media series alarm (73.9 standard, against 75.8 with
		// quiet series only and 75.2 with no exclusion at all).
		episode = s.sup.left > 0 && s.bud.quiet()
		s.cal.learn(j, episode)
	}
	if learnBlock {
		s.coarse.cal.learn(jBlock, episode)
	}
	if counted && !episode {
		s.count.learn(events)
	}
	if s.seen < uint32(s.cfg.WarmUp) {
		s.seen++
		res.WarmingUp = true
	}
	s.base.observeStep(v - s.last)
	s.base.update(ts, v)
	s.last = v
	return res, nil
}
