package main

// The e2e subcommand measures the closed loop of the demo end to end: the
// real collector binary runs examples/demo/config.yaml with the microsim
// receiver accelerated under a seeded random fault schedule, the alertwebhook
// exporter posts to a webhook sink served here on 127.0.0.1, and the alerts
// are scored against the receiver's ground-truth file (internal/faulteval).
//
// The demo config is not copied: an overlay written into the run folder is
// merged over it by the collector's own config merging (--config demo
// --config overlay). The overlay sets the simulation (seed, speed, fixed
// start time, duration, random schedule, ground-truth file), points the
// exporter at the sink, moves the health check to a free port, turns off
// the internal metrics server (no fixed :8888) and logs at info in JSON so
// that the receiver's clock can be read back.
//
// Accelerated time: the microsim stamps its data with simulated time, but
// several components keep wall-clock timers (span_metrics flushes, the
// exporter's evaluation tick, group_wait/group_interval, keep_firing_for,
// resolve timeouts). Left at the demo's values they would cover `speed`
// times more simulated time than the demo intends (a 5 s flush at 360x is 30
// simulated minutes). The overlay therefore divides each of them by speed
// so that they keep the demo's values in simulated time (with small floors
// that bound the collector's wake-ups); see e2eOverlay. The receiver steps
// in 100 ms ticks, so that simulated time reaches those flushes evenly
// (0.3 s per 5 ms wake-up at 60x) rather than in steps that make
// per-flush counts jump.
//
// Learning: the demo learns for under a minute so that `make run` shows a
// fault soon. A deployment that is evaluated over hours is given what an
// operator gives a new one: its first 14 minutes, inside the random
// schedule's fault-free first 15, are declared its learning period
// (logcluster learning_period, anomaly warm_up of 14 minutes of the
// slowest series' points). The learning ends a minute before the first fault may start:
// learning until the very instant a fault starts made the detectors learn a
// fault's first records or points as usual (the logcluster period runs
// from the partition's first record, a little after the simulation
// starts). Alerts in the fault-free minutes still count as false positives.
//
// Faults the run cuts off (starting in the last -grace, or still running
// at the end) are listed but not scored, and alerts that point at them are
// left out rather than counted as false.
//
// Speed: the default is 60, not 360. At 60x every scaled timer stays above
// its floor, so the pipeline sees the demo's 5 s flushes and 1 s evaluation
// ticks in simulated time. At 360x the floors win (7.2 s flushes, 3.6 s
// ticks) and each wake-up covers 1.8 simulated seconds, which coarsens time to alert
// and changes what the detectors see; -speed 360 still works for a quick
// look (a 6 h run in about a minute).
//
// Times: ground truth is simulated time. An alert's startsAt is wall-clock
// time (the exporter stamps alerts with the time it saw the data, or with
// the flush time of the span_metrics/count points), so it is mapped to
// simulated time with the receiver's clock: simulated = start_time + speed
// × (wall − wall_start), where wall_start is the time of the receiver's
// "microsim started" log line, corrected by anchors where the simulation
// fell behind (each "microsim fault start/end" log line is the wall time at
// which the simulation reached that simulated instant), and frozen at the
// end of the simulation.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
	"github.com/otelcol-aiops/otelcol-aiops/internal/faulteval"
	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

func init() {
	register("e2e", "run the demo pipeline under random faults and score its alerts", runE2E)
}

// e2eStartTime fixes where simulated time begins, so that the daily traffic
// cycle (and so the whole simulated input) depends only on the flags. It lies
// far in the past, so the exporter never takes a simulated timestamp for an
// alert's startsAt (it only trusts data timestamps within an hour of now).
var e2eStartTime = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// e2eWarmup is the fault-free start of the random schedule (the receiver's
// default, set explicitly so that the report can name it): detectors learn
// the normal traffic then, and alerts in it are false positives like any
// other, reported separately as well.
const e2eWarmup = 15 * time.Minute

// e2eLearning is the learning period given to the pipeline: inside the
// fault-free start, ending a minute before the first fault may begin.
const e2eLearning = e2eWarmup - time.Minute

