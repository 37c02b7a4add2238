package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Config configures a Simulator.
type Config struct {
	// Seed makes the run reproducible: equal configs give equal output.
	Seed int64
	// Start is the simulated time at which the run begins.
	Start time.Time
	// Tick is the simulated time one Step covers.
	Tick time.Duration
	// MetricsInterval is the period of host metric points.
	MetricsInterval time.Duration
	// RequestsPerSecond is the mean rate of external requests.
	RequestsPerSecond float64
	// DailyAmplitude is the relative swing of the rate over a day (0: flat,
	// 0.5: between half and one and a half times the mean).
	DailyAmplitude float64
	// PeakHour is the hour of day (UTC, simulated) of the highest rate.
	PeakHour float64
	// Faults is a fixed fault list; zero magnitudes take the type default.
	Faults []Fault
	// Random, when set, adds a random fault schedule.
	Random *RandomSchedule
	// Topology is the system to simulate; nil means DefaultTopology.
	Topology *Topology
}

// maxRequestsPerTick bounds the work (and memory) of one Step.
const maxRequestsPerTick = 200_000

func (c *Config) validate() error {
	var errs []error
	if c.Tick <= 0 {
		errs = append(errs, fmt.Errorf("tick must be positive (got %s)", c.Tick))
	}
	if c.MetricsInterval < c.Tick {
		errs = append(errs, fmt.Errorf("metrics interval must be at least one tick %s (got %s)", c.Tick, c.MetricsInterval))
	}
	if !(c.RequestsPerSecond >= 0) || c.RequestsPerSecond*c.Tick.Seconds() > maxRequestsPerTick/2 {
		errs = append(errs, fmt.Errorf("requests per second must be in [0, %d/tick] (got %v)", maxRequestsPerTick/2, c.RequestsPerSecond))
	}
	if !(c.DailyAmplitude >= 0 && c.DailyAmplitude < 1) {
		errs = append(errs, fmt.Errorf("daily amplitude must be in [0, 1) (got %v)", c.DailyAmplitude))
	}
	for i, f := range c.Faults {
		if err := f.validate(fmt.Sprintf("faults[%d]", i), c.Topology); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Random != nil {
		if err := c.Random.Validate("random", c.Topology); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// effect is what the active faults do to one service during a tick.
type effect struct {
	latencyMul float64 // factor on response time
	errorAdd   float64 // added error probability
	cpuAdd     float64 // added CPU utilisation
	downShare  float64 // share of calls refused
	novelShare float64 // share of requests that log the novel line
	novel      int     // index into novelPatterns
}

// Simulator runs the simulation one tick at a time.
type Simulator struct {
	cfg   Config
	topo  *Topology
	rng   *rand.Rand
	sched *schedule

	now         time.Time // start of the next tick
	nextMetrics time.Time
	effects     map[string]*effect
	served      map[string]int // server spans since the last metric point

	// Items that end after the current tick wait here (see package doc).
	pendingSpans []Span
	pendingLogs  []LogRecord
}

// New returns a Simulator, or an error naming the invalid setting.
func New(cfg Config) (*Simulator, error) {
	if cfg.Topology == nil {
		cfg.Topology = DefaultTopology()
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Simulator{
		cfg:         cfg,
		topo:        cfg.Topology,
		rng:         rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d69_6372_6f73_696d)),
		sched:       newSchedule(cfg.Faults, cfg.Random, cfg.Topology),
		now:         cfg.Start,
		nextMetrics: cfg.Start.Add(cfg.MetricsInterval),
		effects:     map[string]*effect{},
		served:      map[string]int{},
	}
	for _, svc := range s.topo.services {
		s.effects[svc.Name] = &effect{latencyMul: 1}
	}
	return s, nil
}

// Now returns the simulated time reached: the end of the last Step.
func (s *Simulator) Now() time.Time { return s.now }

// Tick returns the simulated time one Step covers.
func (s *Simulator) Tick() time.Duration { return s.cfg.Tick }

// Topology returns the simulated system.
func (s *Simulator) Topology() *Topology { return s.topo }

// Faults returns the schedule known so far (a random schedule grows as the
// simulation advances), in start order.
func (s *Simulator) Faults() []Fault { return slices.Clone(s.sched.faults) }

// Step simulates one tick and returns what it produced.
func (s *Simulator) Step() Batch {
	t0 := s.now
	t1 := t0.Add(s.cfg.Tick)
	off0, off1 := t0.Sub(s.cfg.Start), t1.Sub(s.cfg.Start)
	s.sched.extend(off1)

	var b Batch
	s.faultEvents(&b, off0, off1)
	s.applyFaults(off0)

	// Points due in this tick come first: they describe the interval that
	// ends at their time, whose requests are already counted.
	for s.nextMetrics.Before(t1) {
		s.hostMetrics(&b, s.nextMetrics)
		s.nextMetrics = s.nextMetrics.Add(s.cfg.MetricsInterval)
	}

	n := s.poisson(s.rate(t0.Add(s.cfg.Tick/2)) * s.cfg.Tick.Seconds())
	arrivals := make([]time.Duration, n)
	for i := range arrivals {
		arrivals[i] = time.Duration(s.rng.Int64N(int64(s.cfg.Tick)))
	}
	slices.Sort(arrivals)
	for _, a := range arrivals {
		s.request(t0.Add(a))
	}

	s.pendingSpans = releaseSpans(&b, s.pendingSpans, t1)
	s.pendingLogs = releaseLogs(&b, s.pendingLogs, t1)
	s.now = t1
	return b
}

func releaseSpans(b *Batch, pending []Span, until time.Time) []Span {
	keep := pending[:0]
	for _, sp := range pending {
		if sp.End.Before(until) {
			b.Spans = append(b.Spans, sp)
		} else {
			keep = append(keep, sp)
		}
	}
	return keep
}

func releaseLogs(b *Batch, pending []LogRecord, until time.Time) []LogRecord {
	keep := pending[:0]
	for _, l := range pending {
		if l.Time.Before(until) {
			b.Logs = append(b.Logs, l)
		} else {
			keep = append(keep, l)
		}
	}
	return keep
}

// faultEvents reports faults that start or end in [off0, off1).
func (s *Simulator) faultEvents(b *Batch, off0, off1 time.Duration) {
	in := func(d time.Duration) bool { return d >= off0 && d < off1 }
	for _, f := range s.sched.faults {
		for _, ev := range []struct {
			name string
			at   time.Duration
		}{{"start", f.Start}, {"end", f.End()}} {
			if in(ev.at) {
				b.FaultEvents = append(b.FaultEvents, FaultEvent{
					Event: ev.name, Time: s.cfg.Start.Add(ev.at), ID: f.ID, Type: f.Type, Service: f.Service,
					Start: s.cfg.Start.Add(f.Start), End: s.cfg.Start.Add(f.End()), Magnitude: f.Magnitude,
				})
			}
		}
	}
	slices.SortStableFunc(b.FaultEvents, func(a, c FaultEvent) int { return a.Time.Compare(c.Time) })
}

// applyFaults sets each service's effect from the faults active at off.
func (s *Simulator) applyFaults(off time.Duration) {
	for _, e := range s.effects {
		*e = effect{latencyMul: 1}
	}
	for _, f := range s.sched.faults {
		if off < f.Start || off >= f.End() {
			continue
		}
		e := s.effects[f.Service]
		switch f.Type {
		case FaultLatency:
			e.latencyMul *= f.Magnitude
		case FaultErrors:
			e.errorAdd += f.Magnitude
		case FaultCPU:
			e.cpuAdd += f.Magnitude
		case FaultDependencyDown:
			e.downShare = math.Max(e.downShare, f.Magnitude)
		case FaultNewLogPattern:
			e.novelShare = math.Max(e.novelShare, f.Magnitude)
			h := fnv.New32a()
			h.Write([]byte(f.ID))
			e.novel = int(h.Sum32() % uint32(len(novelPatterns)))
		}
	}
}

// rate is the external request rate at t.
func (s *Simulator) rate(t time.Time) float64 {
	h := float64(t.UTC().Hour()) + float64(t.UTC().Minute())/60 + float64(t.UTC().Second())/3600
	return s.cfg.RequestsPerSecond * (1 + s.cfg.DailyAmplitude*math.Cos(2*math.Pi*(h-s.cfg.PeakHour)/24))
}

// poisson draws a Poisson count (normal approximation for large means).
func (s *Simulator) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		n := math.Round(mean + math.Sqrt(mean)*s.rng.NormFloat64())
		return int(math.Min(math.Max(n, 0), maxRequestsPerTick))
	}
	limit, p, k := math.Exp(-mean), 1.0, 0
	for {
		p *= s.rng.Float64()
		if p <= limit {
			return k
		}
		k++
	}
}

