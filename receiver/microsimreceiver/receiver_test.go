package microsimreceiver

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver/internal/metadatatest"
)

var simStart = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// fakeClock is the real clock the receiver paces itself by.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type sinks struct {
	traces  *consumertest.TracesSink
	metrics *consumertest.MetricsSink
	logs    *consumertest.LogsSink
}

// create builds all three signals of one component ID and checks that they
// share one receiver.
func create(t *testing.T, set receiver.Settings, cfg *Config) (*simReceiver, sinks) {
	t.Helper()
	f := NewFactory()
	s := sinks{new(consumertest.TracesSink), new(consumertest.MetricsSink), new(consumertest.LogsSink)}
	tr, err := f.CreateTraces(context.Background(), set, cfg, s.traces)
	require.NoError(t, err)
	mr, err := f.CreateMetrics(context.Background(), set, cfg, s.metrics)
	require.NoError(t, err)
	lr, err := f.CreateLogs(context.Background(), set, cfg, s.logs)
	require.NoError(t, err)
	require.Same(t, tr, mr)
	require.Same(t, tr, lr)
	return tr.(*simReceiver), s
}

func startAll(t *testing.T, r *simReceiver) {
	t.Helper()
	for range 3 { // each pipeline starts it; only the first counts
		require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	}
}

func groundTruth(ld []plog.Logs) []plog.LogRecord {
	var out []plog.LogRecord
	for _, l := range ld {
		for i := 0; i < l.ResourceLogs().Len(); i++ {
			rl := l.ResourceLogs().At(i)
			if v, _ := rl.Resource().Attributes().Get("service.name"); v.Str() != groundTruthService {
				continue
			}
			recs := rl.ScopeLogs().At(0).LogRecords()
			for j := 0; j < recs.Len(); j++ {
				out = append(out, recs.At(j))
			}
		}
	}
	return out
}

func TestRealTimeDemoScheduleWithFakeClock(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	r, s := create(t, receivertest.NewNopSettings(metadata.Type), cfg)
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	clock := &fakeClock{t: start}
	r.now = clock.Now
	startAll(t, r)
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	// Nothing is due until the clock moves.
	time.Sleep(3 * minWake)
	assert.Zero(t, s.traces.SpanCount())

	first := microsim.DemoFaults()[0]
	clock.Add(first.Start + 30*time.Second)
	require.Eventually(t, func() bool { return len(groundTruth(s.logs.AllLogs())) == 1 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return r.reached.Load() == clock.Now().UnixNano() }, 10*time.Second, 10*time.Millisecond)

	ev := groundTruth(s.logs.AllLogs())[0]
	assert.Equal(t, "microsim.fault.start", ev.EventName())
	attrs := ev.Attributes().AsRaw()
	assert.Equal(t, "demo-1-latency-checkout", attrs["microsim.fault.id"])
	assert.Equal(t, "latency", attrs["microsim.fault.type"])
	assert.Equal(t, "checkout", attrs["microsim.fault.service"])
	assert.Equal(t, start.Add(first.Start).Format(time.RFC3339), attrs["microsim.fault.start"])
	assert.Equal(t, start.Add(first.Start+first.Duration).Format(time.RFC3339), attrs["microsim.fault.end"])
	assert.Equal(t, 5.0, attrs["microsim.fault.magnitude"])
	assert.Equal(t, pcommon.NewTimestampFromTime(clock.Now().Add(-30*time.Second)), ev.Timestamp())

	// Every signal comes from the same simulated system: logs point at
	// spans that were emitted, and every service reports host metrics.
	spans := map[pcommon.SpanID]pcommon.TraceID{}
	for _, td := range s.traces.AllTraces() {
		forEachSpan(td, func(_ string, sp ptrace.Span) { spans[sp.SpanID()] = sp.TraceID() })
	}
	matched, total := 0, 0
	for _, ld := range s.logs.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			recs := ld.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords()
			for j := 0; j < recs.Len(); j++ {
				if recs.At(j).SpanID().IsEmpty() {
					continue
				}
				total++
				if tid, ok := spans[recs.At(j).SpanID()]; ok && tid == recs.At(j).TraceID() {
					matched++
				}
			}
		}
	}
	assert.Greater(t, total, 1000)
	assert.Equal(t, total, matched)
	services := map[string]bool{}
	for _, md := range s.metrics.AllMetrics() {
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			v, _ := md.ResourceMetrics().At(i).Resource().Attributes().Get("service.name")
			services[v.Str()] = true
		}
	}
	assert.Len(t, services, 7)
	// No timestamp is ahead of the simulated clock.
	for _, td := range s.traces.AllTraces() {
		forEachSpan(td, func(_ string, sp ptrace.Span) {
			require.LessOrEqual(t, sp.EndTimestamp().AsTime(), clock.Now())
		})
	}
}

