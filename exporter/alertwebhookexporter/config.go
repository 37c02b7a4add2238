package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// Config is the exporter's configuration.
type Config struct {
	// Rules turn data points and log records into alerts. When empty, the
	// built-in rules of DefaultRules apply.
	Rules        []RuleConfig       `mapstructure:"rules"`
	DefaultRules DefaultRulesConfig `mapstructure:"default_rules"`
	Targets      []TargetConfig     `mapstructure:"targets"`

	// LabelNameMode is "sanitize" (default: label and annotation names are
	// rewritten to [a-zA-Z_][a-zA-Z0-9_]*, which Alertmanager < 0.27
	// requires) or "utf8" (names pass through).
	LabelNameMode string `mapstructure:"label_name_mode"`
	// ExternalURL is put in payloads as the link back to this collector.
	ExternalURL string `mapstructure:"external_url"`
	// MaxAlerts bounds tracked alerts (pending, firing and recently resolved).
	MaxAlerts int `mapstructure:"max_alerts"`
	// ResolvedRetention keeps resolved alerts for re-sends and dedup.
	ResolvedRetention time.Duration `mapstructure:"resolved_retention"`
	// EvaluationInterval is the timer tick for for/keep_firing_for, grouping
	// and rate limits.
	EvaluationInterval time.Duration `mapstructure:"evaluation_interval"`
	// Storage names a storage extension (e.g. file_storage) that keeps alert
	// and group state across restarts.
	Storage *component.ID `mapstructure:"storage"`

	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`
}

// RuleConfig is one alert rule.
type RuleConfig struct {
	// Name becomes the alertname label.
	Name string `mapstructure:"name"`
	// Signal is "metrics" (OTTL datapoint context) or "logs" (log context).
	Signal string `mapstructure:"signal"`
	// Select, optional, picks the points or records the rule looks at; a
	// selected item whose Condition is false counts as "normal" and resolves
	// the alert (after keep_firing_for). Without Select, alerts resolve by
	// ResolveTimeout only.
	Select string `mapstructure:"select"`
	// Condition is true when the point or record is alerting.
	Condition string `mapstructure:"condition"`
	// Severity becomes the severity label.
	Severity string `mapstructure:"severity"`
	// Labels are static labels.
	Labels map[string]string `mapstructure:"labels"`
	// LabelsFromAttributes maps label name -> attribute key, looked up on
	// the point/record first, then on the resource.
	LabelsFromAttributes map[string]string `mapstructure:"labels_from_attributes"`
	// AllAttributesAsLabels adds every point/record attribute as a label
	// (one alert per series).
	AllAttributesAsLabels bool `mapstructure:"all_attributes_as_labels"`
	// Annotations are Go templates over .Value, .Labels, .Attributes,
	// .Resource, .MetricName, .Body, .Severity, .TemplateID, .Template.
	Annotations   map[string]string `mapstructure:"annotations"`
	For           time.Duration     `mapstructure:"for"`
	KeepFiringFor time.Duration     `mapstructure:"keep_firing_for"`
	// ResolveTimeout resolves an alert after this long without a true
	// condition (defaults to 5m for logs rules, 0 for metrics rules).
	ResolveTimeout time.Duration `mapstructure:"resolve_timeout"`
}

// DefaultRulesConfig shapes the built-in rules used when Rules is empty.
type DefaultRulesConfig struct {
	// Enabled turns the built-in rules on (default true).
	Enabled bool `mapstructure:"enabled"`
	// AnomalyMetric is the anomaly processor's decision gauge (1 anomalous,
	// 0 normal), carrying the source series' attributes.
	AnomalyMetric string `mapstructure:"anomaly_metric"`
	// AnomalySourceAttribute names the source metric on the decision points.
	AnomalySourceAttribute string `mapstructure:"anomaly_source_attribute"`
	// AnomalyKeepFiringFor damps flapping decisions.
	AnomalyKeepFiringFor time.Duration `mapstructure:"anomaly_keep_firing_for"`
	// LogTemplateNewAttribute, LogTemplateIDAttribute, LogTemplateAttribute
	// are the logcluster processor's record attributes.
	LogTemplateNewAttribute string `mapstructure:"log_template_new_attribute"`
	LogTemplateIDAttribute  string `mapstructure:"log_template_id_attribute"`
	LogTemplateAttribute    string `mapstructure:"log_template_attribute"`
	// LogResolveTimeout resolves a new-template alert when the template
	// has not been seen (as new) for this long.
	LogResolveTimeout time.Duration `mapstructure:"log_resolve_timeout"`
}

// TargetConfig is one notification destination.
type TargetConfig struct {
	Name string `mapstructure:"name"`
	// Type: alertmanager, webhook, slack, dingtalk, feishu, wecom, msteams, pagerduty.
	Type string `mapstructure:"type"`
	// ClientConfig: endpoint, tls, proxy_url, headers, timeout, ... The
	// vendor endpoint has a default where there is a public one.
	ClientConfig confighttp.ClientConfig `mapstructure:",squash"`
	// Token is the credential; where it goes depends on the type (see README):
	// DingTalk access_token, WeCom key, Feishu/Slack hook path, Teams sig,
	// PagerDuty routing_key, webhook/alertmanager bearer token.
	Token configopaque.String `mapstructure:"token"`
	// Secret signs requests: DingTalk and Feishu signing, webhook HMAC.
	Secret configopaque.String `mapstructure:"secret"`

	// DingTalk options.
	Keyword   string   `mapstructure:"keyword"`
	AtMobiles []string `mapstructure:"at_mobiles"`
	AtAll     bool     `mapstructure:"at_all"`
	// MessageType selects the Feishu format: card (default) or post.
	MessageType string `mapstructure:"message_type"`
	// Source is PagerDuty's payload.source.
	Source string `mapstructure:"source"`

	// Alertmanager options: every endpoint gets every alert.
	AdditionalEndpoints []string      `mapstructure:"additional_endpoints"`
	ResendInterval      time.Duration `mapstructure:"resend_interval"`
	ResolvedResendFor   time.Duration `mapstructure:"resolved_resend_for"`

	// Grouping (all types except alertmanager).
	GroupBy []string `mapstructure:"group_by"`
	// GroupWait is a pointer so that an explicit 0s (notify at once) differs
	// from unset (30s).
	GroupWait      *time.Duration `mapstructure:"group_wait"`
	GroupInterval  time.Duration  `mapstructure:"group_interval"`
	RepeatInterval time.Duration  `mapstructure:"repeat_interval"`
	MaxAlerts      int            `mapstructure:"max_alerts"`
	SendResolved   *bool          `mapstructure:"send_resolved"`
	// MatchLabels restricts the target to alerts with these label values.
	MatchLabels map[string]string `mapstructure:"match_labels"`

	// RateLimit bounds messages per period; pending updates of the same
	// group merge, and with Digest different groups share one message.
	RateLimit *RateLimitConfig `mapstructure:"rate_limit"`
	Digest    *bool            `mapstructure:"digest"`

	Templates TemplatesConfig `mapstructure:"templates"`
}

// RateLimitConfig is a token bucket.
type RateLimitConfig struct {
	Messages int           `mapstructure:"messages"`
	Per      time.Duration `mapstructure:"per"`
	Burst    int           `mapstructure:"burst"`
}

// TemplatesConfig overrides a chat target's Go templates.
type TemplatesConfig struct {
	Title string `mapstructure:"title"`
	Text  string `mapstructure:"text"`
}

var _ component.Config = (*Config)(nil)

var targetTypes = map[string]bool{
	"alertmanager": true, "webhook": true, "slack": true, "dingtalk": true,
	"feishu": true, "wecom": true, "msteams": true, "pagerduty": true,
}

// Validate checks the configuration; errors name the key and the bad value.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.LabelNameMode != "sanitize" && cfg.LabelNameMode != "utf8" {
		errs = append(errs, fmt.Errorf("label_name_mode must be sanitize or utf8 (got %q)", cfg.LabelNameMode))
	}
	if cfg.MaxAlerts <= 0 {
		errs = append(errs, fmt.Errorf("max_alerts must be positive (got %d)", cfg.MaxAlerts))
	}
	if cfg.EvaluationInterval <= 0 {
		errs = append(errs, fmt.Errorf("evaluation_interval must be positive (got %s)", cfg.EvaluationInterval))
	}
	if cfg.ResolvedRetention < 0 {
		errs = append(errs, fmt.Errorf("resolved_retention must not be negative (got %s)", cfg.ResolvedRetention))
	}
	if cfg.ExternalURL != "" {
		if u, err := url.Parse(cfg.ExternalURL); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("external_url must be an absolute URL (got %q)", cfg.ExternalURL))
		}
	}
	if !cfg.QueueConfig.HasValue() {
		// Without a queue, retries would block rule evaluation timers.
		errs = append(errs, errors.New("sending_queue must stay enabled: notifications are delivered asynchronously"))
	}
	names := map[string]bool{}
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if r.Name == "" {
			errs = append(errs, fmt.Errorf("rules[%d].name must not be empty", i))
		}
		if names[r.Name] {
			errs = append(errs, fmt.Errorf("rules[%d].name %q is duplicated", i, r.Name))
		}
		names[r.Name] = true
		if r.Signal != "metrics" && r.Signal != "logs" {
			errs = append(errs, fmt.Errorf("rules[%d].signal must be metrics or logs (got %q)", i, r.Signal))
		}
		if r.Condition == "" {
			errs = append(errs, fmt.Errorf("rules[%d].condition must not be empty", i))
		}
		for k, v := range map[string]time.Duration{"for": r.For, "keep_firing_for": r.KeepFiringFor, "resolve_timeout": r.ResolveTimeout} {
			if v < 0 {
				errs = append(errs, fmt.Errorf("rules[%d].%s must not be negative (got %s)", i, k, v))
			}
		}
		for k, v := range r.Annotations {
			if _, err := notify.ParseTemplate(k, v); err != nil {
				errs = append(errs, fmt.Errorf("rules[%d].annotations.%s %q: %w", i, k, v, err))
			}
		}
	}
	if len(errs) == 0 {
		// The rules' OTTL, parsed as the exporter will, so that a bad
		// expression is a config error, not only a pipeline build failure.
		errs = append(errs, checkConditions(cfg.Rules))
	}
	tnames := map[string]bool{}
	for i := range cfg.Targets {
		errs = append(errs, cfg.Targets[i].validate(i, tnames)...)
	}
	return errors.Join(errs...)
}

func (t *TargetConfig) validate(i int, names map[string]bool) []error {
	var errs []error
	if t.Name == "" {
		errs = append(errs, fmt.Errorf("targets[%d].name must not be empty", i))
	}
	if names[t.Name] {
		errs = append(errs, fmt.Errorf("targets[%d].name %q is duplicated", i, t.Name))
	}
	names[t.Name] = true
	if !targetTypes[t.Type] {
		errs = append(errs, fmt.Errorf("targets[%d].type must be one of alertmanager, webhook, slack, dingtalk, feishu, wecom, msteams, pagerduty (got %q)", i, t.Type))
		return errs
	}
	if t.ClientConfig.Endpoint == "" && defaultEndpoints[t.Type] == "" {
		errs = append(errs, fmt.Errorf("targets[%d].endpoint is required for type %s", i, t.Type))
	}
	for _, e := range append([]string{t.ClientConfig.Endpoint}, t.AdditionalEndpoints...) {
		if e == "" {
			continue
		}
		// Do not echo the URL: it may carry a token.
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("targets[%d].endpoint must be an http(s) URL (got %s)", i, notify.Redact(e)))
		}
	}
	if len(t.AdditionalEndpoints) > 0 && t.Type != "alertmanager" {
		errs = append(errs, fmt.Errorf("targets[%d].additional_endpoints applies to type alertmanager only (got type %s)", i, t.Type))
	}
	if t.Type == "pagerduty" && t.Token == "" {
		errs = append(errs, fmt.Errorf("targets[%d].token (the PagerDuty routing key) is required", i))
	}
	if t.Type == "feishu" && t.MessageType != "" && t.MessageType != "card" && t.MessageType != "post" {
		errs = append(errs, fmt.Errorf("targets[%d].message_type must be card or post (got %q)", i, t.MessageType))
	}
	for k, v := range map[string]time.Duration{"group_wait": derefOr(t.GroupWait, 0), "group_interval": t.GroupInterval,
		"repeat_interval": t.RepeatInterval, "resend_interval": t.ResendInterval, "resolved_resend_for": t.ResolvedResendFor} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("targets[%d].%s must not be negative (got %s)", i, k, v))
		}
	}
	if t.MaxAlerts < 0 {
		errs = append(errs, fmt.Errorf("targets[%d].max_alerts must not be negative (got %d)", i, t.MaxAlerts))
	}
	if rl := t.RateLimit; rl != nil && (rl.Messages < 0 || rl.Burst < 0 || (rl.Messages > 0 && rl.Per <= 0)) {
		errs = append(errs, fmt.Errorf("targets[%d].rate_limit needs messages >= 0, burst >= 0 and a positive per (got messages=%d per=%s burst=%d)", i, rl.Messages, rl.Per, rl.Burst))
	}
	if t.Digest != nil && *t.Digest && (t.Type == "webhook" || t.Type == "pagerduty" || t.Type == "alertmanager") {
		errs = append(errs, fmt.Errorf("targets[%d].digest is not supported by type %s (one group per message)", i, t.Type))
	}
	if _, err := notify.ParseTemplate("title", t.Templates.Title); err != nil {
		errs = append(errs, fmt.Errorf("targets[%d].templates.title %q: %w", i, t.Templates.Title, err))
	}
	if _, err := notify.ParseTemplate("text", t.Templates.Text); err != nil {
		errs = append(errs, fmt.Errorf("targets[%d].templates.text %q: %w", i, t.Templates.Text, err))
	}
	return errs
}

// defaultEndpoints are the public vendor endpoints a token is attached to.
var defaultEndpoints = map[string]string{
	"dingtalk":  "https://oapi.dingtalk.com/robot/send",
	"wecom":     "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
	"feishu":    "https://open.feishu.cn/open-apis/bot/v2/hook",
	"slack":     "https://hooks.slack.com/services",
	"pagerduty": notify.DefaultPagerDutyURL,
}

// derefOr returns *d, or def when d is unset.
func derefOr(d *time.Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return *d
}
