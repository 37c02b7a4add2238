package main

// Recovery after kill -9: the demo pipeline with every stateful component
// (anomaly, logcluster, alertwebhook and its queue) in file_storage and the
// metrics pipeline also exported to the benchmark's sink. State is loaded
// (series warmed past the demo's warm_up, distinct log templates), the
// snapshots are given time to be written, then the collector is killed with
// SIGKILL and started again over the same folder, repeatedly. From the exec
// of each restart, the benchmark measures
//
//	(a) health: the health_check extension answers 200;
//	(b) serving: the sink receives an anomaly.score above 0 for a probe
//	    series that was learnt before the kill. A probe sender posts the
//	    next point of ten such series every 10 ms from the exec on. A
//	    restored detector scores the first point (a warm score is above 0);
//	    a detector that lost its state would score 0 for warm_up points.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
)

// recoveryOptions are the recovery flags.
type recoveryOptions struct {
	series    int
	points    int
	templates int
	snapshot  time.Duration
	repeats   int
	limitMiB  int
}

// recoveryResult is the -json form of the recovery measurement.
type recoveryResult struct {
	Series          int             `json:"series"`
	Templates       int             `json:"templates"`
	SnapshotS       float64         `json:"snapshot_interval_s"`
	ColdHealthMs    float64         `json:"cold_start_health_ms"` // first start, empty storage
	Cycles          []recoveryCycle `json:"cycles"`
	MedianHealthMs  float64         `json:"median_health_ms"`
	MedianServingMs float64         `json:"median_serving_ms"`
	Notes           []string        `json:"notes,omitempty"`
}

// recoveryCycle is one kill and restart.
type recoveryCycle struct {
	HealthMs          float64 `json:"health_ms"`
	ServingMs         float64 `json:"serving_ms"`
	FirstScore        float64 `json:"first_score"` // of the first probe point scored after the restart
	RestoredSeries    float64 `json:"restored_series"`
	RestoredTemplates float64 `json:"restored_templates"`
}

// recoveryProbes are the state series the probe sender keeps feeding.
const recoveryProbes = 10

func runRecovery(ctx context.Context, env *capacityEnv, o recoveryOptions) (*recoveryResult, error) {
	res := &recoveryResult{Series: o.series, Templates: o.templates, SnapshotS: o.snapshot.Seconds()}
	stateDir := filepath.Join(env.dir, "recovery", "state")
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, err
	}
	setup := benchSetup{limitMiB: o.limitMiB, snapshot: o.snapshot, probeURL: env.sink.url, stateDir: stateDir}
	inst, err := env.prepare("recovery", setup, nil)
	if err != nil {
		return nil, err
	}
	col, err := inst.start()
	if err != nil {
		return nil, err
	}
	defer func() { _ = col.stop() }()
	healthAt, err := col.waitHTTP(ctx, inst.healthURL(), 10*time.Millisecond, 2*time.Minute)
	if err != nil {
		return nil, err
	}
	res.ColdHealthMs = ms(healthAt.Sub(col.began))

	if err := loadRecoveryState(ctx, inst, o); err != nil {
		return nil, err
	}
	env.progress("recovery: %d series x %d points and %d templates loaded; waiting for snapshots", o.series, o.points, o.templates)

	probes := recoveryProbeSeries(o.series)
	keys := map[string]bool{}
	for _, g := range probes {
		keys[probeKey(g.inst, loadMetricNames[g.metric], loadRoutes[g.route].route)] = true
	}
	snd := newOTLPSender(inst.otlpBase(), 1)
	for cycle := 0; cycle < o.repeats; cycle++ {
		// Two snapshot intervals: the state on disk is at most one old.
		if err := sleepCtx(ctx, 2*o.snapshot+time.Second); err != nil {
			return nil, err
		}
		col.kill()
		warmed := env.sink.watch(keys)
		if col, err = inst.start(); err != nil {
			return nil, err
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); probeLoop(snd, probes, stop) }()
		c, err := measureRestart(ctx, inst, col, env.sink, warmed)
		close(stop)
		wg.Wait()
		if err != nil {
			return nil, err
		}
		_, c.FirstScore, _ = env.sink.seen()
		res.Cycles = append(res.Cycles, c)
		env.progress("recovery: restart %d: health %.0f ms, serving %.0f ms (first score %.3f), restored %.0f series, %.0f templates",
			cycle+1, c.HealthMs, c.ServingMs, c.FirstScore, c.RestoredSeries, c.RestoredTemplates)
		if c.FirstScore == 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("restart %d: the first probe score was 0 (a detector in warm-up): state not restored", cycle+1))
		}
		if c.RestoredSeries < float64(o.series) || c.RestoredTemplates < float64(o.templates) {
			res.Notes = append(res.Notes, fmt.Sprintf("restart %d: restored only %.0f series and %.0f templates", cycle+1, c.RestoredSeries, c.RestoredTemplates))
		}
	}
	var health, serving []float64
	for _, c := range res.Cycles {
		health, serving = append(health, c.HealthMs), append(serving, c.ServingMs)
	}
	res.MedianHealthMs, res.MedianServingMs = median(health), median(serving)
	return res, nil
}

