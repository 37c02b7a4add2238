package alertwebhookexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/configtest"
)

func TestLoadConfig(t *testing.T) {
	cfg := configtest.Load[*Config](t, NewFactory(), "")
	require.NoError(t, cfg.Validate())
	assert.Equal(t, "file_storage/alerts", cfg.Storage.String())
	require.Len(t, cfg.Rules, 2)
	assert.Equal(t, time.Minute, cfg.Rules[0].For)
	assert.Equal(t, map[string]string{"service": "service.name"}, cfg.Rules[0].LabelsFromAttributes)
	require.Len(t, cfg.Targets, 3)
	assert.Equal(t, "dt-token", string(cfg.Targets[0].Token))
	assert.Equal(t, []string{"http://am-1:9093"}, cfg.Targets[1].AdditionalEndpoints)
	// group_wait: an explicit 0s (notify at once) is kept apart from unset.
	assert.Equal(t, ptr(10*time.Second), cfg.Targets[0].GroupWait)
	assert.Nil(t, cfg.Targets[1].GroupWait)
	assert.Equal(t, ptr(time.Duration(0)), cfg.Targets[2].GroupWait)
	// Defaults survive.
	assert.Equal(t, "sanitize", cfg.LabelNameMode)
	assert.Equal(t, "anomaly.active", cfg.DefaultRules.AnomalyMetric)
	// Secrets are opaque when printed.
	assert.NotContains(t, cfg.Targets[0].Secret.String(), "SECxyz")
}

func TestValidateNamesKeyAndValue(t *testing.T) {
	err := configtest.Load[*Config](t, NewFactory(), "bad").Validate()
	require.Error(t, err)
	for _, want := range []string{
		`label_name_mode must be sanitize or utf8 (got "ascii")`,
		"max_alerts must be positive (got 0)",
		`rules[0].signal must be metrics or logs (got "traces")`,
		"rules[0].condition must not be empty",
		"rules[0].for must not be negative (got -1s)",
		`targets[0].type must be one of alertmanager, webhook, slack, dingtalk, feishu, wecom, msteams, pagerduty (got "opsgenie")`,
		`targets[1].name "t" is duplicated`,
		"targets[1].token (the PagerDuty routing key) is required",
		"targets[2].endpoint must be an http(s) URL",
		"targets[2].digest is not supported by type webhook",
		"targets[2].rate_limit needs",
	} {
		assert.Contains(t, err.Error(), want)
	}
}

// TestBadTemplateNamesKeyAndValue: a template that does not parse is
// reported with its key and its text, as `validate` users need to find it.
func TestBadTemplateNamesKeyAndValue(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{{Name: "x", Signal: "metrics", Condition: "true", Annotations: map[string]string{"summary": "{{ .Value "}}}
	tc := TargetConfig{Name: "hook", Type: "webhook", Templates: TemplatesConfig{Title: "{{ if }}", Text: "{{ end }}"}}
	tc.ClientConfig.Endpoint = "http://127.0.0.1:9/hook"
	cfg.Targets = []TargetConfig{tc}
	err := cfg.Validate()
	require.Error(t, err)
	for _, want := range []string{
		`rules[0].annotations.summary "{{ .Value ": `,
		`targets[0].templates.title "{{ if }}": `,
		`targets[0].templates.text "{{ end }}": `,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestBadOTTLFailsValidation(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{
		{Name: "ok", Signal: "logs", Condition: `severity_number >= SEVERITY_NUMBER_ERROR`},
		{Name: "x", Signal: "metrics", Condition: "value_double >>> 1"},
	}
	err := cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `rules[1].condition "value_double >>> 1"`)
	cfg.Rules[1] = RuleConfig{Name: "x", Signal: "logs", Condition: "true", Select: `IsMatch(body, "(")`}
	err = cfg.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `rules[1].select`)
	_, err = NewFactory().CreateMetrics(t.Context(), exportertestSettings(), cfg)
	require.Error(t, err, "creation parses the same rules")
}

func TestSecretsNeverInErrors(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	tc := TargetConfig{Name: "w", Type: "wecom", Token: "SUPERSECRET"}
	tc.ClientConfig.Endpoint = "http://127.0.0.1:1/cgi-bin/webhook/send"
	cfg.Targets = []TargetConfig{tc}
	e, err := newAlertExporter(t.Context(), cfg, exportertestSettings())
	require.NoError(t, err)
	s := e.targets[0].senders[0]
	s.client = httpClientNoRetry()
	err = s.sendOne(t.Context(), []byte(`{}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SUPERSECRET")
}