// e2eMetricInterval turns e2eLearning into the anomaly warm_up in points:
// the interval of the pipeline's slowest series, the receiver's host
// metrics (10 s; span_metrics flushes every 5 s), so that every series is
// scored by the end of the learning period. (At 5 s the host metrics
// warmed up for twice the period, and a memory leak or CPU fault in the
// first quarter hour after it went unscored.)
const e2eMetricInterval = 10 * time.Second

// e2eOptions are the flags.
type e2eOptions struct {
	duration time.Duration
	speed    float64
	seed     int64
	grace    time.Duration
	asJSON   bool
	bin      string
	config   string
	out      string
	verbose  bool
}

func runE2E(args []string) error {
	var o e2eOptions
	fs := flag.NewFlagSet("e2e", flag.ContinueOnError)
	fs.DurationVar(&o.duration, "duration", 6*time.Hour, "simulated time to run")
	fs.Float64Var(&o.speed, "speed", 60, "simulated seconds per real second; above ~60 the receiver's 50 ms wake-up and the timer floors coarsen the pipeline's time resolution")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the simulation and of its random fault schedule")
	fs.DurationVar(&o.grace, "grace", 2*time.Minute, "simulated time after a fault's end in which its alerts still count")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object")
	fs.StringVar(&o.bin, "bin", "", "collector binary (default: dist/otelcol-aiops in the repository, built by make build if missing)")
	fs.StringVar(&o.config, "config", "", "pipeline config (default examples/demo/config.yaml)")
	fs.StringVar(&o.out, "out", "", "keep the run's files (overlay, collector log, ground truth, alerts) in this folder")
	fs.BoolVar(&o.verbose, "v", false, "also list every fault and unmatched alert")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.duration <= 0 || !(o.speed > 0 && o.speed <= 100000) || o.grace < 0 {
		return fmt.Errorf("need -duration > 0, 0 < -speed <= 100000 and -grace >= 0")
	}
	root, err := e2e.RepoRoot() // the harness's lookup; run inside the repository
	if err != nil {
		return err
	}
	if o.config == "" {
		o.config = filepath.Join(root, "examples", "demo", "config.yaml")
	}
	// The collector runs in the run's folder.
	if o.config, err = filepath.Abs(o.config); err != nil {
		return err
	}
	if o.bin == "" {
		if o.bin, err = defaultBinary(root); err != nil {
			return err
		}
	}
	dir := o.out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "aiopsbench-e2e-"); err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(dir) }()
	} else if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	run, err := runLoop(ctx, o, dir)
	if err != nil {
		return err
	}
	res := faulteval.Score(run.faults, run.alerts, e2eRules(o))
	if o.asJSON {
		for _, n := range run.notes {
			fmt.Fprintf(os.Stderr, "aiopsbench e2e: note: %s\n", n)
		}
		return json.NewEncoder(os.Stdout).Encode(e2eJSON(res))
	}
	printE2E(os.Stdout, o, run, res)
	return nil
}

// e2eRun is what one run of the binary produced.
type e2eRun struct {
	faults  []faulteval.Fault
	skipped []faulteval.Fault // started too close to the end to be scored
	alerts  []faulteval.Alert
	notes   []string // warnings about the measurement
	maxLag  time.Duration
	wall    time.Duration
	dir     string
}

