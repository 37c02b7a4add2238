package main

// Maximum sustained ingest per core: a fresh collector per load (GOMAXPROCS=1
// in its environment), fed by open-loop senders at a fixed offered rate per
// step; rampSearch picks the rates and stepOutcome.judge decides whether
// the collector kept up. The OTLP receiver answers a request only after the
// (synchronous) pipeline has processed it, so a collector that cannot keep
// up shows as answered and accepted rates below the offer (the senders are
// all busy and requests are missed) before memory_limiter refuses anything.

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// ingestOptions are the ingest flags.
type ingestOptions struct {
	loads     []string // traces, metrics, logs, mix
	start     float64
	factor    float64
	maxRate   float64
	refine    int
	hold      time.Duration
	warmup    time.Duration
	batch     int
	senders   int
	series    int
	tolerance float64
	limitMiB  int
}

// loadPattern is the signals of a load's requests, in turn; mix sends one
// request of each, so equal numbers of spans, data points and log records.
func loadPattern(load string) ([]signalKind, error) {
	if load == "mix" {
		return allSignals, nil
	}
	for _, s := range allSignals {
		if string(s) == load {
			return []signalKind{s}, nil
		}
	}
	return nil, fmt.Errorf("unknown load %q (want traces, metrics, logs or mix)", load)
}

// ingestResult is one load's ramp.
type ingestResult struct {
	Load      string  `json:"load"`
	Items     string  `json:"items"`
	MaxPerS   float64 `json:"max_sustained_items_per_s"`
	FirstFail float64 `json:"lowest_failing_items_per_s"`
	// CPUPerItemUs and ItemsPerCoreS are the collector's CPU time per item
	// at the maximum and the rate one fully used core would sustain at that
	// cost; Bound says what ended the ramp.
	CPUPerItemUs  float64       `json:"collector_cpu_us_per_item"`
	ItemsPerCoreS float64       `json:"items_per_collector_cpu_second"`
	Bound         string        `json:"bound"`
	AtMax         *stepOutcome  `json:"at_max,omitempty"`
	Warmup        *stepOutcome  `json:"warmup,omitempty"`
	Steps         []stepOutcome `json:"steps"`
}

// summarize fills AtMax, the collector's CPU cost per item there, and
// what limited the ramp: the collector when it used at least 90% of its
// core in a step at the lowest failing rate, else something else (the
// senders, the load generator or other processes on the machine).
func (r *ingestResult) summarize() {
	r.Bound = "no failing step"
	for i := range r.Steps {
		s := r.Steps[i]
		if s.Pass && s.Offered == r.MaxPerS {
			r.AtMax = &r.Steps[i]
		}
		if !s.Pass && s.Offered == r.FirstFail {
			if s.CollectorCPU >= saturatedCPU {
				r.Bound = "collector CPU"
			} else if r.Bound != "collector CPU" {
				r.Bound = fmt.Sprintf("not the collector's CPU (%.2f cores when failing)", s.CollectorCPU)
			}
		}
	}
	if r.AtMax != nil && r.AtMax.CollectorCPU > 0 && r.AtMax.Accepted > 0 {
		r.CPUPerItemUs = 1e6 * r.AtMax.CollectorCPU / r.AtMax.Accepted
		r.ItemsPerCoreS = r.AtMax.Accepted / r.AtMax.CollectorCPU
	}
}

// ingestStep is one step's fixed inputs.
type ingestStep struct {
	inst    *benchInstance
	sender  *otlpSender
	sources []loadSources
	pattern []signalKind
	batch   int
}

// acceptedNames and refusedPrefixes are the collector's own counters read
// around each step.
var acceptedNames = map[signalKind]string{
	sigTraces:  "otelcol_receiver_accepted_spans",
	sigMetrics: "otelcol_receiver_accepted_metric_points",
	sigLogs:    "otelcol_receiver_accepted_log_records",
}

var refusedPrefixes = []string{
	"otelcol_receiver_refused_", "otelcol_receiver_failed_", "otelcol_processor_memory_limiter_refused_",
}

func acceptedItems(m e2e.PromSamples) float64 {
	total := 0.0
	for _, name := range acceptedNames {
		total += m.Sum(name, map[string]string{"receiver": "otlp"})
	}
	return total
}

func refusedItems(m e2e.PromSamples) float64 {
	total := 0.0
	for _, p := range refusedPrefixes {
		total += m.SumPrefix(p)
	}
	return total
}