// hostMetrics emits every service's CPU and memory at t.
func (s *Simulator) hostMetrics(b *Batch, t time.Time) {
	off := t.Sub(s.cfg.Start)
	for _, svc := range s.topo.services {
		rps := float64(s.served[svc.Name]) / s.cfg.MetricsInterval.Seconds()
		s.served[svc.Name] = 0
		e := s.effects[svc.Name]
		cpu := svc.cpuIdle + svc.cpuPerRPS*rps + e.cpuAdd + 0.01*s.rng.NormFloat64()
		mem := svc.memMB + svc.memPerRPS*rps + s.leakMB(svc, off) + 0.005*svc.memMB*s.rng.NormFloat64()
		// A refused service is a crashed, restarting process: idle and small.
		cpu = (1-e.downShare)*cpu + e.downShare*0.002
		mem = (1-e.downShare)*mem + e.downShare*0.3*svc.memMB
		b.Points = append(b.Points,
			Point{Time: t, Service: svc.Name, Metric: MetricCPUUtilization, Value: math.Min(math.Max(cpu, 0.001), 1)},
			Point{Time: t, Service: svc.Name, Metric: MetricMemoryUsage, Value: math.Round(math.Max(mem, 1) * 1024 * 1024)},
		)
	}
}

// leakMB is the memory leaked by svc's memory_leak faults at off: linear
// growth to magnitude x baseline at the fault's end, freed when it ends (the
// process is restarted).
func (s *Simulator) leakMB(svc *Service, off time.Duration) float64 {
	leak := 0.0
	for _, f := range s.sched.faults {
		if f.Type != FaultMemoryLeak || f.Service != svc.Name || off < f.Start || off >= f.End() {
			continue
		}
		leak += f.Magnitude * svc.memMB * float64(off-f.Start) / float64(f.Duration)
	}
	return leak
}
