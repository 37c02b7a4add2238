package microsim // import "github.com/otelcol-aiops/otelcol-aiops/internal/microsim"

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// FaultType names what a fault does to its service.
type FaultType string

const (
	FaultLatency        FaultType = "latency"
	FaultErrors         FaultType = "errors"
	FaultCPU            FaultType = "cpu"
	FaultMemoryLeak     FaultType = "memory_leak"
	FaultNewLogPattern  FaultType = "new_log_pattern"
	FaultDependencyDown FaultType = "dependency_down"
)

// FaultTypes lists every fault type, in a fixed order.
var FaultTypes = []FaultType{FaultLatency, FaultErrors, FaultCPU, FaultMemoryLeak, FaultNewLogPattern, FaultDependencyDown}

// magnitudeSpec documents a type's magnitude: its meaning, the default, the
// valid range and the range a random schedule draws from.
type magnitudeSpec struct {
	meaning        string
	def, min, max  float64
	randLo, randHi float64
	minInclusive   bool // min itself is valid
}

var magnitudes = map[FaultType]magnitudeSpec{
	FaultLatency:        {meaning: "factor on the service's own processing time", def: 5, min: 1, max: 1000, randLo: 3, randHi: 8, minInclusive: true},
	FaultErrors:         {meaning: "error probability added to each request", def: 0.3, min: 0, max: 1, randLo: 0.15, randHi: 0.5},
	FaultCPU:            {meaning: "CPU utilisation added (0..1)", def: 0.4, min: 0, max: 1, randLo: 0.3, randHi: 0.6},
	FaultMemoryLeak:     {meaning: "memory growth by the end of the fault, in multiples of the baseline", def: 2, min: 0, max: 100, randLo: 1, randHi: 3},
	FaultNewLogPattern:  {meaning: "share of the service's requests that log the new line", def: 0.3, min: 0, max: 1, randLo: 0.15, randHi: 0.5},
	FaultDependencyDown: {meaning: "share of calls to the service that fail", def: 1, min: 0, max: 1, randLo: 1, randHi: 1},
}

// DefaultMagnitude returns the magnitude used when a fault gives none.
func DefaultMagnitude(t FaultType) float64 { return magnitudes[t].def }

// Fault is one injected fault. Start is an offset from the simulation start.
type Fault struct {
	ID        string
	Type      FaultType
	Service   string
	Start     time.Duration
	Duration  time.Duration
	Magnitude float64
}

// End returns the offset at which the fault ends.
func (f Fault) End() time.Duration { return f.Start + f.Duration }

// validate checks f against the topology. key prefixes the field names in
// errors, e.g. "faults[2]".
func (f Fault) validate(key string, topo *Topology) error {
	spec, ok := magnitudes[f.Type]
	if !ok {
		return fmt.Errorf("%s.type must be one of %v (got %q)", key, FaultTypes, f.Type)
	}
	if topo.Service(f.Service) == nil {
		return fmt.Errorf("%s.service must be one of %v (got %q)", key, topo.ServiceNames(), f.Service)
	}
	if f.Start < 0 {
		return fmt.Errorf("%s.start must not be negative (got %s)", key, f.Start)
	}
	if f.Duration <= 0 {
		return fmt.Errorf("%s.duration must be positive (got %s)", key, f.Duration)
	}
	m := f.Magnitude
	if m == 0 {
		return nil // the type's default
	}
	aboveMin := m > spec.min || (spec.minInclusive && m == spec.min)
	if !aboveMin || m > spec.max {
		open := "("
		if spec.minInclusive {
			open = "["
		}
		return fmt.Errorf("%s.magnitude for %s is the %s and must be in %s%v, %v] (got %v)", key, f.Type, spec.meaning, open, spec.min, spec.max, m)
	}
	return nil
}

// ValidateFault checks one fault against the topology (nil: the default);
// errors name key (e.g. "faults[2]") and the bad value.
func ValidateFault(key string, f Fault, topo *Topology) error {
	if topo == nil {
		topo = DefaultTopology()
	}
	return f.validate(key, topo)
}

// DemoFaults is the schedule used when none is configured: something to see
// three minutes after start, then a second, different fault. The first
// leaves the demo's detectors (examples/demo/config.yaml) a history of
// about 20 judged points after their 2.5-minute warm-up: against ten, it
// was missed at some start times.
func DemoFaults() []Fault {
	return []Fault{
		{ID: "demo-1-latency-checkout", Type: FaultLatency, Service: "checkout", Start: 3 * time.Minute, Duration: time.Minute, Magnitude: 5},
		{ID: "demo-2-errors-payment", Type: FaultErrors, Service: "payment", Start: 6 * time.Minute, Duration: time.Minute, Magnitude: 0.4},
	}
}

