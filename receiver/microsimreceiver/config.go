package microsimreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver"

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
)

// Fault schedule modes.
const (
	// ScheduleAuto runs the faults list, or the built-in demo schedule
	// (latency on checkout at 3m, errors on payment at 6m) when it is empty.
	ScheduleAuto = "auto"
	// ScheduleList runs the faults list only (empty: no faults).
	ScheduleList = "list"
	// ScheduleRandom runs a seeded random schedule plus the faults list.
	ScheduleRandom = "random"
)

// Config configures the microsim receiver.
type Config struct {
	// Seed makes the simulation reproducible.
	Seed int64 `mapstructure:"seed"`
	// Speed is simulated seconds per real second: 1 is real time, 360 runs
	// six simulated hours in a minute. Timestamps are always simulated time.
	Speed float64 `mapstructure:"speed"`
	// StartTime (RFC 3339) is where simulated time begins; unset: now.
	StartTime time.Time `mapstructure:"start_time"`
	// Duration stops the simulation after this much simulated time; 0 runs
	// until shutdown.
	Duration time.Duration `mapstructure:"duration"`
	// Tick is the simulated time per step.
	Tick time.Duration `mapstructure:"tick"`
	// MetricsInterval is the period of host metric points (simulated).
	MetricsInterval time.Duration `mapstructure:"metrics_interval"`
	// RequestsPerSecond is the mean rate of external requests (simulated).
	RequestsPerSecond float64 `mapstructure:"requests_per_second"`
	// DailyAmplitude is the relative swing of the rate over a day.
	DailyAmplitude float64 `mapstructure:"daily_amplitude"`
	// PeakHour is the hour of the day (UTC, simulated) with the most traffic.
	PeakHour float64 `mapstructure:"peak_hour"`
	// FaultSchedule is auto, list or random.
	FaultSchedule string `mapstructure:"fault_schedule"`
	// Faults is a fixed fault list.
	Faults []FaultConfig `mapstructure:"faults"`
	// RandomFaults configures the random schedule.
	RandomFaults RandomFaultsConfig `mapstructure:"random_faults"`
	// GroundTruth configures where fault events are reported besides the
	// logs pipeline.
	GroundTruth GroundTruthConfig `mapstructure:"ground_truth"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FaultConfig is one scheduled fault; start is relative to the start of
// the simulation.
type FaultConfig struct {
	ID        string        `mapstructure:"id"`
	Type      string        `mapstructure:"type"`
	Service   string        `mapstructure:"service"`
	Start     time.Duration `mapstructure:"start"`
	Duration  time.Duration `mapstructure:"duration"`
	Magnitude float64       `mapstructure:"magnitude"`
}

// RandomFaultsConfig configures the random schedule: non-overlapping faults
// after a warm-up, separated by quiet gaps.
type RandomFaultsConfig struct {
	// Seed of the schedule; 0 uses the top-level seed.
	Seed        int64         `mapstructure:"seed"`
	Warmup      time.Duration `mapstructure:"warmup"`
	MinGap      time.Duration `mapstructure:"min_gap"`
	MaxGap      time.Duration `mapstructure:"max_gap"`
	MinDuration time.Duration `mapstructure:"min_duration"`
	MaxDuration time.Duration `mapstructure:"max_duration"`
	// Types and Services restrict the draw; empty means all.
	Types    []string `mapstructure:"types"`
	Services []string `mapstructure:"services"`
}

// GroundTruthConfig configures the ground-truth report.
type GroundTruthConfig struct {
	// File, when set, receives one JSON line per fault start and end
	// (truncated at start).
	File string `mapstructure:"file"`
}

// Validate checks the configuration; every error names the key and value.
// The collector calls it (xconfmap.Validator) when it loads the config.
func (c *Config) Validate() error {
	var errs []error
	if !(c.Speed > 0 && c.Speed <= 100000) {
		errs = append(errs, fmt.Errorf("speed must be in (0, 100000] (got %v)", c.Speed))
	}
	if c.Duration < 0 {
		errs = append(errs, fmt.Errorf("duration must not be negative (got %s)", c.Duration))
	}
	if c.Tick < time.Millisecond || c.Tick > time.Minute {
		errs = append(errs, fmt.Errorf("tick must be between 1ms and 1m (got %s)", c.Tick))
	}
	if c.MetricsInterval < c.Tick {
		errs = append(errs, fmt.Errorf("metrics_interval must be at least tick %s (got %s)", c.Tick, c.MetricsInterval))
	}
	if !(c.RequestsPerSecond >= 0 && c.RequestsPerSecond <= 10000) {
		errs = append(errs, fmt.Errorf("requests_per_second must be in [0, 10000] (got %v)", c.RequestsPerSecond))
	}
	if !(c.DailyAmplitude >= 0 && c.DailyAmplitude < 1) {
		errs = append(errs, fmt.Errorf("daily_amplitude must be in [0, 1) (got %v)", c.DailyAmplitude))
	}
	if !(c.PeakHour >= 0 && c.PeakHour < 24) {
		errs = append(errs, fmt.Errorf("peak_hour must be in [0, 24) (got %v)", c.PeakHour))
	}
	switch c.FaultSchedule {
	case ScheduleAuto, ScheduleList, ScheduleRandom:
	default:
		errs = append(errs, fmt.Errorf("fault_schedule must be one of %s, %s, %s (got %q)", ScheduleAuto, ScheduleList, ScheduleRandom, c.FaultSchedule))
	}
	ids := map[string]int{}
	for i, f := range c.Faults {
		key := fmt.Sprintf("faults[%d]", i)
		if err := microsim.ValidateFault(key, f.fault(i), nil); err != nil {
			errs = append(errs, err)
		}
		if f.ID != "" {
			if j, dup := ids[f.ID]; dup {
				errs = append(errs, fmt.Errorf("%s.id must be unique (got %q, also faults[%d].id)", key, f.ID, j))
			}
			ids[f.ID] = i
		}
	}
	if c.FaultSchedule == ScheduleRandom {
		if err := c.random().Validate("random_faults", nil); err != nil {
			errs = append(errs, err)
		}
	}
	if c.GroundTruth.File != "" && filepath.Base(c.GroundTruth.File) == "." {
		errs = append(errs, fmt.Errorf("ground_truth.file must name a file (got %q)", c.GroundTruth.File))
	}
	return errors.Join(errs...)
}

func (f FaultConfig) fault(i int) microsim.Fault {
	id := f.ID
	if id == "" {
		id = fmt.Sprintf("f%03d-%s-%s", i+1, f.Type, f.Service)
	}
	return microsim.Fault{ID: id, Type: microsim.FaultType(f.Type), Service: f.Service,
		Start: f.Start, Duration: f.Duration, Magnitude: f.Magnitude}
}

func (c *Config) random() microsim.RandomSchedule {
	r := c.RandomFaults
	seed := r.Seed
	if seed == 0 {
		seed = c.Seed
	}
	out := microsim.RandomSchedule{Seed: seed, Warmup: r.Warmup, MinGap: r.MinGap, MaxGap: r.MaxGap,
		MinDuration: r.MinDuration, MaxDuration: r.MaxDuration, Services: r.Services}
	for _, t := range r.Types {
		out.Types = append(out.Types, microsim.FaultType(t))
	}
	return out
}

// simConfig builds the simulator configuration for a run starting at now.
func (c *Config) simConfig(now time.Time) microsim.Config {
	start := now
	if !c.StartTime.IsZero() {
		start = c.StartTime
	}
	sc := microsim.Config{
		Seed: c.Seed, Start: start, Tick: c.Tick, MetricsInterval: c.MetricsInterval,
		RequestsPerSecond: c.RequestsPerSecond, DailyAmplitude: c.DailyAmplitude, PeakHour: math.Mod(c.PeakHour, 24),
	}
	for i, f := range c.Faults {
		sc.Faults = append(sc.Faults, f.fault(i))
	}
	switch c.FaultSchedule {
	case ScheduleAuto:
		if len(sc.Faults) == 0 {
			sc.Faults = microsim.DemoFaults()
		}
	case ScheduleRandom:
		r := c.random()
		sc.Random = &r
	}
	return sc
}
