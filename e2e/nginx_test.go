//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// nginxExamplePort is the listen address written in examples/nginx/nginx.conf;
// the test swaps it for a free port.
const nginxExamplePort = "127.0.0.1:8080"

// TestNginxAccessLogAlerts runs examples/nginx as shipped against a real
// nginx: its access log is tailed by the collector, steady traffic with a
// little background of 500s is learnt, then a burst of 500s must raise
// AnomalyDetected for the 5xx request rate, and the first 500 a new
// error-level template alert, both delivered as Alertmanager webhook v4.
func TestNginxAccessLogAlerts(t *testing.T) {
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	ngx := startNginx(t, filepath.Join(root, "examples", "nginx", "nginx.conf"))
	hook := newWebhook(t)
	hook.up.Store(true)

	ports := map[string]int{"health": e2e.FreePort(t), "prom": e2e.FreePort(t)}
	dir := t.TempDir()
	c := e2e.Start(t, "", e2e.Options{
		Dir:   dir,
		Ports: ports,
		Args:  []string{"--config", filepath.Join(root, "examples", "nginx", "config.yaml")},
		Env: []string{
			"NGINX_ACCESS_LOG=" + filepath.Join(ngx.dir, "access.log"),
			"NGINX_START_AT=beginning",
			"NGINX_POLL_INTERVAL=100ms",
			"NGINX_WINDOW=1s",
			"ANOMALY_WARM_UP=10",
			"ALERT_WEBHOOK_URL=" + hook.srv.URL,
			"ALERT_GROUP_WAIT=0s",
			"ALERT_GROUP_INTERVAL=1s",
			"PROMETHEUS_ENDPOINT=127.0.0.1:" + strconv.Itoa(ports["prom"]),
			"HEALTH_CHECK_ENDPOINT=127.0.0.1:" + strconv.Itoa(ports["health"]),
			"OTELCOL_STORAGE_DIR=" + filepath.Join(dir, "storage"),
		},
	})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	// Steady successful traffic for the whole test (~20/s), a few 404s, and a
	// background of 500s (~2/s) so that the 5xx series exists and is learnt
	// before the burst. Each loop is bounded by its iteration count too.
	drive := func(every time.Duration, max int, path func(i int) string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			for i := 0; i < max; i++ {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				ngx.get(path(i))
			}
		}()
	}
	drive(50*time.Millisecond, 2400, func(i int) string {
		if i%25 == 0 {
			return "/static/missing.css"
		}
		return fmt.Sprintf("/api/items/%d?page=%d", i%40, i%3)
	})
	drive(500*time.Millisecond, 240, func(i int) string { return "/error/db" })

	// Learning: warm-up is 10 one-second windows; leave a margin of scored
	// normal points after it.
	learn := time.Now().Add(22 * time.Second)
	for time.Now().Before(learn) {
		time.Sleep(200 * time.Millisecond)
		require.Empty(t, hook.firing("AnomalyDetected", "http_status_class", "5xx"),
			"the 5xx rate is not anomalous while it is steady")
	}
	newTemplate := hook.firing("NewErrorLogTemplate", "service", "nginx")
	require.Len(t, newTemplate, 1, "one new error-level template from the first 500s; alerts: %+v", hook.alerts())
	assert.NotEmpty(t, newTemplate[0].Labels["template_id"])
	assert.Contains(t, newTemplate[0].Annotations["template"], "server error GET")
	for _, a := range hook.alerts() {
		if a.Labels["alertname"] == "NewErrorLogTemplate" {
			assert.NotContains(t, a.Annotations["template"], "success", "2xx/4xx templates are not error-level")
		}
	}

	// Burst: ~100 extra 500s per second for 3 s on top of the steady traffic.
	burstStart := time.Now()
	burstEnd := burstStart.Add(3 * time.Second)
	for n := 0; n < 600 && time.Now().Before(burstEnd); n++ {
		ngx.get(fmt.Sprintf("/error/db?attempt=%d", n))
		time.Sleep(10 * time.Millisecond)
	}
	e2e.Eventually(t, 20*time.Second, func() bool {
		return len(hook.firing("AnomalyDetected", "http_status_class", "5xx")) > 0
	}, "AnomalyDetected for the 5xx request rate at the webhook")
	t.Logf("AnomalyDetected for 5xx %s after the burst started", time.Since(burstStart).Round(100*time.Millisecond))
	a := hook.firing("AnomalyDetected", "http_status_class", "5xx")[0]
	assert.Equal(t, "nginx.requests", a.Labels["metric"])
	assert.Equal(t, "nginx", a.Labels["service"])
	assert.Equal(t, "4", hook.messages()[0].Version)

	// The same counts reach Prometheus: a counter per status class and the
	// scores of the per-class rates with their expected band.
	body := scrape(t, fmt.Sprintf("http://%s/metrics", c.Addr("prom")))
	for _, want := range []string{
		`nginx_requests_total{http_status_class="2xx"`,
		`nginx_requests_total{http_status_class="4xx"`,
		`nginx_requests_total{http_status_class="5xx"`,
		`log_template_count_total{`,
		`anomaly_score{anomaly_metric="nginx.requests"`,
		`anomaly_expected{anomaly_metric="nginx.requests"`,
	} {
		assert.Contains(t, body, want)
	}
	cancel()
	wg.Wait()
	require.NoError(t, c.Stop())
	require.NoError(t, ngx.Stop(), "nginx stops on SIGTERM")
}

// nginxProc is an nginx master process running examples/nginx/nginx.conf in
// its own prefix folder.
type nginxProc struct {
	*e2e.Process
	dir    string // prefix folder: config, access.log, error.log
	base   string
	client *http.Client
}

func startNginx(t *testing.T, confPath string) *nginxProc {
	bin := e2e.LookPeer(t, "nginx")
	conf, err := os.ReadFile(confPath)
	require.NoError(t, err)
	require.Equal(t, 1, strings.Count(string(conf), "listen "+nginxExamplePort+";"),
		"%s listens on %s once", confPath, nginxExamplePort)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(e2e.FreePort(t)))
	dir := t.TempDir()
	conf = []byte(strings.Replace(string(conf), "listen "+nginxExamplePort+";", "listen "+addr+";", 1))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), conf, 0o600))
	t.Cleanup(func() {
		if t.Failed() {
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error.log:\n%s", errLog)
		}
	})

	// -e: nginx opens its error log before reading the config.
	proc := e2e.StartProcess(t, "nginx", bin, []string{"-p", dir, "-c", "nginx.conf", "-e", filepath.Join(dir, "error.log")},
		e2e.ProcessOptions{Dir: dir})
	p := &nginxProc{Process: proc, dir: dir, base: "http://" + addr,
		client: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	proc.WaitHTTP(p.base+"/healthz", "", 10*time.Second)
	return p
}

// get sends one request and drains the answer; errors are ignored (the
// collector counts what nginx logged, not what the client saw).
func (p *nginxProc) get(path string) {
	resp, err := p.client.Get(p.base + path)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
