package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// target is one configured destination: its grouping (or Alertmanager
// re-posting) state, its rate-limited outbox and one sender per endpoint.
type target struct {
	name    string
	typ     string
	match   map[string]string
	render  notify.Target
	disp    *alerting.Dispatcher // nil for alertmanager
	resend  *alerting.Resender   // alertmanager only
	outbox  *alerting.Outbox     // nil for alertmanager
	senders []*sender
	attrs   metric.MeasurementOption
	// merged is the outbox merge count already reported to telemetry.
	merged int
	// resendInterval sets the endsAt horizon posted to Alertmanager.
	resendInterval time.Duration
}

// sender delivers rendered bodies to one endpoint through an exporterhelper
// logs exporter: each body travels as one log record, so the collector's
// queue (persistent when sending_queue.storage is set), retry with
// Retry-After and timeout apply to notifications unchanged.
type sender struct {
	target *target
	nt     notify.Target
	cfg    *TargetConfig
	bearer string
	exp    exporter.Logs
	client *http.Client
	set    exporter.Settings
	tb     *metadata.TelemetryBuilder
	now    func() time.Time
}

// Per-type rate-limit defaults. For a token bucket, any 60 s window admits
// at most burst + rate*60s messages, so DingTalk/WeCom's hard 20/min (DingTalk
// locks the robot for 10 minutes beyond it) gives 15/min with burst 5.
var defaultRateLimits = map[string]alerting.RateLimit{
	"dingtalk": {Messages: 15, Per: time.Minute, Burst: 5},
	"wecom":    {Messages: 15, Per: time.Minute, Burst: 5},
	"feishu":   {Messages: 90, Per: time.Minute, Burst: 5},
	"slack":    {Messages: 1, Per: time.Second, Burst: 3},
	"msteams":  {Messages: 1, Per: time.Second, Burst: 3},
}

var chatTypes = map[string]bool{"slack": true, "dingtalk": true, "feishu": true, "wecom": true, "msteams": true}

var unsafeIDChars = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

func newTarget(ctx context.Context, tc *TargetConfig, cfg *Config, set exporter.Settings, tb *metadata.TelemetryBuilder, now func() time.Time) (*target, error) {
	t := &target{name: tc.Name, typ: tc.Type, match: tc.MatchLabels,
		attrs: metric.WithAttributeSet(attribute.NewSet(attribute.String("target", tc.Name)))}
	tmpl, err := parseTemplates(tc.Templates)
	if err != nil {
		return nil, err
	}
	endpoints := []string{tc.ClientConfig.Endpoint}
	if endpoints[0] == "" {
		endpoints[0] = defaultEndpoints[tc.Type]
	}
	endpoints = append(endpoints, tc.AdditionalEndpoints...)
	for i, ep := range endpoints {
		nt, bearer, err := buildNotifyTarget(tc, ep, tmpl)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			t.render = nt
		}
		s := &sender{target: t, nt: nt, cfg: tc, bearer: bearer, tb: tb, now: now}
		s.set = set
		id := unsafeIDChars.ReplaceAllString(fmt.Sprintf("%s-%s-%d", set.ID.Name(), tc.Name, i), "_")
		s.set.ID = component.NewIDWithName(set.ID.Type(), strings.TrimPrefix(id, "-"))
		s.set.Logger = set.Logger.With(zap.String("target", tc.Name))
		q := cfg.QueueConfig
		if q.HasValue() {
			qc := *q.Get()
			// One notification per request, in order: batching would merge
			// messages and several consumers could reorder firing/resolved.
			qc.Batch = configoptional.None[exporterhelper.BatchConfig]()
			q = configoptional.Some(qc)
		}
		s.exp, err = exporterhelper.NewLogs(ctx, s.set, cfg, s.push,
			exporterhelper.WithQueue(q), exporterhelper.WithRetry(cfg.RetryConfig),
			exporterhelper.WithTimeout(cfg.TimeoutConfig), exporterhelper.WithStart(s.start),
			exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}))
		if err != nil {
			return nil, err
		}
		t.senders = append(t.senders, s)
	}
	sendResolved := tc.SendResolved == nil || *tc.SendResolved
	if tc.Type == "alertmanager" {
		t.resendInterval = orDefault(tc.ResendInterval, time.Minute)
		t.resend = alerting.NewResender(alerting.ResendConfig{Interval: t.resendInterval, ResolvedFor: orDefault(tc.ResolvedResendFor, 5*time.Minute)})
		return t, nil
	}
	g := alerting.GroupingConfig{
		GroupBy: tc.GroupBy, GroupWait: derefOr(tc.GroupWait, 30*time.Second),
		GroupInterval: orDefault(tc.GroupInterval, 5*time.Minute), RepeatInterval: orDefault(tc.RepeatInterval, 4*time.Hour),
		MaxAlerts: tc.MaxAlerts, SendResolved: sendResolved, MaxGroups: cfg.MaxAlerts,
	}
	if g.GroupBy == nil {
		g.GroupBy = []string{"alertname", "service"}
	}
	for _, n := range g.GroupBy {
		if n == "..." {
			g.GroupByAll = true
		}
	}
	if g.MaxAlerts == 0 && chatTypes[tc.Type] {
		g.MaxAlerts = 20 // keep chat messages readable; the rest is counted
	}
	t.disp = alerting.NewDispatcher(g)
	limit := defaultRateLimits[tc.Type]
	if tc.RateLimit != nil {
		limit = alerting.RateLimit{Messages: tc.RateLimit.Messages, Per: tc.RateLimit.Per, Burst: tc.RateLimit.Burst}
	}
	digest := chatTypes[tc.Type]
	if tc.Digest != nil {
		digest = *tc.Digest
	}
	t.outbox = alerting.NewOutbox(limit, digest)
	return t, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func parseTemplates(tc TemplatesConfig) (notify.Templates, error) {
	var t notify.Templates
	var err error
	if tc.Title != "" {
		if t.Title, err = notify.ParseTemplate("title", tc.Title); err != nil {
			return t, err
		}
	}
	if tc.Text != "" {
		if t.Text, err = notify.ParseTemplate("text", tc.Text); err != nil {
			return t, err
		}
	}
	return t, nil
}

