package alertwebhookexporter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// startAlertmanager runs a real Alertmanager (Debian's
// prometheus-alertmanager, which .ci/run installs) on loopback that routes
// every alert to webhookURL with 1s timers.
func startAlertmanager(t *testing.T, webhookURL string) string {
	bin := e2e.LookPeer(t, "prometheus-alertmanager")
	dir := t.TempDir()
	cfg := fmt.Sprintf(`route:
  receiver: sink
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: sink
    webhook_configs:
      - url: %q
        send_resolved: true
`, webhookURL)
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	base := fmt.Sprintf("http://127.0.0.1:%d", e2e.FreePort(t))
	am := e2e.StartProcess(t, "alertmanager", bin, []string{
		"--config.file=" + cfgPath, "--storage.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + base[len("http://"):],
		// An empty cluster address keeps it on loopback and ready at once.
		"--cluster.listen-address=",
	}, e2e.ProcessOptions{})
	am.WaitHTTP(base+"/-/ready", "", 10*time.Second)
	return base
}

func TestRealAlertmanager(t *testing.T) {
	s := newSink(t, nil)
	amURL := startAlertmanager(t, s.srv.URL)

	tc := TargetConfig{Name: "am", Type: "alertmanager", ResendInterval: time.Minute}
	tc.ClientConfig.Endpoint = amURL
	cfg := testConfig(tc)
	cfg.DefaultRules.AnomalyKeepFiringFor = 0
	clock := &fakeClock{t: time.Now()}
	h := startHarness(t, cfg, hostWith(""), clock)
	defer h.stop()
	ctx := context.Background()
	tick := func() { clock.mu.Lock(); clock.t = time.Now(); clock.mu.Unlock(); h.e.tick(ctx, time.Now()) }

	// Fire: the series started a minute ago, so Alertmanager skips group_wait.
	started := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	require.NoError(t, h.metrics.ConsumeMetrics(ctx, anomalyPoint("checkout", "http.server.request.duration", "/cart", 1, started)))
	tick()
	require.Eventually(t, func() bool { return len(s.delivered()) >= 1 }, 15*time.Second, 50*time.Millisecond, "no firing notification from alertmanager")
	fired := s.delivered()[0]
	require.Len(t, fired.Alerts, 1)
	a := fired.Alerts[0]
	assert.Equal(t, "firing", fired.Status)
	assert.Equal(t, "firing", a.Status)
	wantLabels := map[string]string{"alertname": "AnomalyDetected", "severity": "warning", "service": "checkout",
		"metric": "http.server.request.duration", "anomaly_metric": "http.server.request.duration", "http_route": "/cart"}
	assert.Equal(t, wantLabels, a.Labels)
	ours := alerting.NewLabels(wantLabels).Fingerprint().String()
	assert.Equal(t, ours, a.Fingerprint, "our fingerprint equals Alertmanager's")
	engineAlerts := h.e.engine.Alerts()
	require.Len(t, engineAlerts, 1)
	assert.Equal(t, ours, engineAlerts[0].Fingerprint.String())
	assert.True(t, a.StartsAt.Equal(started), "startsAt %s is the data's start %s", a.StartsAt, started)
	assert.True(t, a.EndsAt.IsZero(), "firing alerts carry a zero endsAt in webhooks")
	assert.Equal(t, "http.server.request.duration is anomalous on checkout", a.Annotations["summary"])

	// Resolve: the decision goes back to 0.
	require.NoError(t, h.metrics.ConsumeMetrics(ctx, anomalyPoint("checkout", "http.server.request.duration", "/cart", 0, time.Now())))
	tick()
	require.Eventually(t, func() bool {
		for _, m := range s.delivered() {
			if m.Status == "resolved" {
				return true
			}
		}
		return false
	}, 15*time.Second, 50*time.Millisecond, "no resolved notification from alertmanager")
	var resolved notify.WebhookMessage
	for _, m := range s.delivered() {
		if m.Status == "resolved" {
			resolved = m
		}
	}
	require.Len(t, resolved.Alerts, 1)
	assert.Equal(t, "resolved", resolved.Alerts[0].Status)
	assert.Equal(t, ours, resolved.Alerts[0].Fingerprint)
	assert.Equal(t, wantLabels, resolved.Alerts[0].Labels)
	assert.False(t, resolved.Alerts[0].EndsAt.IsZero())
	// Exactly one firing and one resolved notification: re-posts are idempotent.
	tick()
	time.Sleep(1500 * time.Millisecond)
	assert.Len(t, s.delivered(), 2)
}