// selfCPUSeconds is the CPU time this process (the load generator) used.
func selfCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// run offers rate items/s for hold and waits for the answers.
func (st ingestStep) run(ctx context.Context, rate float64, hold time.Duration) (stepOutcome, error) {
	before, err := st.inst.selfMetrics()
	if err != nil {
		return stepOutcome{}, fmt.Errorf("self-telemetry: %w", err)
	}
	cpu0 := selfCPUSeconds()

	var (
		mu     sync.Mutex
		ok     int
		failed = map[string]int{}
		lats   []float64
		genErr error
		wg     sync.WaitGroup
	)
	jobs := make(chan signalKind, len(st.sources))
	for _, src := range st.sources {
		wg.Add(1)
		go func(src loadSources) {
			defer wg.Done()
			for sig := range jobs {
				b, err := src[sig].next()
				if err != nil {
					mu.Lock()
					genErr = err
					mu.Unlock()
					continue
				}
				t := time.Now()
				code, err := st.sender.post(sig, b.body)
				ms := float64(time.Since(t).Microseconds()) / 1000
				mu.Lock()
				lats = append(lats, ms)
				switch {
				case err != nil:
					failed["transport"]++
				case code != 200:
					failed[strconv.Itoa(code)]++
				default:
					ok += b.items
				}
				mu.Unlock()
			}
		}(src)
	}
	reqRate := rate / float64(st.batch)
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	issued, missed := 0, 0
	for ctx.Err() == nil {
		el := time.Since(start)
		last := el >= hold
		if last {
			el = hold // the last round issues what is due at hold
		}
		for due := int(el.Seconds()*reqRate) - issued; due > 0; due-- {
			select {
			case jobs <- st.pattern[issued%len(st.pattern)]:
			default:
				missed++
			}
			issued++
		}
		if last {
			break
		}
		<-tick.C
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if ctx.Err() != nil {
		return stepOutcome{}, ctx.Err()
	}
	if genErr != nil {
		return stepOutcome{}, fmt.Errorf("load generator: %w", genErr)
	}
	after, err := st.inst.selfMetrics()
	if err != nil {
		return stepOutcome{}, fmt.Errorf("self-telemetry: %w", err)
	}
	sort.Float64s(lats)
	out := stepOutcome{
		Offered:      rate,
		Achieved:     float64(ok) / elapsed,
		Accepted:     (acceptedItems(after) - acceptedItems(before)) / elapsed,
		Refused:      refusedItems(after) - refusedItems(before),
		Missed:       missed,
		CollectorCPU: (after.Sum("otelcol_process_cpu_seconds", nil) - before.Sum("otelcol_process_cpu_seconds", nil)) / elapsed,
		LoadCPU:      (selfCPUSeconds() - cpu0) / elapsed,
		P50ms:        percentile(lats, 0.5),
		P99ms:        percentile(lats, 0.99),
		Seconds:      elapsed,
		LoadAverage:  loadAverage(),
	}
	for _, n := range failed {
		out.Failed += n
	}
	if len(failed) > 0 {
		out.FailedBy = failed
	}
	return out, nil
}

// runIngest ramps each load on a fresh collector.
func runIngest(ctx context.Context, env *capacityEnv, o ingestOptions) ([]ingestResult, error) {
	var out []ingestResult
	for _, load := range o.loads {
		r, err := runIngestLoad(ctx, env, o, load)
		if err != nil {
			return out, fmt.Errorf("ingest %s: %w", load, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func runIngestLoad(ctx context.Context, env *capacityEnv, o ingestOptions, load string) (ingestResult, error) {
	pattern, err := loadPattern(load)
	if err != nil {
		return ingestResult{}, err
	}
	res := ingestResult{Load: load, Items: pattern[0].itemName()}
	if load == "mix" {
		res.Items = "spans + data points + log records, 1:1:1"
	}
	inst, err := env.prepare("ingest-"+load, benchSetup{limitMiB: o.limitMiB}, []string{"GOMAXPROCS=1"})
	if err != nil {
		return res, err
	}
	col, err := inst.startReady(ctx)
	if err != nil {
		return res, err
	}
	defer func() { _ = col.stop() }()
	sources, err := newLoadSources(o.senders, o.batch, o.series, 1)
	if err != nil {
		return res, err
	}
	st := ingestStep{inst: inst, sender: newOTLPSender(inst.otlpBase(), o.senders), pattern: pattern, batch: o.batch, sources: sources}
	step := func(rate float64, hold time.Duration) (stepOutcome, error) {
		s, err := st.run(ctx, rate, hold)
		if err != nil {
			return s, err
		}
		s.judge(o.tolerance)
		select {
		case <-col.done():
			return s, fmt.Errorf("the collector exited during the step at %.0f/s (%v); its log:\n%s", rate, col.exitErr(), tail(col.logPath, 4000))
		default:
		}
		return s, nil
	}
	if o.warmup > 0 {
		w, err := step(o.start, o.warmup)
		if err != nil {
			return res, err
		}
		res.Warmup = &w
		env.progress("ingest %s: warm-up %s at %.0f/s: %s", load, o.warmup, o.start, stepLine(w))
	}
	ramp, err := newRampSearch(o.start, o.factor, max(o.start/100, 10), o.maxRate, o.refine)
	if err != nil {
		return res, err
	}
	for rate, more := o.start, true; more; {
		s, err := step(rate, o.hold)
		if err != nil {
			return res, err
		}
		res.Steps = append(res.Steps, s)
		env.progress("ingest %s: %.0f/s: %s", load, rate, stepLine(s))
		saturated := s.CollectorCPU >= saturatedCPU
		rate, more = ramp.next(s.Pass, saturated)
		if !s.Pass && !saturated && more {
			// Let whatever took the CPU (or held the senders) pass.
			if err := sleepCtx(ctx, 10*time.Second); err != nil {
				return res, err
			}
		}
	}
	res.MaxPerS, res.FirstFail = ramp.result()
	res.summarize()
	return res, nil
}

func stepLine(s stepOutcome) string {
	verdict := "keeps up"
	if !s.Pass {
		verdict = "FAILS (" + s.Why + ")"
	}
	return fmt.Sprintf("answered %.0f/s, accepted %.0f/s, collector %.2f cores, generator %.2f cores, p99 %.0f ms, missed %d, load %s: %s",
		s.Achieved, s.Accepted, s.CollectorCPU, s.LoadCPU, s.P99ms, s.Missed, s.LoadAverage, verdict)
}

// progressf writes a progress line to stderr.
func progressf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "aiopsbench capacity: "+format+"\n", args...)
}
