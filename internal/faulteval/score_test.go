package faulteval

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shop is the call graph used below: frontend -> cart, checkout; checkout ->
// cart, payment; cart -> cache.
var shop = [][2]string{
	{"frontend", "cart"}, {"frontend", "checkout"},
	{"checkout", "cart"}, {"checkout", "payment"},
	{"cart", "cache"},
}

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

func at(min, sec int) time.Time {
	return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
}

func alert(id, service string, firedAt time.Time) Alert {
	return Alert{ID: id, Labels: map[string]string{"alertname": "AnomalyDetected", "service": service}, FiredAt: firedAt}
}

func TestScoreAttribution(t *testing.T) {
	faults := []Fault{{ID: "f1", Type: "latency", Service: "payment", Start: at(0, 0), End: at(5, 0)}}
	alerts := []Alert{
		alert("cart", "cart", at(2, 0)),         // in the window, but cart does not call payment
		alert("frontend", "frontend", at(3, 0)), // calls payment through checkout
		alert("before", "payment", at(-1, 0)),   // before the fault
		alert("checkout", "checkout", at(2, 0)), // direct caller
		alert("payment", "payment", at(1, 0)),   // the faulted service
	}
	res := Score(faults, alerts, Rules{Edges: shop})

	assert.Equal(t, 1, res.Faults)
	assert.Equal(t, 5, res.Alerts)
	assert.Equal(t, 3, res.Matched)
	assert.InDelta(t, 3.0/5, res.Precision, 1e-12)
	assert.InDelta(t, 1.0, res.Recall, 1e-12)
	assert.Equal(t, time.Minute, res.MedianTimeToAlert)
	assert.InDelta(t, 60.0, res.MedianTimeToAlertSeconds, 1e-12)

	require.Len(t, res.PerFault, 1)
	assert.True(t, res.PerFault[0].Detected)
	assert.Equal(t, "payment", res.PerFault[0].FirstAlert)
	assert.Equal(t, 3, res.PerFault[0].Alerts)

	var unmatched []string
	for _, a := range res.Unmatched {
		unmatched = append(unmatched, a.ID)
	}
	assert.Equal(t, []string{"before", "cart"}, unmatched, "in firing order")

	lt := res.ByType["latency"]
	require.NotNil(t, lt)
	assert.Equal(t, TypeResult{Faults: 1, Detected: 1, InWindow: 4, Matched: 3,
		Precision: 0.75, Recall: 1, MedianTimeToAlertSeconds: 60}, *lt)
}

func TestScoreCalleeDoesNotMatch(t *testing.T) {
	// A fault in checkout slows its callers, not the services it calls.
	faults := []Fault{{ID: "f1", Type: "cpu", Service: "checkout", Start: at(0, 0), End: at(5, 0)}}
	res := Score(faults, []Alert{alert("a", "payment", at(1, 0)), alert("b", "cache", at(1, 0))}, Rules{Edges: shop})
	assert.Equal(t, 0, res.Matched)
	assert.Equal(t, 0.0, res.Recall)
	assert.Equal(t, 0.0, res.Precision)
	assert.True(t, math.IsNaN(res.MedianTimeToAlertSeconds))
	assert.Equal(t, 0.0, res.ByType["cpu"].Precision, "both alerts fired in the window naming the wrong service")
}

func TestScoreGrace(t *testing.T) {
	faults := []Fault{{ID: "f1", Type: "errors", Service: "cart", Start: at(0, 0), End: at(5, 0)}}
	alerts := []Alert{alert("late", "cart", at(5, 30)), alert("too-late", "cart", at(6, 30))}

	res := Score(faults, alerts, Rules{Edges: shop, Grace: time.Minute})
	assert.Equal(t, 1, res.Matched)
	assert.Equal(t, "too-late", res.Unmatched[0].ID)
	assert.Equal(t, 330*time.Second, res.PerFault[0].TimeToAlert)

	res = Score(faults, alerts, Rules{Edges: shop})
	assert.Equal(t, 0, res.Matched, "no grace: both fired after the end")

	// The window includes its bounds.
	res = Score(faults, []Alert{alert("start", "cart", at(0, 0)), alert("end", "cart", at(5, 0))}, Rules{Edges: shop})
	assert.Equal(t, 2, res.Matched)
	assert.Equal(t, time.Duration(0), res.PerFault[0].TimeToAlert)
}

