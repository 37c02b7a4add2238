package microsim

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func testConfig() Config {
	return Config{
		Seed: 7, Start: t0, Tick: time.Second, MetricsInterval: 5 * time.Second,
		RequestsPerSecond: 30, DailyAmplitude: 0, PeakHour: 15,
	}
}

// run steps through d of simulated time and returns everything produced.
func run(t *testing.T, cfg Config, d time.Duration) Batch {
	t.Helper()
	s, err := New(cfg)
	require.NoError(t, err)
	var all Batch
	for s.Now().Before(cfg.Start.Add(d)) {
		b := s.Step()
		for _, sp := range b.Spans {
			require.True(t, sp.End.Before(s.Now()), "span released before it ended")
		}
		for _, l := range b.Logs {
			require.True(t, l.Time.Before(s.Now()), "log released before its time")
		}
		all.Append(b)
	}
	return all
}

func TestDefaultCallGraph(t *testing.T) {
	topo := DefaultTopology()
	assert.Equal(t, []string{"frontend", "cart", "checkout", "payment", "shipping", "cache", "database"}, topo.ServiceNames())
	edges := topo.Edges()
	for _, e := range [][2]string{
		{"frontend", "cart"}, {"frontend", "checkout"}, {"checkout", "payment"}, {"checkout", "shipping"},
		{"checkout", "cart"}, {"cart", "cache"}, {"checkout", "database"}, {"frontend", "database"},
	} {
		assert.Contains(t, edges, e)
	}
	for _, svc := range topo.services {
		for _, o := range svc.ops {
			for _, c := range o.calls {
				callee := topo.Service(c.service)
				require.NotNil(t, callee, "%s calls unknown %s", svc.Name, c.service)
				require.NotNil(t, callee.op(c.operation), "%s calls unknown %s.%s", svc.Name, c.service, c.operation)
			}
		}
	}
}

func TestTracesAreWellFormed(t *testing.T) {
	b := run(t, testConfig(), 70*time.Second)
	byTrace := map[TraceID][]Span{}
	for _, sp := range b.Spans {
		byTrace[sp.TraceID] = append(byTrace[sp.TraceID], sp)
	}
	cutoff := t0.Add(60 * time.Second)
	checked := 0
	for _, spans := range byTrace {
		var roots []Span
		byID := map[SpanID]Span{}
		for _, sp := range spans {
			require.NotContains(t, byID, sp.SpanID, "duplicate span ID")
			byID[sp.SpanID] = sp
			if sp.ParentID == (SpanID{}) {
				roots = append(roots, sp)
			}
		}
		require.LessOrEqual(t, len(roots), 1)
		if len(roots) == 0 {
			continue // the root ends after the run
		}
		root := roots[0]
		if !root.Start.Before(cutoff) {
			continue // may be incomplete at the end of the run
		}
		checked++
		assert.Equal(t, "frontend", root.Service)
		assert.Equal(t, SpanKindServer, root.Kind)
		for _, sp := range spans {
			if sp.ParentID == (SpanID{}) {
				continue
			}
			p, ok := byID[sp.ParentID]
			require.True(t, ok, "parent of %s in %s missing", sp.Name, sp.Service)
			assert.False(t, sp.Start.Before(p.Start), "child starts before parent")
			assert.False(t, sp.End.Before(sp.Start))
			if sp.Kind == SpanKindServer {
				// a server span's parent is the caller's client span
				require.Equal(t, SpanKindClient, p.Kind)
				assert.Equal(t, sp.Name, p.Name)
				assert.Equal(t, sp.Service, attr(p, "peer.service"))
				assert.False(t, sp.End.After(p.End) && !p.Error, "server span outlives a successful client span")
			} else {
				require.Equal(t, SpanKindServer, p.Kind)
				assert.Equal(t, p.Service, sp.Service, "client span belongs to the calling service")
				assert.False(t, sp.End.After(p.End), "client span outlives its parent")
			}
		}
	}
	assert.Greater(t, checked, 1500)
}

func attr(sp Span, key string) any {
	for _, a := range sp.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return nil
}

func TestSemanticConventionAttributes(t *testing.T) {
	b := run(t, testConfig(), 20*time.Second)
	seen := map[string]bool{}
	for _, sp := range b.Spans {
		switch {
		case sp.Service == "frontend" && sp.Kind == SpanKindServer:
			assert.NotNil(t, attr(sp, "http.request.method"))
			assert.NotNil(t, attr(sp, "http.route"))
			assert.NotNil(t, attr(sp, "http.response.status_code"))
			seen["http"] = true
		case sp.Service == "payment" && sp.Kind == SpanKindServer:
			assert.Equal(t, "grpc", attr(sp, "rpc.system"))
			assert.Equal(t, "shop.PaymentService", attr(sp, "rpc.service"))
			assert.Equal(t, "Charge", attr(sp, "rpc.method"))
			seen["rpc"] = true
		case sp.Kind == SpanKindClient && attr(sp, "peer.service") == "database":
			assert.Equal(t, "postgresql", attr(sp, "db.system.name"))
			assert.NotNil(t, attr(sp, "db.query.text"))
			seen["db"] = true
		}
	}
	assert.Len(t, seen, 3)
}