// buildNotifyTarget places the token where each vendor expects it. The
// resulting URLs live only in memory; queued bodies never contain them.
func buildNotifyTarget(tc *TargetConfig, endpoint string, tmpl notify.Templates) (notify.Target, string, error) {
	token, secret := string(tc.Token), string(tc.Secret)
	withQuery := func(key string) (string, error) {
		if token == "" {
			return endpoint, nil
		}
		u, err := url.Parse(endpoint)
		if err != nil {
			return "", errors.New("invalid endpoint")
		}
		q := u.Query()
		q.Set(key, token)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	withPath := func() string {
		if token == "" {
			return endpoint
		}
		return strings.TrimRight(endpoint, "/") + "/" + strings.TrimLeft(token, "/")
	}
	switch tc.Type {
	case "alertmanager":
		return &notify.Alertmanager{URL: endpoint}, token, nil
	case "webhook":
		return &notify.Webhook{URL: endpoint, Secret: secret}, token, nil
	case "slack":
		return &notify.Slack{URL: withPath(), Templates: tmpl}, "", nil
	case "dingtalk":
		u, err := withQuery("access_token")
		return &notify.DingTalk{URL: u, Secret: secret, Keyword: tc.Keyword, AtMobiles: tc.AtMobiles, AtAll: tc.AtAll, Templates: tmpl}, "", err
	case "feishu":
		return &notify.Feishu{URL: withPath(), Secret: secret, Post: tc.MessageType == "post", Templates: tmpl}, "", nil
	case "wecom":
		u, err := withQuery("key")
		return &notify.WeCom{URL: u, Templates: tmpl}, "", err
	case "msteams":
		u, err := withQuery("sig")
		return &notify.MSTeams{URL: u, Templates: tmpl}, "", err
	case "pagerduty":
		return &notify.PagerDuty{URL: endpoint, RoutingKey: token, Source: tc.Source, Templates: tmpl}, "", nil
	}
	return nil, "", fmt.Errorf("unknown target type %q", tc.Type)
}

func (s *sender) start(ctx context.Context, host component.Host) error {
	c, err := s.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), s.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("target %s: http client: %w", s.cfg.Name, err)
	}
	s.client = c
	return nil
}

// push delivers queued bodies; exporterhelper retries what it returns,
// except permanent errors, and honours throttle delays (Retry-After).
func (s *sender) push(ctx context.Context, ld plog.Logs) error {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				if err := s.sendOne(ctx, lrs.At(k).Body().Bytes().AsRaw()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *sender) sendOne(ctx context.Context, body []byte) error {
	req, err := s.nt.Prepare(body, s.now())
	if err == nil {
		if req.Header == nil {
			req.Header = http.Header{}
		}
		if s.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+s.bearer)
		}
		err = notify.Send(ctx, s.client, s.nt, req)
	}
	attrs := s.target.attrs
	if err == nil {
		s.tb.AlertwebhookNotificationsSent.Add(ctx, 1, attrs)
		return nil
	}
	var retry *notify.RetryableError
	switch {
	case notify.IsPermanent(err):
		s.tb.AlertwebhookNotificationsFailed.Add(ctx, 1, attrs, metric.WithAttributes(attribute.String("kind", "permanent")))
		s.tb.AlertwebhookNotificationsDropped.Add(ctx, 1, attrs, metric.WithAttributes(attribute.String("reason", "permanent")))
		return consumererror.NewPermanent(err)
	case errors.As(err, &retry):
		s.tb.AlertwebhookNotificationsFailed.Add(ctx, 1, attrs, metric.WithAttributes(attribute.String("kind", "retryable")))
		if retry.RetryAfter > 0 {
			return exporterhelper.NewThrottleRetry(err, retry.RetryAfter)
		}
		return err
	default:
		s.tb.AlertwebhookNotificationsFailed.Add(ctx, 1, attrs, metric.WithAttributes(attribute.String("kind", "retryable")))
		return err
	}
}

// enqueue hands one rendered body to the sender's queue.
func (s *sender) enqueue(ctx context.Context, body []byte) error {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetEmptyBytes().FromRaw(body)
	lr.Attributes().PutStr("alertwebhook.target", s.cfg.Name)
	return s.exp.ConsumeLogs(ctx, ld)
}

// matches reports whether the target takes this alert.
func (t *target) matches(a *alerting.Alert) bool {
	for k, v := range t.match {
		if a.Labels.Get(k) != v {
			return false
		}
	}
	return true
}
