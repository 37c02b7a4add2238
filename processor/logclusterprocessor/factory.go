package logclusterprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-aiops/otelcol-aiops/internal/drain"
	"github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor/internal/metadata"
)

const (
	defaultBodyField        = "message"
	defaultMaxPartitions    = 1000
	defaultSnapshotInterval = time.Minute
)

// NewFactory returns the logcluster processor factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	d := drain.DefaultConfig()
	return &Config{
		BodyField:           defaultBodyField,
		PartitionBy:         []string{"service.name"},
		MaxPartitions:       defaultMaxPartitions,
		MaxClusters:         d.MaxClusters,
		MaxLineBytes:        d.MaxLineBytes,
		MaxTokens:           d.MaxTokens,
		SimilarityThreshold: d.SimThreshold,
		Attributes: AttributesConfig{
			// Same key as the contrib drain processor, for compatibility.
			Template:   "log.record.template",
			TemplateID: "log.record.template.id",
			Params:     "log.record.template.params",
			New:        "log.record.template.new",
		},
		SnapshotInterval: defaultSnapshotInterval,
		NewPattern:       NewPatternConfig{MinRecords: 1, Within: time.Minute},
	}
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	p, err := newProcessor(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithStart(p.start),
		processorhelper.WithShutdown(p.shutdown))
}