func TestRequestRate(t *testing.T) {
	cfg := testConfig()
	cfg.RequestsPerSecond = 50
	b := run(t, cfg, 200*time.Second)
	roots := 0
	for _, sp := range b.Spans {
		if sp.ParentID == (SpanID{}) {
			roots++
		}
	}
	// Poisson: sd = sqrt(10000) = 100; allow 4 sd (slow requests at the end excepted).
	assert.InDelta(t, 10000, roots, 400)
}

func TestDailyVariation(t *testing.T) {
	cfg := testConfig()
	cfg.DailyAmplitude = 0.5
	cfg.PeakHour = 12
	s, err := New(cfg)
	require.NoError(t, err)
	peak := s.rate(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	trough := s.rate(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.InDelta(t, 45, peak, 1e-9)
	assert.InDelta(t, 15, trough, 1e-9)
}

func TestDeterministic(t *testing.T) {
	cfg := testConfig()
	cfg.Random = &RandomSchedule{Seed: 3, Warmup: 5 * time.Second, MinGap: 2 * time.Second, MaxGap: 5 * time.Second,
		MinDuration: 3 * time.Second, MaxDuration: 6 * time.Second}
	a := run(t, cfg, 40*time.Second)
	b := run(t, cfg, 40*time.Second)
	require.True(t, reflect.DeepEqual(a, b), "same seed, different output")
	cfg.Seed = 8
	c := run(t, cfg, 40*time.Second)
	assert.NotEqual(t, a.Spans[0].TraceID, c.Spans[0].TraceID)
	// The fault schedule has its own seed: traffic changes do not move it.
	assert.Equal(t, a.FaultEvents, c.FaultEvents)
}

func TestLogsCarryTraceContext(t *testing.T) {
	b := run(t, testConfig(), 30*time.Second)
	spans := map[SpanID]Span{}
	for _, sp := range b.Spans {
		spans[sp.SpanID] = sp
	}
	services := map[string]bool{}
	for _, l := range b.Logs {
		sp, ok := spans[l.SpanID]
		if !ok {
			continue // its span ended in a later tick
		}
		assert.Equal(t, sp.TraceID, l.TraceID)
		assert.Equal(t, sp.Service, l.Service)
		assert.Equal(t, sp.End, l.Time)
		services[l.Service] = true
	}
	assert.Len(t, services, 7, "every service logs")
	for _, l := range b.Logs {
		if l.Service == "frontend" {
			assert.Regexp(t, `^(GET|POST) /api/\S+ \d{3} [0-9.]+m?s user=u-\d{5} ip=[0-9.]+$`, l.Body)
			break
		}
	}
}

// window splits items into before, during and after a fault.
type window struct{ from, to time.Time }

func (w window) phase(t time.Time) int {
	switch {
	case t.Before(w.from):
		return 0
	case t.Before(w.to):
		return 1
	default:
		return 2
	}
}

func faultRun(t *testing.T, f Fault) (Batch, window) {
	cfg := testConfig()
	cfg.Faults = []Fault{f}
	return run(t, cfg, f.End()+40*time.Second), window{t0.Add(f.Start), t0.Add(f.End())}
}

func TestFaultLatency(t *testing.T) {
	b, w := faultRun(t, Fault{Type: FaultLatency, Service: "checkout", Start: 40 * time.Second, Duration: 40 * time.Second, Magnitude: 5})
	var sum, n [3]float64
	for _, sp := range b.Spans {
		if sp.Service == "checkout" && sp.Kind == SpanKindServer {
			p := w.phase(sp.Start)
			sum[p] += sp.End.Sub(sp.Start).Seconds()
			n[p]++
		}
	}
	before, during, after := sum[0]/n[0], sum[1]/n[1], sum[2]/n[2]
	assert.Greater(t, during, 4*before)
	assert.Less(t, after, 1.5*before)
}

func TestFaultErrors(t *testing.T) {
	b, w := faultRun(t, Fault{Type: FaultErrors, Service: "payment", Start: 40 * time.Second, Duration: 60 * time.Second, Magnitude: 0.4})
	var errs, n [3]float64
	frontendErrs := [3]float64{}
	for _, sp := range b.Spans {
		if sp.Kind != SpanKindServer {
			continue
		}
		p := w.phase(sp.Start)
		if sp.Service == "payment" {
			n[p]++
			if sp.Error {
				errs[p]++
			}
		}
		if sp.Service == "frontend" && sp.Error {
			frontendErrs[p]++
			assert.Contains(t, []any{int64(500), int64(503), int64(504)}, attr(sp, "http.response.status_code"))
		}
	}
	assert.Less(t, errs[0]/n[0], 0.05)
	assert.InDelta(t, 0.4, errs[1]/n[1], 0.12)
	assert.Greater(t, frontendErrs[1], 5*frontendErrs[0]+5, "errors propagate to the entry service")
	errLogs := 0
	for _, l := range b.Logs {
		if l.Service == "payment" && l.Severity == SeverityError && w.phase(l.Time) == 1 {
			errLogs++
			assert.Contains(t, l.Body, "declined")
		}
	}
	assert.InDelta(t, errs[1], errLogs, 3)
}

func points(b Batch, svc, metric string, w window) [3][]float64 {
	var out [3][]float64
	for _, p := range b.Points {
		if p.Service == svc && p.Metric == metric {
			out[w.phase(p.Time)] = append(out[w.phase(p.Time)], p.Value)
		}
	}
	return out
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestFaultCPU(t *testing.T) {
	b, w := faultRun(t, Fault{Type: FaultCPU, Service: "cart", Start: 60 * time.Second, Duration: 60 * time.Second, Magnitude: 0.5})
	p := points(b, "cart", MetricCPUUtilization, w)
	assert.InDelta(t, mean(p[0])+0.5, mean(p[1]), 0.05)
	assert.InDelta(t, mean(p[0]), mean(p[2]), 0.05)
	other := points(b, "payment", MetricCPUUtilization, w)
	assert.InDelta(t, mean(other[0]), mean(other[1]), 0.05)
}

func TestFaultMemoryLeak(t *testing.T) {
	b, w := faultRun(t, Fault{Type: FaultMemoryLeak, Service: "payment", Start: 60 * time.Second, Duration: 100 * time.Second, Magnitude: 2})
	p := points(b, "payment", MetricMemoryUsage, w)
	base := mean(p[0])
	during := p[1]
	assert.Greater(t, during[len(during)-1], 2.5*base, "grows toward 3x baseline")
	for i := 1; i < len(during); i++ {
		assert.Greater(t, during[i], during[i-1]-0.02*base, "grows steadily")
	}
	assert.InDelta(t, base, mean(p[2]), 0.05*base, "freed after restart")
}

func TestFaultNewLogPattern(t *testing.T) {
	b, w := faultRun(t, Fault{Type: FaultNewLogPattern, Service: "cart", Start: 40 * time.Second, Duration: 40 * time.Second})
	var warn [3]int
	for _, l := range b.Logs {
		if l.Service == "cart" && l.Severity == SeverityWarn && !strings.HasPrefix(l.Body, "slow request") {
			warn[w.phase(l.Time)]++
		}
	}
	assert.Zero(t, warn[0])
	assert.Greater(t, warn[1], 100)
	assert.Zero(t, warn[2])
}

func TestFaultDependencyDown(t *testing.T) {
	b, w := faultRun(t, Fault{Type: FaultDependencyDown, Service: "database", Start: 40 * time.Second, Duration: 40 * time.Second})
	var server, refused [3]int
	for _, sp := range b.Spans {
		p := w.phase(sp.Start)
		if sp.Service == "database" {
			server[p]++
		}
		if sp.Kind == SpanKindClient && attr(sp, "peer.service") == "database" && sp.Error {
			refused[p]++
			assert.Contains(t, sp.StatusMessage, "connection refused")
		}
	}
	assert.Greater(t, server[0], 100)
	assert.Zero(t, server[1], "a down service serves nothing")
	assert.Greater(t, refused[1], 100)
	assert.Zero(t, refused[0])
	cpu := points(b, "database", MetricCPUUtilization, w)
	assert.Less(t, mean(cpu[1]), 0.01)
}

func TestGroundTruthEvents(t *testing.T) {
	f := Fault{ID: "x1", Type: FaultLatency, Service: "checkout", Start: 10 * time.Second, Duration: 15 * time.Second}
	b, _ := faultRun(t, f)
	require.Len(t, b.FaultEvents, 2)
	start, end := b.FaultEvents[0], b.FaultEvents[1]
	want := FaultEvent{Event: "start", Time: t0.Add(10 * time.Second), ID: "x1", Type: FaultLatency, Service: "checkout",
		Start: t0.Add(10 * time.Second), End: t0.Add(25 * time.Second), Magnitude: DefaultMagnitude(FaultLatency)}
	assert.Equal(t, want, start)
	want.Event, want.Time = "end", t0.Add(25*time.Second)
	assert.Equal(t, want, end)
}

func TestRandomSchedule(t *testing.T) {
	cfg := testConfig()
	cfg.RequestsPerSecond = 0.5
	cfg.Tick = 10 * time.Second
	cfg.MetricsInterval = time.Minute
	r := DefaultRandomSchedule()
	r.Seed = 11
	cfg.Random = &r
	b := run(t, cfg, 6*time.Hour)
	var starts []FaultEvent
	types := map[FaultType]bool{}
	for _, ev := range b.FaultEvents {
		if ev.Event == "start" {
			starts = append(starts, ev)
			types[ev.Type] = true
			assert.NoError(t, ValidateFault("f", Fault{Type: ev.Type, Service: ev.Service, Start: 1, Duration: ev.End.Sub(ev.Start), Magnitude: ev.Magnitude}, nil))
			if ev.Type == FaultDependencyDown {
				assert.NotEqual(t, "frontend", ev.Service)
			}
		}
	}
	// 6h minus warmup, 13..28 min per fault: 12..24 faults.
	assert.GreaterOrEqual(t, len(starts), 12)
	assert.LessOrEqual(t, len(starts), 24)
	assert.GreaterOrEqual(t, len(types), 5)
	assert.False(t, starts[0].Start.Before(t0.Add(r.Warmup)))
	for i := 1; i < len(starts); i++ {
		gap := starts[i].Start.Sub(starts[i-1].End)
		assert.GreaterOrEqual(t, gap, r.MinGap, "faults do not overlap")
		assert.LessOrEqual(t, gap, r.MaxGap+time.Second)
		d := starts[i].End.Sub(starts[i].Start)
		assert.True(t, d >= r.MinDuration && d <= r.MaxDuration+time.Second, "duration %s", d)
	}
	ids := map[string]bool{}
	for _, s := range starts {
		assert.False(t, ids[s.ID], "unique IDs")
		ids[s.ID] = true
	}
}

func TestConfigErrorsNameKeyAndValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"tick", func(c *Config) { c.Tick = 0 }, "tick must be positive (got 0s)"},
		{"amplitude", func(c *Config) { c.DailyAmplitude = 1.5 }, "daily amplitude must be in [0, 1) (got 1.5)"},
		{"rate", func(c *Config) { c.RequestsPerSecond = math.NaN() }, "(got NaN)"},
		{"type", func(c *Config) { c.Faults = []Fault{{Type: "boom", Service: "cart", Duration: 1}} }, `faults[0].type must be one of`},
		{"service", func(c *Config) { c.Faults = []Fault{{Type: FaultCPU, Service: "nope", Duration: 1}} }, `faults[0].service must be one of [frontend cart checkout payment shipping cache database] (got "nope")`},
		{"duration", func(c *Config) { c.Faults = []Fault{{Type: FaultCPU, Service: "cart"}} }, "faults[0].duration must be positive (got 0s)"},
		{"magnitude", func(c *Config) { c.Faults = []Fault{{Type: FaultErrors, Service: "cart", Duration: 1, Magnitude: 2}} }, "faults[0].magnitude for errors is the error probability added to each request and must be in (0, 1] (got 2)"},
		{"latency magnitude", func(c *Config) {
			c.Faults = []Fault{{Type: FaultLatency, Service: "cart", Duration: 1, Magnitude: 0.5}}
		}, "must be in [1, 1000] (got 0.5)"},
		{"random", func(c *Config) { c.Random = &RandomSchedule{MinDuration: time.Minute, MaxDuration: time.Second} }, "random.max_duration must be at least min_duration 1m0s (got 1s)"},
		{"random types", func(c *Config) {
			r := DefaultRandomSchedule()
			r.Types = []FaultType{"oops"}
			c.Random = &r
		}, `random.types[0] must be one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			tc.edit(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestDemoFaultsValid(t *testing.T) {
	for i, f := range DemoFaults() {
		require.NoError(t, ValidateFault("faults", f, nil), i)
	}
	assert.Equal(t, 3*time.Minute, DemoFaults()[0].Start)
	assert.True(t, slices.IsSortedFunc(DemoFaults(), func(a, b Fault) int { return int(a.Start - b.Start) }))
}

func BenchmarkStep(b *testing.B) {
	cfg := testConfig()
	cfg.RequestsPerSecond = 100
	s, err := New(cfg)
	require.NoError(b, err)
	b.ReportAllocs()
	spans := 0
	for b.Loop() {
		spans += len(s.Step().Spans)
	}
	b.ReportMetric(float64(spans)/b.Elapsed().Seconds(), "spans/s")
}
