// Package histogram estimates quantiles of the observations that a
// histogram's bucket counts describe, and turns the cumulative bucket counts
// of a histogram stream into those of each interval, with no collector types
// so that it can be tested and fuzzed on plain data.
//
// Two layouts, as in OTLP:
//
//   - Explicit: n-1 ascending bounds and n counts; bucket i holds the
//     observations in (bounds[i-1], bounds[i]], the first one everything up
//     to bounds[0], the last one everything above bounds[n-2].
//   - Exponential: bucket i of a side holds magnitudes in
//     (base^i, base^(i+1)] with base = 2^(2^-scale); a positive and a
//     negative side, each from its own offset, and a zero bucket for
//     magnitudes up to the zero threshold.
//
// Quantile estimates locate the bucket holding the q-th observation (rank
// q*total, as Prometheus' histogram_quantile) and interpolate within it:
// linearly between explicit bounds, geometrically (linearly in the bucket
// index) within an exponential bucket, whose width is a constant ratio. The
// open-ended buckets have no second edge: the observed minimum and maximum
// close them when the caller knows them for the interval (OTLP's min and
// max of a delta point); otherwise the lowest explicit bucket is taken to
// start at 0 when its bound is positive (durations and sizes, the usual
// case) and the estimate is its bound when it is not, and the highest
// bucket's estimate is its finite lower bound, which undershoots as
// Prometheus' does: a tail regression beyond the last bound shows as the
// estimate pinned there. The error of an estimate is at most the width of
// its bucket.
//
// Cumulative streams are differenced against the stream's previous point
// (Tracker). A bucket count that decreased, an explicit layout that changed,
// or a stream that restarted re-bases the stream: that interval has no
// estimate. An exponential stream may lower its scale between points (an
// SDK merges buckets when the range grows); the previous counts are then
// merged to the new scale before differencing, and the layout may widen
// (a new lowest or highest bucket) without a reset.
package histogram // import "github.com/otelcol-aiops/otelcol-aiops/internal/histogram"
