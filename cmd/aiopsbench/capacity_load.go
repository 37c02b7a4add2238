package main

// Synthetic OTLP load for the capacity benchmark: what instrumented services
// send, shaped for the demo's processing.
//
//   - spans: traces of four spans (a SERVER span for an HTTP route and three
//     children: a database query, a cache read and a CLIENT call), with
//     service, route, method and status attributes, 1% errors, log-normal
//     durations; span_metrics turns them into RED series.
//   - data points: gauges over a fixed set of series (service, instance,
//     metric, route), one point per series per visit, values around a
//     per-series level; the anomaly processor scores each.
//   - log records: lines of a dozen templates per service with variable
//     fields (ids, durations, addresses), mostly INFO; logcluster mines the
//     templates and the count connector counts records per template.
//
// Every request carries one signal and batch items. Sources are not safe for
// concurrent use: each sender owns one per signal, and owns its metric
// series, so the points of a series are sent in order. Span and log bodies
// are made up front and reused (pooledSource).

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// signalKind names an OTLP signal and its OTLP/HTTP path.
type signalKind string

const (
	sigTraces  signalKind = "traces"
	sigMetrics signalKind = "metrics"
	sigLogs    signalKind = "logs"
)

var allSignals = []signalKind{sigTraces, sigMetrics, sigLogs}

func (s signalKind) path() string { return "/v1/" + string(s) }

// itemName is what one item of the signal is called in reports.
func (s signalKind) itemName() string {
	switch s {
	case sigTraces:
		return "spans"
	case sigMetrics:
		return "data points"
	default:
		return "log records"
	}
}

var loadServices = []string{
	"frontend", "checkout", "cart", "payment", "catalog", "shipping", "currency", "email", "recommendation", "ad",
	"auth", "search", "inventory", "pricing", "review", "notification", "gateway", "user", "order", "quote",
}

var loadRoutes = []struct{ method, route string }{
	{"GET", "/api/products"}, {"GET", "/api/products/{id}"}, {"POST", "/api/cart"}, {"GET", "/api/cart/{id}"},
	{"POST", "/api/checkout"}, {"GET", "/api/orders/{id}"}, {"POST", "/api/payments"}, {"GET", "/api/recommendations"},
	{"PUT", "/api/users/{id}"}, {"GET", "/health"},
}

// loadMetricNames are the gauges each (service, instance, route) reports.
var loadMetricNames = []string{
	"system.cpu.utilization", "process.memory.usage", "http.server.active_requests",
	"db.client.connections.usage", "messaging.queue.depth",
}

// seriesPerResource is the number of gauge series under one resource
// (service instance): every metric for every route.
var seriesPerResource = len(loadMetricNames) * len(loadRoutes)

// otlpBatch is one request body.
type otlpBatch struct {
	sig   signalKind
	items int
	body  []byte
}

// spanSource makes trace requests.
type spanSource struct {
	rng   *rand.Rand
	batch int
}

func (s *spanSource) next() (otlpBatch, error) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	svc := loadServices[s.rng.IntN(len(loadServices))]
	rs.Resource().Attributes().PutStr("service.name", svc)
	rs.Resource().Attributes().PutStr("service.instance.id", fmt.Sprintf("%s-%d", svc, s.rng.IntN(3)))
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("aiopsbench")
	spans := ss.Spans()
	now := time.Now()
	for spans.Len() < s.batch {
		r := loadRoutes[s.rng.IntN(len(loadRoutes))]
		var tid [16]byte
		binary.LittleEndian.PutUint64(tid[:8], s.rng.Uint64())
		binary.LittleEndian.PutUint64(tid[8:], s.rng.Uint64())
		dur := time.Duration(20e6 * math.Exp(0.6*s.rng.NormFloat64())) // median 20 ms
		start := now.Add(-dur)
		failed := s.rng.IntN(100) == 0
		root := s.span(spans, tid, pcommon.SpanID{}, r.method+" "+r.route, ptrace.SpanKindServer, start, dur)
		root.Attributes().PutStr("http.request.method", r.method)
		root.Attributes().PutStr("http.route", r.route)
		code := int64(200)
		if failed {
			code = 500
			root.Status().SetCode(ptrace.StatusCodeError)
		}
		root.Attributes().PutInt("http.response.status_code", code)
		children := []struct {
			name string
			kind ptrace.SpanKind
		}{{"SELECT orders", ptrace.SpanKindClient}, {"cache get", ptrace.SpanKindInternal}, {"POST /api/quote", ptrace.SpanKindClient}}
		for i, c := range children {
			if spans.Len() >= s.batch {
				break
			}
			cd := dur / time.Duration(4+i)
			child := s.span(spans, tid, root.SpanID(), c.name, c.kind, start.Add(dur/10), cd)
			if i == 0 {
				child.Attributes().PutStr("db.system", "postgresql")
			}
		}
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	return otlpBatch{sig: sigTraces, items: spans.Len(), body: body}, err
}

