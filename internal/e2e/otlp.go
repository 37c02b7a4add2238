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

// SendMetrics posts md to an OTLP/HTTP receiver at addr (host:port).
func SendMetrics(tb testing.TB, addr string, md pmetric.Metrics) {
	tb.Helper()
	post(tb, addr, "/v1/metrics", pmetricotlp.NewExportRequestFromMetrics(md))
}

// SendLogs posts ld to an OTLP/HTTP receiver at addr (host:port).
func SendLogs(tb testing.TB, addr string, ld plog.Logs) {
	tb.Helper()
	post(tb, addr, "/v1/logs", plogotlp.NewExportRequestFromLogs(ld))
}

// SendTraces posts td to an OTLP/HTTP receiver at addr (host:port).
func SendTraces(tb testing.TB, addr string, td ptrace.Traces) {
	tb.Helper()
	post(tb, addr, "/v1/traces", ptraceotlp.NewExportRequestFromTraces(td))
}

func post(tb testing.TB, addr, path string, req protoMarshaler) {
	tb.Helper()
	body, err := req.MarshalProto()
	if err != nil {
		tb.Fatalf("e2e: marshal OTLP: %v", err)
	}
	resp, err := client.Post("http://"+addr+path, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("e2e: POST %s%s: %v", addr, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		tb.Fatalf("e2e: POST %s%s: %s: %s", addr, path, resp.Status, msg)
	}
}

// formatErr wraps an error with the OTLP path it came from.
func formatErr(path string, err error) error { return fmt.Errorf("%s: %w", path, err) }
