package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// maxAlertsPerPost splits large Alertmanager batches; Alertmanager has no
// documented limit, but a bounded body keeps one bad alert from failing
// thousands (a 400 rejects the whole batch's invalid part only, but a 413
// would reject all).
const maxAlertsPerPost = 500

// alertExporter is shared by the metrics and logs exporters built from the
// same configuration, so both signals feed one alert state.
type alertExporter struct {
	cfg    *Config
	set    exporter.Settings
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder
	now    func() time.Time

	metricRules []*metricRule
	logRules    []*logRule

	mu      sync.Mutex // guards engine and every target's state
	engine  *alerting.Engine
	targets []*target
	state   *stateStore
	dirty   bool
	saved   time.Time

	refs     int // created wrappers not shut down yet
	started  bool
	stopped  bool
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	onRemove func()
}

func newAlertExporter(ctx context.Context, cfg *Config, set exporter.Settings) (*alertExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &alertExporter{cfg: cfg, set: set, logger: set.Logger, tb: tb, now: time.Now}
	rules := cfg.Rules
	if len(rules) == 0 {
		rules = defaultRules(cfg.DefaultRules)
	}
	e.metricRules, e.logRules, err = compileRules(rules, cfg.LabelNameMode == "sanitize", set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e.engine = alerting.NewEngine(alerting.EngineConfig{MaxAlerts: cfg.MaxAlerts, ResolvedRetention: cfg.ResolvedRetention, MaxClockSkew: time.Hour})
	for i := range cfg.Targets {
		t, err := newTarget(ctx, &cfg.Targets[i], cfg, set, tb, func() time.Time { return e.now() })
		if err != nil {
			return nil, err
		}
		e.targets = append(e.targets, t)
	}
	return e, nil
}

func (e *alertExporter) start(ctx context.Context, host component.Host) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return nil
	}
	e.started = true
	e.mu.Unlock()
	for _, t := range e.targets {
		for _, s := range t.senders {
			if err := s.exp.Start(ctx, host); err != nil {
				return err
			}
		}
	}
	if len(e.targets) == 0 {
		e.logger.Warn("alertwebhook has no targets: alerts are evaluated and counted in telemetry only")
	}
	if e.cfg.Storage != nil {
		st, err := newStateStore(ctx, host, *e.cfg.Storage, e.set.ID)
		if err != nil {
			return err
		}
		e.state = st
		e.restore(ctx)
	}
	tctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.wg.Add(1)
	go e.loop(tctx)
	return nil
}

func (e *alertExporter) loop(ctx context.Context) {
	defer e.wg.Done()
	tk := time.NewTicker(e.cfg.EvaluationInterval)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			e.tick(ctx, e.now())
		}
	}
}

// release is the shutdown of one wrapper; the last one stops everything.
func (e *alertExporter) release(ctx context.Context) error {
	e.mu.Lock()
	e.refs--
	last := e.refs <= 0 && !e.stopped
	if last {
		e.stopped = true
	}
	e.mu.Unlock()
	if !last {
		return nil
	}
	if e.onRemove != nil {
		e.onRemove()
	}
	if e.cancel != nil {
		e.cancel()
		e.wg.Wait()
		// Flush what is due so that shutdown does not swallow a resolution,
		// then persist; the queues below drain or persist it.
		e.tick(ctx, e.now())
	}
	var errs []error
	if e.state != nil {
		e.save(ctx, e.now(), true)
		errs = append(errs, e.state.close(ctx))
	}
	for _, t := range e.targets {
		for _, s := range t.senders {
			errs = append(errs, s.exp.Shutdown(ctx))
		}
	}
	e.tb.Shutdown()
	return errors.Join(errs...)
}

func (e *alertExporter) consumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	var cnt evalCounts
	obs := evalMetrics(ctx, e.metricRules, md, nil, &cnt)
	e.apply(ctx, obs, cnt)
	return nil
}

func (e *alertExporter) consumeLogs(ctx context.Context, ld plog.Logs) error {
	var cnt evalCounts
	obs := evalLogs(ctx, e.logRules, ld, nil, &cnt, e.cfg.DefaultRules.LogTemplateAttribute, e.cfg.DefaultRules.LogTemplateIDAttribute)
	e.apply(ctx, obs, cnt)
	return nil
}

