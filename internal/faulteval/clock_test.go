package faulteval

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClockNominal(t *testing.T) {
	wall0 := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	sim0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	c := NewClock(wall0, sim0, 60)
	assert.Equal(t, sim0, c.Sim(wall0))
	assert.Equal(t, sim0.Add(time.Hour), c.Sim(wall0.Add(time.Minute)))
	assert.Equal(t, sim0.Add(-time.Minute), c.Sim(wall0.Add(-time.Second)), "before the start: extrapolated back")
	assert.Equal(t, time.Duration(0), c.MaxLag())
}

func TestClockAnchorsAndEnd(t *testing.T) {
	wall0 := time.Date(2026, 11, 23, 22, 0, 0, 0, time.UTC)
	sim0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	c := NewClock(wall0, sim0, 60)
	// After 10 s of wall time the simulation had only reached 5 minutes
	// (nominal: 10 minutes), after 20 s it had caught up to 20 minutes.
	c.Anchor(wall0.Add(20*time.Second), sim0.Add(20*time.Minute))
	c.Anchor(wall0.Add(10*time.Second), sim0.Add(5*time.Minute))
	c.Anchor(wall0.Add(-time.Second), sim0.Add(time.Hour)) // before the start: ignored

	assert.Equal(t, sim0.Add(150*time.Second), c.Sim(wall0.Add(5*time.Second)), "interpolated between start and the first anchor")
	assert.Equal(t, sim0.Add(5*time.Minute), c.Sim(wall0.Add(10*time.Second)))
	assert.Equal(t, sim0.Add(12*time.Minute+30*time.Second), c.Sim(wall0.Add(15*time.Second)))
	assert.Equal(t, sim0.Add(21*time.Minute), c.Sim(wall0.Add(21*time.Second)), "after the last anchor: at speed")
	assert.Equal(t, 5*time.Minute, c.MaxLag())

	c.End(wall0.Add(30*time.Second), sim0.Add(29*time.Minute))
	assert.Equal(t, sim0.Add(29*time.Minute), c.Sim(wall0.Add(30*time.Second)))
	assert.Equal(t, sim0.Add(29*time.Minute), c.Sim(wall0.Add(time.Hour)), "nothing is simulated after the end")
	assert.Equal(t, sim0.Add(24*time.Minute+30*time.Second), c.Sim(wall0.Add(25*time.Second)))
	assert.False(t, c.Ended(wall0.Add(30*time.Second-time.Nanosecond)))
	assert.True(t, c.Ended(wall0.Add(30*time.Second)))
	assert.False(t, NewClock(wall0, sim0, 60).Ended(wall0.Add(time.Hour)), "a clock without an end never ends")
}
