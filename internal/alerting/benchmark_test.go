package alerting

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkEngineObserve measures one observation of an already firing
// alert (the steady state of a noisy series), including the fingerprint.
func BenchmarkEngineObserve(b *testing.B) {
	e := NewEngine(EngineConfig{})
	obs := make([]Observation, 1000)
	for i := range obs {
		obs[i] = Observation{Rule: "r", Active: true, Labels: NewLabels(map[string]string{
			"alertname": "AnomalyDetected", "severity": "warning", "service": "checkout",
			"metric": "http.server.duration", "instance": fmt.Sprint("pod-", i)})}
	}
	now := t0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = e.Observe(now, obs[i%len(obs)])
	}
}

// BenchmarkMemoryPerActiveAlert reports the heap held per firing alert with
// a realistic label set (6 labels) and two annotations, tracked by the
// engine and by one grouping target.
func BenchmarkMemoryPerActiveAlert(b *testing.B) {
	const n = 10000
	for i := 0; i < b.N; i++ {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		e := NewEngine(EngineConfig{})
		d := NewDispatcher(GroupingConfig{GroupBy: []string{"alertname", "service"}})
		for j := 0; j < n; j++ {
			_ = e.Observe(t0, Observation{Rule: "AnomalyDetected", Active: true,
				Labels: NewLabels(map[string]string{"alertname": "AnomalyDetected", "severity": "warning",
					"service": fmt.Sprint("svc-", j%50), "metric": "http.server.request.duration",
					"http_route": fmt.Sprint("/api/v1/item/", j), "instance": fmt.Sprint("10.0.", j%256, ".", j%7, ":8080")}),
				Annotations: NewLabels(map[string]string{"summary": fmt.Sprint("http.server.request.duration anomalous on svc-", j%50),
					"value": fmt.Sprint(1.5 + float64(j))})})
		}
		for _, a := range e.Drain() {
			d.Insert(t0.Add(time.Second), a)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/alert")
		runtime.KeepAlive(e)
		runtime.KeepAlive(d)
	}
}
