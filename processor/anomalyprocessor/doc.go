// Package anomalyprocessor scores metric series for anomalies in the
// pipeline. The detection itself lives in internal/detector; this package maps
// pdata points to series (resource + scope + metric name + point attributes),
// turns counters and histograms into signals a detector can judge, and emits
// the scores as companion metrics.
//
//go:generate mdatagen metadata.yaml
package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"
