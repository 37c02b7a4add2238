package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// gRPC status codes used in rpc.grpc.status_code.
const (
	grpcOK               = 0
	grpcDeadlineExceeded = 4
	grpcInternal         = 13
	grpcUnavailable      = 14
)

// outcome is how a call ended, as seen by the caller.
type outcome struct {
	end   time.Time
	err   bool
	cause string
	code  int // gRPC status
}

func (s *Simulator) traceID() (id TraceID) {
	for id == (TraceID{}) {
		for i := 0; i < 16; i += 8 {
			u := s.rng.Uint64()
			for j := range 8 {
				id[i+j] = byte(u >> (8 * j))
			}
		}
	}
	return id
}

func (s *Simulator) spanID() (id SpanID) {
	for id == (SpanID{}) {
		u := s.rng.Uint64()
		for j := range 8 {
			id[j] = byte(u >> (8 * j))
		}
	}
	return id
}

// request runs one external request through the entry service.
func (s *Simulator) request(at time.Time) {
	entry := s.topo.Service(s.topo.Entry)
	total := 0.0
	for _, o := range entry.ops {
		total += o.weight
	}
	x := s.rng.Float64() * total
	op := entry.ops[len(entry.ops)-1]
	for _, o := range entry.ops {
		if x < o.weight {
			op = o
			break
		}
		x -= o.weight
	}
	v := newReqVars(s.rng)
	tid := s.traceID()
	// An unreachable entry service loses the request before any span.
	if e := s.effects[entry.Name]; e.downShare > 0 && s.rng.Float64() < e.downShare {
		return
	}
	s.serve(tid, v, entry, op, SpanID{}, at)
}

// callTimeout is how long a caller waits for a service of kind k.
func callTimeout(k Kind) time.Duration {
	switch k {
	case KindCache:
		return time.Second
	case KindDatabase:
		return 3 * time.Second
	default:
		return 5 * time.Second
	}
}

// slowThreshold is the duration past which a service logs a warning.
func slowThreshold(k Kind) time.Duration {
	switch k {
	case KindHTTP:
		return time.Second
	case KindCache:
		return 20 * time.Millisecond
	case KindDatabase:
		return 100 * time.Millisecond
	default:
		return 300 * time.Millisecond
	}
}

// serve handles op on svc from start: a third of its own time before the
// calls, the rest after, so children sit inside the parent span.
func (s *Simulator) serve(tid TraceID, v *reqVars, svc *Service, op *operation, parent SpanID, start time.Time) outcome {
	e := s.effects[svc.Name]
	s.served[svc.Name]++
	id := s.spanID()
	// CPU contention slows the service's own work.
	self := time.Duration(float64(op.latency.median) * math.Exp(op.latency.sigma*s.rng.NormFloat64()) * (1 + e.cpuAdd))
	t := start.Add(self / 3)
	res := outcome{code: grpcOK}
	for _, c := range op.calls {
		if s.rng.Float64() >= c.probability {
			continue
		}
		callee := s.topo.Service(c.service)
		r := s.call(tid, v, svc, callee, callee.op(c.operation), id, t)
		t = r.end
		if r.err && !c.optional {
			res = outcome{err: true, cause: c.service + ": " + r.cause, code: r.code}
			break // the request is abandoned at the first failed dependency
		}
	}
	if !res.err && s.rng.Float64() < op.errorRate+e.errorAdd {
		res = outcome{err: true, cause: svc.errCauses[s.rng.IntN(len(svc.errCauses))], code: grpcInternal}
	}
	end := t.Add(self - self/3)
	if e.latencyMul != 1 {
		// A latency fault stretches the whole response time of the service.
		end = start.Add(time.Duration(float64(end.Sub(start)) * e.latencyMul))
	}
	res.end = end
	s.emitServer(tid, v, svc, op, parent, id, start, res)
	return res
}

