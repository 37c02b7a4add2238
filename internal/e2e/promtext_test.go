package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const promText = `# HELP otelcol_receiver_accepted_spans Spans accepted.
# TYPE otelcol_receiver_accepted_spans counter
otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} 1200
otelcol_receiver_accepted_spans_total{receiver="other",transport="grpc"} 7
otelcol_receiver_refused_spans_total{receiver="otlp",transport="http"} 3
otelcol_processor_memory_limiter_refused_metric_points{processor="memory_limiter"} 4 1700000000000
otelcol_anomaly_series_active{otel_scope_name="x",note="a \"quoted\", value\\"} 1e+06
otelcol_process_cpu_seconds 12.5
`

func TestParsePromText(t *testing.T) {
	m, err := ParsePromText(promText)
	require.NoError(t, err)
	require.Len(t, m, 6)
	assert.Equal(t, 1207.0, m.Sum("otelcol_receiver_accepted_spans", nil), "with or without _total")
	assert.Equal(t, 1200.0, m.Sum("otelcol_receiver_accepted_spans", map[string]string{"receiver": "otlp"}))
	assert.Equal(t, 3.0, m.SumPrefix("otelcol_receiver_refused_"))
	assert.Equal(t, 4.0, m.SumPrefix("otelcol_processor_memory_limiter_refused_"))
	assert.Equal(t, 1e6, m.Sum("otelcol_anomaly_series_active", map[string]string{"note": `a "quoted", value\`}))
	assert.Equal(t, 12.5, m.Sum("otelcol_process_cpu_seconds", nil))

	for _, bad := range []string{"lonely_name", `x{a="b" 1`, "x 1 2 3", "x abc", `x{a=b} 1`} {
		_, err := ParsePromText(bad)
		assert.Error(t, err, bad)
	}
}
