// Package e2e holds the end-to-end tests that drive the real otelcol-aiops
// binary (built by `make build`, or named by $OTELCOL_AIOPS_BIN). They carry
// the `e2e` build tag so that `go test ./...` stays fast; `make test` runs
// them after the unit tests.
package e2e
