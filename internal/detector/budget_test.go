package detector

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hand-worked budget: the rate is an EW mean with weight 1/20000, so one
// alarm from zero gives 5e-5 (a fifth of the budget 2.5e-4: no penalty); ten
// alarms in a row give 1-(1-5e-5)^10 = 4.998875e-4, an excess of 1.99955
// over the budget, so ln p grows by 3 ln 1.99955; 20000 quiet points then
// decay it by (1-5e-5)^20000 = e^-1.000025 to 1.83894e-4, back within budget.
func TestAlarmBudgetHandWorked(t *testing.T) {
	var b alarmBudget
	assert.Zero(t, b.penalty())
	b.record(true)
	assert.InDelta(t, 5e-5, b.rate, 1e-15)
	assert.Zero(t, b.penalty())
	for i := 1; i < 10; i++ {
		b.record(true)
	}
	want := 1 - math.Pow(1-5e-5, 10)
	assert.InDelta(t, want, b.rate, 1e-15)
	assert.InDelta(t, 3*math.Log(want/2.5e-4), b.penalty(), 1e-9) // fastLog2
	assert.InDelta(t, 3*math.Log(1.99955), b.penalty(), 1e-4)
	assert.InDelta(t, 1.99955, want/2.5e-4, 1e-5)
	for i := 0; i < 20000; i++ {
		b.record(false)
	}
	assert.InDelta(t, want*math.Pow(1-5e-5, 20000), b.rate, 1e-15)
	assert.InDelta(t, 1.83894e-4, b.rate, 1e-9)
	assert.Zero(t, b.penalty())
}

// Property: on seeded series whose bursts recur every 300 points, the
// budget holds the alarm rate well below that of the same detector without
// it, while a single burst in an otherwise quiet series that alarms without
// the budget also alarms with it.
func TestAlarmBudgetProperty(t *testing.T) {
	for seed := uint64(0); seed < 5; seed++ {
		run := func(burst func(i int) bool, budget bool) (alarms int, caught bool) {
			rng := rand.New(rand.NewPCG(seed, 5))
			d := New(DefaultConfig())
			for i := 0; i < 20000; i++ {
				v := 100 + rng.NormFloat64()
				if burst(i) {
					v += 8 + 4*rng.Float64()
				}
				if !budget {
					d.bud.rate = 0
				}
				r, err := d.Update(int64(i)*5*minute, v)
				require.NoError(t, err)
				if r.Score >= DefaultThreshold {
					alarms++
					caught = caught || burst(i)
				}
			}
			return alarms, caught
		}
		recurring := func(i int) bool { return i > 1000 && i%300 < 3 }
		with, _ := run(recurring, true)
		without, _ := run(recurring, false)
		require.Greater(t, without, 20, "seed %d: recurring bursts must alarm without the budget", seed)
		assert.Less(t, float64(with), 0.7*float64(without), "seed %d: budget %d alarms, none %d", seed, with, without)
		// A single burst (every > length) raises its alarm with the budget on.
		single := func(i int) bool { return i >= 15000 && i < 15003 }
		_, caught := run(single, true)
		_, caughtWithout := run(single, false)
		assert.True(t, caught || !caughtWithout, "seed %d: a single burst must alarm if it does without the budget", seed)
	}
}
