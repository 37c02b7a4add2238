package alertwebhookexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// BenchmarkRuleEvaluation10Rules measures ConsumeMetrics with 10 OTTL rules
// (each selecting one metric by name and testing its value) over batches of
// 1000 gauge points spread over those 10 metrics and 100 series; about 1%
// of points are alerting. Reported as points/s on one core (run -cpu=1).
func BenchmarkRuleEvaluation10Rules(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Hour
	for i := 0; i < 10; i++ {
		cfg.Rules = append(cfg.Rules, RuleConfig{
			Name: fmt.Sprint("HighValue", i), Signal: "metrics",
			Select:               fmt.Sprintf(`metric.name == "app.metric.%d"`, i),
			Condition:            "value_double > 99.0",
			Severity:             "warning",
			LabelsFromAttributes: map[string]string{"service": "service.name", "instance": "instance"},
			Annotations:          map[string]string{"summary": "{{ .MetricName }} = {{ .Value }}"},
		})
	}
	require.NoError(b, cfg.Validate())
	h := startHarness(&testing.T{}, cfg, hostWith(""), &fakeClock{t: epoch})
	defer func() { _ = h.metrics.Shutdown(context.Background()); _ = h.logs.Shutdown(context.Background()) }()

	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "checkout")
	sm := rm.ScopeMetrics().AppendEmpty()
	const points = 1000
	for m := 0; m < 10; m++ {
		met := sm.Metrics().AppendEmpty()
		met.SetName(fmt.Sprint("app.metric.", m))
		dps := met.SetEmptyGauge().DataPoints()
		for p := 0; p < points/10; p++ {
			dp := dps.AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(epoch))
			dp.Attributes().PutStr("instance", fmt.Sprint("pod-", p))
			v := float64(p % 99)
			if p == 0 {
				v = 100 // 1 alerting series per metric
			}
			dp.SetDoubleValue(v)
		}
	}
	md.MarkReadOnly()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := h.metrics.ConsumeMetrics(ctx, md); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*points)/b.Elapsed().Seconds(), "points/s")
	if _, firing := h.e.engine.Counts(); firing != 10 {
		b.Fatalf("expected 10 firing alerts, got %d", firing)
	}
}
