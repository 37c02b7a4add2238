// Package e2e is the end-to-end test harness: it runs the real otelcol-aiops
// binary as a child process and talks to it the way users' systems do.
//
// A test renders a collector config from a template whose {{port "name"}}
// calls allocate free 127.0.0.1 ports and {{dir}} names a scratch folder,
// starts the binary with it, waits for the health_check extension, sends
// OTLP over HTTP, collects what comes out (a [Sink] that speaks OTLP/HTTP, or
// the file exporter's JSON lines through [ReadMetricsFile] and friends), and
// stops the process with SIGTERM or kills it with SIGKILL. On failure the
// collector's own log is attached to the test output.
//
// Unlike the rest of internal/ this package imports pdata: it is test
// plumbing, used only from _test.go files.
package e2e // import "github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
