package anomalyprocessor

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadatatest"
)

// storageName names the file-backed test storage extension. The test
// client writes its file when closed and reads it when opened, so a second
// processor started on the same directory after a Shutdown is a restart.
const storageName = "anomaly"

func startWithStorage(t *testing.T, dir string) (*anomalyProcessor, *consumertest.MetricsSink, *componenttest.Telemetry) {
	return startInstanceWithStorage(t, dir, component.NewID(metadata.Type), nil)
}

// startInstanceWithStorage starts the processor with the given component ID
// (e.g. anomaly/a) over file-backed storage in dir; mut, if set, changes the
// configuration first.
func startInstanceWithStorage(t *testing.T, dir string, id component.ID, mut func(*Config)) (*anomalyProcessor, *consumertest.MetricsSink, *componenttest.Telemetry) {
	cfg := createDefaultConfig().(*Config)
	if mut != nil {
		mut(cfg)
	}
	storageID := storagetest.NewStorageID(storageName)
	cfg.Storage = &storageID
	cfg.SnapshotInterval = 0
	p, sink, tel := newObservedProcessor(t, cfg, id)
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension(storageName, dir)
	require.NoError(t, p.Start(context.Background(), host))
	return p, sink, tel
}

// storedClient opens the processor's own storage client in dir, to seed or
// inspect what a restart reads; closing it writes the file back.
func storedClient(dir string) *storagetest.TestClient {
	return storagetest.NewFileBackedClient(component.KindProcessor, component.NewID(metadata.Type), "", dir)
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
	dir := t.TempDir()
	t0 := time.Unix(1700000000, 0)
	value := func(i int) float64 { return 50 + float64(i%9) + 3*float64(i%4) }
	ref, refSink := newTestProcessor(t, nil)
	a, _, _ := startWithStorage(t, dir)
	for i := 0; i < 300; i++ {
		require.NoError(t, ref.ConsumeMetrics(context.Background(), gauge("cpu", t0.Add(time.Duration(i)*time.Minute), value(i), "h")))
		require.NoError(t, a.ConsumeMetrics(context.Background(), gauge("cpu", t0.Add(time.Duration(i)*time.Minute), value(i), "h")))
	}
	require.NoError(t, a.Shutdown(context.Background()))
	stored := storedClient(dir)
	count, err := stored.Get(context.Background(), "count")
	require.NoError(t, err)
	assert.NotNil(t, count)
	require.NoError(t, stored.Close(context.Background()))

	b, bSink, bTel := startWithStorage(t, dir)
	defer func() { require.NoError(t, b.Shutdown(context.Background())) }()
	assert.Equal(t, 1, b.seriesCount())
	_, err = bTel.GetMetric("otelcol_anomaly_snapshot_errors")
	assert.ErrorContains(t, err, "not found", "the restore recorded no snapshot error")
	for i := 300; i < 320; i++ {
		ts := t0.Add(time.Duration(i) * time.Minute)
		v := value(i)
		if i == 310 {
			v = 500 // a spike: the restored series must know it is one
		}
		require.NoError(t, ref.ConsumeMetrics(context.Background(), gauge("cpu", ts, v, "h")))
		require.NoError(t, b.ConsumeMetrics(context.Background(), gauge("cpu", ts, v, "h")))
		assert.Equal(t, lastScore(t, refSink), lastScore(t, bSink), "point %d", i)
		if i == 300 {
			// The restarted process tells the decision once, so that an
			// alert a consumer kept across the restart can resolve; the
			// one that never stopped has nothing new to say.
			_, told := findMetric(bSink.AllMetrics()[0], metricActive)
			assert.True(t, told, "anomaly.active on the first point after the restart")
			_, repeated := findMetric(refSink.AllMetrics()[300], metricActive)
			assert.False(t, repeated, "nor on a normal point of a series that was running")
		}
	}
}

// Two instances of the processor (anomaly/a, anomaly/b) sharing one storage
// extension keep separate snapshots: each restores its own series only.
func TestSnapshotsOfTwoInstancesKeepApart(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Unix(1700000000, 0)
	idA, idB := component.MustNewIDWithName("anomaly", "a"), component.MustNewIDWithName("anomaly", "b")
	a, _, _ := startInstanceWithStorage(t, dir, idA, nil)
	require.NoError(t, a.ConsumeMetrics(context.Background(), gauge("cpu", t0, 1, "h1")))
	require.NoError(t, a.ConsumeMetrics(context.Background(), gauge("cpu", t0, 1, "h2")))
	require.NoError(t, a.Shutdown(context.Background()))
	b, _, _ := startInstanceWithStorage(t, dir, idB, nil)
	require.NoError(t, b.ConsumeMetrics(context.Background(), gauge("mem", t0, 1, "h1")))
	require.NoError(t, b.Shutdown(context.Background()))

	a2, _, _ := startInstanceWithStorage(t, dir, idA, nil)
	defer func() { require.NoError(t, a2.Shutdown(context.Background())) }()
	assert.Equal(t, 2, a2.seriesCount(), "anomaly/a restores its own two series, not b's")
	b2, _, _ := startInstanceWithStorage(t, dir, idB, nil)
	defer func() { require.NoError(t, b2.Shutdown(context.Background())) }()
	assert.Equal(t, 1, b2.seriesCount())
}

