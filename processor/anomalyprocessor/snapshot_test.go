package anomalyprocessor

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

// memStorage is an in-memory storage extension and client: what a restart
// keeps is the map, shared by every client it hands out.
type memStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	data map[string][]byte
}

var _ storage.Extension = (*memStorage)(nil)

func (m *memStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return m, nil
}

func (m *memStorage) Get(_ context.Context, k string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.data[k], nil
}

func (m *memStorage) Set(_ context.Context, k string, v []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[k] = append([]byte(nil), v...)
	return nil
}

func (m *memStorage) Delete(_ context.Context, k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, k)
	return nil
}

func (m *memStorage) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		var err error
		switch op.Type {
		case storage.Get:
			op.Value, err = m.Get(ctx, op.Key)
		case storage.Set:
			err = m.Set(ctx, op.Key, op.Value)
		case storage.Delete:
			err = m.Delete(ctx, op.Key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (*memStorage) Close(context.Context) error { return nil }

// storageHost exposes one storage extension.
type storageHost struct {
	id  component.ID
	ext component.Component
}

func (h storageHost) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{h.id: h.ext}
}

var storageID = component.MustNewID("memstorage")

func startWithStorage(t *testing.T, st *memStorage) (*anomalyProcessor, *consumertest.MetricsSink) {
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &storageID
	cfg.SnapshotInterval = 0
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.MetricsSink)
	p, err := newProcessor(cfg, processortest.NewNopSettings(metadata.Type), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), storageHost{id: storageID, ext: st}))
	return p, sink
}

func lastScore(t *testing.T, sink *consumertest.MetricsSink) float64 {
	all := sink.AllMetrics()
	m, ok := findMetric(all[len(all)-1], metricScore)
	require.True(t, ok)
	return m.Gauge().DataPoints().At(0).DoubleValue()
}

// A processor restarted from its snapshot scores exactly like one that never
// stopped: no warm-up, same state.
func TestSnapshotRestoreContinues(t *testing.T) {
	st := &memStorage{data: map[string][]byte{}}
	t0 := time.Unix(1700000000, 0)
	value := func(i int) float64 { return 50 + float64(i%9) + 3*float64(i%4) }
	ref, refSink := newTestProcessor(t, nil)
	a, _ := startWithStorage(t, st)
	for i := 0; i < 300; i++ {
		require.NoError(t, ref.ConsumeMetrics(context.Background(), gauge("cpu", t0.Add(time.Duration(i)*time.Minute), value(i), "h")))
		require.NoError(t, a.ConsumeMetrics(context.Background(), gauge("cpu", t0.Add(time.Duration(i)*time.Minute), value(i), "h")))
	}
	require.NoError(t, a.Shutdown(context.Background()))
	assert.NotNil(t, st.data["count"])

	b, bSink := startWithStorage(t, st)
	defer func() { require.NoError(t, b.Shutdown(context.Background())) }()
	assert.Equal(t, 1, b.table.len())
	for i := 300; i < 320; i++ {
		ts := t0.Add(time.Duration(i) * time.Minute)
		v := value(i)
		if i == 310 {
			v = 500 // a spike: the restored series must know it is one
		}
		require.NoError(t, ref.ConsumeMetrics(context.Background(), gauge("cpu", ts, v, "h")))
		require.NoError(t, b.ConsumeMetrics(context.Background(), gauge("cpu", ts, v, "h")))
		assert.Equal(t, lastScore(t, refSink), lastScore(t, bSink), "point %d", i)
	}
}

// A corrupt snapshot is counted, and the processor starts empty and runs.
func TestSnapshotCorruptStartsEmpty(t *testing.T) {
	st := &memStorage{data: map[string][]byte{"count": {1, 0, 0, 0}, "chunk/0": {chunkVersion, 1, 2, 3}}}
	p, sink := startWithStorage(t, st)
	defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
	assert.Equal(t, 0, p.table.len())
	require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("cpu", time.Unix(1, 0), 1, "h")))
	_, ok := findMetric(sink.AllMetrics()[0], metricScore)
	assert.True(t, ok)
}

// Hand-worked hysteresis: on at the suppressed score, held while the
// unsuppressed score stays at or above clear, off after 2 points below.
func TestDecideHysteresis(t *testing.T) {
	var s series
	steps := []struct {
		score, raw      float64
		active, started bool
	}{
		{0.3, 0.3, false, false},
		{0.5, 0.5, true, true},
		{0.1, 0.5, true, false}, // suppressed, but the deviation lasts
		{0.05, 0.2, true, false},
		{0.1, 0.4, true, false}, // back above clear: the count restarts
		{0.05, 0.2, true, false},
		{0.05, 0.2, false, false},
	}
	for i, st := range steps {
		active, started := s.decide(st.score, st.raw, 0.45, 0.27, 2)
		assert.Equal(t, st.active, active, "step %d", i)
		assert.Equal(t, st.started, started, "step %d", i)
	}
}

// BenchmarkPeakHeap100k feeds 100,000 series (one gauge point each per
// round, 300 rounds so every daily profile is allocated) and reports the
// live heap and the peak heap seen between rounds. Run with -benchtime 1x.
func BenchmarkPeakHeap100k(b *testing.B) {
	const series, batch, rounds = 100000, 1000, 300
	for n := 0; n < b.N; n++ {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		p, _ := newTestProcessor(b, nil)
		p.next = consumertest.NewNop()
		peak := uint64(0)
		t0 := time.Unix(1700000000, 0)
		for r := 0; r < rounds; r++ {
			for i := 0; i < series/batch; i++ {
				md := pmetric.NewMetrics()
				m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
				m.SetName("system.cpu.utilization")
				dps := m.SetEmptyGauge().DataPoints()
				dps.EnsureCapacity(batch)
				for j := 0; j < batch; j++ {
					dp := dps.AppendEmpty()
					dp.Attributes().PutInt("cpu", int64(i*batch+j))
					dp.SetTimestamp(pcommonTs(t0.Add(time.Duration(r) * 5 * time.Minute)))
					dp.SetDoubleValue(float64((i + j + r) % 17))
				}
				_ = p.ConsumeMetrics(context.Background(), md)
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak {
				peak = ms.HeapAlloc
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc-base)/series, "live-bytes/series")
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(p.table.len()), "series")
	}
}

func pcommonTs(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }
