package alertwebhookexporter

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
)

var epoch = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

func TestDefaultRulesFireAndResolve(t *testing.T) {
	s := newSink(t, nil)
	clock := &fakeClock{t: epoch}
	h := startHarness(t, testConfig(webhookTarget(s.srv.URL)), hostWith(""), clock)
	ctx := context.Background()

	// Anomaly decision 1 for a series: AnomalyDetected fires at once.
	require.NoError(t, h.metrics.ConsumeMetrics(ctx, anomalyPoint("checkout", "http.server.request.duration", "/cart", 1, epoch)))
	// A new error-level template from logcluster, and noise that must not alert.
	require.NoError(t, h.logs.ConsumeLogs(ctx, errorLog("checkout", "t42", "db timeout after <*> ms", "db timeout after 3000 ms", true, plog.SeverityNumberError)))
	require.NoError(t, h.logs.ConsumeLogs(ctx, errorLog("checkout", "t43", "user <*> logged in", "user 7 logged in", true, plog.SeverityNumberInfo)))
	require.NoError(t, h.logs.ConsumeLogs(ctx, errorLog("checkout", "t44", "retry <*>", "retry 1", false, plog.SeverityNumberError)))
	// A new warning-level template: NewWarningLogTemplate, severity info.
	require.NoError(t, h.logs.ConsumeLogs(ctx, errorLog("checkout", "t45", "connection pool exhausted after <*> ms", "connection pool exhausted after 950 ms", true, plog.SeverityNumberWarn)))

	h.tick(time.Second) // the groups open: group_wait 1s starts
	h.tick(time.Second)
	require.Eventually(t, func() bool { return len(s.delivered()) == 3 }, 5*time.Second, 10*time.Millisecond)
	msgs := s.delivered()
	byName := map[string]alertSummary{}
	for _, m := range msgs {
		require.Len(t, m.Alerts, 1)
		a := m.Alerts[0]
		byName[a.Labels["alertname"]] = alertSummary{status: a.Status, labels: a.Labels, annotations: a.Annotations, fp: a.Fingerprint}
		assert.Equal(t, "4", m.Version)
	}
	an := byName["AnomalyDetected"]
	assert.Equal(t, "firing", an.status)
	assert.Equal(t, map[string]string{"alertname": "AnomalyDetected", "severity": "warning", "service": "checkout",
		"metric": "http.server.request.duration", "anomaly_metric": "http.server.request.duration", "http_route": "/cart"}, an.labels)
	assert.Equal(t, "http.server.request.duration is anomalous on checkout", an.annotations["summary"])
	assert.Equal(t, alerting.NewLabels(an.labels).Fingerprint().String(), an.fp)
	lg := byName["NewErrorLogTemplate"]
	assert.Equal(t, map[string]string{"alertname": "NewErrorLogTemplate", "severity": "warning", "service": "checkout", "template_id": "t42"}, lg.labels)
	assert.Equal(t, "New error log pattern in checkout: db timeout after <*> ms", lg.annotations["summary"])
	assert.Contains(t, lg.annotations["description"], "db timeout after 3000 ms")
	wn := byName["NewWarningLogTemplate"]
	assert.Equal(t, map[string]string{"alertname": "NewWarningLogTemplate", "severity": "info", "service": "checkout", "template_id": "t45"}, wn.labels)
	assert.Equal(t, "New warning log pattern in checkout: connection pool exhausted after <*> ms", wn.annotations["summary"])

	// Decision back to 0: keep_firing_for (2m) holds, then the anomaly resolves.
	require.NoError(t, h.metrics.ConsumeMetrics(ctx, anomalyPoint("checkout", "http.server.request.duration", "/cart", 0, clock.now())))
	h.tick(5 * time.Second)
	assert.Len(t, s.delivered(), 3, "still firing during keep_firing_for")
	h.tick(2 * time.Minute)
	h.tick(5 * time.Second)
	require.Eventually(t, func() bool { return len(s.delivered()) == 4 }, 5*time.Second, 10*time.Millisecond)
	res := s.delivered()[3]
	assert.Equal(t, "resolved", res.Status)
	assert.Equal(t, "AnomalyDetected", res.Alerts[0].Labels["alertname"])
	assert.Equal(t, an.fp, res.Alerts[0].Fingerprint)

	// The log alerts resolve by their 5m timeout.
	h.tick(3 * time.Minute)
	h.tick(5 * time.Second)
	require.Eventually(t, func() bool { return len(s.delivered()) == 6 }, 5*time.Second, 10*time.Millisecond)
	resolved := map[string]string{}
	for _, m := range s.delivered()[4:] {
		resolved[m.Alerts[0].Labels["alertname"]] = m.Status
	}
	assert.Equal(t, map[string]string{"NewErrorLogTemplate": "resolved", "NewWarningLogTemplate": "resolved"}, resolved)
	h.stop()
}

type alertSummary struct {
	status      string
	labels      map[string]string
	annotations map[string]string
	fp          string
}

func TestServerErrorThenRecoverDeliversOnce(t *testing.T) {
	s := newSink(t, func(n int) (int, string) {
		if n <= 2 {
			return 500, ""
		}
		return 200, ""
	})
	clock := &fakeClock{t: epoch}
	h := startHarness(t, testConfig(webhookTarget(s.srv.URL)), hostWith(""), clock)
	require.NoError(t, h.metrics.ConsumeMetrics(context.Background(), anomalyPoint("svc", "m", "/", 1, epoch.Add(-time.Minute))))
	h.tick(time.Second)
	require.Eventually(t, func() bool { return len(s.delivered()) == 1 }, 5*time.Second, 10*time.Millisecond)
	// Later ticks must not re-send: the group is unchanged.
	for i := 0; i < 5; i++ {
		h.tick(5 * time.Second)
	}
	time.Sleep(200 * time.Millisecond)
	assert.Len(t, s.delivered(), 1, "delivered exactly once")
	assert.Len(t, s.attemptTimes(), 3, "two 500s, then success")
	h.stop()
}