func forEachSpan(td ptrace.Traces, fn func(service string, sp ptrace.Span)) {
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		svc, _ := rs.Resource().Attributes().Get("service.name")
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			spans := rs.ScopeSpans().At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				fn(svc.Str(), spans.At(k))
			}
		}
	}
}

// accelerated runs 10 simulated minutes at 3600x (about 0.2 s) to the end
// of its duration.
func accelerated(t *testing.T, tt *componenttest.Telemetry, truthFile string) sinks {
	cfg := createDefaultConfig().(*Config)
	cfg.Speed = 3600
	cfg.StartTime = simStart
	cfg.Duration = 10 * time.Minute
	cfg.FaultSchedule = ScheduleList
	cfg.Faults = []FaultConfig{{ID: "cpu-cart", Type: "cpu", Service: "cart", Start: 2 * time.Minute, Duration: 3 * time.Minute, Magnitude: 0.5}}
	cfg.GroundTruth.File = truthFile
	r, s := create(t, metadatatest.NewSettings(tt), cfg)
	startAll(t, r)
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatal("accelerated run did not finish")
	}
	require.NoError(t, r.Shutdown(context.Background()))
	return s
}

func TestAcceleratedRun(t *testing.T) {
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	truth := filepath.Join(t.TempDir(), "truth.jsonl")
	s := accelerated(t, tt, truth)

	// Host metrics every 10s from 10s to 590s: 59 points per service and metric.
	points := 0
	var cpuBefore, cpuDuring []float64
	for _, md := range s.metrics.AllMetrics() {
		points += md.DataPointCount()
		for i := 0; i < md.ResourceMetrics().Len(); i++ {
			rm := md.ResourceMetrics().At(i)
			if v, _ := rm.Resource().Attributes().Get("service.name"); v.Str() != "cart" {
				continue
			}
			m := rm.ScopeMetrics().At(0).Metrics()
			require.Equal(t, microsim.MetricCPUUtilization, m.At(0).Name())
			require.Equal(t, pmetric.MetricTypeGauge, m.At(0).Type())
			require.Equal(t, pmetric.MetricTypeSum, m.At(1).Type())
			require.False(t, m.At(1).Sum().IsMonotonic())
			dps := m.At(0).Gauge().DataPoints()
			for j := 0; j < dps.Len(); j++ {
				at := dps.At(j).Timestamp().AsTime().Sub(simStart)
				switch {
				case at < 2*time.Minute:
					cpuBefore = append(cpuBefore, dps.At(j).DoubleValue())
				case at < 5*time.Minute:
					cpuDuring = append(cpuDuring, dps.At(j).DoubleValue())
				}
			}
		}
	}
	assert.Equal(t, 7*2*59, points)
	assert.Greater(t, avg(cpuDuring), avg(cpuBefore)+0.4, "the cpu fault shows in the cart's host metrics")

	// Timestamps are simulated time, inside the run.
	for _, td := range s.traces.AllTraces() {
		forEachSpan(td, func(_ string, sp ptrace.Span) {
			require.False(t, sp.StartTimestamp().AsTime().Before(simStart))
			require.True(t, sp.EndTimestamp().AsTime().Before(simStart.Add(10*time.Minute)))
		})
	}

	// Ground truth: a start and an end line in the file, and two records.
	f, err := os.Open(truth)
	require.NoError(t, err)
	defer f.Close()
	var events []microsim.FaultEvent
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev microsim.FaultEvent
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev))
		events = append(events, ev)
	}
	require.Len(t, events, 2)
	assert.Equal(t, microsim.FaultEvent{Event: "start", Time: simStart.Add(2 * time.Minute), ID: "cpu-cart", Type: microsim.FaultCPU,
		Service: "cart", Start: simStart.Add(2 * time.Minute), End: simStart.Add(5 * time.Minute), Magnitude: 0.5}, events[0])
	assert.Equal(t, "end", events[1].Event)
	assert.Equal(t, simStart.Add(5*time.Minute), events[1].Time)
	assert.Len(t, groundTruth(s.logs.AllLogs()), 2)

	// Self-telemetry counts what the sinks received.
	logRecords := 0
	for _, ld := range s.logs.AllLogs() {
		logRecords += ld.LogRecordCount()
	}
	metadatatest.AssertEqualMicrosimSpansEmitted(t, tt, []metricdata.DataPoint[int64]{{Value: int64(s.traces.SpanCount())}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualMicrosimLogRecordsEmitted(t, tt, []metricdata.DataPoint[int64]{{Value: int64(logRecords)}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualMicrosimMetricPointsEmitted(t, tt, []metricdata.DataPoint[int64]{{Value: int64(points)}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualMicrosimFaultsStarted(t, tt, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
}

func avg(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestAcceleratedRunIsDeterministic(t *testing.T) {
	summary := func() (int, int, pcommon.TraceID) {
		tt := componenttest.NewTelemetry()
		defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
		s := accelerated(t, tt, "")
		first := s.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
		logs := 0
		for _, ld := range s.logs.AllLogs() {
			logs += ld.LogRecordCount()
		}
		return s.traces.SpanCount(), logs, first
	}
	s1, l1, id1 := summary()
	s2, l2, id2 := summary()
	assert.Equal(t, s1, s2)
	assert.Equal(t, l1, l2)
	assert.Equal(t, id1, id2)
	assert.Greater(t, s1, 10000)
}

func TestRefusedBatchesAreCounted(t *testing.T) {
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	cfg := createDefaultConfig().(*Config)
	cfg.Speed = 3600
	cfg.Duration = time.Minute
	tr, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, consumertest.NewErr(errors.New("full")))
	require.NoError(t, err)
	r := tr.(*simReceiver)
	startAll(t, r)
	<-r.done
	require.NoError(t, r.Shutdown(context.Background()))
	got, err := tt.GetMetric("otelcol_microsim_batches_refused")
	require.NoError(t, err)
	dps := got.Data.(metricdata.Sum[int64]).DataPoints
	require.Len(t, dps, 1)
	assert.Positive(t, dps[0].Value)
	v, _ := dps[0].Attributes.Value(attribute.Key("signal"))
	assert.Equal(t, "traces", v.AsString())
	// Shut down: the next create gets a fresh receiver.
	tr2, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tt), cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.NotSame(t, tr, tr2)
	require.NoError(t, tr2.Shutdown(context.Background()))
}

func TestStartFailsOnUnwritableGroundTruth(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.GroundTruth.File = filepath.Join(t.TempDir(), "missing-dir", "truth.jsonl")
	r, _ := create(t, receivertest.NewNopSettings(metadata.Type), cfg)
	err := r.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, "ground_truth.file")
	require.NoError(t, r.Shutdown(context.Background()))
}

func TestBadStartTimeNamesKey(t *testing.T) {
	cfg := createDefaultConfig()
	err := confmap.NewFromStringMap(map[string]any{"start_time": "yesterday"}).Unmarshal(cfg)
	require.ErrorContains(t, err, "start_time")
	require.ErrorContains(t, err, "yesterday")
}