// runLoop starts the sink and the collector, waits for the simulation to
// end, stops both and reads back ground truth and alerts.
func runLoop(ctx context.Context, o e2eOptions, dir string) (*e2eRun, error) {
	sink, err := startAlertSink()
	if err != nil {
		return nil, err
	}
	defer sink.close()
	healthPort, err := freePort()
	if err != nil {
		return nil, err
	}
	truthPath := filepath.Join(dir, "faults.jsonl")
	overlay := filepath.Join(dir, "overlay.yaml")
	if err := os.WriteFile(overlay, []byte(e2eOverlay(o, truthPath, sink.url, healthPort)), 0o644); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "collector.log")
	col, err := startCollector(o.bin, []string{"--config", o.config, "--config", overlay}, nil, dir, logPath)
	if err != nil {
		return nil, err
	}
	defer func() { _ = col.stop() }()

	// The simulation should take duration/speed of wall time; allow a slow
	// machine three times that before giving up on reaching the end.
	expected := time.Duration(float64(o.duration) / o.speed)
	deadline := time.Now().Add(3*expected + 2*time.Minute)
	reached := false
	for !reached {
		select {
		case <-ctx.Done():
			return nil, errors.New("interrupted")
		case <-col.done():
			return nil, fmt.Errorf("collector exited early (%v); its log:\n%s", col.exitErr(), tail(logPath, 4000))
		case <-time.After(200 * time.Millisecond):
		}
		reached = fileContains(logPath, msgReachedEnd)
		if time.Now().After(deadline) {
			break
		}
	}
	// Let the last flushes, evaluations and notifications through.
	if reached {
		time.Sleep(drainTime(o.speed))
	}
	if err := col.stop(); err != nil && !isSignalExit(err) {
		fmt.Fprintf(os.Stderr, "aiopsbench e2e: collector exit: %v\n", err)
	}
	run := &e2eRun{wall: time.Since(col.began), dir: dir}
	if !reached {
		run.notes = append(run.notes, fmt.Sprintf("the simulation did not reach its end within %s of wall time; scored what was produced", time.Since(col.began).Round(time.Second)))
	}

	clock, simEnd, err := readClock(logPath, o, reached)
	if err != nil {
		return nil, fmt.Errorf("%w; collector log:\n%s", err, tail(logPath, 4000))
	}
	run.maxLag = clock.MaxLag()
	if run.maxLag > time.Minute {
		run.notes = append(run.notes, fmt.Sprintf("the simulation fell up to %s behind its clock; alert times were mapped through the receiver's logged fault events", run.maxLag.Round(time.Second)))
	}
	faults, err := readGroundTruth(truthPath)
	if err != nil {
		return nil, err
	}
	var bad, late, leftOut int
	run.alerts, bad, late = sink.episodes(clock)
	run.faults, run.skipped, run.alerts, leftOut = scoreable(faults, run.alerts, simEnd, o)
	if leftOut > 0 {
		run.notes = append(run.notes, fmt.Sprintf("%d alerts point at faults that were not scored and are left out", leftOut))
	}
	if bad > 0 {
		run.notes = append(run.notes, fmt.Sprintf("%d alerts had an implausible startsAt; their receipt time was used", bad))
	}
	if late > 0 {
		run.notes = append(run.notes, fmt.Sprintf("%d alerts started after the simulation stopped (its traffic ending) and are not scored", late))
	}
	if n := sink.rejected(); n > 0 {
		run.notes = append(run.notes, fmt.Sprintf("the sink rejected %d malformed requests", n))
	}
	if err := sink.save(filepath.Join(dir, "alerts.jsonl")); err != nil {
		return nil, err
	}
	return run, nil
}

// scoreable splits the faults into those scored and those the run cuts off:
// a fault that starts in the last moments of the run cannot be detected in
// time, and one still running at the end is cut off (a leak builds up for
// minutes; alerts after the end are not scored). Alerts that point at a
// fault left unscored are neither right nor wrong: they are left out.
func scoreable(faults []faulteval.Fault, alerts []faulteval.Alert, simEnd time.Time, o e2eOptions) (scored, skipped []faulteval.Fault, kept []faulteval.Alert, leftOut int) {
	for _, f := range faults {
		if f.Start.After(simEnd.Add(-o.grace)) || f.End.After(simEnd) {
			skipped = append(skipped, f)
			continue
		}
		scored = append(scored, f)
	}
	if len(skipped) == 0 {
		return scored, nil, alerts, 0
	}
	unrelated := map[string]bool{}
	for _, a := range faulteval.Score(skipped, alerts, e2eRules(o)).Unmatched {
		unrelated[a.ID] = true
	}
	for _, a := range alerts {
		if unrelated[a.ID] {
			kept = append(kept, a)
		}
	}
	return scored, skipped, kept, len(alerts) - len(kept)
}

// e2eRules are the matching rules of the evaluation.
func e2eRules(o e2eOptions) faulteval.Rules {
	return faulteval.Rules{Grace: o.grace, Edges: microsim.DefaultTopology().Edges()}
}

// drainTime is the wall time given to the pipeline after the simulation's
// end: its last span_metrics flush, exporter tick and notification.
func drainTime(speed float64) time.Duration {
	return 2*time.Second + 2*accel(30*time.Second, speed, 0)
}