// measureRestart waits for the restarted collector's health check and for
// the first warm probe score, then reads what it restored.
func measureRestart(ctx context.Context, inst *benchInstance, col *collectorRun, sink *benchSink, warmed <-chan struct{}) (recoveryCycle, error) {
	var c recoveryCycle
	healthAt, err := col.waitHTTP(ctx, inst.healthURL(), 5*time.Millisecond, 2*time.Minute)
	if err != nil {
		return c, err
	}
	c.HealthMs = ms(healthAt.Sub(col.began))
	select {
	case <-warmed:
	case <-col.done():
		return c, fmt.Errorf("collector exited after the restart (%v); its log:\n%s", col.exitErr(), tail(col.logPath, 4000))
	case <-ctx.Done():
		return c, ctx.Err()
	case <-time.After(2 * time.Minute):
		return c, fmt.Errorf("no warm anomaly.score for a probe series within 2 minutes of the restart; collector log:\n%s", tail(col.logPath, 4000))
	}
	_, _, warmAt := sink.seen()
	c.ServingMs = ms(warmAt.Sub(col.began))
	m, err := inst.selfMetrics()
	if err != nil {
		return c, err
	}
	c.RestoredSeries = m.Sum("otelcol_anomaly_series_active", nil)
	c.RestoredTemplates = m.Sum("otelcol_logcluster_clusters_active", nil)
	return c, nil
}

// recoveryProbeSeries spreads the probes over the state series.
func recoveryProbeSeries(series int) []gaugeSeries {
	out := make([]gaugeSeries, 0, recoveryProbes)
	for i := 0; i < recoveryProbes; i++ {
		out = append(out, seriesOf(i*series/recoveryProbes))
	}
	return out
}

// probeLoop posts the next point of every probe series every 10 ms until
// stop; errors (nothing listening yet) are expected and ignored.
func probeLoop(snd *otlpSender, probes []gaugeSeries, stop <-chan struct{}) {
	var last pcommon.Timestamp
	for {
		select {
		case <-stop:
			return
		default:
		}
		ts := pcommon.NewTimestampFromTime(time.Now())
		if ts <= last {
			ts = last + 1
		}
		last = ts
		md := gaugeBatch(probes, 0, len(probes), func(g gaugeSeries) (pcommon.Timestamp, float64) { return ts, g.level })
		if body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto(); err == nil {
			_, _ = snd.post(sigMetrics, body)
		}
		select {
		case <-stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// loadRecoveryState warms o.series gauge series with o.points points each
// and creates o.templates log templates, then waits until self-telemetry
// shows them.
func loadRecoveryState(ctx context.Context, inst *benchInstance, o recoveryOptions) error {
	snd := newOTLPSender(inst.otlpBase(), 1)
	const batch = 5000
	base := time.Now().Add(-time.Duration(o.points+1) * 10 * time.Second)
	rng := rand.New(rand.NewPCG(3, 5))
	for round := 0; round < o.points; round++ {
		ts := pcommon.NewTimestampFromTime(base.Add(time.Duration(round) * 10 * time.Second))
		for first := 0; first < o.series; first += batch {
			n := min(batch, o.series-first)
			series := make([]gaugeSeries, n)
			for i := range series {
				series[i] = seriesOf(first + i)
			}
			md := gaugeBatch(series, 0, n, func(g gaugeSeries) (pcommon.Timestamp, float64) {
				return ts, g.level * (1 + g.jitterP*rng.NormFloat64())
			})
			body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
			if err != nil {
				return err
			}
			if err := postOK(snd, sigMetrics, body); err != nil {
				return err
			}
		}
	}
	for round := 0; round < 2; round++ {
		for first := 0; first < o.templates; first += 500 {
			body, err := plogotlp.NewExportRequestFromLogs(templateLogs(first, min(500, o.templates-first), rng)).MarshalProto()
			if err != nil {
				return err
			}
			if err := postOK(snd, sigLogs, body); err != nil {
				return err
			}
		}
	}
	for deadline := time.Now().Add(time.Minute); ; {
		m, err := inst.selfMetrics()
		if err != nil {
			return err
		}
		s, t := m.Sum("otelcol_anomaly_series_active", nil), m.Sum("otelcol_logcluster_clusters_active", nil)
		if s >= float64(o.series) && t >= float64(o.templates) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("state not loaded: %.0f series and %.0f templates tracked, want %d and %d", s, t, o.series, o.templates)
		}
		if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}
}

// templateLogs makes one record for each of templates first..first+n-1:
// every template has its own six words (letters only, so that the miner
// treats none of them as a variable) and one variable number.
func templateLogs(first, n int, rng *rand.Rand) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "state")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := first; i < first+n; i++ {
		lr := recs.AppendEmpty()
		lr.SetTimestamp(now)
		lr.SetSeverityNumber(plog.SeverityNumberInfo)
		body := ""
		for k := 0; k < 6; k++ {
			body += letterWord(i*6+k) + " "
		}
		lr.Body().SetStr(fmt.Sprintf("%sid %d", body, rng.IntN(1000000)))
	}
	return ld
}

// letterWord spells n in base 26 with letters, at least three of them, so
// that distinct n give distinct words.
func letterWord(n int) string {
	var b []byte
	for i := 0; i < 3 || n > 0; i++ {
		b = append(b, byte('a'+n%26))
		n /= 26
	}
	return string(b)
}

func postOK(snd *otlpSender, sig signalKind, body []byte) error {
	code, err := snd.post(sig, body)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("POST %s: HTTP %d", sig.path(), code)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// median of values (the mean of the middle two for an even count); 0 for none.
func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
