package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// budgetRate is the alarm rate a series may reach before its alarms
	// count as routine: one alarm per 2000 points (about a week at
	// 5-minute sampling). Calibration makes a score rare relative to the
	// series' recent residuals, but a bursty series (social-media volumes,
	// batch jobs) produces rare-looking bursts week after week; an engineer
	// paged by such a series every few days soon ignores it.
	budgetRate = 1.0 / 2000
	// budgetMemory is the effective number of points the alarm rate is
	// measured over: five budgets' worth, so that a penalty needs about
	// five alarms, not one unlucky pair.
	budgetMemory = 5 / budgetRate
)

// alarmBudget discounts the evidence of a series that alarms more often
// than budgetRate: its p-value is multiplied by the excess factor
// rate/budgetRate (when above 1), the expected number of its alarms per
// budgeted one. A series within budget is unaffected, so a quiet series
// keeps its full sensitivity; a series whose alarms are routine needs
// proportionally stronger evidence, and regains its sensitivity as the
// rate decays (over about budgetMemory points) once the bursts stop.
type alarmBudget struct {
	rate float64 // EW alarms per point
}

// penalty returns ln of the excess factor, >= 0, to add to a log p-value.
func (b *alarmBudget) penalty() float64 {
	if x := b.rate * (1 / budgetRate); x > 1 {
		return math.Log(x)
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
