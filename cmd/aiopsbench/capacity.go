package main

// The capacity subcommand measures the real collector binary on the demo
// pipeline (examples/demo/config.yaml fed by OTLP/HTTP, see
// capacity_config.go):
//
//  1. ingest: the maximum sustained ingest per core (GOMAXPROCS=1) for
//     spans, data points, log records and a 1:1:1 mix (capacity_ingest.go);
//  2. memory: RSS with 1,000,000 series tracked by the anomaly processor
//     (capacity_memory.go);
//  3. recovery: time from the exec after a kill -9 to a ready health check
//     and to the first warm anomaly score (capacity_recovery.go).
//
// The machine's load averages before and after are part of the report: the
// numbers are only as good as the cores the collector got.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

func init() {
	register("capacity", "ingest per core, RSS at 1M series and kill -9 recovery of the real binary", runCapacity)
}

// capacityEnv is what the measurements share.
type capacityEnv struct {
	bin, demo string
	pipelines map[string]any
	dir       string
	sink      *benchSink
	quiet     bool
}

// prepare configures a collector named name (its folder under env.dir).
func (e *capacityEnv) prepare(name string, setup benchSetup, vars []string) (*benchInstance, error) {
	setup.sinkURL = e.sink.url + "/alerts"
	return prepareInstance(e.bin, e.demo, e.dir, name, e.pipelines, setup, vars)
}

func (e *capacityEnv) progress(format string, args ...any) {
	if !e.quiet {
		progressf(format, args...)
	}
}

// capacityReport is the -json output.
type capacityReport struct {
	Binary     string          `json:"binary"`
	Config     string          `json:"config"`
	CPUs       int             `json:"cpus"`
	LoadBefore string          `json:"load_average_before"`
	LoadAfter  string          `json:"load_average_after"`
	Ingest     *ingestReport   `json:"ingest,omitempty"`
	Memory     *memoryResult   `json:"memory,omitempty"`
	Recovery   *recoveryResult `json:"recovery,omitempty"`
}

type ingestReport struct {
	GOMAXPROCS    int            `json:"gomaxprocs"`
	Batch         int            `json:"items_per_request"`
	Senders       int            `json:"senders"`
	GaugeSeries   int            `json:"gauge_series"`
	HoldS         float64        `json:"hold_s"`
	Tolerance     float64        `json:"tolerance"`
	LimitMiB      int            `json:"memory_limiter_limit_mib"`
	Loads         []ingestResult `json:"loads"`
	CriterionText string         `json:"criterion"`
}

