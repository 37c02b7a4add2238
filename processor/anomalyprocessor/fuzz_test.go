package anomalyprocessor

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

// FuzzConsume feeds the processor points decoded from arbitrary bytes:
// every metric type and temporality, timestamps that jump back and forth,
// start times missing, equal to the point's time or after it, any float
// (NaN, ±Inf, huge, negative), histogram bounds and bucket counts that do
// not match, exponential scales and offsets of any size, and a few series
// keys so that state carries from point to point under a series limit that
// evicts. The processor must not panic, every companion must be
// well-formed (scores in [0, 1], decisions 0 or 1) and the series stay
// within the limit.
func FuzzConsume(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 1, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 10, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{4, 0, 7, 1, 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 5, 2, 1, 1})
	f.Add([]byte{5, 1, 3, 0, 200, 0xff, 0xff, 0xff, 0x7f, 4, 9, 9, 9, 9, 2, 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f})
	f.Add([]byte{2, 2, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2, 5, 5, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, sink := newTestProcessor(t, func(c *Config) {
			c.MaxSeries = 8
			c.WarmUp = 10
			c.EmitBands = true
			c.HistogramQuantiles = []float64{0.5, 0.99}
			yes := true
			c.AbsentIsZero = &yes // new rate series of old families start from zeros
		})
		in := &fuzzInput{data: data, ts: 1_700_000_000_000_000_000}
		for n := 0; n < 300 && in.more(); n++ {
			require.NoError(t, p.ConsumeMetrics(context.Background(), in.metrics()))
		}
		for _, md := range sink.AllMetrics() {
			checkCompanions(t, md)
		}
		require.LessOrEqual(t, p.seriesCount(), p.cfg.MaxSeries+len(p.shards))
	})
}

// checkCompanions fails the test on a score outside [0, 1] or a decision
// other than 0 and 1.
func checkCompanions(t *testing.T, md pmetric.Metrics) {
	t.Helper()
	if m, ok := findMetric(md, metricScore); ok {
		for i := range m.Gauge().DataPoints().Len() {
			v := m.Gauge().DataPoints().At(i).DoubleValue()
			require.Truef(t, v >= 0 && v <= 1, "score %v", v)
		}
	}
	if m, ok := findMetric(md, metricActive); ok {
		for i := range m.Gauge().DataPoints().Len() {
			v := m.Gauge().DataPoints().At(i).IntValue()
			require.Truef(t, v == 0 || v == 1, "decision %d", v)
		}
	}
}

// fuzzInput decodes points from the fuzzer's bytes; past their end every
// read is 0.
type fuzzInput struct {
	data []byte
	ts   int64
}

func (in *fuzzInput) more() bool { return len(in.data) > 0 }

func (in *fuzzInput) byte() byte {
	if len(in.data) == 0 {
		return 0
	}
	b := in.data[0]
	in.data = in.data[1:]
	return b
}

func (in *fuzzInput) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = in.byte()
	}
	return b
}

func (in *fuzzInput) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(in.bytes(8)))
}
func (in *fuzzInput) int32() int32 { return int32(binary.LittleEndian.Uint32(in.bytes(4))) }

// times returns the next point's time, a step of -128 to 127 s from the
// last, and a start time: none, the point's time, before it or after it.
func (in *fuzzInput) times() (ts, start pcommon.Timestamp) {
	in.ts += int64(int8(in.byte())) * 1e9
	switch b := in.byte(); b % 4 {
	case 0:
		return pcommon.Timestamp(in.ts), 0
	case 1:
		return pcommon.Timestamp(in.ts), pcommon.Timestamp(in.ts)
	case 2:
		return pcommon.Timestamp(in.ts), pcommon.Timestamp(in.ts - int64(b)*1e8)
	default:
		return pcommon.Timestamp(in.ts), pcommon.Timestamp(in.ts + 1e9)
	}
}

// point is what stamp sets on a data point of any type.
type point interface {
	Attributes() pcommon.Map
	SetTimestamp(pcommon.Timestamp)
	SetStartTimestamp(pcommon.Timestamp)
}

// stamp gives a point its series (attribute k) and its times.
func (in *fuzzInput) stamp(dp point, key int64) {
	dp.Attributes().PutInt("k", key)
	ts, start := in.times()
	dp.SetTimestamp(ts)
	dp.SetStartTimestamp(start)
}

func (in *fuzzInput) temporality() pmetric.AggregationTemporality {
	if in.byte()%2 == 0 {
		return pmetric.AggregationTemporalityCumulative
	}
	return pmetric.AggregationTemporalityDelta
}