// call is svc calling callee: a client span around the callee's server span
// (or around a refused connection), cut at the caller's timeout.
func (s *Simulator) call(tid TraceID, v *reqVars, caller, callee *Service, op *operation, parent SpanID, start time.Time) outcome {
	id := s.spanID()
	network := time.Duration(150+s.rng.IntN(700)) * time.Microsecond
	var r outcome
	if e := s.effects[callee.Name]; e.downShare > 0 && s.rng.Float64() < e.downShare {
		r = outcome{end: start.Add(network + time.Duration(s.rng.IntN(3000))*time.Microsecond), err: true,
			cause: "dial tcp " + callee.IP + ": connect: connection refused", code: grpcUnavailable}
	} else {
		r = s.serve(tid, v, callee, op, id, start.Add(network/2))
		r.end = r.end.Add(network / 2)
		if timeout := callTimeout(callee.Kind); r.end.Sub(start) > timeout {
			r = outcome{end: start.Add(timeout), err: true, cause: "context deadline exceeded", code: grpcDeadlineExceeded}
		}
	}
	sp := Span{TraceID: tid, SpanID: id, ParentID: parent, Service: caller.Name, Name: spanName(callee, op),
		Kind: SpanKindClient, Start: start, End: r.end, Error: r.err}
	sp.Attrs = append(kindAttrs(callee, op), Attr{"server.address", callee.Name}, Attr{"server.port", int64(callee.Port)},
		Attr{"network.peer.address", callee.IP}, Attr{"peer.service", callee.Name})
	if callee.Kind == KindGRPC {
		sp.Attrs = append(sp.Attrs, Attr{"rpc.grpc.status_code", int64(r.code)})
	}
	if r.err {
		sp.StatusMessage = r.cause
		sp.Attrs = append(sp.Attrs, Attr{"error.type", errorType(r.code)})
	}
	s.pendingSpans = append(s.pendingSpans, sp)
	return r
}

func spanName(svc *Service, op *operation) string {
	if svc.Kind == KindGRPC {
		return svc.RPCService + "/" + op.name
	}
	return op.name
}

// kindAttrs are the semantic-convention attributes shared by the client and
// server spans of a call to svc.
func kindAttrs(svc *Service, op *operation) []Attr {
	switch svc.Kind {
	case KindGRPC:
		return []Attr{{"rpc.system", "grpc"}, {"rpc.service", svc.RPCService}, {"rpc.method", op.name}}
	case KindCache, KindDatabase:
		a := []Attr{{"db.system.name", svc.DBSystem}, {"db.operation.name", strings.Fields(op.name)[0]}}
		if op.collection != "" {
			a = append(a, Attr{"db.collection.name", op.collection})
		}
		return append(a, Attr{"db.query.text", op.query})
	default:
		return nil
	}
}

func errorType(code int) string {
	switch code {
	case grpcDeadlineExceeded:
		return "DEADLINE_EXCEEDED"
	case grpcUnavailable:
		return "UNAVAILABLE"
	default:
		return "INTERNAL"
	}
}

// httpStatus maps a failure to the status the entry service answers.
func httpStatus(r outcome) int {
	switch {
	case !r.err:
		return 200
	case r.code == grpcUnavailable:
		return 503
	case r.code == grpcDeadlineExceeded:
		return 504
	default:
		return 500
	}
}

// emitServer records svc's server span and its log lines.
func (s *Simulator) emitServer(tid TraceID, v *reqVars, svc *Service, op *operation, parent, id SpanID, start time.Time, r outcome) {
	sp := Span{TraceID: tid, SpanID: id, ParentID: parent, Service: svc.Name, Name: spanName(svc, op),
		Kind: SpanKindServer, Start: start, End: r.end, Error: r.err}
	switch svc.Kind {
	case KindHTTP:
		v.status = httpStatus(r)
		v.path = strings.ReplaceAll(op.route, "{id}", v.product)
		sp.Attrs = []Attr{{"http.request.method", op.method}, {"http.route", op.route}, {"url.path", v.path},
			{"url.scheme", "http"}, {"http.response.status_code", int64(v.status)}, {"client.address", v.clientIP}}
	case KindGRPC:
		sp.Attrs = append(kindAttrs(svc, op), Attr{"rpc.grpc.status_code", int64(r.code)})
	default:
		sp.Attrs = kindAttrs(svc, op)
	}
	sp.Attrs = append(sp.Attrs, Attr{"server.address", svc.Name}, Attr{"server.port", int64(svc.Port)})
	if r.err {
		sp.StatusMessage = r.cause
		et := errorType(r.code)
		if svc.Kind == KindHTTP {
			et = strconv.Itoa(v.status)
		}
		sp.Attrs = append(sp.Attrs, Attr{"error.type", et})
	}
	s.pendingSpans = append(s.pendingSpans, sp)

	d := r.end.Sub(start)
	logAt := func(sev Severity, body string) {
		s.pendingLogs = append(s.pendingLogs, LogRecord{Time: r.end, Service: svc.Name, Severity: sev, Body: body, TraceID: tid, SpanID: id})
	}
	e := s.effects[svc.Name]
	if e.novelShare > 0 && s.rng.Float64() < e.novelShare {
		logAt(SeverityWarn, novelPatterns[e.novel](v, svc.Name))
	}
	switch {
	case r.err:
		logAt(SeverityError, op.errLog(v, op, r.cause))
	case d > slowThreshold(svc.Kind):
		logAt(SeverityWarn, slowLog(svc.Name, op, d, slowThreshold(svc.Kind)))
	case s.rng.Float64() < svc.logShare:
		logAt(SeverityInfo, op.log(v, op, d))
	}
}
