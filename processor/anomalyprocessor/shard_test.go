package anomalyprocessor

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

func TestShardCount(t *testing.T) {
	for _, c := range []struct{ max, want int }{
		{1, 1}, {3, 1}, {8191, 1}, {8192, 2}, {16384, 4}, {100000, 16}, {1 << 30, 16},
	} {
		assert.Equal(t, c.want, shardCount(c.max, 2), "max_series %d", c.max)
		assert.Equal(t, 1, shardCount(c.max, 1), "one core, one shard")
	}
}

// seriesCount is the number of series in the shards' tables; it must
// equal the processor's count of them (live).
func (p *anomalyProcessor) seriesCount() int {
	n := 0
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		n += sh.table.len()
		sh.mu.Unlock()
	}
	if int64(n) != p.live.Load() {
		panic(fmt.Sprintf("%d series in the tables, %d counted", n, p.live.Load()))
	}
	return n
}

// cpuSeries is one gauge point at ts for each of n series.
func cpuSeries(n int, ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("cpu")
	points := m.SetEmptyGauge().DataPoints()
	for i := range n {
		dp := points.AppendEmpty()
		dp.Attributes().PutInt("cpu", int64(i))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(1)
	}
	return md
}

// evictedFor is the processor's count of series evicted for reason
// ("limit": max_series, "stale": max_stale).
func evictedFor(tel *componenttest.Telemetry, reason string) int64 {
	m, err := tel.GetMetric("otelcol_anomaly_series_evicted")
	if err != nil {
		return 0 // nothing recorded
	}
	n := int64(0)
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if r, _ := dp.Attributes.Value("reason"); r.AsString() == reason {
			n += dp.Value
		}
	}
	return n
}

// max_series bounds the total over the shards, exactly: every series past
// it evicts one, and as many series as the limit, sent again and again,
// all keep their state (a share of the limit per shard would make the
// fullest shards evict each series just before its next point).
func TestShardsShareTheLimit(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxSeries = 8192
	p, _, tel := newObservedProcessor(t, cfg, component.NewID(metadata.Type))
	p.next = consumertest.NewNop()
	p.shards = newShards(8192, 2) // as on two cores
	require.Len(t, p.shards, 2)
	t0 := time.Unix(1700000000, 0)
	for r := range 3 {
		require.NoError(t, p.ConsumeMetrics(context.Background(), cpuSeries(8192, t0.Add(time.Duration(r)*time.Minute))))
		assert.Equal(t, 8192, p.seriesCount())
	}
	assert.Zero(t, evictedFor(tel, "limit"), "at the limit, no series is evicted")

	require.NoError(t, p.ConsumeMetrics(context.Background(), cpuSeries(12000, t0.Add(3*time.Minute))))
	assert.Equal(t, 8192, p.seriesCount())
	assert.Equal(t, int64(12000-8192), evictedFor(tel, "limit"))
}

// Concurrent callers with series of their own get exactly what one caller
// sending the same points in turn gets: the shard locks keep each series'
// state whole while other series are scored at the same time.
func TestConcurrentConsumersMatchSequential(t *testing.T) {
	const callers, series, rounds = 4, 64, 150
	// scores maps host/cpu/timestamp to the emitted score and decision.
	scores := func(sink *consumertest.MetricsSink) map[string]float64 {
		out := map[string]float64{}
		for _, md := range sink.AllMetrics() {
			host, _ := md.ResourceMetrics().At(0).Resource().Attributes().Get("host.name")
			for _, name := range []string{metricScore, metricActive} {
				m, ok := findMetric(md, name)
				require.True(t, ok)
				dps := m.Gauge().DataPoints()
				for i := 0; i < dps.Len(); i++ {
					dp := dps.At(i)
					cpu, _ := dp.Attributes().Get("cpu")
					v := dp.DoubleValue()
					if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
						v = float64(dp.IntValue())
					}
					out[fmt.Sprint(name, host.Str(), cpu.Int(), dp.Timestamp())] = v
				}
			}
		}
		return out
	}

	dense := func(c *Config) { c.EmitInactive = true } // every decision compared
	seq, seqSink := newTestProcessor(t, dense)
	for c := range callers {
		for r := range rounds {
			require.NoError(t, seq.ConsumeMetrics(context.Background(), callerBatch(c, r, series)))
		}
	}
	par, parSink := newTestProcessor(t, dense)
	par.shards = newShards(par.cfg.MaxSeries, 4) // as on four cores, whatever this machine has
	require.Greater(t, len(par.shards), 1)
	startCallers(t, par, callers, series, rounds)()

	want, got := scores(seqSink), scores(parSink)
	require.GreaterOrEqual(t, len(want), 2*callers*series*(rounds-100), "every point past the warm-up")
	assert.Equal(t, want, got)
	assert.Equal(t, callers*series, par.seriesCount())
}

