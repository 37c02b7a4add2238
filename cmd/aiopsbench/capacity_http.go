package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// otlpSender posts OTLP/HTTP protobuf bodies over a pool of kept-alive
// connections, one per concurrent sender.
type otlpSender struct {
	client *http.Client
	base   string
}

func newOTLPSender(base string, conns int) *otlpSender {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     time.Minute,
	}
	return &otlpSender{client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: base}
}

// post returns the HTTP status, or an error when there was no answer.
func (s *otlpSender) post(sig signalKind, body []byte) (int, error) {
	resp, err := s.client.Post(s.base+sig.path(), "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// benchSink answers every request with 200: it is the alertwebhook
// target. On /v1/metrics it also decodes OTLP and watches for the
// anomaly.score points of the probe series (recovery measurement).
type benchSink struct {
	srv *http.Server
	url string

	mu        sync.Mutex
	probe     map[string]bool // keys of probeKey
	first     time.Time       // first score point of a probe series
	firstVal  float64
	warm      time.Time // first score > 0 of a probe series
	warmed    chan struct{}
	decodeErr int
}

func startBenchSink() (*benchSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &benchSink{url: "http://" + l.Addr().String(), warmed: make(chan struct{})}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *benchSink) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// watch starts looking for scores of the given probe series afresh.
func (s *benchSink) watch(probe map[string]bool) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probe, s.first, s.firstVal, s.warm = probe, time.Time{}, 0, time.Time{}
	s.warmed = make(chan struct{})
	return s.warmed
}

// seen returns the receipt times of the first probe score and of the
// first one above 0, and the first score's value.
func (s *benchSink) seen() (first time.Time, firstVal float64, warm time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first, s.firstVal, s.warm
}

func (s *benchSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	var in io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in = zr
	}
	body, err := io.ReadAll(io.LimitReader(in, 256<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.URL.Path == "/v1/metrics" {
		req := pmetricotlp.NewExportRequest()
		if err := req.UnmarshalProto(body); err != nil {
			s.mu.Lock()
			s.decodeErr++
			s.mu.Unlock()
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.scan(req.Metrics(), now)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}
	w.WriteHeader(http.StatusOK)
}

// scan records the first anomaly.score points of probe series in md.
func (s *benchSink) scan(md pmetric.Metrics, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.probe) == 0 || !s.warm.IsZero() {
		return
	}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		inst, _ := rms.At(i).Resource().Attributes().Get("service.instance.id")
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				if m.Name() != "anomaly.score" || m.Type() != pmetric.MetricTypeGauge {
					continue
				}
				dps := m.Gauge().DataPoints()
				for n := 0; n < dps.Len(); n++ {
					dp := dps.At(n)
					src, _ := dp.Attributes().Get("anomaly.metric")
					route, _ := dp.Attributes().Get("http.route")
					if !s.probe[probeKey(inst.Str(), src.Str(), route.Str())] {
						continue
					}
					if s.first.IsZero() {
						s.first, s.firstVal = at, dp.DoubleValue()
					}
					if dp.DoubleValue() > 0 && s.warm.IsZero() {
						s.warm = at
						close(s.warmed)
						return
					}
				}
			}
		}
	}
}

// probeKey identifies a gauge series by instance, metric and route.
func probeKey(instance, metric, route string) string {
	return instance + "|" + metric + "|" + route
}