func (s *spanSource) span(spans ptrace.SpanSlice, tid [16]byte, parent pcommon.SpanID, name string, kind ptrace.SpanKind, start time.Time, dur time.Duration) ptrace.Span {
	sp := spans.AppendEmpty()
	sp.SetTraceID(pcommon.TraceID(tid))
	var sid [8]byte
	binary.LittleEndian.PutUint64(sid[:], s.rng.Uint64()|1)
	sp.SetSpanID(pcommon.SpanID(sid))
	sp.SetParentSpanID(parent)
	sp.SetName(name)
	sp.SetKind(kind)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(dur)))
	return sp
}

// gaugeSeries identifies gauge series number id: resource id/seriesPerResource
// (a service instance), then metric and route.
type gaugeSeries struct {
	resource       int
	metric, route  int
	service, inst  string
	level, jitterP float64
}

func seriesOf(id int) gaugeSeries {
	r := id / seriesPerResource
	k := id % seriesPerResource
	svc := loadServices[r%len(loadServices)]
	// A level per series in [10, 1010) and 5% noise, from a hash of the id.
	h := rand.New(rand.NewPCG(uint64(id), 0x5eed))
	return gaugeSeries{
		resource: r, metric: k % len(loadMetricNames), route: k / len(loadMetricNames),
		service: svc, inst: fmt.Sprintf("%s-%d", svc, r/len(loadServices)),
		level: 10 + 1000*h.Float64(), jitterP: 0.05,
	}
}

// metricSource makes gauge requests over the series it owns, visiting them
// round robin; each request stamps its points with the current time, later
// than the previous request's, so every series' points are in order.
type metricSource struct {
	rng    *rand.Rand
	batch  int
	series []gaugeSeries
	cursor int
	last   pcommon.Timestamp
}

// newMetricSource owns the series of every resource r with r%of == part,
// among the first total series.
func newMetricSource(rng *rand.Rand, batch, total, part, of int) *metricSource {
	s := &metricSource{rng: rng, batch: batch}
	for id := 0; id < total; id++ {
		if (id/seriesPerResource)%of == part {
			s.series = append(s.series, seriesOf(id))
		}
	}
	return s
}

func (s *metricSource) next() (otlpBatch, error) {
	ts := pcommon.NewTimestampFromTime(time.Now())
	if ts <= s.last {
		ts = s.last + 1
	}
	s.last = ts
	n := min(s.batch, len(s.series))
	md := gaugeBatch(s.series, s.cursor, n, func(g gaugeSeries) (pcommon.Timestamp, float64) {
		return ts, g.level * (1 + g.jitterP*s.rng.NormFloat64())
	})
	s.cursor = (s.cursor + n) % max(len(s.series), 1)
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	return otlpBatch{sig: sigMetrics, items: n, body: body}, err
}

// gaugeBatch builds one point for each of n series starting at from
// (wrapping), one ResourceMetrics per run of series of the same resource.
func gaugeBatch(series []gaugeSeries, from, n int, point func(gaugeSeries) (pcommon.Timestamp, float64)) pmetric.Metrics {
	md := pmetric.NewMetrics()
	lastRes := -1
	var byName map[int]pmetric.NumberDataPointSlice
	var ms pmetric.MetricSlice
	for i := 0; i < n; i++ {
		g := series[(from+i)%len(series)]
		if g.resource != lastRes {
			lastRes = g.resource
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", g.service)
			rm.Resource().Attributes().PutStr("service.instance.id", g.inst)
			sm := rm.ScopeMetrics().AppendEmpty()
			sm.Scope().SetName("aiopsbench")
			ms = sm.Metrics()
			byName = map[int]pmetric.NumberDataPointSlice{}
		}
		dps, ok := byName[g.metric]
		if !ok {
			m := ms.AppendEmpty()
			m.SetName(loadMetricNames[g.metric])
			dps = m.SetEmptyGauge().DataPoints()
			byName[g.metric] = dps
		}
		dp := dps.AppendEmpty()
		dp.Attributes().PutStr("http.route", loadRoutes[g.route].route)
		ts, v := point(g)
		dp.SetTimestamp(ts)
		dp.SetDoubleValue(v)
	}
	return md
}

// logSource makes log requests of one service each.
type logSource struct {
	rng   *rand.Rand
	batch int
}