func TestTooManyRequestsHonoursRetryAfter(t *testing.T) {
	s := newSink(t, func(n int) (int, string) {
		if n == 1 {
			return 429, "1"
		}
		return 200, ""
	})
	clock := &fakeClock{t: epoch}
	h := startHarness(t, testConfig(webhookTarget(s.srv.URL)), hostWith(""), clock)
	require.NoError(t, h.metrics.ConsumeMetrics(context.Background(), anomalyPoint("svc", "m", "/", 1, epoch.Add(-time.Minute))))
	h.tick(time.Second)
	require.Eventually(t, func() bool { return len(s.delivered()) == 1 }, 5*time.Second, 10*time.Millisecond)
	at := s.attemptTimes()
	require.Len(t, at, 2)
	// Backoff alone would retry after 20ms; Retry-After asked for 1s.
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), 900*time.Millisecond)
	h.stop()
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	s := newSink(t, func(int) (int, string) { return 400, "" })
	clock := &fakeClock{t: epoch}
	h := startHarness(t, testConfig(webhookTarget(s.srv.URL)), hostWith(""), clock)
	require.NoError(t, h.metrics.ConsumeMetrics(context.Background(), anomalyPoint("svc", "m", "/", 1, epoch.Add(-time.Minute))))
	h.tick(time.Second)
	require.Eventually(t, func() bool { return len(s.attemptTimes()) == 1 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(300 * time.Millisecond)
	assert.Len(t, s.attemptTimes(), 1)
	h.stop()
}

// TestRestartKeepsStateAndQueue: the target is down when the collector
// stops; after the restart the queued notification is delivered from the
// persistent queue, the firing alert is not announced again, and its
// resolution is still sent.
func TestRestartKeepsStateAndQueue(t *testing.T) {
	down := true
	s := newSink(t, func(int) (int, string) {
		if down {
			return 503, ""
		}
		return 200, ""
	})
	dir := t.TempDir()
	clock := &fakeClock{t: epoch}
	cfg := testConfig(webhookTarget(s.srv.URL))
	cfg.Storage = &storageID
	cfg.QueueConfig.Get().StorageID = &storageID

	h := startHarness(t, cfg, hostWith(dir), clock)
	require.NoError(t, h.metrics.ConsumeMetrics(context.Background(), anomalyPoint("svc", "m", "/", 1, epoch.Add(-time.Minute))))
	h.tick(time.Second)
	require.Eventually(t, func() bool { return len(s.attemptTimes()) >= 2 }, 5*time.Second, 10*time.Millisecond)
	h.stop()
	assert.Empty(t, s.delivered())

	s.mu.Lock()
	down = false
	s.mu.Unlock()
	h2 := startHarness(t, cfg, hostWith(dir), clock)
	require.Eventually(t, func() bool { return len(s.delivered()) == 1 }, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, "firing", s.delivered()[0].Status)
	_, firing := h2.e.engine.Counts()
	assert.Equal(t, 1, firing, "alert state restored")
	h2.tick(5 * time.Second)
	h2.tick(5 * time.Second)
	time.Sleep(200 * time.Millisecond)
	assert.Len(t, s.delivered(), 1, "not re-announced after restart")

	require.NoError(t, h2.metrics.ConsumeMetrics(context.Background(), anomalyPoint("svc", "m", "/", 0, clock.now())))
	h2.tick(3 * time.Minute)
	h2.tick(5 * time.Second)
	require.Eventually(t, func() bool { return len(s.delivered()) == 2 }, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "resolved", s.delivered()[1].Status)
	h2.stop()
}

func TestRateLimitMergesIntoDigest(t *testing.T) {
	s := newSink(t, nil)
	tc := TargetConfig{Name: "dt", Type: "dingtalk", GroupBy: []string{"..."}, GroupWait: ptr(time.Second),
		GroupInterval: 5 * time.Second, RepeatInterval: time.Hour, RateLimit: &RateLimitConfig{Messages: 1, Per: time.Minute, Burst: 1}}
	tc.ClientConfig.Endpoint = s.srv.URL
	clock := &fakeClock{t: epoch}
	h := startHarness(t, testConfig(tc), hostWith(""), clock)
	// The sink answers 200 with an empty body; DingTalk needs errcode 0.
	s.srv.Config.Handler = okRobot(s)
	for _, route := range []string{"/a", "/b", "/c"} {
		require.NoError(t, h.metrics.ConsumeMetrics(context.Background(), anomalyPoint("svc", "m", route, 1, epoch.Add(-time.Minute))))
	}
	h.tick(time.Second)
	require.Eventually(t, func() bool { return len(s.attemptTimes()) == 1 }, 5*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.Len(t, s.attemptTimes(), 1, "three groups, one token: one digest message")
	s.mu.Lock()
	body := s.lastBody
	s.mu.Unlock()
	assert.Contains(t, body, "[3 groups, 3 firing]")
	for _, route := range []string{"AnomalyDetected m /a ", "AnomalyDetected m /b ", "AnomalyDetected m /c "} {
		assert.Contains(t, body, route)
	}
	h.stop()
}
