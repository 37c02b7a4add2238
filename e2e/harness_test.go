//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

const relayConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
exporters:
  otlphttp:
    endpoint: {{.}}
    compression: none
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
service:
  extensions: [health_check]
  telemetry: {metrics: {level: none}}
  pipelines:
    metrics: {receivers: [otlp], exporters: [otlphttp]}
    logs: {receivers: [otlp], exporters: [otlphttp]}
    traces: {receivers: [otlp], exporters: [otlphttp]}
`

// TestHarnessRelayToSink exercises the harness itself: OTLP in, the
// collector's otlphttp exporter out to a Sink, then a SIGKILL.
func TestHarnessRelayToSink(t *testing.T) {
	sink := e2e.NewSink(t)
	c := e2e.Start(t, relayConfig, e2e.Options{Data: sink.Endpoint()})

	md := pmetric.NewMetrics()
	g := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	g.SetName("relay.gauge")
	g.SetEmptyGauge().DataPoints().AppendEmpty().SetIntValue(7)
	e2e.SendMetrics(t, c.Addr("otlp"), md)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("relay")
	e2e.SendLogs(t, c.Addr("otlp"), ld)
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("relay-span")
	e2e.SendTraces(t, c.Addr("otlp"), td)

	e2e.Eventually(t, 20*time.Second, func() bool {
		return len(sink.Metrics()) > 0 && len(sink.Logs()) > 0 && len(sink.Traces()) > 0
	}, "metrics, logs and traces at the sink")
	got := sink.Metrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0)
	assert.Equal(t, "relay.gauge", got.Name())
	assert.Equal(t, int64(7), got.Gauge().DataPoints().At(0).IntValue())
	assert.Equal(t, "relay", sink.Logs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str())
	assert.Equal(t, "relay-span", sink.Traces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name())

	c.Kill()
	require.True(t, c.Exited())
}
