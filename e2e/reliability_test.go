//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// reliabilityConfig is the shipped pipeline with every piece of state in
// file_storage and a 1 s snapshot interval, so that a SIGKILL loses at most
// a second of learning.
const reliabilityConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
processors:
  logcluster:
    storage: file_storage
    snapshot_interval: 1s
  anomaly:
    storage: file_storage
    snapshot_interval: 1s
exporters:
  otlphttp:
    endpoint: {{.Sink}}
    compression: none
  alertwebhook:
    storage: file_storage
    evaluation_interval: 100ms
    default_rules:
      log_resolve_timeout: 4s
    sending_queue:
      storage: file_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 300ms
    targets:
      - name: hook
        type: webhook
        endpoint: {{.Hook}}
        group_wait: 0s
        group_interval: 1s
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
  file_storage:
    directory: {{dir}}
service:
  extensions: [health_check, file_storage]
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [otlp], processors: [logcluster], exporters: [otlphttp, alertwebhook]}
    metrics: {receivers: [otlp], processors: [anomaly], exporters: [otlphttp, alertwebhook]}
`

// steadyLoad sends log lines of a few templates for two services and one
// normal gauge series, point i at minute i, until ctx ends.
type steadyLoad struct {
	mu   sync.Mutex
	next int
}

func (l *steadyLoad) batch(i int) (plog.Logs, pmetric.Metrics) {
	ld := serviceLogs("cart",
		fmt.Sprintf("user %d added item %d to cart", 100+i%50, i),
		fmt.Sprintf("cache hit for key cart:%d in %dms", i, i%7),
	)
	more := serviceLogs("payment", fmt.Sprintf("charged order %d amount %d.%02d EUR", i, i%90+10, i%100))
	more.ResourceLogs().At(0).CopyTo(ld.ResourceLogs().AppendEmpty())
	v := 100 * (1 + 0.1*math.Sin(float64(i)/20) + 0.01*float64(i%5))
	return ld, latencyBatch(time.Unix(1_700_000_000, 0).Add(time.Duration(i)*time.Minute), v)
}

// send posts n batches, failing the test on any refusal.
func (l *steadyLoad) send(t *testing.T, c *e2e.Collector, n int) {
	for k := 0; k < n; k++ {
		if err := l.post(c); err != nil {
			t.Fatal(err)
		}
	}
}

// post sends the next batch; timestamps keep advancing whether or not the
// collector took it, as a real source's would.
func (l *steadyLoad) post(c *e2e.Collector) error {
	l.mu.Lock()
	i := l.next
	l.next++
	l.mu.Unlock()
	ld, md := l.batch(i)
	if err := e2e.PostLogs(c.Addr("otlp"), ld); err != nil {
		return err
	}
	return e2e.PostMetrics(c.Addr("otlp"), md)
}

// TestReliabilityKillDuringLoad (issue 7, item 1): SIGKILL under steady load,
// then a restart over the same file_storage. Template IDs are the same, the
// detector resumes warm (a normal series neither alerts nor goes back to
// warm-up), and the alert that fired before the kill is resolved after it.
func TestReliabilityKillDuringLoad(t *testing.T) {
	sink := e2e.NewSink(t)
	hook := newWebhook(t)
	hook.up.Store(true)
	dir := t.TempDir()
	data := struct{ Sink, Hook string }{sink.Endpoint(), hook.srv.URL}
	c := e2e.Start(t, reliabilityConfig, e2e.Options{Dir: dir, Data: data})

	load := &steadyLoad{}
	load.send(t, c, 300) // past the default 100-point warm-up
	errLog := serviceLogs("payment", "card processor unreachable after 3 retries")
	errLog.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).SetSeverityNumber(plog.SeverityNumberError)
	e2e.SendLogs(t, c.Addr("otlp"), errLog)
	e2e.Eventually(t, 20*time.Second, func() bool { f, _ := hook.statuses(); return f >= 1 }, "the new-error-template alert firing")

	before := templateIDs(sinkRecords(sink))
	require.Len(t, before, 4, "cart: 2 templates; payment: charges and the error")

	// Keep load flowing while the process is killed: the OTLP client's
	// errors after the kill are expected and ignored.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if load.post(c) != nil {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	time.Sleep(2500 * time.Millisecond) // at least two snapshot intervals
	c.Kill()
	cancel()
	<-done

	nSink := len(sink.Metrics())
	c2 := e2e.Start(t, reliabilityConfig, e2e.Options{Dir: dir, Data: data, Ports: c.Ports()})
	load.send(t, c2, 30)
	e2e.Eventually(t, 20*time.Second, func() bool { return len(scoresSince(sink, nSink)) >= 30 }, "scores after the restart")

	after := templateIDs(sinkRecords(sink))
	for key, id := range before {
		assert.Equal(t, id, after[key], "template %s keeps its ID across SIGKILL", key)
	}
	announced := 0
	for _, r := range sinkRecords(sink) {
		if r.isNew {
			announced++
		}
	}
	assert.Equal(t, len(before), announced, "each template announced as new once, never again after the restart")
	for _, s := range scoresSince(sink, nSink) {
		assert.Greater(t, s.score, 0.0, "restored detectors are warm: no warm-up zeros after the restart")
		assert.Zero(t, s.active, "a normal series does not alert after the restart")
	}
	e2e.Eventually(t, 30*time.Second, func() bool { _, r := hook.statuses(); return r >= 1 }, "the alert fired before the kill is resolved after it")
	require.NoError(t, c2.Stop())
}

// templateIDs maps service|first-word to the template ID the sink saw.
func templateIDs(recs []templated) map[string]string {
	out := map[string]string{}
	for _, r := range recs {
		if len(r.body) >= 5 && r.id != "" {
			out[r.service+"|"+r.body[:5]] = r.id
		}
	}
	return out
}

type scored struct {
	score  float64
	active int64
}

// scoresSince returns the anomaly.score / anomaly.active pairs of the
// latency series in sink batches from index from on.
func scoresSince(s *e2e.Sink, from int) []scored {
	var out []scored
	mds := s.Metrics()
	for _, md := range mds[min(from, len(mds)):] {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			sms := rms.At(i).ScopeMetrics()
			for j := 0; j < sms.Len(); j++ {
				var sc scored
				found := false
				ms := sms.At(j).Metrics()
				for k := 0; k < ms.Len(); k++ {
					m := ms.At(k)
					switch m.Name() {
					case "anomaly.score":
						sc.score, found = m.Gauge().DataPoints().At(0).DoubleValue(), true
					case "anomaly.active":
						sc.active = m.Gauge().DataPoints().At(0).IntValue()
					}
				}
				if found {
					out = append(out, sc)
				}
			}
		}
	}
	return out
}