func TestScoreFirstMatchingAlertAndOrder(t *testing.T) {
	// Alerts arrive out of order; the earliest matching one sets the time,
	// not an earlier alert that names an unrelated service.
	faults := []Fault{{ID: "f1", Type: "errors", Service: "payment", Start: at(0, 0), End: at(5, 0)}}
	alerts := []Alert{alert("third", "payment", at(3, 0)), alert("unrelated", "cache", at(0, 10)), alert("second", "checkout", at(0, 40))}
	res := Score(faults, alerts, Rules{Edges: shop})
	assert.Equal(t, "second", res.PerFault[0].FirstAlert)
	assert.Equal(t, 40*time.Second, res.PerFault[0].TimeToAlert)
}

func TestScoreServiceLabels(t *testing.T) {
	faults := []Fault{{ID: "f1", Type: "memory_leak", Service: "cart", Start: at(0, 0), End: at(5, 0)}}
	alerts := []Alert{
		{ID: "sanitized", Labels: map[string]string{"service_name": "cart"}, FiredAt: at(1, 0)},
		{ID: "dotted", Labels: map[string]string{"service.name": "cart"}, FiredAt: at(1, 0)},
		{ID: "none", Labels: map[string]string{"alertname": "X", "anomaly_metric": "process.memory.usage"}, FiredAt: at(1, 0)},
		{ID: "other-label", Labels: map[string]string{"peer_service": "cart"}, FiredAt: at(1, 0)},
	}
	res := Score(faults, alerts, Rules{Edges: shop})
	assert.Equal(t, 2, res.Matched, "service_name and service.name name a service; other labels do not")

	res = Score(faults, alerts, Rules{Edges: shop, ServiceLabels: []string{"peer_service"}})
	assert.Equal(t, 1, res.Matched)
	assert.Equal(t, "other-label", res.PerFault[0].FirstAlert)
}

func TestScoreOverlappingFaults(t *testing.T) {
	faults := []Fault{
		{ID: "a", Type: "errors", Service: "payment", Start: at(0, 0), End: at(10, 0)},
		{ID: "b", Type: "cpu", Service: "cart", Start: at(5, 0), End: at(8, 0)},
	}
	alerts := []Alert{
		alert("checkout", "checkout", at(6, 0)), // calls both payment and cart
		alert("payment", "payment", at(7, 0)),   // a only
		alert("cache", "cache", at(6, 30)),      // in both windows, matches neither
	}
	res := Score(faults, alerts, Rules{Edges: shop})
	assert.Equal(t, 2, res.Matched, "an alert matching two faults is one true positive")
	assert.InDelta(t, 2.0/3, res.Precision, 1e-12)
	assert.Equal(t, 2, res.Detected)
	assert.Equal(t, 6*time.Minute, res.PerFault[0].TimeToAlert)
	assert.Equal(t, time.Minute, res.PerFault[1].TimeToAlert)
	assert.Equal(t, 2, res.PerFault[0].Alerts)
	assert.Equal(t, 1, res.PerFault[1].Alerts)
	// Median of 60 s and 360 s.
	assert.InDelta(t, 210.0, res.MedianTimeToAlertSeconds, 1e-12)

	assert.Equal(t, TypeResult{Faults: 1, Detected: 1, InWindow: 3, Matched: 2,
		Precision: 2.0 / 3, Recall: 1, MedianTimeToAlertSeconds: 360}, *res.ByType["errors"])
	assert.Equal(t, TypeResult{Faults: 1, Detected: 1, InWindow: 3, Matched: 1,
		Precision: 1.0 / 3, Recall: 1, MedianTimeToAlertSeconds: 60}, *res.ByType["cpu"])
}

