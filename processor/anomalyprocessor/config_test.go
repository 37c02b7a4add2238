package anomalyprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-aiops/otelcol-aiops/internal/configtest"
)

// The YAML keys map onto Config; attribute names with dots stay whole keys.
func TestLoadConfig(t *testing.T) {
	def := configtest.Load[*Config](t, NewFactory(), "")
	require.NoError(t, def.Validate())
	assert.Equal(t, createDefaultConfig(), def)

	c := configtest.Load[*Config](t, NewFactory(), "custom")
	require.NoError(t, c.Validate())
	storage := component.MustNewID("file_storage")
	yes, no := true, false
	assert.Equal(t, &Config{
		Include:   []string{"traces.span.metrics.*", "log.template.count"},
		Exclude:   []string{"traces.span.metrics.calls"},
		Detection: Detection{Direction: "both", Sensitivity: 1.2, Seasonality: "daily", WarmUp: 20},
		Overrides: []Override{
			{
				Metric:     "traces.span.metrics.duration",
				Signal:     "count_rate",
				Attributes: map[string]string{"status.code": "STATUS_CODE_ERROR", "service.name": "checkout"},
				Detection:  Detection{Direction: "up", AbsentIsZero: &yes},
			},
			{Metric: "log.template.count", Detection: Detection{Sensitivity: 0.8, AbsentIsZero: &no}},
		},
		Threshold:          0.55,
		ConfirmPoints:      3,
		ClearThreshold:     0.3,
		ClearPoints:        4,
		EmitInactive:       true,
		EmitBands:          true,
		HistogramQuantiles: []float64{0.5, 0.99},
		MaxSeries:          5000,
		MaxStale:           30 * time.Minute,
		Storage:            &storage,
		SnapshotInterval:   time.Minute,
	}, c)
}

func TestConfigValidate(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cfg.Validate())
	yes := true
	cfg.Direction = "sideways"
	cfg.Threshold = 2
	cfg.Include = []string{"["}
	cfg.Overrides = []Override{{Metric: "x", Detection: Detection{Seasonality: "hourly"}},
		{Metric: "y", Signal: "p99", Attributes: map[string]string{"": "v"}},
		{Metric: "z", Signal: "mean", Detection: Detection{AbsentIsZero: &yes}}}
	cfg.ConfirmPoints = 0
	cfg.HistogramQuantiles = []float64{0.5, 1, 0.5, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97}
	err := cfg.Validate()
	require.Error(t, err)
	for _, want := range []string{`direction must be both, up or down (got "sideways")`, "threshold must be in (0, 1] (got 2)",
		"confirm_points must be in [1, 15] (got 0)", `include[0]: bad pattern "["`, `overrides[0].seasonality`,
		`overrides[1].signal must be value, rate, count_rate, mean or quantile (got "p99")`, "overrides[1].attributes: empty key",
		"histogram_quantiles[1] must be in (0, 1) and not repeated (got 1)", "histogram_quantiles[2] must be in (0, 1) and not repeated (got 0.5)",
		"histogram_quantiles: at most 10 (got 11)", `overrides[2].absent_is_zero applies to the rate and count_rate signals (got signal "mean")`} {
		assert.ErrorContains(t, err, want)
	}
}
