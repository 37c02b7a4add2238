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
//   - calibrate.go, rank.go: an anomaly likelihood in the manner of
//     Numenta's. The z-score |residual|/scale is ranked against the series'
//     own recent z-scores (about 3000 points, a decaying histogram: a
//     conformal p-value with a power-law tail beyond the largest value
//     seen), giving p_point. The point's surprise, -ln p_point capped at
//     ln 100 (bounded like HTM's raw score), is averaged over about 19
//     points and that average is ranked against its own history, giving
//     p_avg: it measures how dense surprises are, so a burst of moderately
//     rare points (a change of level, variance or rhythm) counts although
//     none is rare alone. p = min(p_point, p_avg). A series whose residuals
//     are routinely heavy-tailed thus needs a larger deviation for the same
//     score, and one threshold serves every series.
//   - budget.go: an alarm budget: a series that has alarmed more often than
//     once per 2000 points (an EW rate over about 10000 points) has its
//     p-value multiplied by the excess rate/budget, so routine bursts
//     (social-media volumes, batch jobs) need proportionally stronger
//     evidence; a series within budget is unaffected, and the discount fades
//     as the rate decays.
//   - suppress.go: one alarm per episode: after a score reaches the alarm
//     level (Config.Threshold, the caller's decision threshold) the next
//     Suppress points (default 100) are damped by 0.2, so they stay below it.
//
// Score: s = 1 - p^(sensitivity/10), where p is the smaller of the two
// p-values (times the budget's excess factor, if any): p = 1e-3 gives 0.50, 1e-5 gives 0.68, 1e-10 gives 0.90.
// DefaultThreshold (0.45, p ~ 2.5e-3) is the one threshold shipped for every
// series. Being calibrated, it fires on about one point in 400 of a series'
// usual behaviour, whatever its units or noise; the hold-off merges the
// points of one episode into one alarm and bounds alarms to one per 100
// points.
// Result.Unsuppressed is the score before the hold-off, for decisions that
// stay on while a deviation lasts. Only the past is used: no look-ahead and
// no whole-series minimum or maximum.
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
// State: about 2.1 KiB per series with the daily profile (288 float32
// buckets plus two 64-bin histograms; BenchmarkMemoryPerSeries), about
// 0.8 KiB without. Snapshots (MarshalBinary / Restore) are a versioned
// little-endian encoding (version 3 since the alarm rate was added; older
// snapshots are refused and the series starts cold).
//
// NAB (a 41-series, 86-window subset of the corpus; TestNABCorpus with
// NAB_DIR): standard 67.8, reward_low_FP_rate 52.9, reward_low_FN_rate 75.1
// at the optimal threshold; 67.3 / 51.8 / 74.7 at DefaultThreshold. The alarm
// budget added +0.7 / +2.6 / +0.1 (realTweets 68.8 -> 72.9, realKnownCause
// 55.6 -> 51.9: one machine_temperature window falls under the budget).
//
// A Series is not safe for concurrent use.
package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"
