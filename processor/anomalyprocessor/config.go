package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"errors"
	"fmt"
	"path"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
)

// Config of the anomaly processor. See README.md for the table of keys.
type Config struct {
	// Include and Exclude select metrics by name with shell patterns
	// (path.Match: *, ?, [a-z]). Empty Include selects every metric;
	// Exclude wins over Include.
	Include []string `mapstructure:"include"`
	Exclude []string `mapstructure:"exclude"`

	Detection `mapstructure:",squash"`

	// Overrides change detection settings for the series matching an
	// override's Metric, Signal and Attributes; the first match wins, unset
	// fields keep the top-level value.
	Overrides []Override `mapstructure:"overrides"`

	// Threshold: anomaly.active turns 1 when the score reaches it and the
	// deviation lasts ConfirmPoints points.
	Threshold float64 `mapstructure:"threshold"`
	// ConfirmPoints is how many consecutive points (the one that reached
	// Threshold among them) must score at least ClearThreshold before
	// anomaly.active turns 1: a deviation of one point is not an incident.
	// 1 decides on the point that reaches Threshold.
	ConfirmPoints int `mapstructure:"confirm_points"`
	// ClearThreshold and ClearPoints are the hysteresis: anomaly.active
	// returns to 0 after ClearPoints consecutive scores below ClearThreshold.
	ClearThreshold float64 `mapstructure:"clear_threshold"`
	ClearPoints    int     `mapstructure:"clear_points"`
	// EmitInactive writes anomaly.active for every scored point, 0 while
	// the series is normal. Without it the decision is written only while
	// it is 1, on the point it returns to 0 and on a series' first point in
	// the process (as Prometheus keeps ALERTS only while an alert is
	// active): half the companion points, and no second series per scored
	// series in the metrics backend.
	EmitInactive bool `mapstructure:"emit_inactive"`
	// EmitBands adds anomaly.expected, anomaly.lower and anomaly.upper.
	EmitBands bool `mapstructure:"emit_bands"`
	// HistogramQuantiles are the quantiles (each in (0, 1)) estimated from
	// the buckets of every interval of a histogram and scored as signals of
	// their own (anomaly.signal "quantile", anomaly.quantile q), as Summary
	// quantiles are: a tail-latency regression that hardly moves the mean.
	// Empty: none.
	HistogramQuantiles []float64 `mapstructure:"histogram_quantiles"`

	// MaxSeries bounds the number of series with state; the least recently
	// updated series (of the new series' shard when the series are sharded:
	// shard.go) is evicted to make room.
	MaxSeries int `mapstructure:"max_series"`
	// MaxStale drops a series not updated for this long.
	MaxStale time.Duration `mapstructure:"max_stale"`

	// Storage names a storage extension to snapshot series state into on
	// shutdown (and every SnapshotInterval) and to restore it from at start.
	Storage          *component.ID `mapstructure:"storage"`
	SnapshotInterval time.Duration `mapstructure:"snapshot_interval"`
}

// Detection holds the per-series detector settings.
type Detection struct {
	// Direction: both, up or down.
	Direction string `mapstructure:"direction"`
	// Sensitivity multiplies the log p-value behind the score (1 = as documented).
	Sensitivity float64 `mapstructure:"sensitivity"`
	// Seasonality: auto, none, daily or weekly.
	Seasonality string `mapstructure:"seasonality"`
	// WarmUp is the number of points scored 0 while a new series is learnt.
	WarmUp int `mapstructure:"warm_up"`
	// AbsentIsZero: a rate series (rate or count_rate signal) that appears
	// after its metric family has been seen for warm_up of its intervals
	// (at most 200) was 0 before it, not unknown. Its detector starts from
	// that many intervals of zeros instead of a warm-up, so that its first
	// events are scored: an operation's first errors (span-metrics error
	// series exist only from the first error), a log template's first
	// records (absent.go). Unset in an override: the top-level value.
	AbsentIsZero *bool `mapstructure:"absent_is_zero"`
}

