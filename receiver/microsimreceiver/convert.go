package microsimreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver"

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
)

const (
	scopeName = "github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver"
	// groundTruthService is the service.name of the ground-truth records,
	// kept apart from the simulated services so pipelines can route or
	// drop them.
	groundTruthService = "microsim"
)

// setResource writes the attributes a real instrumented service would carry.
func setResource(res pcommon.Resource, svc *microsim.Service) {
	a := res.Attributes()
	a.PutStr("service.name", svc.Name)
	a.PutStr("service.namespace", "shop")
	a.PutStr("service.version", svc.Version)
	a.PutStr("service.instance.id", svc.Name+"-0")
	a.PutStr("host.name", svc.Name+"-host")
	a.PutStr("deployment.environment.name", "microsim")
}

func setScope(s pcommon.InstrumentationScope) {
	s.SetName(scopeName)
}

func putAttrs(m pcommon.Map, attrs []microsim.Attr) {
	m.EnsureCapacity(len(attrs))
	for _, a := range attrs {
		switch v := a.Value.(type) {
		case string:
			m.PutStr(a.Key, v)
		case int64:
			m.PutInt(a.Key, v)
		case float64:
			m.PutDouble(a.Key, v)
		case bool:
			m.PutBool(a.Key, v)
		default:
			m.PutStr(a.Key, fmt.Sprint(v))
		}
	}
}

func ts(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }

// toTraces groups spans into one resource per service, in topology order.
func toTraces(spans []microsim.Span, topo *microsim.Topology) ptrace.Traces {
	td := ptrace.NewTraces()
	scopes := map[string]ptrace.SpanSlice{}
	for _, name := range topo.ServiceNames() {
		rs := td.ResourceSpans().AppendEmpty()
		setResource(rs.Resource(), topo.Service(name))
		ss := rs.ScopeSpans().AppendEmpty()
		setScope(ss.Scope())
		scopes[name] = ss.Spans()
	}
	for _, sp := range spans {
		out := scopes[sp.Service].AppendEmpty()
		out.SetTraceID(pcommon.TraceID(sp.TraceID))
		out.SetSpanID(pcommon.SpanID(sp.SpanID))
		out.SetParentSpanID(pcommon.SpanID(sp.ParentID))
		out.SetName(sp.Name)
		if sp.Kind == microsim.SpanKindClient {
			out.SetKind(ptrace.SpanKindClient)
		} else {
			out.SetKind(ptrace.SpanKindServer)
		}
		out.SetStartTimestamp(ts(sp.Start))
		out.SetEndTimestamp(ts(sp.End))
		putAttrs(out.Attributes(), sp.Attrs)
		if sp.Error {
			out.Status().SetCode(ptrace.StatusCodeError)
			out.Status().SetMessage(sp.StatusMessage)
		}
	}
	td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		return rs.ScopeSpans().At(0).Spans().Len() == 0
	})
	return td
}

// toLogs groups records by service and adds the fault events on a resource
// of their own.
func toLogs(records []microsim.LogRecord, events []microsim.FaultEvent, topo *microsim.Topology) plog.Logs {
	ld := plog.NewLogs()
	scopes := map[string]plog.LogRecordSlice{}
	for _, name := range topo.ServiceNames() {
		rl := ld.ResourceLogs().AppendEmpty()
		setResource(rl.Resource(), topo.Service(name))
		sl := rl.ScopeLogs().AppendEmpty()
		setScope(sl.Scope())
		scopes[name] = sl.LogRecords()
	}
	for _, l := range records {
		out := scopes[l.Service].AppendEmpty()
		out.SetTimestamp(ts(l.Time))
		out.SetObservedTimestamp(ts(l.Time))
		out.SetSeverityNumber(plog.SeverityNumber(l.Severity))
		out.SetSeverityText(l.Severity.String())
		out.Body().SetStr(l.Body)
		out.SetTraceID(pcommon.TraceID(l.TraceID))
		out.SetSpanID(pcommon.SpanID(l.SpanID))
	}
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		return rl.ScopeLogs().At(0).LogRecords().Len() == 0
	})
	if len(events) > 0 {
		appendGroundTruth(ld, events)
	}
	return ld
}

