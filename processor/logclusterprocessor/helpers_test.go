package logclusterprocessor

import (
	"testing"

	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/internal/drain"
	"github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor/internal/metadata"
)

func createDrainConfig(t *testing.T) drain.Config {
	t.Helper()
	return drain.DefaultConfig()
}

func newSettings() processor.Settings {
	return processortest.NewNopSettings(metadata.Type)
}