// metrics decodes one point: its kind, its series (one of four attribute
// values) and its fields.
func (in *fuzzInput) metrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	kind, key := in.byte()%6, int64(in.byte()%4)
	m.SetName("fuzz." + string(rune('a'+kind)))
	switch kind {
	case 0, 1:
		var dp pmetric.NumberDataPoint
		if kind == 0 {
			dp = m.SetEmptyGauge().DataPoints().AppendEmpty()
		} else {
			s := m.SetEmptySum()
			s.SetIsMonotonic(in.byte()%4 != 0)
			s.SetAggregationTemporality(in.temporality())
			dp = s.DataPoints().AppendEmpty()
		}
		in.stamp(dp, key)
		if in.byte()%2 == 0 {
			dp.SetDoubleValue(in.float())
		} else {
			dp.SetIntValue(int64(int16(binary.LittleEndian.Uint16(in.bytes(2)))))
		}
	case 2, 3:
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(in.temporality())
		dp := h.DataPoints().AppendEmpty()
		in.stamp(dp, key)
		nb, nc := int(in.byte()%6), int(in.byte()%7)
		for range nb {
			dp.ExplicitBounds().Append(in.float())
		}
		total := uint64(0)
		for range nc {
			c := uint64(in.byte())
			dp.BucketCounts().Append(c)
			total += c
		}
		dp.SetCount(total + uint64(in.byte()%2)) // now and then not their sum
		dp.SetSum(in.float())
		if b := in.byte(); b%3 == 0 {
			dp.SetMin(in.float())
			dp.SetMax(in.float())
		}
	case 4:
		h := m.SetEmptyExponentialHistogram()
		h.SetAggregationTemporality(in.temporality())
		dp := h.DataPoints().AppendEmpty()
		in.stamp(dp, key)
		dp.SetScale(int32(int8(in.byte())))
		dp.SetZeroThreshold(in.float())
		dp.SetZeroCount(uint64(in.byte()))
		total := dp.ZeroCount()
		for _, side := range []pmetric.ExponentialHistogramDataPointBuckets{dp.Positive(), dp.Negative()} {
			side.SetOffset(in.int32())
			for range int(in.byte() % 5) {
				c := uint64(in.byte())
				side.BucketCounts().Append(c)
				total += c
			}
		}
		dp.SetCount(total)
		dp.SetSum(in.float())
	default:
		dp := m.SetEmptySummary().DataPoints().AppendEmpty()
		in.stamp(dp, key)
		for range int(in.byte() % 3) {
			q := dp.QuantileValues().AppendEmpty()
			q.SetQuantile(in.float())
			q.SetValue(in.float())
		}
	}
	return md
}

// FuzzRestoreSnapshot restores the processor from an arbitrary chunk,
// seeded with a real one (two gauge series and a counter) restored under a
// smaller max_series. The processor must not panic; it restores series
// (the tables and the shared count agreeing, within max_series) or starts
// empty with the error counted; and it goes on scoring.
func FuzzRestoreSnapshot(f *testing.F) {
	ctx := context.Background()
	t0 := time.Unix(1700000000, 0)
	saved, _ := newTestProcessor(f, nil)
	saved.store = &snapshotStore{client: storagetest.NewInMemoryClient(component.KindProcessor, component.NewID(metadata.Type), "")}
	for i := 0; i < 150; i++ {
		ts := t0.Add(time.Duration(i) * time.Minute)
		require.NoError(f, saved.ConsumeMetrics(ctx, gauge("cpu", ts, float64(i%7), "a")))
		require.NoError(f, saved.ConsumeMetrics(ctx, gauge("cpu", ts, float64(i%5), "b")))
		require.NoError(f, saved.ConsumeMetrics(ctx, intCounter(ts, t0, int64(i*i))))
	}
	saved.save(ctx)
	realChunk, err := saved.store.client.Get(ctx, "chunk/0")
	require.NoError(f, err)
	f.Add(realChunk)
	f.Add([]byte{chunkVersion})
	f.Fuzz(func(t *testing.T, chunk []byte) {
		cfg := createDefaultConfig().(*Config)
		cfg.MaxSeries = 2
		p, sink, tel := newObservedProcessor(t, cfg, component.NewID(metadata.Type))
		client := storagetest.NewInMemoryClient(component.KindProcessor, component.NewID(metadata.Type), "")
		require.NoError(t, client.Set(ctx, "count", binary.LittleEndian.AppendUint32(nil, 1)))
		require.NoError(t, client.Set(ctx, "chunk/0", chunk))
		p.store = &snapshotStore{client: client}
		p.lockAll()
		p.restore(ctx)
		p.unlockAll()
		if bytes.Equal(chunk, realChunk) {
			require.Equal(t, 2, p.seriesCount(), "the real snapshot restores up to max_series")
		}
		if n := p.seriesCount(); n == 0 && len(chunk) > 1 {
			_, err := tel.GetMetric("otelcol_anomaly_snapshot_errors")
			require.NoError(t, err, "a chunk that restored nothing was counted as an error")
		}
		require.LessOrEqual(t, p.seriesCount(), p.cfg.MaxSeries+len(p.shards))
		require.NoError(t, p.ConsumeMetrics(ctx, gauge("cpu", t0.Add(200*time.Minute), 3, "a")))
		require.NoError(t, p.ConsumeMetrics(ctx, intCounter(t0.Add(200*time.Minute), t0, 1<<40)))
		for _, md := range sink.AllMetrics() {
			checkCompanions(t, md)
		}
	})
}
