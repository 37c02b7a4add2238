//go:generate mdatagen metadata.yaml

// Package microsimreceiver emits the spans, logs and host metrics of a
// simulated microservice system (see internal/microsim), with faults
// injected on a schedule and reported as ground truth. One simulation per
// component ID feeds the traces, metrics and logs pipelines alike, so the
// three signals describe the same system.
package microsimreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver"
