//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// prometheusServer runs Prometheus on loopback with its TSDB in the test's
// folder, the remote-write receiver on, and a 1 s remote flush deadline so
// that SIGTERM does not wait a minute for absent remote-write targets.
func prometheusServer(config string) peerProgram {
	return peerProgram{
		Program: "prometheus",
		Args: func(addr, dir string) []string {
			return []string{
				"--config.file=" + config,
				"--storage.tsdb.path=" + filepath.Join(dir, "data"),
				"--web.listen-address=" + addr,
				"--web.enable-remote-write-receiver",
				"--storage.remote.flush-deadline=1s",
			}
		},
		ReadyPath: "/-/ready",
		ReadyBody: "Ready",
	}
}

// promtool runs promtool with args in dir and fails the test on a non-zero
// exit.
func promtool(t *testing.T, dir string, args ...string) string {
	t.Helper()
	bin := e2e.LookPeer(t, "promtool")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// TestPrometheusExampleFiles: the shipped rules load, pass their unit tests,
// and prometheus.yml is a valid Prometheus config.
func TestPrometheusExampleFiles(t *testing.T) {
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "examples", "prometheus")
	assert.Contains(t, promtool(t, dir, "check", "rules", "rules.yml"), "SUCCESS: 6 rules found")
	assert.Contains(t, promtool(t, dir, "test", "rules", "rules_test.yml"), "SUCCESS")
	assert.Contains(t, promtool(t, dir, "check", "config", "prometheus.yml"), "is valid prometheus config file syntax")
}