// absentIsZero merges d over base.
func (d Detection) absentIsZero(base Detection) bool {
	if d.AbsentIsZero != nil {
		return *d.AbsentIsZero
	}
	return base.AbsentIsZero != nil && *base.AbsentIsZero
}

// Override is Detection for the series of the metrics matching Metric,
// optionally narrowed to one derived signal and to attribute values.
type Override struct {
	Metric string `mapstructure:"metric"`
	// Signal narrows the override to one signal of the metric: value (a
	// gauge or non-monotonic sum as it is), rate, count_rate, mean or
	// quantile (the anomaly.signal attribute). Empty: every signal.
	Signal string `mapstructure:"signal"`
	// Attributes narrows the override to series with these attribute
	// values (all of them, compared as strings). A key is looked up in the
	// point's attributes, then in its resource's: status.code of a span
	// metric, service.name of its resource.
	Attributes map[string]string `mapstructure:"attributes"`
	Detection  `mapstructure:",squash"`
}

// signalNames maps the Signal setting to the anomaly.signal value.
var signalNames = map[string]string{
	"value": signalValue, "rate": signalRate, "count_rate": signalCountRate,
	"mean": signalMean, "quantile": signalQuantile,
}

// matches reports whether the override applies to a series of its metric
// with this signal, point attributes and resource attributes.
func (o *Override) matches(signal string, attrs, resource pcommon.Map) bool {
	if o.Signal != "" && signalNames[o.Signal] != signal {
		return false
	}
	for k, want := range o.Attributes {
		v, ok := attrs.Get(k)
		if !ok {
			v, ok = resource.Get(k)
		}
		if !ok || v.AsString() != want {
			return false
		}
	}
	return true
}

var _ component.Config = (*Config)(nil)

func createDefaultConfig() component.Config {
	d := detector.DefaultConfig()
	return &Config{
		Detection: Detection{
			Direction:   "both",
			Sensitivity: d.Sensitivity,
			Seasonality: "auto",
			WarmUp:      d.WarmUp,
		},
		Threshold:        detector.DefaultThreshold,
		ClearThreshold:   detector.DefaultThreshold * 0.6,
		ClearPoints:      3,
		ConfirmPoints:    2,
		MaxSeries:        100000,
		MaxStale:         time.Hour,
		SnapshotInterval: 5 * time.Minute,
	}
}

// maxHistogramQuantiles bounds the quantile signals of one histogram: each
// is a series of its own, with its detector's state.
const maxHistogramQuantiles = 10

var (
	directions    = map[string]detector.Direction{"both": detector.Both, "up": detector.Up, "down": detector.Down}
	seasonalities = map[string]detector.Seasonality{"auto": detector.SeasonAuto, "none": detector.SeasonNone, "daily": detector.SeasonDaily, "weekly": detector.SeasonWeekly}
)

// detectorConfig merges d over base into a detector configuration.
func (d Detection) detectorConfig(base Detection) detector.Config {
	if d.Direction == "" {
		d.Direction = base.Direction
	}
	if d.Sensitivity == 0 {
		d.Sensitivity = base.Sensitivity
	}
	if d.Seasonality == "" {
		d.Seasonality = base.Seasonality
	}
	if d.WarmUp == 0 {
		d.WarmUp = base.WarmUp
	}
	c := detector.DefaultConfig()
	c.Direction = directions[d.Direction]
	c.Seasonality = seasonalities[d.Seasonality]
	c.Sensitivity = d.Sensitivity
	c.WarmUp = d.WarmUp
	return c
}

