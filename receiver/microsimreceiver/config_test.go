package microsimreceiver

import (
	"cmp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/configtest"
	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
)

func TestLoadConfig(t *testing.T) {
	custom := createDefaultConfig().(*Config)
	custom.Seed = 42
	custom.Speed = 360
	custom.StartTime = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	custom.Duration = 6 * time.Hour
	custom.Tick = 2 * time.Second
	custom.MetricsInterval = 30 * time.Second
	custom.RequestsPerSecond = 5
	custom.DailyAmplitude = 0.5
	custom.PeakHour = 13.5
	custom.FaultSchedule = ScheduleRandom
	custom.Faults = []FaultConfig{{ID: "planned-db-outage", Type: "dependency_down", Service: "database", Start: 2 * time.Hour, Duration: 5 * time.Minute}}
	custom.RandomFaults = RandomFaultsConfig{Seed: 9, Warmup: 20 * time.Minute, MinGap: 5 * time.Minute, MaxGap: 15 * time.Minute,
		MinDuration: 2 * time.Minute, MaxDuration: 6 * time.Minute, Types: []string{"latency", "errors"}, Services: []string{"checkout", "payment"}}
	custom.GroundTruth.File = "/tmp/microsim-truth.jsonl"

	for _, tc := range []struct {
		name string
		want *Config
	}{
		{"", createDefaultConfig().(*Config)},
		{"custom", custom},
	} {
		t.Run(cmp.Or(tc.name, "default"), func(t *testing.T) {
			cfg := configtest.Load[*Config](t, NewFactory(), tc.name)
			require.NoError(t, cfg.Validate())
			assert.Equal(t, tc.want, cfg)
		})
	}
}

func TestSimConfigSchedules(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := createDefaultConfig().(*Config)
	sc := cfg.simConfig(now)
	assert.Equal(t, microsim.DemoFaults(), sc.Faults, "auto without faults runs the demo schedule")
	assert.Nil(t, sc.Random)
	assert.Equal(t, now, sc.Start)

	cfg.Faults = []FaultConfig{{Type: "cpu", Service: "cart", Start: time.Minute, Duration: time.Minute}}
	sc = cfg.simConfig(now)
	require.Len(t, sc.Faults, 1)
	assert.Equal(t, "f001-cpu-cart", sc.Faults[0].ID)

	cfg.Faults = nil
	cfg.FaultSchedule = ScheduleList
	assert.Empty(t, cfg.simConfig(now).Faults)

	cfg.FaultSchedule = ScheduleRandom
	cfg.Seed = 5
	cfg.StartTime = time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	sc = cfg.simConfig(now)
	require.NotNil(t, sc.Random)
	assert.Equal(t, int64(5), sc.Random.Seed, "random_faults.seed 0 takes the top-level seed")
	assert.Equal(t, time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), sc.Start)
}

func TestValidateNamesKeyAndValue(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"speed", func(c *Config) { c.Speed = 0 }, "speed must be in (0, 100000] (got 0)"},
		{"duration", func(c *Config) { c.Duration = -time.Second }, "duration must not be negative (got -1s)"},
		{"tick", func(c *Config) { c.Tick = 2 * time.Minute }, "tick must be between 1ms and 1m (got 2m0s)"},
		{"metrics_interval", func(c *Config) { c.MetricsInterval = time.Millisecond }, "metrics_interval must be at least tick 1s (got 1ms)"},
		{"requests_per_second", func(c *Config) { c.RequestsPerSecond = -1 }, "requests_per_second must be in [0, 10000] (got -1)"},
		{"daily_amplitude", func(c *Config) { c.DailyAmplitude = 1 }, "daily_amplitude must be in [0, 1) (got 1)"},
		{"peak_hour", func(c *Config) { c.PeakHour = 24 }, "peak_hour must be in [0, 24) (got 24)"},
		{"fault_schedule", func(c *Config) { c.FaultSchedule = "sometimes" }, `fault_schedule must be one of auto, list, random (got "sometimes")`},
		{"faults type", func(c *Config) {
			c.Faults = []FaultConfig{{Type: "cpu", Service: "cart", Duration: time.Minute}, {Type: "meltdown", Service: "cart", Duration: time.Minute}}
		}, `faults[1].type must be one of [latency errors cpu memory_leak new_log_pattern dependency_down] (got "meltdown")`},
		{"faults service", func(c *Config) { c.Faults = []FaultConfig{{Type: "cpu", Service: "billing", Duration: time.Minute}} },
			`faults[0].service must be one of [frontend cart checkout payment shipping cache database] (got "billing")`},
		{"faults start", func(c *Config) {
			c.Faults = []FaultConfig{{Type: "cpu", Service: "cart", Start: -time.Minute, Duration: time.Minute}}
		},
			"faults[0].start must not be negative (got -1m0s)"},
		{"faults duration", func(c *Config) { c.Faults = []FaultConfig{{Type: "cpu", Service: "cart"}} }, "faults[0].duration must be positive (got 0s)"},
		{"faults magnitude", func(c *Config) {
			c.Faults = []FaultConfig{{Type: "cpu", Service: "cart", Duration: time.Minute, Magnitude: 1.5}}
		},
			"faults[0].magnitude for cpu is the CPU utilisation added (0..1) and must be in (0, 1] (got 1.5)"},
		{"faults id", func(c *Config) {
			c.Faults = []FaultConfig{{ID: "a", Type: "cpu", Service: "cart", Duration: time.Minute}, {ID: "a", Type: "cpu", Service: "cart", Duration: time.Minute}}
		}, `faults[1].id must be unique (got "a", also faults[0].id)`},
		{"random gap", func(c *Config) { c.FaultSchedule = ScheduleRandom; c.RandomFaults.MaxGap = time.Second },
			"random_faults.max_gap must be at least min_gap 10m0s (got 1s)"},
		{"random services", func(c *Config) { c.FaultSchedule = ScheduleRandom; c.RandomFaults.Services = []string{"cart", "nope"} },
			`random_faults.services[1] must be one of [frontend cart checkout payment shipping cache database] (got "nope")`},
		{"random types", func(c *Config) { c.FaultSchedule = ScheduleRandom; c.RandomFaults.Types = []string{"flood"} },
			`random_faults.types[0] must be one of`},
	} {
		t.Run(cmp.Or(tc.name, "default"), func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			require.NoError(t, cfg.Validate())
			tc.edit(cfg)
			err := cfg.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
