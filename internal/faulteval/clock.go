package faulteval // import "github.com/otelcol-aiops/otelcol-aiops/internal/faulteval"

import (
	"sort"
	"time"
)

// Clock maps wall-clock times of an accelerated simulation run to simulated
// time. Nominally simulated = simStart + speed × (wall − wallStart); a
// simulation that cannot keep up with its speed falls behind that line, so
// every observed (wall, simulated) pair, such as a fault event logged when
// the simulation reached it, is an anchor: between anchors the map is linear,
// after the last one it continues at speed, and after End it stays put.
type Clock struct {
	speed     float64
	wallStart time.Time
	simStart  time.Time
	anchors   []anchor // sorted by wall
	end       *anchor
}

type anchor struct{ wall, sim time.Time }

// NewClock returns the clock of a run whose simulated time started at
// simStart when the wall clock read wallStart, running speed times faster.
func NewClock(wallStart, simStart time.Time, speed float64) *Clock {
	return &Clock{speed: speed, wallStart: wallStart, simStart: simStart,
		anchors: []anchor{{wallStart, simStart}}}
}

// Anchor records that simulated time sim was reached at wall time wall.
// Anchors before the start are ignored.
func (c *Clock) Anchor(wall, sim time.Time) {
	if wall.Before(c.wallStart) {
		return
	}
	i := sort.Search(len(c.anchors), func(i int) bool { return c.anchors[i].wall.After(wall) })
	c.anchors = append(c.anchors, anchor{})
	copy(c.anchors[i+1:], c.anchors[i:])
	c.anchors[i] = anchor{wall, sim}
}

// End records that the simulation stopped at sim, at wall time wall: later
// wall times map to sim.
func (c *Clock) End(wall, sim time.Time) {
	c.Anchor(wall, sim)
	c.end = &anchor{wall, sim}
}

// Ended reports whether the simulation had stopped by wall time wall.
func (c *Clock) Ended(wall time.Time) bool {
	return c.end != nil && !wall.Before(c.end.wall)
}

// Start returns the wall and simulated times at which the run began.
func (c *Clock) Start() (wall, sim time.Time) { return c.wallStart, c.simStart }

// Nominal is where simulated time would be at wall if it never fell behind.
func (c *Clock) Nominal(wall time.Time) time.Time {
	return c.simStart.Add(c.scale(wall.Sub(c.wallStart)))
}

// Sim maps a wall-clock time to simulated time.
func (c *Clock) Sim(wall time.Time) time.Time {
	if c.Ended(wall) {
		return c.end.sim
	}
	// The last anchor at or before wall (the start anchor when wall is
	// earlier still: extrapolated back at speed).
	i := sort.Search(len(c.anchors), func(i int) bool { return c.anchors[i].wall.After(wall) }) - 1
	i = max(i, 0)
	a := c.anchors[i]
	if i+1 < len(c.anchors) {
		b := c.anchors[i+1]
		if span := b.wall.Sub(a.wall); span > 0 {
			f := float64(wall.Sub(a.wall)) / float64(span)
			return a.sim.Add(time.Duration(f * float64(b.sim.Sub(a.sim))))
		}
	}
	return a.sim.Add(c.scale(wall.Sub(a.wall)))
}

// MaxLag is the largest distance by which an anchor fell behind the
// nominal clock: a measure of how well the pipeline kept up.
func (c *Clock) MaxLag() time.Duration {
	var lag time.Duration
	for _, a := range c.anchors {
		lag = max(lag, c.Nominal(a.wall).Sub(a.sim))
	}
	return lag
}

func (c *Clock) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.speed)
}