func (d Detection) validate(prefix string, top bool) error {
	var errs []error
	if _, ok := directions[d.Direction]; !ok && (top || d.Direction != "") {
		errs = append(errs, fmt.Errorf("%sdirection must be both, up or down (got %q)", prefix, d.Direction))
	}
	if _, ok := seasonalities[d.Seasonality]; !ok && (top || d.Seasonality != "") {
		errs = append(errs, fmt.Errorf("%sseasonality must be auto, none, daily or weekly (got %q)", prefix, d.Seasonality))
	}
	if d.Sensitivity < 0 || d.Sensitivity > 100 || (top && d.Sensitivity == 0) {
		errs = append(errs, fmt.Errorf("%ssensitivity must be in (0, 100] (got %v)", prefix, d.Sensitivity))
	}
	if d.WarmUp < 0 || d.WarmUp > 100000 || (top && d.WarmUp < 10) || (d.WarmUp > 0 && d.WarmUp < 10) {
		errs = append(errs, fmt.Errorf("%swarm_up must be in [10, 100000] points (got %d)", prefix, d.WarmUp))
	}
	return errors.Join(errs...)
}

func validPattern(key, p string) error {
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("%s: bad pattern %q: %w", key, p, err)
	}
	return nil
}

// Validate checks every key and names the bad ones.
func (c *Config) Validate() error {
	errs := []error{c.validate("", true)}
	for i, p := range c.Include {
		errs = append(errs, validPattern(fmt.Sprintf("include[%d]", i), p))
	}
	for i, p := range c.Exclude {
		errs = append(errs, validPattern(fmt.Sprintf("exclude[%d]", i), p))
	}
	for i, o := range c.Overrides {
		key := fmt.Sprintf("overrides[%d].", i)
		if o.Metric == "" {
			errs = append(errs, fmt.Errorf("%smetric must be set", key))
		}
		if _, ok := signalNames[o.Signal]; !ok && o.Signal != "" {
			errs = append(errs, fmt.Errorf("%ssignal must be value, rate, count_rate, mean or quantile (got %q)", key, o.Signal))
		}
		for k := range o.Attributes {
			if k == "" {
				errs = append(errs, fmt.Errorf("%sattributes: empty key", key))
			}
		}
		if o.Signal != "" && !isRate(signalNames[o.Signal]) && o.AbsentIsZero != nil && *o.AbsentIsZero {
			errs = append(errs, fmt.Errorf("%sabsent_is_zero applies to the rate and count_rate signals (got signal %q)", key, o.Signal))
		}
		errs = append(errs, validPattern(key+"metric", o.Metric), o.validate(key, false))
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		errs = append(errs, fmt.Errorf("threshold must be in (0, 1] (got %v)", c.Threshold))
	}
	if !(c.ClearThreshold >= 0 && c.ClearThreshold <= c.Threshold) {
		errs = append(errs, fmt.Errorf("clear_threshold must be in [0, threshold] (got %v)", c.ClearThreshold))
	}
	if c.ClearPoints < 1 {
		errs = append(errs, fmt.Errorf("clear_points must be at least 1 (got %d)", c.ClearPoints))
	}
	if c.ConfirmPoints < 1 || c.ConfirmPoints > maxConfirmPoints {
		errs = append(errs, fmt.Errorf("confirm_points must be in [1, %d] (got %d)", maxConfirmPoints, c.ConfirmPoints))
	}
	seen := map[float64]bool{}
	for i, q := range c.HistogramQuantiles {
		if !(q > 0 && q < 1) || seen[q] {
			errs = append(errs, fmt.Errorf("histogram_quantiles[%d] must be in (0, 1) and not repeated (got %v)", i, q))
		}
		seen[q] = true
	}
	if len(c.HistogramQuantiles) > maxHistogramQuantiles {
		errs = append(errs, fmt.Errorf("histogram_quantiles: at most %d (got %d)", maxHistogramQuantiles, len(c.HistogramQuantiles)))
	}
	if c.MaxSeries < 1 {
		errs = append(errs, fmt.Errorf("max_series must be at least 1 (got %d)", c.MaxSeries))
	}
	if c.MaxStale <= 0 {
		errs = append(errs, fmt.Errorf("max_stale must be a positive duration (got %s)", c.MaxStale))
	}
	if c.Storage != nil && c.SnapshotInterval < 0 {
		errs = append(errs, fmt.Errorf("snapshot_interval must not be negative (got %s)", c.SnapshotInterval))
	}
	return errors.Join(errs...)
}
