package detector

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// incidentScores feeds a quiet series (alternating 100 and 101, which
// never alarms) with bursts of +50 lasting 10 points, every gap points,
// and then one of +30, and returns the largest score of the first burst
// and of the last.
func incidentScores(t *testing.T, bursts, gap int) (first, last float64) {
	t.Helper()
	d := New(DefaultConfig())
	ts, i := int64(0), 0
	feed := func(n int, shift float64) (top float64) {
		for range n {
			ts += 5 * minute
			i++
			r, err := d.Update(ts, 100+float64(i%2)+shift)
			assert.NoError(t, err)
			top = max(top, r.Score)
		}
		return top
	}
	feed(3000, 0)
	for b := range bursts {
		s := feed(10, 50)
		if b == 0 {
			first = s
		}
		feed(gap, 0)
	}
	return first, feed(10, 30)
}

// An incident on a quiet series stays out of the calibration history: a
// smaller incident of the same kind later is still an anomaly. Had the
// first one's extreme points been learnt, the second would rank below them
// (score about 0.44 instead of 0.89).
func TestIncidentKeptOutOfHistory(t *testing.T) {
	first, last := incidentScores(t, 1, 1000)
	assert.Greater(t, first, 0.8)
	assert.Greater(t, last, 0.8)
}

// A series whose bursts are routine (it alarms more than half as often as
// its budget allows) learns them: after six bursts of +50, one of +30 is
// not news.
func TestRoutineBurstsLearnt(t *testing.T) {
	first, last := incidentScores(t, 6, 300)
	assert.Greater(t, first, 0.8)
	assert.Less(t, last, DefaultThreshold)
}