// logLines are the templates; each fills its variables from the rng.
var logLines = []func(r *rand.Rand) string{
	func(r *rand.Rand) string {
		return fmt.Sprintf("GET /api/products/%d 200 %dms", r.IntN(100000), r.IntN(300))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("user %d logged in from 10.%d.%d.%d", r.IntN(1000000), r.IntN(256), r.IntN(256), r.IntN(256))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("added item %d to cart %08x (quantity %d)", r.IntN(5000), r.Uint32(), 1+r.IntN(5))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("payment %08x declined: insufficient funds (code %d)", r.Uint32(), 51+r.IntN(3))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("cache miss for key product:%d, loading from database", r.IntN(100000))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("slow query took %d ms: SELECT * FROM orders WHERE id = %d", 500+r.IntN(2000), r.IntN(1000000))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("connection to db-%d.internal:5432 reset by peer, retry %d/5", r.IntN(4), 1+r.IntN(5))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("order %d shipped to warehouse %c%d", r.IntN(1000000), 'A'+rune(r.IntN(6)), r.IntN(20))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("worker %d processed %d messages in %d ms", r.IntN(16), r.IntN(500), r.IntN(1000))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("request %016x completed with status %d after %.1f ms", r.Uint64(), []int{200, 201, 204, 404}[r.IntN(4)], 100*r.Float64())
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("session %08x expired after %d s of inactivity", r.Uint32(), 600+r.IntN(3000))
	},
	func(r *rand.Rand) string {
		return fmt.Sprintf("rate limit exceeded for client 192.168.%d.%d: %d requests in %d s", r.IntN(256), r.IntN(256), 100+r.IntN(900), 1+r.IntN(60))
	},
}

func (s *logSource) next() (otlpBatch, error) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	svc := loadServices[s.rng.IntN(len(loadServices))]
	rl.Resource().Attributes().PutStr("service.name", svc)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("aiopsbench")
	now := pcommon.NewTimestampFromTime(time.Now())
	recs := sl.LogRecords()
	for i := 0; i < s.batch; i++ {
		lr := recs.AppendEmpty()
		lr.SetTimestamp(now)
		lr.SetObservedTimestamp(now)
		switch p := s.rng.IntN(100); {
		case p == 0:
			lr.SetSeverityNumber(plog.SeverityNumberError)
			lr.SetSeverityText("ERROR")
		case p < 4:
			lr.SetSeverityNumber(plog.SeverityNumberWarn)
			lr.SetSeverityText("WARN")
		default:
			lr.SetSeverityNumber(plog.SeverityNumberInfo)
			lr.SetSeverityText("INFO")
		}
		lr.Body().SetStr(logLines[s.rng.IntN(len(logLines))](s.rng))
	}
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	return otlpBatch{sig: sigLogs, items: s.batch, body: body}, err
}

// batchSource makes request bodies of one signal.
type batchSource interface{ next() (otlpBatch, error) }

// pooledSource cycles through bodies made up front. Spans and log records
// do not have to be sent in any order, so their bodies can be reused; this
// keeps the load generator, which shares the machine with the collector,
// from spending a core on building and encoding them. Gauge points must
// advance in time per series and are made for each request.
type pooledSource struct {
	bodies []otlpBatch
	i      int
}

func newPooledSource(src batchSource, n int) (*pooledSource, error) {
	p := &pooledSource{}
	for range n {
		b, err := src.next()
		if err != nil {
			return nil, err
		}
		p.bodies = append(p.bodies, b)
	}
	return p, nil
}

func (p *pooledSource) next() (otlpBatch, error) {
	b := p.bodies[p.i]
	p.i = (p.i + 1) % len(p.bodies)
	return b, nil
}

// loadPool is the number of span and log bodies made for each sender.
const loadPool = 16

// loadSources are one sender's sources, one per signal.
type loadSources map[signalKind]batchSource

// newLoadSources returns a source per signal for each of senders senders;
// sender i owns the gauge series of the resources r with r%senders == i.
func newLoadSources(senders, batch, series int, seed uint64) ([]loadSources, error) {
	out := make([]loadSources, senders)
	for i := range out {
		rng := func(k uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(i)*8+k)) }
		spans, err := newPooledSource(&spanSource{rng: rng(1), batch: batch}, loadPool)
		if err != nil {
			return nil, err
		}
		logs, err := newPooledSource(&logSource{rng: rng(3), batch: batch}, loadPool)
		if err != nil {
			return nil, err
		}
		out[i] = loadSources{sigTraces: spans, sigMetrics: newMetricSource(rng(2), batch, series, i, senders), sigLogs: logs}
	}
	return out, nil
}
