// Package nab loads a Numenta Anomaly Benchmark (NAB v1.1) corpus and scores
// per-row anomaly scores exactly as NAB's own scorer does: per-point scaled
// sigmoid weights, earliest detection per window, one corpus-wide threshold
// per cost profile found by an exact sweep, and normalisation to 0..100
// against the null and perfect detectors.
//
// The rules are written down in docs/NAB_SCORING.md; section numbers in the
// comments of this package refer to it. The package is pure Go so that it can
// be tested on hand-computed cases and reused on any corpus with NAB's layout.
package nab // import "github.com/otelcol-aiops/otelcol-aiops/internal/nab"
