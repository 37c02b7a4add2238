package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// ReadMetricsFile decodes the JSON lines the file exporter wrote at path. A
// missing file yields nothing; a line still being written is skipped.
func ReadMetricsFile(tb testing.TB, path string) []pmetric.Metrics {
	var u pmetric.JSONUnmarshaler
	return readLines(tb, path, u.UnmarshalMetrics)
}

// ReadLogsFile decodes the file exporter's JSON lines of logs.
func ReadLogsFile(tb testing.TB, path string) []plog.Logs {
	var u plog.JSONUnmarshaler
	return readLines(tb, path, u.UnmarshalLogs)
}

// ReadTracesFile decodes the file exporter's JSON lines of traces.
func ReadTracesFile(tb testing.TB, path string) []ptrace.Traces {
	var u ptrace.JSONUnmarshaler
	return readLines(tb, path, u.UnmarshalTraces)
}

func readLines[T any](tb testing.TB, path string, decode func([]byte) (T, error)) []T {
	tb.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		tb.Fatalf("e2e: read %s: %v", path, err)
	}
	var out []T
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		v, err := decode(line)
		if err != nil {
			continue // the exporter may be mid-write on the last line
		}
		out = append(out, v)
	}
	return out
}