// callerBatch is round r of caller c's own series (host h<c>, cpu 0..n-1):
// a seasonal-looking gauge with an incident at round 120 on some series.
func callerBatch(c, r, n int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("host.name", fmt.Sprint("h", c))
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("system.cpu.utilization")
	dps := m.SetEmptyGauge().DataPoints()
	ts := time.Unix(1700000000, 0).Add(time.Duration(r) * time.Minute)
	for j := range n {
		dp := dps.AppendEmpty()
		dp.Attributes().PutInt("cpu", int64(j))
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		v := 50 + 10*math.Sin(float64(r*(j+1)+c)/7)
		if r == 120 && j%8 == c {
			v += 500
		}
		dp.SetDoubleValue(v)
	}
	return md
}

// startCallers starts one goroutine per caller, each sending its rounds of
// callerBatch to p, and returns the wait for them.
func startCallers(t *testing.T, p *anomalyProcessor, callers, series, rounds int) (wait func()) {
	var wg sync.WaitGroup
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				assert.NoError(t, p.ConsumeMetrics(context.Background(), callerBatch(c, r, series)))
			}
		}()
	}
	return wg.Wait
}

// Snapshots taken while callers score see each shard whole, and the last
// one restores every series.
func TestConcurrentSnapshotAndConsumers(t *testing.T) {
	const callers, series, rounds = 2, 64, 60
	dir := t.TempDir()
	a, _, _ := startWithStorage(t, dir)
	a.shards = newShards(a.cfg.MaxSeries, 4) // as on four cores (nothing was restored)
	ctx := context.Background()
	wait := startCallers(t, a, callers, series, rounds)
	done := make(chan struct{})
	saved := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-done:
				saved <- n
				return
			default:
				a.save(ctx)
				n++
			}
		}
	}()
	wait()
	close(done)
	assert.Positive(t, <-saved)
	require.NoError(t, a.Shutdown(ctx))

	b, _, _ := startWithStorage(t, dir)
	defer func() { require.NoError(t, b.Shutdown(ctx)) }()
	assert.Equal(t, callers*series, b.seriesCount())
}

// BenchmarkConsumeParallel is BenchmarkConsume with GOMAXPROCS concurrent
// callers, each sending its own 10,000 series: the processor's throughput
// over all cores. Unlike BenchmarkConsume it times the making of each
// batch too (RunParallel cannot stop the clock): compare its figures at
// GOMAXPROCS=1 and 2, not with BenchmarkConsume's.
func BenchmarkConsumeParallel(b *testing.B) {
	p, _ := newTestProcessor(b, nil)
	p.next = consumertest.NewNop()
	srcs := make([]*benchSource, runtime.GOMAXPROCS(0))
	for i := range srcs {
		srcs[i] = newBenchSource(fmt.Sprint("bench", i), uint64(i+1))
		srcs[i].warm(p)
	}
	var caller atomic.Int32
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		src := srcs[caller.Add(1)-1]
		for pb.Next() {
			_ = p.ConsumeMetrics(context.Background(), src.next())
		}
	})
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "points/s")
}

// Series not updated for max_stale are dropped from every shard at the
// next sweep, counted as evicted for staleness, and no longer counted
// against max_series.
func TestStaleSeriesExpireFromEveryShard(t *testing.T) {
	now := time.Unix(1700000000, 0)
	defer func(old func() time.Time) { timeNow = old }(timeNow)
	timeNow = func() time.Time { return now }
	cfg := createDefaultConfig().(*Config)
	p, _, tel := newObservedProcessor(t, cfg, component.NewID(metadata.Type))
	p.next = consumertest.NewNop()
	p.shards = newShards(cfg.MaxSeries, 4) // as on four cores
	ctx := context.Background()
	require.NoError(t, p.ConsumeMetrics(ctx, cpuSeries(100, now)))
	require.Equal(t, 100, p.seriesCount())

	now = now.Add(cfg.MaxStale + 2*time.Minute)
	// The sweep runs before the call scores: all 100 are stale, and the
	// first 10 start again.
	require.NoError(t, p.ConsumeMetrics(ctx, cpuSeries(10, now)))
	assert.Equal(t, 10, p.seriesCount())
	assert.Equal(t, int64(100), evictedFor(tel, "stale"))
}
