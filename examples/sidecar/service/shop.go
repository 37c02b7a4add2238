package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

const scope = "github.com/otelcol-aiops/otelcol-aiops/examples/sidecar/service"

// behaviour is how the simulated payment dependency performs; the flags of
// main set it, so a demo can make the service slow or failing on purpose.
type behaviour struct {
	paymentLatency   time.Duration // median of the log-normal latency
	paymentErrorRate float64       // share of payments that fail with 502
}

// shop is a checkout service: a product list, a checkout that calls the
// payment route over real HTTP (so a trace holds server -> client -> server
// spans), and the payment route itself, which does simulated work with
// variable latency and occasional errors.
type shop struct {
	self   string // base URL of this service, for the internal call
	client *http.Client
	cfg    behaviour
	log    *slog.Logger
	tracer trace.Tracer
	orders metric.Int64Counter
	value  metric.Float64Histogram
	nextID atomic.Int64
}

func newShop(self string, cfg behaviour) (*shop, error) {
	meter := otel.Meter(scope)
	orders, err := meter.Int64Counter("checkout.orders",
		metric.WithDescription("Checkouts by outcome."), metric.WithUnit("{order}"))
	if err != nil {
		return nil, err
	}
	value, err := meter.Float64Histogram("checkout.order.value",
		metric.WithDescription("Value of placed orders."), metric.WithUnit("USD"),
		metric.WithExplicitBucketBoundaries(10, 25, 50, 100, 250, 500))
	if err != nil {
		return nil, err
	}
	s := &shop{
		self: self,
		// The transport makes the internal call a client span and injects
		// traceparent, so the payment server span joins the same trace. The
		// path is a fixed template here, so "METHOD path" is a valid
		// semantic-convention client span name and keeps span_metrics per call.
		client: &http.Client{
			Transport: otelhttp.NewTransport(http.DefaultTransport,
				otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path })),
			Timeout: 10 * time.Second,
		},
		cfg:    cfg,
		log:    otelslog.NewLogger(scope),
		tracer: otel.Tracer(scope),
		orders: orders,
		value:  value,
	}
	s.nextID.Store(10000)
	return s, nil
}

// handler routes requests; otelhttp wraps the mux so that the server span
// is named "METHOD route" after routing (semantic conventions) and health
// probes are not traced.
func (s *shop) handler() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, "GET /api/products", s.products)
	s.route(mux, "POST /api/checkout", s.checkout)
	s.route(mux, "POST /internal/payment", s.payment)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	return otelhttp.NewHandler(mux, "checkout",
		otelhttp.WithFilter(func(r *http.Request) bool { return r.URL.Path != "/healthz" }))
}

// route registers h and records http.route on the server span: otelhttp only
// learns the route after the mux ran, too late for the span's attributes.
func (s *shop) route(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	_, path, _ := strings.Cut(pattern, " ")
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		trace.SpanFromContext(r.Context()).SetAttributes(semconv.HTTPRoute(path))
		h(w, r)
	})
}

var catalogue = []string{"espresso beans", "grinder", "kettle", "filter papers", "mug", "scale", "dripper"}

func (s *shop) products(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.work(r.Context(), "catalogue.query", lognormal(8*time.Millisecond, 0.4))
	n := 3 + rand.IntN(len(catalogue)-2)
	user := fmt.Sprintf("u-%d", 100+rand.IntN(900))
	s.log.InfoContext(r.Context(), fmt.Sprintf("listed %d products for user %s in %dms", n, user, time.Since(start).Milliseconds()),
		slog.String("enduser.id", user))
	writeJSON(w, http.StatusOK, map[string]any{"products": catalogue[:n]})
}

func (s *shop) checkout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	start := time.Now()
	id := s.nextID.Add(1)
	user := fmt.Sprintf("u-%d", 100+rand.IntN(900))
	items := 1 + rand.IntN(5)
	total := math.Round(float64(items)*(5+rand.Float64()*40)*100) / 100
	s.work(ctx, "cart.load", lognormal(4*time.Millisecond, 0.5))

	status, err := s.pay(ctx, id, total)
	elapsed := time.Since(start).Milliseconds()
	if err != nil || status != http.StatusOK {
		s.orders.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", "payment_failed")))
		msg := fmt.Sprintf("checkout failed for order %d of user %s: payment returned %d after %dms", id, user, status, elapsed)
		if err != nil {
			msg = fmt.Sprintf("checkout failed for order %d of user %s: %v", id, user, err)
		}
		s.log.ErrorContext(ctx, msg, slog.Int64("order.id", id), slog.String("enduser.id", user))
		writeJSON(w, http.StatusBadGateway, map[string]any{"order": id, "error": "payment failed"})
		return
	}
	s.orders.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", "placed")))
	s.value.Record(ctx, total)
	s.log.InfoContext(ctx, fmt.Sprintf("order %d placed by user %s: %d items, total %.2f USD, in %dms", id, user, items, total, elapsed),
		slog.Int64("order.id", id), slog.String("enduser.id", user))
	writeJSON(w, http.StatusOK, map[string]any{"order": id, "total": total})
}

// pay calls the payment route of this same service over HTTP.
func (s *shop) pay(ctx context.Context, order int64, total float64) (int, error) {
	body := strings.NewReader(fmt.Sprintf(`{"order":%d,"amount":%.2f}`, order, total))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.self+"/internal/payment", body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func (s *shop) payment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req struct {
		Order  int64   `json:"order"`
		Amount float64 `json:"amount"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req); err != nil {
		s.log.WarnContext(ctx, fmt.Sprintf("rejected malformed payment request: %v", err))
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "malformed request"})
		return
	}
	d := lognormal(s.cfg.paymentLatency, 0.6)
	ctx, span := s.tracer.Start(ctx, "payment.authorize", trace.WithAttributes(
		attribute.Int64("order.id", req.Order), attribute.Float64("payment.amount", req.Amount)))
	defer span.End()
	sleep(ctx, d)
	if rand.Float64() < s.cfg.paymentErrorRate {
		span.SetStatus(codes.Error, "gateway timeout")
		s.log.ErrorContext(ctx, fmt.Sprintf("payment gateway timeout for order %d after %dms", req.Order, d.Milliseconds()),
			slog.Int64("order.id", req.Order))
		writeJSON(w, http.StatusBadGateway, map[string]any{"error": "gateway timeout"})
		return
	}
	s.log.InfoContext(ctx, fmt.Sprintf("payment authorized for order %d: %.2f USD in %dms", req.Order, req.Amount, d.Milliseconds()),
		slog.Int64("order.id", req.Order))
	writeJSON(w, http.StatusOK, map[string]any{"authorized": true})
}

// work is a child span standing in for a query or a cache lookup.
func (s *shop) work(ctx context.Context, name string, d time.Duration) {
	ctx, span := s.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal))
	defer span.End()
	sleep(ctx, d)
}

// lognormal draws a latency with the given median; sigma sets the tail.
func lognormal(median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*rand.NormFloat64()))
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
