package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// countHorizon is the effective number of points in the reference rate
	// of the count view: an hour at 5 s, so that an incident of a few
	// minutes moves it little and it has forgotten one within hours.
	countHorizon = 720
	// countAlpha averages the recent points over about 2/alpha-1 = 39
	// points (as the drift view does): a weak but lasting incident (one
	// error per interval where one in ten points has one) gathers evidence
	// for as long as it lasts; over 19 points it could not (e2e seed 3:
	// checkout's 21% errors scored 0.51 after 10 points, still under the
	// demo's 0.55).
	countAlpha = 0.05
	// countWindow is that average's equivalent window: Poisson counts
	// averaged with weight alpha have the variance of a plain sum over
	// (2-alpha)/alpha points, so recent*countWindow hits compare with
	// reference*countWindow expected ones.
	countWindow = (2 - countAlpha) / countAlpha
	// countTests is the multiplicity the view's p-value is charged for: it
	// is a model probability, tested at every point over overlapping
	// windows and at four levels, where the other views rank against the
	// series' own history; it must be a hundred times rarer to count the
	// same.
	countTests = 100
	// countSurprisedWeight scales the reference's learning while the
	// recent hits are surprising (p below 1/countTests at some level): an
	// incident of an hour would otherwise carry the reference with it,
	// and one of minutes raise it for the next hour (e2e seed 3: a database
	// outage 18 minutes earlier made checkout's share of points with 8
	// errors 0.08 where the quiet share is 0, and a fifth of checkout's
	// requests failing then scored 0.45). A lasting change is still learnt,
	// over about ten horizons.
	countSurprisedWeight = 0.1
)

// lnCountTests is ln(countTests), added to the view's log p-value.
var lnCountTests = math.Log(countTests)

// countView judges a series of counted events (UpdateStep with step > 0)
// against a reference that an incident cannot move: Poisson's law at the
// series' long-run rate. The ranked views judge a value by the series' own
// history of deviations, so after an incident that multiplied an error
// rate, a later and smaller one (a fifth of the requests failing, one
// error per interval) ranks as seen before: each of its points is as large
// as a lone routine error, and its drift is smaller than the last
// incident's. Against the usual rate of a few errors an hour, the same run
// of errors is next to impossible.
//
// The view counts hits, points with at least m events, for m = 1, 2, 4 and
// 8, not events: events that come in clumps (a retried request logging the
// same line three times, a burst of timeouts) are not independent and would
// read as Poisson surprises, while points are; whatever the law of the
// counts, the hits of independent points at a level are a Bernoulli
// sequence, whose sums a Poisson bound at the same mean covers. The levels
// keep the evidence of a denser series (an error every other point):
// there nearly every point of an incident is a hit at level 1 as it would
// be anyway, but hits at 2 or 4 are what is rare. A hit is also bounded,
// so an incident's points move the references no more than quiet points
// with that many events would. On a series with m events at most points
// (requests, whose variation is load, not chance) no window of hits at m
// can be surprising, and that level is silent by construction.
type countView struct {
	ref    [countLevels]float64 // EW share of hits over about countHorizon points
	recent [countLevels]float64 // EW share of hits over about 39 points
	n      uint32               // points in ref, up to countHorizon
	// surprised is set by judge when the recent hits are surprising at
	// some level (before the multiplicity charge, p < 1/countTests).
	surprised bool
}

// countLevels is the number of hit levels: at least 1, 2, 4 and 8 events.
const countLevels = 4

// hit reports whether a point with the given count is a hit at level i
// (2^i events; counts of rates over jittering intervals are not exact).
func hit(events float64, i int) float64 {
	if events >= float64(int(1)<<i)-0.5 {
		return 1
	}
	return 0
}

// judge returns the log p-value (charged for multiplicity, <= 0) of the
// recent hits including this point's (events is its count), the smallest
// over the levels, and whether the point raised the recent share at that
// level (fresh evidence, like a drift the point pushed further). It
// returns 0 before the first point is learnt.
func (c *countView) judge(events float64) (lp float64, pushed bool) {
	if c.n == 0 { // the first point starts the averages
		for i := range countLevels {
			c.recent[i] = hit(events, i)
		}
		c.surprised = false
		return 0, false
	}
	// One hit more than the history holds, spread over it: a young
	// reference drawn from few points must not make the next hits
	// impossible (a plain mean of zeros would be 0).
	prior := 1 / float64(c.n)
	for i := range countLevels {
		h := hit(events, i)
		prev := c.recent[i]
		c.recent[i] = prev + countAlpha*(h-prev)
		lam := (c.ref[i] + prior) * countWindow
		k := c.recent[i] * countWindow
		// With lam at least countWindow/countHorizon (the prior), up to
		// one hit more than expected bounds the exponent below by
		// -2.2, short of the charge: nothing to compute.
		if k <= lam+1 {
			continue
		}
		// Chernoff's bound on the Poisson upper tail, ln P(K >= k) <=
		// -(k ln(k/lam) - k + lam): within a small factor of the exact
		// tail where it matters, and conservative, all the more so as
		// hits, at most one per point, vary less than Poisson counts.
		if l := -(k*fastLog2(k/lam)*math.Ln2 - k + lam) + lnCountTests; l < lp {
			lp, pushed = l, h > prev
		}
	}
	c.surprised = lp < 0
	return lp, pushed
}

// learn adds the point's count of events to the references, with a tenth
// of the weight while the recent hits are surprising.
func (c *countView) learn(events float64) {
	if c.n < countHorizon {
		c.n++
	}
	w := 1 / float64(c.n)
	if c.surprised {
		w *= countSurprisedWeight
	}
	for i := range countLevels {
		c.ref[i] += (hit(events, i) - c.ref[i]) * w
	}
}