// A corrupt snapshot is counted, and the processor starts empty and runs.
func TestSnapshotCorruptStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	seed := storedClient(dir)
	require.NoError(t, seed.Set(context.Background(), "count", []byte{1, 0, 0, 0}))
	require.NoError(t, seed.Set(context.Background(), "chunk/0", []byte{chunkVersion, 1, 2, 3}))
	require.NoError(t, seed.Close(context.Background()))
	p, sink, tel := startWithStorage(t, dir)
	defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
	assert.Equal(t, 0, p.seriesCount())
	// The corrupt snapshot was read and counted.
	metadatatest.AssertEqualAnomalySnapshotErrors(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("reason", "restore")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("cpu", time.Unix(1, 0), 1, "h")))
	_, ok := findMetric(sink.AllMetrics()[0], metricScore)
	assert.True(t, ok)
}

// Hand-worked hysteresis: on at the suppressed score (or at an unsuppressed
// one halfway from the threshold to 1), held while the unsuppressed score
// stays at or above clear, off after 2 points below.
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
		{0.1, 0.7, false, false}, // held off, below the break-through (0.725)
		{0.17, 0.88, true, true}, // held off, but far beyond: a new alarm
		{0.05, 0.2, true, false},
		{0.05, 0.2, false, false},
	}
	for i, st := range steps {
		active, started := s.decide(detector.Result{Score: st.score, Unsuppressed: st.raw, Point: st.raw}, decision{on: 0.45, off: 0.27, clearPoints: 2, confirmPoints: 1})
		assert.Equal(t, st.active, active, "step %d", i)
		assert.Equal(t, st.started, started, "step %d", i)
	}
}

// Hand-worked confirmation (confirm_points 2): a lone point at the
// threshold is not an incident; one that the next point confirms is: by
// deviating itself at least at clear, or by a drift at the threshold. The
// surprise average's echo (a high unsuppressed score) does not confirm. A
// break-through ending such a run turns it on at once. After a trigger that
// was not confirmed, a point at the threshold before damping with fresh
// evidence triggers again although the hold-off damps its score. Outside
// the hold-off, a point continuing a run triggers with its own deviation
// (judged without its predecessor) at the threshold.
func TestDecideConfirmation(t *testing.T) {
	var s series
	d := decision{on: 0.45, off: 0.27, clearPoints: 2, confirmPoints: 2}
	steps := []struct {
		score, raw, point, drift float64
		active, started          bool
	}{
		{0.6, 0.6, 0.6, 0.1, false, false},  // trigger, not yet confirmed
		{0.1, 0.5, 0.1, 0.1, false, false},  // the outlier's echo: dropped
		{0.1, 0.5, 0.3, 0.1, false, false},  // held off: deviates, no trigger
		{0.1, 0.2, 0.2, 0.1, false, false},  // the run ends
		{0.5, 0.5, 0.5, 0.1, false, false},  // trigger
		{0.06, 0.3, 0.3, 0.1, true, true},   // confirmed by its own deviation (at clear)
		{0.05, 0.1, 0.1, 0.1, true, false},  // below clear once
		{0.05, 0.1, 0.1, 0.1, false, false}, // cleared after two
		{0.5, 0.5, 0.2, 0.5, false, false},  // trigger by the drift
		{0.1, 0.5, 0.05, 0.46, true, true},  // confirmed: the drift goes on
		{0.05, 0.1, 0.1, 0.1, true, false},
		{0.05, 0.1, 0.1, 0.1, false, false},
		{0.1, 0.3, 0.3, 0.1, false, false}, // deviates, no trigger
		{0.12, 0.9, 0.9, 0.1, true, true},  // break-through ending a run of two: on at once
		{0.05, 0.1, 0.1, 0.1, true, false},
		{0.05, 0.1, 0.1, 0.1, false, false},
		{0.12, 0.9, 0.9, 0.1, false, false}, // a break-through alone waits too
		{0.02, 0.1, 0.1, 0.1, false, false},
		{0.3, 0.3, 0.3, 0.1, false, false}, // deviates, no trigger
		{0.44, 0.44, 0.5, 0.1, true, true}, // the run's own deviation at on, outside the hold-off
		{0.05, 0.1, 0.1, 0.1, true, false},
		{0.05, 0.1, 0.1, 0.1, false, false},
		{0.3, 0.3, 0.3, 0.1, false, false},  // deviates, no trigger
		{0.1, 0.44, 0.5, 0.1, false, false}, // the same in the hold-off (damped): no trigger
		{0.1, 0.1, 0.1, 0.1, false, false},
		{0.1, 0.1, 0.5, 0.1, false, false}, // a point's own deviation at on starting a run: waits for confirmation
	}
	for i, st := range steps {
		r := detector.Result{Score: st.score, Unsuppressed: st.raw, Point: st.point, Drift: st.drift}
		active, started := s.decide(r, d)
		assert.Equal(t, st.active, active, "step %d", i)
		assert.Equal(t, st.started, started, "step %d", i)
	}
}

