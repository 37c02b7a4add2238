// Package detector scores streaming time series for anomalies, one small
// detector per series, with no collector types so that it can be tested,
// benchmarked and fuzzed on plain data.
//
// Pipeline per point (one file per stage):
//
//   - baseline.go: the expected value, from a robust exponentially weighted
//     level and, competing with it, an additive seasonal model (level plus a
//     time-of-period profile; daily by default, found automatically: it is
//     used only while its error is clearly smaller). Runs of large residuals
//     on one side re-anchor the level (level-shift handling).
//   - scale.go: a robust residual scale (clipped EW mean absolute deviation)
//     with floors for flat and quantised series.
//   - calibrate.go, rank.go: the z-score |residual|/scale and its short
//     average are ranked against the series' own recent history (a decaying
//     histogram: a conformal p-value, with a power-law tail beyond the
//     largest value seen), so scores are comparable across series.
//   - suppress.go: within an episode only a stronger deviation than its peak
//     scores fully; repeats are halved.
//
// Score: s = 1 - p^(1/10), where p is the smaller of the two p-values, times
// the sensitivity in the exponent. p = 1e-3 gives 0.50, 1e-5 gives 0.68,
// 1e-10 gives 0.90. DefaultThreshold (0.45, p ~ 2.5e-3 before suppression)
// is the one threshold shipped for every series. Only the past is used: no
// look-ahead and no whole-series minimum or maximum.
//
// Warm-up: the first WarmUp points (default 100) score 0 and are flagged
// Result.WarmingUp while level, scale and history settle. The seasonal
// profile needs two periods before it can be chosen.
//
// Bad input: NaN and ±Inf are rejected with ErrNotFinite and leave the state
// untouched; a timestamp not after the previous accepted one is rejected with
// ErrOutOfOrder. Huge values are judged like any other (z is capped at 1e6)
// and move the baseline by at most clipZ scales; gaps need no handling
// (profiles are indexed by wall-clock time, levels by points).
//
// State: about 2 KiB per series with the daily profile (288 float32 buckets
// plus two 64-bin histograms), about 0.8 KiB without. Snapshots
// (MarshalBinary / Restore) are a versioned little-endian encoding.
// A Series is not safe for concurrent use.
package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"