func appendGroundTruth(ld plog.Logs, events []microsim.FaultEvent) {
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", groundTruthService)
	sl := rl.ScopeLogs().AppendEmpty()
	setScope(sl.Scope())
	for _, ev := range events {
		out := sl.LogRecords().AppendEmpty()
		out.SetTimestamp(ts(ev.Time))
		out.SetObservedTimestamp(ts(ev.Time))
		out.SetEventName("microsim.fault." + ev.Event)
		sev := plog.SeverityNumberInfo
		if ev.Event == "start" {
			sev = plog.SeverityNumberWarn
		}
		out.SetSeverityNumber(sev)
		out.SetSeverityText(sev.String())
		out.Body().SetStr(fmt.Sprintf("fault %s: %s on %s (magnitude %v) id=%s from %s to %s", ev.Event, ev.Type, ev.Service,
			ev.Magnitude, ev.ID, ev.Start.UTC().Format(time.RFC3339), ev.End.UTC().Format(time.RFC3339)))
		a := out.Attributes()
		a.PutStr("microsim.fault.event", ev.Event)
		a.PutStr("microsim.fault.id", ev.ID)
		a.PutStr("microsim.fault.type", string(ev.Type))
		a.PutStr("microsim.fault.service", ev.Service)
		a.PutStr("microsim.fault.start", ev.Start.UTC().Format(time.RFC3339Nano))
		a.PutStr("microsim.fault.end", ev.End.UTC().Format(time.RFC3339Nano))
		a.PutDouble("microsim.fault.magnitude", ev.Magnitude)
	}
}

// toMetrics groups points by service; process.memory.usage is an
// up-down counter in the semantic conventions, hence a non-monotonic
// cumulative sum starting at the simulation start.
func toMetrics(points []microsim.Point, topo *microsim.Topology, start time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	type pair struct{ cpu, mem pmetric.NumberDataPointSlice }
	byService := map[string]pair{}
	for _, name := range topo.ServiceNames() {
		rm := md.ResourceMetrics().AppendEmpty()
		setResource(rm.Resource(), topo.Service(name))
		sm := rm.ScopeMetrics().AppendEmpty()
		setScope(sm.Scope())
		cpu := sm.Metrics().AppendEmpty()
		cpu.SetName(microsim.MetricCPUUtilization)
		cpu.SetDescription("Difference in process.cpu.time since the last measurement, divided by the elapsed time and number of CPUs available to the process.")
		cpu.SetUnit("1")
		mem := sm.Metrics().AppendEmpty()
		mem.SetName(microsim.MetricMemoryUsage)
		mem.SetDescription("The amount of physical memory in use.")
		mem.SetUnit("By")
		sum := mem.SetEmptySum()
		sum.SetIsMonotonic(false)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		byService[name] = pair{cpu.SetEmptyGauge().DataPoints(), sum.DataPoints()}
	}
	for _, p := range points {
		dps := byService[p.Service].cpu
		if p.Metric == microsim.MetricMemoryUsage {
			dps = byService[p.Service].mem
		}
		dp := dps.AppendEmpty()
		dp.SetTimestamp(ts(p.Time))
		if p.Metric == microsim.MetricMemoryUsage {
			dp.SetStartTimestamp(ts(start))
			dp.SetIntValue(int64(p.Value))
		} else {
			dp.SetDoubleValue(p.Value)
		}
	}
	md.ResourceMetrics().RemoveIf(func(rm pmetric.ResourceMetrics) bool {
		return rm.ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().Len() == 0 &&
			rm.ScopeMetrics().At(0).Metrics().At(1).Sum().DataPoints().Len() == 0
	})
	return md
}