// accel converts a simulated duration into the wall-clock timer that covers
// it at speed, no shorter than floor.
func accel(sim time.Duration, speed float64, floor time.Duration) time.Duration {
	return max(time.Duration(float64(sim)/speed), floor).Round(time.Millisecond)
}

// e2eOverlay is the config merged over the demo config. Timers are the
// demo's values in simulated time (see the file comment).
func e2eOverlay(o e2eOptions, truthPath, sinkURL string, healthPort int) string {
	d := func(sim, floor time.Duration) string { return accel(sim, o.speed, floor).String() }
	q := strconv.Quote
	var b strings.Builder
	fmt.Fprintf(&b, `# Written by aiopsbench e2e; merged over %s.
receivers:
  microsim:
    seed: %d
    speed: %g
    tick: 100ms
    start_time: %s
    duration: %s
    fault_schedule: random
    random_faults:
      warmup: %s
    ground_truth:
      file: %s
connectors:
  span_metrics:
    metrics_flush_interval: %s
processors:
  batch/templates:
    timeout: %s
  logcluster:
    learning_period: %s
    new_pattern:
      within: %s
  anomaly:
    warm_up: %d
exporters:
  alertwebhook:
    evaluation_interval: %s
    resolved_retention: %s
    default_rules:
      anomaly_keep_firing_for: %s
      log_resolve_timeout: %s
    targets:
      - name: aiopsbench
        type: webhook
        endpoint: %s
        group_wait: %s
        group_interval: %s
        repeat_interval: %s
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
service:
  telemetry:
    logs:
      level: info
      encoding: json
    metrics:
      level: none
`, q(o.config), o.seed, o.speed, e2eStartTime.Format(time.RFC3339), o.duration, e2eWarmup, q(truthPath),
		d(5*time.Second, 20*time.Millisecond),
		d(5*time.Second, 20*time.Millisecond), d(e2eLearning, 0), d(time.Minute, 0), int(e2eLearning/e2eMetricInterval),
		d(time.Second, 10*time.Millisecond), d(15*time.Minute, time.Second),
		d(time.Minute, 0), d(5*time.Minute, 0),
		q(sinkURL), d(5*time.Second, 0), d(30*time.Second, 10*time.Millisecond), d(4*time.Hour, time.Second),
		healthPort)
	return b.String()
}

// Log messages of the microsim receiver that carry its clock.
const (
	msgStarted    = "microsim started"
	msgFault      = "microsim fault "
	msgReachedEnd = "microsim reached its duration"
)

// readClock rebuilds the receiver's clock from the collector's JSON log.
func readClock(logPath string, o e2eOptions, reached bool) (*faulteval.Clock, time.Time, error) {
	f, err := os.Open(logPath)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	var clock *faulteval.Clock
	simEnd := e2eStartTime.Add(o.duration)
	var last time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) != nil {
			continue
		}
		msg, _ := rec["msg"].(string)
		wall, ok := logTime(rec["ts"])
		if !ok || !strings.HasPrefix(msg, "microsim ") {
			continue
		}
		last = wall
		switch {
		case msg == msgStarted:
			sim, ok := logTime(rec["simulated_start"])
			if !ok {
				return nil, time.Time{}, errors.New("microsim started log line has no simulated_start")
			}
			clock = faulteval.NewClock(wall, sim, o.speed)
		case clock != nil && strings.HasPrefix(msg, msgFault):
			key := "start"
			if msg == msgFault+"end" {
				key = "end"
			}
			if sim, ok := logTime(rec[key]); ok {
				clock.Anchor(wall, sim)
			}
		case clock != nil && strings.HasPrefix(msg, msgReachedEnd):
			clock.End(wall, simEnd)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, time.Time{}, err
	}
	if clock == nil {
		return nil, time.Time{}, fmt.Errorf("no %q line with a timestamp in the collector log (JSON logs at info expected)", msgStarted)
	}
	if !reached {
		simEnd = clock.Sim(last)
	}
	return clock, simEnd, nil
}

// logTime reads a zap time field: an ISO 8601 string or epoch seconds.
func logTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p, true
			}
		}
	case float64:
		sec, frac := math.Modf(t)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	return time.Time{}, false
}