// A pending confirmation survives a restart: the snapshot keeps the run and
// whether it reached the threshold.
func TestSnapshotKeepsPendingDecision(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Unix(1700000000, 0)
	a, _, _ := startWithStorage(t, dir)
	require.NoError(t, a.ConsumeMetrics(context.Background(), gauge("cpu", t0, 1, "h")))
	require.Equal(t, 1, a.seriesCount())
	sa := onlySeries(t, a)
	sa.armed, sa.run, sa.active, sa.unconfirmed = true, 1, false, true
	require.NoError(t, a.Shutdown(context.Background()))

	b, _, _ := startWithStorage(t, dir)
	defer func() { require.NoError(t, b.Shutdown(context.Background())) }()
	require.Equal(t, 1, b.seriesCount())
	s := onlySeries(t, b)
	assert.True(t, s.armed)
	assert.True(t, s.unconfirmed)
	assert.Equal(t, uint8(1), s.run)
	assert.False(t, s.active)
	active, started := s.decide(detector.Result{Score: 0.1, Unsuppressed: 0.3, Point: 0.3}, b.decision)
	assert.True(t, active, "the point after the restart confirms the trigger before it")
	assert.True(t, started)
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
		b.ReportMetric(float64(p.seriesCount()), "series")
	}
}

func pcommonTs(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }

// A restored series gets the override that applies to its attributes, as it
// had before the restart: with direction up, a drop stays unscored. Restored
// under the top-level configuration (direction both) it would alarm.
func TestSnapshotRestoreKeepsAttributeOverride(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Unix(1700000000, 0)
	up := func(c *Config) {
		c.Overrides = []Override{{Metric: "cpu", Attributes: map[string]string{"host.name": "h"}, Detection: Detection{Direction: "up"}}}
	}
	value := func(i int) float64 { return 50 + float64(i%9) + 3*float64(i%4) }
	ref, refSink := newTestProcessor(t, up)
	a, _, _ := startInstanceWithStorage(t, dir, component.NewID(metadata.Type), up)
	for i := 0; i < 300; i++ {
		md := gauge("cpu", t0.Add(time.Duration(i)*time.Minute), value(i), "h")
		require.NoError(t, ref.ConsumeMetrics(context.Background(), md))
		require.NoError(t, a.ConsumeMetrics(context.Background(), gauge("cpu", t0.Add(time.Duration(i)*time.Minute), value(i), "h")))
	}
	require.NoError(t, a.Shutdown(context.Background()))

	b, bSink, _ := startInstanceWithStorage(t, dir, component.NewID(metadata.Type), up)
	defer func() { require.NoError(t, b.Shutdown(context.Background())) }()
	require.Equal(t, 1, b.seriesCount())
	for i := 300; i < 310; i++ {
		ts := t0.Add(time.Duration(i) * time.Minute)
		v := value(i)
		if i == 305 {
			v = -500 // far below: not an anomaly for direction up
		}
		require.NoError(t, ref.ConsumeMetrics(context.Background(), gauge("cpu", ts, v, "h")))
		require.NoError(t, b.ConsumeMetrics(context.Background(), gauge("cpu", ts, v, "h")))
		assert.Equal(t, lastScore(t, refSink), lastScore(t, bSink), "point %d", i)
		if i == 305 {
			assert.Less(t, lastScore(t, bSink), 0.2)
		}
	}
	assert.Nil(t, onlySeries(t, b).snapshot, "the kept state is released at the first point")
}

// A delta stream's first point after a restart counts over its own interval:
// the points of the restart's gap may be lost, and counting the point over
// the whole gap would read as a collapse of the rate on every delta series
// at once.
func TestDeltaRateAfterRestartOverOwnInterval(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Unix(1700000000, 0)
	events := func(i int) int64 { return 4 + int64(i%3) } // about one a second over 5 s
	deltaPoint := func(ts time.Time, v int64) pmetric.Metrics {
		md := intCounter(ts, ts.Add(-5*time.Second), v)
		md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
		return md
	}
	a, _, _ := startWithStorage(t, dir)
	ts := t0
	for i := 0; i < 300; i++ {
		ts = ts.Add(5 * time.Second)
		require.NoError(t, a.ConsumeMetrics(context.Background(), deltaPoint(ts, events(i))))
	}
	require.NoError(t, a.Shutdown(context.Background()))

	b, sink, _ := startWithStorage(t, dir)
	defer func() { require.NoError(t, b.Shutdown(context.Background())) }()
	ts = ts.Add(10 * time.Minute) // the restart's gap
	require.NoError(t, b.ConsumeMetrics(context.Background(), deltaPoint(ts, events(300))))
	assert.Less(t, lastScore(t, sink), detector.DefaultThreshold, "an ordinary count after the gap is no anomaly")
}