func runCapacity(args []string) error {
	var (
		bin, config   string
		out, only     string
		asJSON, quiet bool
		in            ingestOptions
		mem           memoryOptions
		rec           recoveryOptions
		loads         string
	)
	fs := flag.NewFlagSet("capacity", flag.ContinueOnError)
	fs.StringVar(&bin, "bin", "", "collector binary (default: dist/otelcol-aiops in the repository, built by make build if missing)")
	fs.StringVar(&config, "config", "", "demo config whose processing is measured (default examples/demo/config.yaml)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	fs.StringVar(&out, "out", "", "keep the run's files (overlays, collector logs, state) in this folder")
	fs.StringVar(&only, "only", "ingest,memory,recovery", "measurements to run")
	fs.BoolVar(&quiet, "q", false, "no progress lines on stderr")

	fs.StringVar(&loads, "loads", "traces,metrics,logs,mix", "ingest: loads to ramp, each on a fresh collector")
	fs.Float64Var(&in.start, "start", 5000, "ingest: first offered rate, items/s")
	fs.Float64Var(&in.factor, "factor", 1.5, "ingest: rate multiplier between steps until a step fails")
	fs.Float64Var(&in.maxRate, "max-rate", 2e6, "ingest: stop the ramp here")
	fs.IntVar(&in.refine, "refine", 2, "ingest: bisection steps between the last passing and the first failing rate")
	fs.DurationVar(&in.hold, "hold", 15*time.Second, "ingest: duration of each step")
	fs.DurationVar(&in.warmup, "warmup", 10*time.Second, "ingest: unjudged first step at -start")
	fs.IntVar(&in.batch, "batch", 200, "ingest: items per OTLP request")
	fs.IntVar(&in.senders, "senders", 16, "ingest: concurrent OTLP/HTTP senders")
	fs.IntVar(&in.series, "series", 5000, "ingest: distinct gauge series of the metrics load")
	fs.Float64Var(&in.tolerance, "tolerance", 0.05, "ingest: a step keeps up when answered and accepted rates are within this fraction of the offer")
	fs.IntVar(&in.limitMiB, "limit-mib", 512, "ingest: memory_limiter limit_mib (spike a quarter of it)")

	fs.IntVar(&mem.series, "mem-series", 1000000, "memory: series tracked (anomaly max_series is set to this)")
	fs.IntVar(&mem.points, "mem-points", 20, "memory: points per series, 10 s apart; from the 17th a detector holds its daily profile, as in steady state")
	fs.IntVar(&mem.limitMiB, "mem-limit-mib", 8192, "memory: memory_limiter limit_mib")
	fs.DurationVar(&mem.settle, "settle", 20*time.Second, "memory: wait after the forced GC before reading RSS")

	fs.IntVar(&rec.series, "rec-series", 10000, "recovery: series learnt before the kill")
	fs.IntVar(&rec.points, "rec-points", 15, "recovery: points per series before the kill (the demo's warm_up is 10)")
	fs.IntVar(&rec.templates, "rec-templates", 1000, "recovery: log templates mined before the kill")
	fs.DurationVar(&rec.snapshot, "snapshot", 5*time.Second, "recovery: snapshot_interval of anomaly and logcluster")
	fs.IntVar(&rec.repeats, "repeats", 3, "recovery: kill/restart cycles (the median is reported)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in.loads = splitList(loads)
	for _, l := range in.loads {
		if _, err := loadPattern(l); err != nil {
			return err
		}
	}
	if in.batch < 1 || in.senders < 1 || in.series < in.senders*seriesPerResource || !(in.tolerance >= 0 && in.tolerance < 1) || in.hold <= 0 {
		return fmt.Errorf("need -batch >= 1, -senders >= 1, -series >= %d per sender, 0 <= -tolerance < 1, -hold > 0", seriesPerResource)
	}
	if mem.series < 1 || mem.points < 1 || rec.series < recoveryProbes || rec.points < 1 || rec.templates < 0 || rec.repeats < 1 || rec.snapshot <= 0 {
		return fmt.Errorf("need -mem-series, -mem-points, -rec-points, -repeats >= 1, -rec-series >= %d, -snapshot > 0", recoveryProbes)
	}
	mem.batch, mem.senders = 10000, 2
	rec.limitMiB = 2048
	want := map[string]bool{}
	for _, m := range splitList(only) {
		if m != "ingest" && m != "memory" && m != "recovery" {
			return fmt.Errorf("-only: unknown measurement %q (want ingest, memory, recovery)", m)
		}
		want[m] = true
	}

	root, err := e2e.RepoRoot() // the harness's lookup; run inside the repository
	if err != nil {
		return err
	}
	if bin == "" {
		if bin, err = defaultBinary(root); err != nil {
			return err
		}
	}
	if config == "" {
		config = filepath.Join(root, "examples", "demo", "config.yaml")
	}
	if config, err = filepath.Abs(config); err != nil {
		return err
	}
	env := &capacityEnv{bin: bin, demo: config, quiet: quiet}
	demo, err := os.ReadFile(env.demo)
	if err != nil {
		return err
	}
	if env.pipelines, err = benchPipelines(demo); err != nil {
		return err
	}
	if out == "" {
		if env.dir, err = os.MkdirTemp("", "aiopsbench-capacity-"); err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(env.dir) }()
	} else if env.dir, err = filepath.Abs(out); err != nil {
		return err
	} else if err = os.MkdirAll(env.dir, 0o755); err != nil {
		return err
	}
	if env.sink, err = startBenchSink(); err != nil {
		return err
	}
	defer env.sink.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	rep := capacityReport{Binary: bin, Config: config, CPUs: runtime.NumCPU(), LoadBefore: loadAverage()}
	env.progress("load average before: %s", rep.LoadBefore)
	if want["ingest"] {
		loadsOut, err := runIngest(ctx, env, in)
		if err != nil {
			return err
		}
		rep.Ingest = &ingestReport{
			GOMAXPROCS: 1, Batch: in.batch, Senders: in.senders, GaugeSeries: in.series, HoldS: in.hold.Seconds(),
			Tolerance: in.tolerance, LimitMiB: in.limitMiB, Loads: loadsOut,
			CriterionText: fmt.Sprintf("no refused or failed request or item, answered and accepted >= %.0f%% of offered", 100*(1-in.tolerance)),
		}
	}
	if want["memory"] {
		if rep.Memory, err = runMemory(ctx, env, mem); err != nil {
			return fmt.Errorf("memory: %w", err)
		}
	}
	if want["recovery"] {
		if rep.Recovery, err = runRecovery(ctx, env, rec); err != nil {
			return fmt.Errorf("recovery: %w", err)
		}
	}
	rep.LoadAfter = loadAverage()
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printCapacity(os.Stdout, rep, out != "", env.dir)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func printCapacity(w io.Writer, r capacityReport, kept bool, dir string) {
	fmt.Fprintf(w, "capacity: %s with the processing of %s, on %d CPUs; load average before %s, after %s\n",
		r.Binary, r.Config, r.CPUs, r.LoadBefore, r.LoadAfter)
	if in := r.Ingest; in != nil {
		fmt.Fprintf(w, "\ningest per core (GOMAXPROCS=1), demo pipeline over OTLP/HTTP: %d items per request, %d senders, %d gauge series, %gs steps, memory_limiter %d MiB\n",
			in.Batch, in.Senders, in.GaugeSeries, in.HoldS, in.LimitMiB)
		fmt.Fprintf(w, "keeps up = %s\n", in.CriterionText)
		fmt.Fprintf(w, "%-8s %-12s %12s %10s %9s %8s %7s %10s %13s  %s\n",
			"load", "items", "max items/s", "fails at", "coll.CPU", "gen.CPU", "p99 ms", "CPU us/item", "items/core-s", "limited by")
		for _, l := range in.Loads {
			cpu, gen, p99, per, perCore := "-", "-", "-", "-", "-"
			if s := l.AtMax; s != nil {
				cpu, gen, p99 = fmt.Sprintf("%.2f", s.CollectorCPU), fmt.Sprintf("%.2f", s.LoadCPU), fmt.Sprintf("%.0f", s.P99ms)
				per, perCore = fmt.Sprintf("%.2f", l.CPUPerItemUs), fmt.Sprintf("%.0f", l.ItemsPerCoreS)
			}
			fails := "-"
			if l.FirstFail > 0 {
				fails = fmt.Sprintf("%.0f", l.FirstFail)
			}
			items := l.Items
			if l.Load == "mix" {
				items = "1:1:1 mix"
			}
			fmt.Fprintf(w, "%-8s %-12s %12.0f %10s %9s %8s %7s %10s %13s  %s\n", l.Load, items, l.MaxPerS, fails, cpu, gen, p99, per, perCore, l.Bound)
		}
		for _, l := range in.Loads {
			if l.Load == "mix" && l.MaxPerS > 0 {
				fmt.Fprintf(w, "mix at its maximum: %.0f spans/s + %.0f data points/s + %.0f log records/s\n", l.MaxPerS/3, l.MaxPerS/3, l.MaxPerS/3)
			}
		}
		fmt.Fprintln(w, "steps (offered/s: answered/s, accepted/s, collector cores, verdict):")
		for _, l := range in.Loads {
			fmt.Fprintf(w, "  %s:", l.Load)
			for _, s := range l.Steps {
				v := "ok"
				if !s.Pass {
					v = "FAIL: " + s.Why
				}
				fmt.Fprintf(w, "\n    %9.0f: %9.0f %9.0f %5.2f  %s", s.Offered, s.Achieved, s.Accepted, s.CollectorCPU, v)
			}
			fmt.Fprintln(w)
		}
	}
	if m := r.Memory; m != nil {
		fmt.Fprintf(w, "\nmemory with %d series tracked (%d points each; anomaly max_series %d, memory_limiter %d MiB):\n", m.Series, m.PointsPerSeries, m.Series, m.MemoryLimiterMiB)
		fmt.Fprintf(w, "%-28s %10s %10s\n", "", "idle", "loaded")
		fmt.Fprintf(w, "%-28s %10.0f %10.0f\n", "RSS after GC, MiB", m.IdleRSSMiB, m.RSSMiB)
		fmt.Fprintf(w, "%-28s %10.0f %10.0f\n", "Go heap after GC, MiB", m.IdleHeapMiB, m.HeapMiB)
		fmt.Fprintf(w, "peak RSS (VmHWM) %.0f MiB; %.0f bytes/series of RSS, %.0f bytes/series of heap\n", m.PeakRSSMiB, m.RSSBytesPerSeries, m.HeapBytesPerSeries)
		fmt.Fprintf(w, "self-telemetry: %.0f series tracked, %.0f evicted, %.0f points rejected; %d refused requests retried; load took %.1f s\n",
			m.Tracked, m.Evicted, m.Rejected, m.Retried, m.LoadSeconds)
		for _, n := range m.Notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	}
	if rc := r.Recovery; rc != nil {
		fmt.Fprintf(w, "\nrecovery after kill -9 (%d series, %d templates in file_storage, snapshots every %gs):\n", rc.Series, rc.Templates, rc.SnapshotS)
		fmt.Fprintf(w, "%-8s %12s %12s %12s %10s %10s\n", "restart", "health ms", "serving ms", "first score", "series", "templates")
		for i, c := range rc.Cycles {
			fmt.Fprintf(w, "%-8d %12.0f %12.0f %12.3f %10.0f %10.0f\n", i+1, c.HealthMs, c.ServingMs, c.FirstScore, c.RestoredSeries, c.RestoredTemplates)
		}
		fmt.Fprintf(w, "%-8s %12.0f %12.0f\n", "median", rc.MedianHealthMs, rc.MedianServingMs)
		fmt.Fprintf(w, "cold start (empty storage) to health: %.0f ms\n", rc.ColdHealthMs)
		for _, n := range rc.Notes {
			fmt.Fprintf(w, "note: %s\n", n)
		}
	}
	if kept {
		fmt.Fprintf(w, "files: %s\n", dir)
	}
}