// TestPrometheusScrapesAndReceivesScores: a real Prometheus, with the shipped
// prometheus.yml (ports and interval changed) and rules.yml, scrapes the
// shipped collector config and receives its remote write. After a service's
// latency has been learnt, Prometheus's query API returns anomaly_score,
// anomaly_active and the expected band with the source's labels, by both
// paths; after a 10x step anomaly_active is 1, the recording rules carry it
// and the AnomalyActive alert is pending.
func TestPrometheusScrapesAndReceivesScores(t *testing.T) {
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	example := filepath.Join(root, "examples", "prometheus")
	exporterAddr := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))

	// Prometheus first, with the example's files: only the scrape target and
	// the intervals differ.
	promDir := t.TempDir()
	cfg, err := os.ReadFile(filepath.Join(example, "prometheus.yml"))
	require.NoError(t, err)
	rendered := strings.NewReplacer(`"127.0.0.1:9464"`, `"`+exporterAddr+`"`, "15s", "1s").Replace(string(cfg))
	require.NotEqual(t, string(cfg), rendered)
	require.NoError(t, os.WriteFile(filepath.Join(promDir, "prometheus.yml"), []byte(rendered), 0o600))
	rules, err := os.ReadFile(filepath.Join(example, "rules.yml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(promDir, "rules.yml"), rules, 0o600))
	promtool(t, promDir, "check", "config", "prometheus.yml")
	prom := startPeer(t, prometheusServer(filepath.Join(promDir, "prometheus.yml")))
	base := "http://" + prom.Addr

	// The remote-written copy gets an extra label so that the two paths can
	// be told apart in one Prometheus.
	otlpAddr := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
	startPeerExample(t, "prometheus",
		map[string]string{
			"OTLP_GRPC_ENDPOINT":  fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t)),
			"OTLP_HTTP_ENDPOINT":  otlpAddr,
			"PROMETHEUS_ENDPOINT": exporterAddr,
			"REMOTE_WRITE_URL":    base + "/api/v1/write",
		},
		"exporters::prometheus_remote_write::external_labels::via: remote_write",
		"processors::batch::timeout: 100ms",
	)

	// 400 minutes of normal latency, ending now (remote write keeps the
	// points' timestamps and Prometheus looks back 5 minutes).
	rng := rand.New(rand.NewPCG(3, 4))
	const normal, step = 400, 3
	start := time.Now().Add(-time.Duration(normal+step) * time.Minute)
	i := 0
	send := func(n int, level float64) {
		for ; n > 0; n-- {
			v := level * (1 + 0.1*math.Sin(float64(i)/30) + 0.05*rng.NormFloat64())
			e2e.SendMetrics(t, otlpAddr, latencyBatch(start.Add(time.Duration(i)*time.Minute), v))
			i++
		}
	}
	send(normal, 0.120)

	scraped := `{anomaly_metric="http.server.latency",via!="remote_write"}`
	pushed := `{anomaly_metric="http.server.latency",via="remote_write"}`
	for _, sel := range []string{scraped, pushed} {
		var got []promSample
		e2e.Eventually(t, 20*time.Second, func() bool {
			got = promQuery(t, base, "anomaly_score"+sel)
			return len(got) == 1
		}, "anomaly_score%s in Prometheus", sel)
		l := got[0].Labels
		assert.Equal(t, "checkout", l["job"], "the service's job label, %s", sel)
		assert.Equal(t, "/api/checkout", l["http_route"], "the source point's attribute, %s", sel)
		assert.GreaterOrEqual(t, got[0].Value, 0.0)
		assert.Less(t, got[0].Value, 0.45, "normal latency scores below the threshold, %s", sel)

		// The decision is written only while anomalous, on its return to
		// normal and on a series' first point: a 0 here, or no sample.
		for _, active := range promQuery(t, base, "anomaly_active"+sel) {
			assert.Equal(t, 0.0, active.Value, "normal latency is not anomalous, %s", sel)
		}
		expected := promQueryOne(t, base, "anomaly_expected"+sel)
		lower := promQueryOne(t, base, "anomaly_lower"+sel)
		upper := promQueryOne(t, base, "anomaly_upper"+sel)
		assert.InDelta(t, 0.120, expected, 0.03, "expected value near the level sent, %s", sel)
		assert.Less(t, lower, expected, sel)
		assert.Greater(t, upper, expected, sel)
	}
	// The source series itself is there too, under its Prometheus name.
	assert.NotEmpty(t, promQuery(t, base, `http_server_latency{job="checkout"}`))

	// A 10x latency step: both paths report the decision; the recording rule
	// and the pending alert follow from the shipped rules.
	send(step, 1.2)
	for _, sel := range []string{scraped, pushed} {
		e2e.Eventually(t, 20*time.Second, func() bool {
			got := promQuery(t, base, "anomaly_active"+sel)
			return len(got) == 1 && got[0].Value == 1
		}, "anomaly_active%s == 1 after the step", sel)
	}
	e2e.Eventually(t, 20*time.Second, func() bool {
		got := promQuery(t, base, `job:anomaly_active:sum{job="checkout"}`)
		return len(got) == 1 && got[0].Value >= 1
	}, "recording rule job:anomaly_active:sum >= 1")
	e2e.Eventually(t, 20*time.Second, func() bool {
		return promAlertState(t, base, "AnomalyActive", "checkout") == "pending"
	}, "AnomalyActive pending for checkout (it fires after 2m)")
}

// promQueryOne runs query and returns the single sample's value, failing unless
// exactly one series answers.
func promQueryOne(t *testing.T, base, query string) float64 {
	t.Helper()
	got := promQuery(t, base, query)
	require.Len(t, got, 1, "query %s", query)
	return got[0].Value
}

// promAlertState returns the state of alertname for job in Prometheus's
// /api/v1/alerts ("" when absent).
func promAlertState(t *testing.T, base, alertname, job string) string {
	t.Helper()
	code, body := peerGet(base + "/api/v1/alerts")
	if code != 200 {
		return ""
	}
	var r struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &r))
	for _, a := range r.Data.Alerts {
		if a.Labels["alertname"] == alertname && a.Labels["job"] == job {
			return a.State
		}
	}
	return ""
}
