//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

const alertConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{port "otlp"}}
processors:
  logcluster:
    storage: file_storage
exporters:
  alertwebhook:
    storage: file_storage
    evaluation_interval: 100ms
    default_rules:
      log_resolve_timeout: 3s
    sending_queue:
      storage: file_storage
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 300ms
    targets:
      - name: hook
        type: webhook
        endpoint: {{.}}
        group_wait: 0s
        group_interval: 1s
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
  file_storage:
    directory: {{dir}}
service:
  extensions: [health_check, file_storage]
  telemetry: {metrics: {level: none}}
  pipelines:
    logs: {receivers: [otlp], processors: [logcluster], exporters: [alertwebhook]}
`

// TestNewErrorTemplateAlertSurvivesKill closes the loop in the real binary:
// a new error-level log template fires the built-in rule, the webhook is down
// so the notification waits in the persistent queue, the collector is killed
// with SIGKILL, and after a restart the firing and then the resolution are
// delivered.
func TestNewErrorTemplateAlertSurvivesKill(t *testing.T) {
	hook := newWebhook(t)
	dir := t.TempDir()
	c := e2e.Start(t, alertConfig, e2e.Options{Dir: dir, Data: hook.srv.URL})

	ld := serviceLogs("payment", "payment gateway timeout after 3000ms for order 42")
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).SetSeverityNumber(plog.SeverityNumberError)
	e2e.SendLogs(t, c.Addr("otlp"), ld)

	e2e.Eventually(t, 20*time.Second, func() bool { return hook.attempts.Load() >= 2 }, "delivery attempts against the failing webhook")
	c.Kill()
	require.Empty(t, hook.messages())

	hook.up.Store(true)
	c2 := e2e.Start(t, alertConfig, e2e.Options{Dir: dir, Data: hook.srv.URL, Ports: c.Ports()})
	e2e.Eventually(t, 30*time.Second, func() bool { f, _ := hook.statuses(); return f >= 1 }, "the firing notification after restart")
	e2e.Eventually(t, 30*time.Second, func() bool { _, r := hook.statuses(); return r >= 1 }, "the resolution")

	msgs := hook.messages()
	first := msgs[0]
	assert.Equal(t, "4", first.Version)
	require.NotEmpty(t, first.Alerts)
	a := first.Alerts[0]
	assert.Equal(t, "firing", a.Status)
	assert.Equal(t, "NewErrorLogTemplate", a.Labels["alertname"])
	assert.NotEmpty(t, a.Labels["template_id"])
	assert.NotEmpty(t, a.Fingerprint)
	var resolvedFP string
	for _, m := range msgs {
		for _, x := range m.Alerts {
			if x.Status == "resolved" {
				resolvedFP = x.Fingerprint
			}
		}
	}
	assert.Equal(t, a.Fingerprint, resolvedFP, "the resolution is for the alert that fired")
	require.NoError(t, c2.Stop())
}
