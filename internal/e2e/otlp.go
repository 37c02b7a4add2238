package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// protoMarshaler is what the three OTLP export requests have in common.
type protoMarshaler interface{ MarshalProto() ([]byte, error) }

var client = &http.Client{Timeout: 30 * time.Second}

// SendMetrics posts md to an OTLP/HTTP receiver at addr (host:port),
// failing the test if it is not accepted.
func SendMetrics(tb testing.TB, addr string, md pmetric.Metrics) {
	tb.Helper()
	must(tb, PostMetrics(addr, md))
}

// SendLogs posts ld to an OTLP/HTTP receiver at addr (host:port).
func SendLogs(tb testing.TB, addr string, ld plog.Logs) {
	tb.Helper()
	must(tb, PostLogs(addr, ld))
}

// SendTraces posts td to an OTLP/HTTP receiver at addr (host:port).
func SendTraces(tb testing.TB, addr string, td ptrace.Traces) {
	tb.Helper()
	must(tb, PostTraces(addr, td))
}

// PostMetrics posts md and returns the error instead of failing the test,
// for load that is expected to hit a stopped or refusing collector.
func PostMetrics(addr string, md pmetric.Metrics) error {
	return post(addr, "/v1/metrics", pmetricotlp.NewExportRequestFromMetrics(md))
}

// PostLogs posts ld and returns the error.
func PostLogs(addr string, ld plog.Logs) error {
	return post(addr, "/v1/logs", plogotlp.NewExportRequestFromLogs(ld))
}

// PostTraces posts td and returns the error.
func PostTraces(addr string, td ptrace.Traces) error {
	return post(addr, "/v1/traces", ptraceotlp.NewExportRequestFromTraces(td))
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("e2e: %v", err)
	}
}

func post(addr, path string, req protoMarshaler) error {
	body, err := req.MarshalProto()
	if err != nil {
		return fmt.Errorf("marshal OTLP: %w", err)
	}
	resp, err := client.Post("http://"+addr+path, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("POST %s%s: %w", addr, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("POST %s%s: %s: %s", addr, path, resp.Status, msg)
	}
	return nil
}

// formatErr wraps an error with the OTLP path it came from.
func formatErr(path string, err error) error { return fmt.Errorf("%s: %w", path, err) }