func TestScoreSameTypeOverlapCountsAlertOnce(t *testing.T) {
	faults := []Fault{
		{ID: "a", Type: "latency", Service: "cart", Start: at(0, 0), End: at(10, 0)},
		{ID: "b", Type: "latency", Service: "payment", Start: at(2, 0), End: at(4, 0)},
	}
	res := Score(faults, []Alert{alert("x", "frontend", at(3, 0))}, Rules{Edges: shop})
	lt := res.ByType["latency"]
	assert.Equal(t, 1, lt.InWindow)
	assert.Equal(t, 1, lt.Matched)
	assert.Equal(t, 2, lt.Detected)
}

func TestScoreEmpty(t *testing.T) {
	faults := []Fault{
		{ID: "a", Type: "errors", Service: "payment", Start: at(0, 0), End: at(1, 0)},
		{ID: "b", Type: "cpu", Service: "cart", Start: at(5, 0), End: at(6, 0)},
	}
	t.Run("no alerts", func(t *testing.T) {
		res := Score(faults, nil, Rules{Edges: shop})
		assert.Equal(t, 0, res.Alerts)
		assert.True(t, math.IsNaN(res.Precision))
		assert.Equal(t, 0.0, res.Recall)
		assert.True(t, math.IsNaN(res.MedianTimeToAlertSeconds))
		assert.Len(t, res.ByType, 2)
		assert.True(t, math.IsNaN(res.ByType["cpu"].Precision))
		assert.Equal(t, 0.0, res.ByType["cpu"].Recall)
	})
	t.Run("no faults", func(t *testing.T) {
		res := Score(nil, []Alert{alert("x", "cart", at(0, 0))}, Rules{Edges: shop})
		assert.Equal(t, 0.0, res.Precision)
		assert.True(t, math.IsNaN(res.Recall))
		assert.Empty(t, res.ByType)
		assert.Len(t, res.Unmatched, 1)
	})
	t.Run("nothing", func(t *testing.T) {
		res := Score(nil, nil, Rules{})
		assert.True(t, math.IsNaN(res.Precision))
		assert.True(t, math.IsNaN(res.Recall))
		assert.True(t, math.IsNaN(res.MedianTimeToAlertSeconds))
	})
}

func TestScoreCyclicGraph(t *testing.T) {
	// A cycle must neither hang nor make a service its own caller by accident.
	edges := [][2]string{{"a", "b"}, {"b", "c"}, {"c", "a"}, {"d", "a"}}
	faults := []Fault{{ID: "f", Type: "errors", Service: "b", Start: at(0, 0), End: at(1, 0)}}
	res := Score(faults, []Alert{alert("1", "c", at(0, 10)), alert("2", "d", at(0, 20)), alert("3", "e", at(0, 30))}, Rules{Edges: edges})
	assert.Equal(t, 2, res.Matched, "c calls b through a; d calls a")
}

func TestMedian(t *testing.T) {
	s := time.Second
	assert.Equal(t, time.Duration(0), Median(nil))
	assert.Equal(t, 7*s, Median([]time.Duration{7 * s}))
	assert.Equal(t, 20*s, Median([]time.Duration{30 * s, 10 * s}))
	assert.Equal(t, 30*s, Median([]time.Duration{90 * s, 10 * s, 30 * s}))
	in := []time.Duration{4 * s, 1 * s, 3 * s, 2 * s}
	assert.Equal(t, 2500*time.Millisecond, Median(in))
	assert.Equal(t, []time.Duration{4 * s, 1 * s, 3 * s, 2 * s}, in, "input left unsorted")
}
