package microsimreceiver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
)

// BenchmarkSimulatedSecond measures one simulated second at the default 20
// requests/s, simulated and converted to pdata for all three signals. The
// sim-s/s metric is the highest speed a pipeline-free run could sustain.
func BenchmarkSimulatedSecond(b *testing.B) {
	cfg := createDefaultConfig().(*Config)
	sim, err := microsim.New(cfg.simConfig(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.NoError(b, err)
	topo := sim.Topology()
	b.ReportAllocs()
	items := 0
	for b.Loop() {
		batch := sim.Step()
		items += toTraces(batch.Spans, topo).SpanCount() + toLogs(batch.Logs, batch.FaultEvents, topo).LogRecordCount() +
			toMetrics(batch.Points, topo, sim.Now()).DataPointCount()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sim-s/s")
	b.ReportMetric(float64(items)/float64(b.N), "items/op")
}
