package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import (
	"errors"
	"fmt"
	"time"
)

// Direction selects which deviations count as anomalous.
type Direction uint8

const (
	// Both scores deviations above and below the expected value.
	Both Direction = iota
	// Up scores only values above the expected value (latency, error rates).
	Up
	// Down scores only values below the expected value (throughput drops).
	Down
)

// Seasonality selects the seasonal profile of the baseline.
type Seasonality uint8

const (
	// SeasonAuto learns a daily profile and uses it only while it predicts
	// better than the plain level, and an hour-of-week correction of it
	// used on the same terms (see baseline.go, weekly.go).
	SeasonAuto Seasonality = iota
	// SeasonNone never uses a profile (no profile memory is allocated).
	SeasonNone
	// SeasonDaily always uses the daily profile once it has seen one period.
	SeasonDaily
	// SeasonWeekly always uses a weekly profile once it has seen one period.
	SeasonWeekly
)

// Config parameterises one series' detector. The zero value is not valid;
// start from DefaultConfig.
type Config struct {
	Direction   Direction
	Seasonality Seasonality
	// Sensitivity scales the calibrated score: above 1 makes every series
	// more alarming, below 1 less. 1 keeps the documented meaning of the score.
	Sensitivity float64
	// WarmUp is the number of points scored 0 while the statistics settle.
	WarmUp int
	// Memory is the effective number of points in the long-term statistics
	// of the calibration stage (the "recent history" a score is relative to).
	Memory int
	// Suppress is the hold-off after an alarm, in points: the scores of the
	// next Suppress points are damped (x0.2) so that one episode raises one
	// alarm. 0 disables suppression.
	Suppress int
	// Threshold is the alarm level the hold-off starts at: the decision
	// threshold of the caller, so that suppression and decision agree.
	Threshold float64
}

// DefaultThreshold is the score at which the shipped configuration decides
// that a point is anomalous: a p-value of about 2.5e-3 against the series' own
// history (see doc.go for why that is rarer than it sounds).
const DefaultThreshold = 0.45

// DefaultConfig is the configuration shipped with the processor.
func DefaultConfig() Config {
	return Config{
		Direction:   Both,
		Seasonality: SeasonAuto,
		Sensitivity: 1,
		WarmUp:      100,
		Memory:      3000,
		Suppress:    100,
		Threshold:   DefaultThreshold,
	}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.Direction > Down {
		errs = append(errs, fmt.Errorf("direction: unknown value %d", c.Direction))
	}
	if c.Seasonality > SeasonWeekly {
		errs = append(errs, fmt.Errorf("seasonality: unknown value %d", c.Seasonality))
	}
	if !(c.Sensitivity > 0 && c.Sensitivity <= 100) {
		errs = append(errs, fmt.Errorf("sensitivity must be in (0, 100] (got %v)", c.Sensitivity))
	}
	if c.WarmUp < 10 || c.WarmUp > 100000 {
		errs = append(errs, fmt.Errorf("warm_up must be in [10, 100000] points (got %d)", c.WarmUp))
	}
	if c.Memory < 50 || c.Memory > 1000000 {
		errs = append(errs, fmt.Errorf("memory must be in [50, 1000000] points (got %d)", c.Memory))
	}
	if c.Suppress < 0 || c.Suppress > 1000000 {
		errs = append(errs, fmt.Errorf("suppress must be in [0, 1000000] points (got %d)", c.Suppress))
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		errs = append(errs, fmt.Errorf("threshold must be in (0, 1] (got %v)", c.Threshold))
	}
	return errors.Join(errs...)
}

// period returns the seasonal period for s, 0 for none.
func (s Seasonality) period() time.Duration {
	switch s {
	case SeasonAuto, SeasonDaily:
		return 24 * time.Hour
	case SeasonWeekly:
		return 7 * 24 * time.Hour
	}
	return 0
}
