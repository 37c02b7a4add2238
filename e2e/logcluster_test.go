//go:build e2e

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

const logclusterConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
processors:
  logcluster:
    storage: file_storage
exporters:
  otlphttp:
    endpoint: {{.}}
    compression: none
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
  file_storage:
    directory: {{dir}}
service:
  extensions: [health_check, file_storage]
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [otlp], processors: [logcluster], exporters: [otlphttp]}
`

// templated is what logcluster wrote on one record the sink received.
type templated struct {
	service, body, id, template string
	isNew                       bool
}

// sinkRecords returns the annotated records of the sink's batches (each test
// batch has one resource), optionally only those of one service. Batches may
// arrive out of order: the exporter's queue has several consumers.
func sinkRecords(s *e2e.Sink, service ...string) []templated {
	var out []templated
	for _, ld := range s.Logs() {
		svc, _ := ld.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
		for _, lr := range e2e.LogRecords(ld) {
			a := lr.Attributes()
			r := templated{service: svc.AsString(), body: lr.Body().AsString()}
			if v, ok := a.Get("log.record.template.id"); ok {
				r.id = v.Str()
			}
			if v, ok := a.Get("log.record.template"); ok {
				r.template = v.Str()
			}
			if v, ok := a.Get("log.record.template.new"); ok {
				r.isNew = v.Bool()
			}
			if len(service) == 0 || r.service == service[0] {
				out = append(out, r)
			}
		}
	}
	return out
}

func serviceLogs(service string, lines ...string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, l := range lines {
		lrs.AppendEmpty().Body().SetStr(l)
	}
	return ld
}

// TestLogclusterInBinary: the processor in the real binary annotates records,
// keeps services apart, and its template IDs survive a restart through
// file_storage (no record is announced as new again).
func TestLogclusterInBinary(t *testing.T) {
	sink := e2e.NewSink(t)
	dir := t.TempDir()
	c := e2e.Start(t, logclusterConfig, e2e.Options{Dir: dir, Data: sink.Endpoint()})

	var lines []string
	for i := 0; i < 20; i++ {
		lines = append(lines, fmt.Sprintf("user %d logged in from 10.0.%d.%d", 1000+i, i, i+1))
		lines = append(lines, fmt.Sprintf("order %d shipped in %dms", 5000+i, 20+i))
	}
	e2e.SendLogs(t, c.Addr("otlp"), serviceLogs("cart", lines...))
	e2e.SendLogs(t, c.Addr("otlp"), serviceLogs("payment", lines[:2]...))
	e2e.Eventually(t, 20*time.Second, func() bool { return len(sinkRecords(sink)) == 42 }, "42 annotated records")

	cart, payment := sinkRecords(sink, "cart"), sinkRecords(sink, "payment")
	require.Len(t, cart, 40)
	require.Len(t, payment, 2)
	ids := map[string]string{} // body prefix -> id, for cart
	newCount := 0
	for _, r := range cart {
		require.NotEmpty(t, r.id, "record %q has no template id", r.body)
		key := r.body[:4]
		if prev, ok := ids[key]; ok {
			assert.Equal(t, prev, r.id, "same template, same id: %q", r.body)
		}
		ids[key] = r.id
		if r.isNew {
			newCount++
		}
	}
	assert.Equal(t, 2, newCount, "two templates created for cart")
	assert.NotEqual(t, ids["user"], ids["orde"])
	assert.NotEqual(t, ids["user"], payment[0].id, "partitions by service.name")
	assert.True(t, payment[0].isNew, "a template is new in each partition")
	assert.Contains(t, cart[39].template, "<*>")

	require.NoError(t, c.Stop())

	// Restart over the same file_storage: same IDs, nothing new.
	c2 := e2e.Start(t, logclusterConfig, e2e.Options{Dir: dir, Data: sink.Endpoint(), Ports: c.Ports()})
	e2e.SendLogs(t, c2.Addr("otlp"), serviceLogs("cart", "user 77 logged in from 10.9.9.9", "order 1 shipped in 3ms"))
	e2e.Eventually(t, 20*time.Second, func() bool { return len(sinkRecords(sink)) == 44 }, "records after restart")
	after := sinkRecords(sink, "cart")[40:]
	require.Len(t, after, 2)
	assert.Equal(t, ids["user"], after[0].id)
	assert.Equal(t, ids["orde"], after[1].id)
	assert.False(t, after[0].isNew || after[1].isNew, "restored templates are not new")
}