// readGroundTruth reads the receiver's JSON lines: one fault per ID, with
// the bounds its start record announces.
func readGroundTruth(path string) ([]faulteval.Fault, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ground truth: %w", err)
	}
	var out []faulteval.Fault
	seen := map[string]bool{}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var ev microsim.FaultEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			return nil, fmt.Errorf("ground truth %s line %d: %w", path, i+1, err)
		}
		if seen[ev.ID] {
			continue
		}
		seen[ev.ID] = true
		out = append(out, faulteval.Fault{ID: ev.ID, Type: string(ev.Type), Service: ev.Service, Start: ev.Start, End: ev.End})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// alertSink serves the Alertmanager webhook (payload version 4) on
// 127.0.0.1 and keeps every alert episode once.
type alertSink struct {
	srv      *http.Server
	url      string
	mu       sync.Mutex
	seen     map[string]*sinkAlert
	order    []*sinkAlert
	raw      [][]byte
	rejects  int
	maxBytes int64
}

type sinkAlert struct {
	id         string
	labels     map[string]string
	startsAt   time.Time
	receivedAt time.Time
}

func startAlertSink() (*alertSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &alertSink{url: "http://" + l.Addr().String() + "/", seen: map[string]*sinkAlert{}, maxBytes: 8 << 20}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *alertSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBytes))
	var m notify.WebhookMessage
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || r.Method != http.MethodPost {
		s.rejects++
		http.Error(w, "POST an Alertmanager webhook payload", http.StatusBadRequest)
		return
	}
	// Kept as one JSON line each (the exporter may indent its payloads).
	var line bytes.Buffer
	if json.Compact(&line, body) == nil {
		s.raw = append(s.raw, line.Bytes())
	}
	for _, a := range m.Alerts {
		// One alert per firing episode: the fingerprint and its startsAt.
		// Re-notifications of the episode, and its resolution, repeat both.
		id := a.Fingerprint + "@" + a.StartsAt.UTC().Format(time.RFC3339Nano)
		if s.seen[id] != nil {
			continue
		}
		sa := &sinkAlert{id: id, labels: a.Labels, startsAt: a.StartsAt, receivedAt: now}
		s.seen[id] = sa
		s.order = append(s.order, sa)
	}
	w.WriteHeader(http.StatusOK)
}

// episodes maps the alerts to simulated time. A startsAt that is not a
// plausible wall time of this run (before the start, or after the receipt)
// is replaced by the receipt time; bad counts those.
//
// Alerts that started after the simulation stopped are left out (counted in
// late): they answer the traffic ending, which is the harness's doing.
func (s *alertSink) episodes(clock *faulteval.Clock) (out []faulteval.Alert, bad, late int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wallStart, _ := clock.Start()
	for _, a := range s.order {
		at := a.startsAt
		if at.Before(wallStart.Add(-time.Second)) || at.After(a.receivedAt.Add(time.Second)) {
			at, bad = a.receivedAt, bad+1
		}
		if clock.Ended(at) {
			late++
			continue
		}
		out = append(out, faulteval.Alert{ID: a.id, Labels: a.labels, FiredAt: clock.Sim(at)})
	}
	return out, bad, late
}

func (s *alertSink) rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejects
}