// RandomSchedule draws faults one after another, without overlap: the first
// starts after Warmup, each lasts between MinDuration and MaxDuration, and
// quiet gaps between MinGap and MaxGap separate them. Types and Services
// restrict the draw (empty: all; dependency_down never hits the entry
// service, which would silence the whole system).
type RandomSchedule struct {
	Seed        int64
	Warmup      time.Duration
	MinGap      time.Duration
	MaxGap      time.Duration
	MinDuration time.Duration
	MaxDuration time.Duration
	Types       []FaultType
	Services    []string
}

// DefaultRandomSchedule returns settings suited to a multi-hour evaluation.
func DefaultRandomSchedule() RandomSchedule {
	return RandomSchedule{
		Warmup:      15 * time.Minute,
		MinGap:      10 * time.Minute,
		MaxGap:      20 * time.Minute,
		MinDuration: 3 * time.Minute,
		MaxDuration: 8 * time.Minute,
	}
}

// Validate checks the settings; key prefixes field names in errors.
func (r RandomSchedule) Validate(key string, topo *Topology) error {
	if topo == nil {
		topo = DefaultTopology()
	}
	switch {
	case r.Warmup < 0:
		return fmt.Errorf("%s.warmup must not be negative (got %s)", key, r.Warmup)
	case r.MinGap < 0:
		return fmt.Errorf("%s.min_gap must not be negative (got %s)", key, r.MinGap)
	case r.MaxGap < r.MinGap:
		return fmt.Errorf("%s.max_gap must be at least min_gap %s (got %s)", key, r.MinGap, r.MaxGap)
	case r.MinDuration <= 0:
		return fmt.Errorf("%s.min_duration must be positive (got %s)", key, r.MinDuration)
	case r.MaxDuration < r.MinDuration:
		return fmt.Errorf("%s.max_duration must be at least min_duration %s (got %s)", key, r.MinDuration, r.MaxDuration)
	}
	for i, t := range r.Types {
		if _, ok := magnitudes[t]; !ok {
			return fmt.Errorf("%s.types[%d] must be one of %v (got %q)", key, i, FaultTypes, t)
		}
	}
	for i, s := range r.Services {
		if topo.Service(s) == nil {
			return fmt.Errorf("%s.services[%d] must be one of %v (got %q)", key, i, topo.ServiceNames(), s)
		}
	}
	return nil
}

// schedule holds the faults in start order. A random schedule is extended
// lazily, so a simulation can run forever.
type schedule struct {
	faults []Fault
	random *RandomSchedule
	rng    *rand.Rand
	topo   *Topology
	next   time.Duration // earliest start of the next random fault
	n      int           // random faults drawn
}

func newSchedule(fixed []Fault, random *RandomSchedule, topo *Topology) *schedule {
	s := &schedule{topo: topo}
	for i, f := range fixed {
		if f.Magnitude == 0 {
			f.Magnitude = DefaultMagnitude(f.Type)
		}
		if f.ID == "" {
			f.ID = fmt.Sprintf("f%03d-%s-%s", i+1, f.Type, f.Service)
		}
		s.faults = append(s.faults, f)
	}
	if random != nil {
		r := *random
		s.random = &r
		// A stream of its own, so traffic volume never shifts the schedule.
		s.rng = rand.New(rand.NewPCG(uint64(r.Seed), 0x5eed_fa17))
		s.next = r.Warmup
	}
	s.sort()
	return s
}

func (s *schedule) sort() {
	slices.SortStableFunc(s.faults, func(a, b Fault) int { return int(a.Start - b.Start) })
}

// extend draws random faults until one starts after horizon.
func (s *schedule) extend(horizon time.Duration) {
	if s.random == nil {
		return
	}
	added := false
	for s.next <= horizon {
		f := s.draw()
		s.faults = append(s.faults, f)
		s.next = f.End() + s.between(s.random.MinGap, s.random.MaxGap)
		added = true
	}
	if added {
		s.sort()
	}
}

func (s *schedule) draw() Fault {
	r := s.random
	types := r.Types
	if len(types) == 0 {
		types = FaultTypes
	}
	t := types[s.rng.IntN(len(types))]
	services := r.Services
	if len(services) == 0 {
		services = s.topo.ServiceNames()
	}
	candidates := services
	if t == FaultDependencyDown {
		candidates = slices.DeleteFunc(slices.Clone(services), func(n string) bool { return n == s.topo.Entry })
		if len(candidates) == 0 {
			candidates = services
		}
	}
	svc := candidates[s.rng.IntN(len(candidates))]
	spec := magnitudes[t]
	mag := spec.randLo + s.rng.Float64()*(spec.randHi-spec.randLo)
	mag = float64(int(mag*100+0.5)) / 100 // readable ground truth
	s.n++
	return Fault{
		ID:        fmt.Sprintf("r%03d-%s-%s", s.n, t, svc),
		Type:      t,
		Service:   svc,
		Start:     s.next,
		Duration:  s.between(r.MinDuration, r.MaxDuration),
		Magnitude: mag,
	}
}

func (s *schedule) between(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	// Whole seconds keep the ground truth readable.
	return (lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1))).Round(time.Second)
}
