package drain

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRecurrenceOneRecordIsCreation(t *testing.T) {
	r := NewRecurrence(1, time.Minute, 10)
	t0 := time.Unix(0, 0)
	assert.True(t, r.Seen("a", true, t0))
	assert.False(t, r.Seen("a", false, t0))
	assert.Equal(t, 0, r.Len())
}

// Hand-worked, 3 records within a minute: a template is reported on the
// record that makes three within a minute, once; one whose records stay
// further apart is not, until they come closer (a rare line that a fault
// turns into a burst is news then).
func TestRecurrenceThreeWithinWindow(t *testing.T) {
	r := NewRecurrence(3, time.Minute, 10)
	t0 := time.Unix(1000, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	steps := []struct {
		key     string
		created bool
		sec     int
		want    bool
	}{
		{"fault", true, 0, false},
		{"rare", true, 1, false},
		{"fault", false, 2, false},
		{"known", false, 3, false}, // never created here: not tracked
		{"fault", false, 4, true},  // third within a minute
		{"fault", false, 5, false}, // reported once
		{"rare", false, 70, false},
		{"rare", false, 140, false}, // three records, never three within a minute
		{"rare", false, 210, false},
		{"rare", false, 1000, false}, // much later, a burst
		{"rare", false, 1001, false}, // 210 has left the window: two within it
		{"rare", false, 1002, true},
		{"edge", true, 2000, false},
		{"edge", false, 2030, false},
		{"edge", false, 2060, true}, // exactly a minute after the first: still within
	}
	for i, s := range steps {
		assert.Equal(t, s.want, r.Seen(s.key, s.created, at(s.sec)), "step %d (%s at %ds)", i, s.key, s.sec)
	}
	assert.Equal(t, 0, r.Len(), "reported templates are forgotten")
}

// A template evicted by the miner and created again starts counting again.
func TestRecurrenceCreatedAgainRestarts(t *testing.T) {
	r := NewRecurrence(2, time.Minute, 10)
	t0 := time.Unix(0, 0)
	assert.False(t, r.Seen("a", true, t0))
	assert.False(t, r.Seen("a", true, t0.Add(time.Second)))
	assert.True(t, r.Seen("a", false, t0.Add(2*time.Second)))
	assert.Equal(t, 0, r.Len())
	assert.False(t, r.Seen("a", false, t0.Add(3*time.Second)))
}

// At most limit templates wait; the oldest is forgotten to make room and can
// no longer be reported. The creation order stays proportional to the
// templates waiting, also when most are reported.
func TestRecurrenceBounded(t *testing.T) {
	r := NewRecurrence(2, time.Hour, 100)
	t0 := time.Unix(0, 0)
	for i := 0; i < 10000; i++ {
		assert.False(t, r.Seen(fmt.Sprint(i), true, t0.Add(time.Duration(i)*time.Millisecond)))
		assert.LessOrEqual(t, r.Len(), 100)
	}
	assert.LessOrEqual(t, len(r.order)-r.head, 2*100+64)
	now := t0.Add(20 * time.Second)
	assert.False(t, r.Seen("0", false, now), "forgotten")
	assert.True(t, r.Seen("9999", false, now), "still waiting")

	r = NewRecurrence(2, time.Hour, 100)
	for i := 0; i < 10000; i++ {
		k := fmt.Sprint(i)
		r.Seen(k, true, now)
		assert.True(t, r.Seen(k, false, now))
	}
	assert.Equal(t, 0, r.Len())
	assert.LessOrEqual(t, len(r.order)-r.head, 64+1, "reported entries do not pile up")
}

func TestRecurrenceConcurrent(t *testing.T) {
	r := NewRecurrence(2, time.Minute, 200)
	t0 := time.Unix(0, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	reported := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				key := fmt.Sprint(g, "-", i%40)
				if r.Seen(key, i < 40, t0.Add(time.Duration(i)*time.Millisecond)) {
					mu.Lock()
					reported++
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	assert.Equal(t, 4*40, reported, "each goroutine's 40 templates are reported once")
}
