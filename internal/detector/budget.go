package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// budgetRate is the alarm rate a series may reach before its alarms
	// count as routine: one alarm per 4000 points (about two weeks at
	// 5-minute sampling). Calibration makes a score rare relative to the
	// series' recent residuals, but a bursty series (social-media volumes,
	// batch jobs) produces rare-looking bursts week after week; an engineer
	// paged by such a series every few days soon ignores it. On NAB
	// (standard, optimal threshold, with budgetPower 3) one alarm per 2000
	// points scored 73.2 and one per 3000 to 6000 points 74.0 to 74.9: the
	// long social-media and machine series alarm less.
	budgetRate = 1.0 / 4000
	// budgetMemory is the effective number of points the alarm rate is
	// measured over: five budgets' worth, so that a penalty needs about
	// five alarms, not one unlucky pair.
	budgetMemory = 5 / budgetRate
	// budgetPower is how steeply the discount grows with the excess: the
	// p-value is multiplied by excess^3. A series that would alarm at r0
	// times the budget then settles near r0^(1/4) times it (16 times over
	// budget becomes 2 times) instead of r0^(1/2) with a linear discount.
	// On NAB (standard / reward_low_FP_rate, optimal threshold) power 1
	// scored 73.1 / 58.8, 1.5 and 2 slightly less (72.4 / 60.3 at 2), 2.5
	// to 4 between 74.4 / 63.3 and 76.3 / 65.9, 5 and above less again
	// (72.9 / 62.6 at 5: real alarms starve). The landscape is jagged (a
	// few windows of the long series flip), so 3 is taken from the middle
	// of the good range, not its peak; with power 3, budgets of one alarm
	// per 3000 to 6000 points all scored 74.0 to 74.9.
	budgetPower = 3
)

// alarmBudget discounts the evidence of a series that alarms more often
// than budgetRate: its p-value is multiplied by the cube of the excess
// factor rate/budgetRate (when above 1), the expected number of its alarms
// per budgeted one. A series within budget is unaffected, so a quiet series
// keeps its full sensitivity; a series whose alarms are routine needs
// proportionally stronger evidence, and regains its sensitivity as the
// rate decays (over about budgetMemory points) once the bursts stop.
type alarmBudget struct {
	rate float64 // EW alarms per point
}

// penalty returns budgetPower times ln of the excess factor, >= 0, to add
// to a log p-value.
func (b *alarmBudget) penalty() float64 {
	if x := b.rate * (1 / budgetRate); x > 1 {
		return budgetPower * math.Ln2 * fastLog2(x)
	}
	return 0
}

// record counts one point, an alarm if fired.
func (b *alarmBudget) record(fired bool) {
	f := 0.0
	if fired {
		f = 1
	}
	b.rate += (f - b.rate) * (1 / budgetMemory)
}

// quiet reports whether the series alarms at most half as often as its
// budget allows (fewer than about 2.5 alarms over budgetMemory points): its
// alarms are rare enough to be incidents rather than its routine.
func (b *alarmBudget) quiet() bool { return b.rate < budgetRate/2 }
