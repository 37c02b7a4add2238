//go:generate mdatagen metadata.yaml

// Package logclusterprocessor mines log templates (see internal/drain) and
// writes a stable template ID, the template text and, optionally, its
// parameters on every log record.
package logclusterprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor"
