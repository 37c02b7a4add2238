package microsimreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver/internal/metadata"
)

// NewFactory returns the microsim receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithTraces(createTraces, metadata.TracesStability),
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
		receiver.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	r := microsim.DefaultRandomSchedule()
	return &Config{
		Seed:              1,
		Speed:             1,
		Tick:              time.Second,
		MetricsInterval:   10 * time.Second,
		RequestsPerSecond: 20,
		DailyAmplitude:    0.3,
		PeakHour:          15,
		FaultSchedule:     ScheduleAuto,
		RandomFaults: RandomFaultsConfig{
			Warmup: r.Warmup, MinGap: r.MinGap, MaxGap: r.MaxGap,
			MinDuration: r.MinDuration, MaxDuration: r.MaxDuration,
		},
	}
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r, err := shared(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setTraces(next)
	return r, nil
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	r, err := shared(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setMetrics(next)
	return r, nil
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := shared(set, cfg.(*Config))
	if err != nil {
		return nil, err
	}
	r.setLogs(next)
	return r, nil
}
