package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter/internal/metadata"
)

// NewFactory returns the alertwebhook exporter factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithMetrics(createMetrics, metadata.MetricsStability),
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	q := exporterhelper.NewDefaultQueueConfig()
	q.NumConsumers = 1 // keep a target's notifications in order
	q.Batch = configoptional.None[exporterhelper.BatchConfig]()
	retry := configretry.NewDefaultBackOffConfig()
	// The state layer re-derives notifications at the next group interval
	// and Alertmanager targets re-post every minute, so a bounded retry is
	// enough; 10 minutes also covers DingTalk's lock-out after rate abuse.
	retry.MaxElapsedTime = 10 * time.Minute
	return &Config{
		LabelNameMode:      "sanitize",
		MaxAlerts:          5000,
		ResolvedRetention:  15 * time.Minute,
		EvaluationInterval: time.Second,
		DefaultRules: DefaultRulesConfig{
			Enabled:                 true,
			AnomalyMetric:           "anomaly.active",
			AnomalySourceAttribute:  "anomaly.metric",
			AnomalyKeepFiringFor:    2 * time.Minute,
			LogTemplateNewAttribute: "log.record.template.new",
			LogTemplateIDAttribute:  "log.record.template.id",
			LogTemplateAttribute:    "log.record.template",
			LogResolveTimeout:       5 * time.Minute,
		},
		TimeoutConfig: exporterhelper.TimeoutConfig{Timeout: 15 * time.Second},
		QueueConfig:   configoptional.Some(q),
		RetryConfig:   retry,
	}
}

// The metrics and logs exporters of one configured instance share state,
// so an alert from logs and one from metrics group together and there is
// one state snapshot per instance.
var (
	sharedMu sync.Mutex
	shared   = map[component.ID]*alertExporter{}
)

func getShared(ctx context.Context, set exporter.Settings, cfg *Config) (*alertExporter, error) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if e, ok := shared[set.ID]; ok {
		e.mu.Lock()
		e.refs++
		e.mu.Unlock()
		return e, nil
	}
	e, err := newAlertExporter(ctx, cfg, set)
	if err != nil {
		return nil, err
	}
	e.refs = 1
	id := set.ID
	e.onRemove = func() {
		sharedMu.Lock()
		if shared[id] == e {
			delete(shared, id)
		}
		sharedMu.Unlock()
	}
	shared[id] = e
	return e, nil
}

func createMetrics(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
	c := cfg.(*Config)
	e, err := getShared(ctx, set, c)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewMetrics(ctx, set, cfg, e.consumeMetrics,
		exporterhelper.WithStart(e.start), exporterhelper.WithShutdown(e.release),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}))
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := getShared(ctx, set, c)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.consumeLogs,
		exporterhelper.WithStart(e.start), exporterhelper.WithShutdown(e.release),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}))
}