// apply feeds observations to the engine. Evaluation (OTTL, templates)
// happened before, outside the lock.
func (e *alertExporter) apply(ctx context.Context, obs []alerting.Observation, cnt evalCounts) {
	dropped := map[string]int{}
	if cnt.evalErrors > 0 {
		dropped["eval_error"] = cnt.evalErrors
	}
	if cnt.templateErrors > 0 {
		dropped["template_error"] = cnt.templateErrors
	}
	if len(obs) > 0 {
		now := e.now()
		e.mu.Lock()
		for i := range obs {
			switch err := e.engine.Observe(now, obs[i]); {
			case errors.Is(err, alerting.ErrLimit):
				dropped["alert_limit"]++
			case errors.Is(err, alerting.ErrNoLabels):
				dropped["no_labels"]++
			}
		}
		e.dirty = true
		e.mu.Unlock()
	}
	for reason, n := range dropped {
		e.tb.AlertwebhookObservationsDropped.Add(ctx, int64(n), metric.WithAttributes(attribute.String("reason", reason)))
	}
}

// outgoing is a rendered body bound for one target's senders.
type outgoing struct {
	t    *target
	body []byte
}

// tick advances every timer at now: lifecycle, grouping, Alertmanager
// re-posts and rate limits; then it hands rendered bodies to the queues
// outside the lock.
func (e *alertExporter) tick(ctx context.Context, now time.Time) {
	var out []outgoing
	renderErrs := map[*target]int{}
	groupLimited := 0
	e.mu.Lock()
	e.engine.Tick(now)
	changed := e.engine.Drain()
	if len(changed) > 0 {
		e.dirty = true
	}
	for _, t := range e.targets {
		for i := range changed {
			a := &changed[i]
			if !t.matches(a) {
				continue
			}
			if t.resend != nil {
				t.resend.Insert(*a)
			} else if !t.disp.Insert(now, *a) {
				groupLimited++
			}
		}
		if t.resend != nil {
			alerts := t.resend.Flush(now)
			for len(alerts) > 0 {
				n := min(len(alerts), maxAlertsPerPost)
				m := &notify.Message{Receiver: t.name, ExternalURL: e.cfg.ExternalURL, Alerts: alerts[:n],
					ValidUntil: now.Add(4 * t.resendInterval)}
				alerts = alerts[n:]
				if body, err := t.render.Render(m); err == nil {
					out = append(out, outgoing{t, body})
				} else {
					renderErrs[t]++
				}
			}
			continue
		}
		ns := t.disp.Flush(now)
		for _, n := range ns {
			t.outbox.Offer(n)
		}
		for _, msg := range t.outbox.Release(now) {
			m := &notify.Message{Receiver: t.name, ExternalURL: e.cfg.ExternalURL, Notifications: msg}
			if body, err := t.render.Render(m); err == nil {
				out = append(out, outgoing{t, body})
			} else {
				renderErrs[t]++
				e.logger.Warn("rendering a notification failed", zap.String("target", t.name), zap.Error(err))
			}
		}
		if len(ns) > 0 {
			e.dirty = true
		}
	}
	pending, firing := e.engine.Counts()
	merged := map[*target]int{}
	for _, t := range e.targets {
		if t.outbox != nil && t.outbox.Merged > t.merged {
			merged[t] = t.outbox.Merged - t.merged
			t.merged = t.outbox.Merged
		}
	}
	e.mu.Unlock()

	e.tb.AlertwebhookAlertsPending.Record(ctx, int64(pending))
	e.tb.AlertwebhookAlertsFiring.Record(ctx, int64(firing))
	if groupLimited > 0 {
		e.tb.AlertwebhookObservationsDropped.Add(ctx, int64(groupLimited), metric.WithAttributes(attribute.String("reason", "group_limit")))
	}
	for t, n := range merged {
		e.tb.AlertwebhookNotificationsMerged.Add(ctx, int64(n), t.attrs)
	}
	for t, n := range renderErrs {
		e.tb.AlertwebhookNotificationsDropped.Add(ctx, int64(n), t.attrs, metric.WithAttributes(attribute.String("reason", "render")))
	}
	for _, o := range out {
		for _, s := range o.t.senders {
			if err := s.enqueue(ctx, o.body); err != nil {
				e.tb.AlertwebhookNotificationsDropped.Add(ctx, 1, o.t.attrs, metric.WithAttributes(attribute.String("reason", "queue_full")))
				e.logger.Warn("notification queue rejected a message", zap.String("target", o.t.name), zap.Error(err))
			}
		}
	}
	if e.state != nil {
		e.save(ctx, now, false)
	}
}