func (s *alertSink) save(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	for _, b := range s.raw {
		if _, err := f.Write(append(b, '\n')); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

func (s *alertSink) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// e2eResult is the -json output.
type e2eResult struct {
	Faults    int                      `json:"faults"`
	Alerts    int                      `json:"alerts"`
	Precision *float64                 `json:"precision"`
	Recall    *float64                 `json:"recall"`
	MedianTTA *float64                 `json:"median_time_to_alert_s"`
	ByType    map[string]e2eTypeResult `json:"by_type"`
}

type e2eTypeResult struct {
	Precision *float64 `json:"precision"`
	Recall    *float64 `json:"recall"`
	MedianTTA *float64 `json:"median_time_to_alert_s"`
}

// e2eJSON converts a result; undefined values (NaN) become null.
func e2eJSON(r faulteval.Result) e2eResult {
	out := e2eResult{Faults: r.Faults, Alerts: r.Alerts, Precision: orNull(r.Precision), Recall: orNull(r.Recall),
		MedianTTA: orNull(r.MedianTimeToAlertSeconds), ByType: map[string]e2eTypeResult{}}
	for t, tr := range r.ByType {
		out.ByType[t] = e2eTypeResult{Precision: orNull(tr.Precision), Recall: orNull(tr.Recall), MedianTTA: orNull(tr.MedianTimeToAlertSeconds)}
	}
	return out
}

func orNull(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

func printE2E(w io.Writer, o e2eOptions, run *e2eRun, r faulteval.Result) {
	fmt.Fprintf(w, "e2e: demo pipeline, seed %d, %s simulated at %gx in %s wall; grace %s; max lag %s\n",
		o.seed, o.duration, o.speed, run.wall.Round(time.Second), o.grace, run.maxLag.Round(time.Second))
	fmt.Fprintf(w, "%-16s %6s %8s %7s %8s %10s %10s\n", "type", "faults", "detected", "recall", "alerts*", "precision", "median TTA")
	types := make([]string, 0, len(r.ByType))
	for t := range r.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		tr := r.ByType[t]
		fmt.Fprintf(w, "%-16s %6d %8d %7s %8d %10s %10s\n", t, tr.Faults, tr.Detected, num(tr.Recall), tr.InWindow, num(tr.Precision), secs(tr.MedianTimeToAlertSeconds))
	}
	fmt.Fprintf(w, "%-16s %6d %8d %7s %8d %10s %10s\n", "all", r.Faults, r.Detected, num(r.Recall), r.Alerts, num(r.Precision), secs(r.MedianTimeToAlertSeconds))
	fmt.Fprintf(w, "* per type: alerts fired inside a window of a fault of that type; all: every alert (%d matched, %d not)\n", r.Matched, len(r.Unmatched))
	var early int
	for _, a := range r.Unmatched {
		if a.FiredAt.Before(e2eStartTime.Add(e2eWarmup)) {
			early++
		}
	}
	fmt.Fprintf(w, "%d of the unmatched alerts fired in the fault-free first %s, while the detectors learnt\n", early, e2eWarmup)
	if len(run.skipped) > 0 {
		fmt.Fprintf(w, "%d fault(s) started in the last %s or were still running at the end, and were not scored\n", len(run.skipped), o.grace)
	}
	for _, n := range run.notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if o.verbose {
		for _, f := range r.PerFault {
			tta := "missed"
			if f.Detected {
				tta = fmt.Sprintf("%s after start (%d alerts; first %s)", f.TimeToAlert.Round(time.Second), f.Alerts, f.FirstAlert)
			}
			fmt.Fprintf(w, "  fault %-32s %s..%s: %s\n", f.ID, f.Start.Format("15:04:05"), f.End.Format("15:04:05"), tta)
		}
		for _, a := range r.Unmatched {
			fmt.Fprintf(w, "  unmatched %s %s service=%s metric=%s %s\n", a.FiredAt.Format("15:04:05"), a.Labels["alertname"], a.Labels["service"], a.Labels["metric"], otherLabels(a.Labels))
		}
	}
	if o.out != "" {
		fmt.Fprintf(w, "files: %s\n", run.dir)
	}
}

// otherLabels lists an alert's labels beyond those printed by name, sorted.
func otherLabels(l map[string]string) string {
	var parts []string
	for k, v := range l {
		switch k {
		case "alertname", "service", "metric", "severity", "service.name", "anomaly.metric":
			continue
		}
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func secs(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + "s"
}

// defaultBinary returns ./dist/otelcol-aiops, running `make build` first when
// it is missing.
func defaultBinary(root string) (string, error) {
	bin := filepath.Join(root, "dist", "otelcol-aiops")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintln(os.Stderr, "aiopsbench e2e: building the collector (make build)")
	cmd := exec.Command("make", "-C", root, "build")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("make build: %w", err)
	}
	return bin, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func fileContains(path, s string) bool {
	data, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(data), s)
}

func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	if len(data) > n {
		data = data[len(data)-n:]
	}
	return string(data)
}

// isSignalExit reports whether err is the exit caused by our SIGTERM.
func isSignalExit(err error) bool {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return true
		}
	}
	return false
}
