package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"

import (
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Sink is an OTLP/HTTP server on 127.0.0.1 that keeps everything it receives
// (uncompressed or gzip); point a collector's otlp_http exporter at
// Sink.Endpoint().
type Sink struct {
	srv     *httptest.Server
	mu      sync.Mutex
	metrics []pmetric.Metrics
	logs    []plog.Logs
	traces  []ptrace.Traces
	errs    []error
}

// NewSink starts a sink that is closed when the test ends.
func NewSink(tb testing.TB) *Sink {
	tb.Helper()
	s := &Sink{}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/metrics", func(w http.ResponseWriter, r *http.Request) {
		req := pmetricotlp.NewExportRequest()
		if s.decode(w, r, "/v1/metrics", req.UnmarshalProto) {
			s.mu.Lock()
			s.metrics = append(s.metrics, req.Metrics())
			s.mu.Unlock()
		}
	})
	mux.HandleFunc("/v1/logs", func(w http.ResponseWriter, r *http.Request) {
		req := plogotlp.NewExportRequest()
		if s.decode(w, r, "/v1/logs", req.UnmarshalProto) {
			s.mu.Lock()
			s.logs = append(s.logs, req.Logs())
			s.mu.Unlock()
		}
	})
	mux.HandleFunc("/v1/traces", func(w http.ResponseWriter, r *http.Request) {
		req := ptraceotlp.NewExportRequest()
		if s.decode(w, r, "/v1/traces", req.UnmarshalProto) {
			s.mu.Lock()
			s.traces = append(s.traces, req.Traces())
			s.mu.Unlock()
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("e2e: sink listen: %v", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	s.srv.Start()
	tb.Cleanup(func() {
		s.srv.Close()
		for _, err := range s.Errors() {
			tb.Errorf("e2e: sink received a malformed request: %v", err)
		}
	})
	return s
}

func (s *Sink) decode(w http.ResponseWriter, r *http.Request, path string, unmarshal func([]byte) error) bool {
	var in io.Reader = r.Body
	var err error
	if r.Header.Get("Content-Encoding") == "gzip" { // the otlp_http exporter's default
		in, err = gzip.NewReader(r.Body)
	}
	var body []byte
	if err == nil {
		body, err = io.ReadAll(in)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The body was cut off: the sender went away mid-request (a
		// collector killed with SIGKILL). Nothing was delivered and the
		// sender saw no success; that is not a malformed request.
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	if err == nil {
		err = unmarshal(body)
	}
	if err != nil {
		s.mu.Lock()
		s.errs = append(s.errs, formatErr(path, err))
		s.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
	return true
}

// Endpoint is the base URL for an otlphttp exporter's `endpoint`.
func (s *Sink) Endpoint() string { return s.srv.URL }

// Metrics returns a copy of the list of metric batches received so far.
func (s *Sink) Metrics() []pmetric.Metrics {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pmetric.Metrics(nil), s.metrics...)
}

// Logs returns a copy of the list of log batches received so far.
func (s *Sink) Logs() []plog.Logs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]plog.Logs(nil), s.logs...)
}

// Traces returns a copy of the list of trace batches received so far.
func (s *Sink) Traces() []ptrace.Traces {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ptrace.Traces(nil), s.traces...)
}

// Errors returns the requests the sink could not decode.
func (s *Sink) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}
