package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

// NewFactory returns the factory of the anomaly processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(createMetricsProcessor, metadata.MetricsStability),
	)
}

func createMetricsProcessor(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	pcfg, ok := cfg.(*Config)
	if !ok {
		return nil, errors.New("configuration parsing error")
	}
	return newProcessor(pcfg, set, next)
}

// ThresholdOf returns the decision threshold of a configuration made by this
// factory (for evaluation tools that score at the shipped default).
func ThresholdOf(cfg component.Config) (float64, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return 0, errors.New("not an anomaly processor configuration")
	}
	return c.Threshold, nil
}
