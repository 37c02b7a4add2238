//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// peerProgram is a monitoring program from Debian that a test runs beside the
// collector: node_exporter, Prometheus, VictoriaMetrics.
type peerProgram struct {
	// Program is the executable, from a Debian package .ci/run installs.
	Program string
	// Args builds the command line for a listen address (127.0.0.1:PORT) and
	// a scratch folder of the test's own.
	Args func(addr, dir string) []string
	// ReadyPath is polled until it answers 200 with ReadyBody in the body.
	ReadyPath, ReadyBody string
}

// peer is one running peer program, stopped when the test ends.
type peer struct {
	*e2e.Process
	Addr string // 127.0.0.1:PORT
	Dir  string // its scratch folder
}

// startPeer starts p on a free loopback port and waits (up to 15 s) until it
// is ready. A missing program fails the test under CI (which installs every
// peer) and skips it elsewhere; one that exits early fails it with its log.
func startPeer(t *testing.T, p peerProgram) *peer {
	t.Helper()
	bin := e2e.LookPeer(t, p.Program)
	pr := &peer{Addr: fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t)), Dir: t.TempDir()}
	pr.Process = e2e.StartProcess(t, p.Program, bin, p.Args(pr.Addr, pr.Dir), e2e.ProcessOptions{Dir: pr.Dir})
	pr.WaitHTTP("http://"+pr.Addr+p.ReadyPath, p.ReadyBody, 15*time.Second)
	return pr
}

// peerGet returns the status code and body of url, 0 on a transport error.
func peerGet(u string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, string(b)
}

// promQuery runs an instant PromQL query against the Prometheus-compatible
// HTTP API at base (Prometheus or VictoriaMetrics) and returns the vector.
func promQuery(t *testing.T, base, query string) []promSample {
	t.Helper()
	code, body := peerGet(base + "/api/v1/query?query=" + url.QueryEscape(query))
	if code != http.StatusOK {
		t.Logf("query %q: HTTP %d: %.300s", query, code, body)
		return nil
	}
	return decodeVector(t, body)
}

// startPeerExample runs a shipped example config unchanged: its addresses come
// from environment variables (env), test-only settings from yaml: overrides.
// The example must read HEALTH_ENDPOINT for its health_check.
// Internal telemetry is turned off.
func startPeerExample(t *testing.T, example string, env map[string]string, overrides ...string) *e2e.Collector {
	t.Helper()
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	health := e2e.FreePort(t)
	vars := []string{fmt.Sprintf("HEALTH_ENDPOINT=127.0.0.1:%d", health)}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	args := []string{"--config", "file:" + filepath.Join(root, "examples", example, "config.yaml"),
		// The collector's own metrics would bind :8888, which parallel tests share.
		"--config", "yaml:service::telemetry::metrics::level: none"}
	for _, o := range overrides {
		args = append(args, "--config", "yaml:"+o)
	}
	return e2e.Start(t, "", e2e.Options{Env: vars, Args: args, Ports: map[string]int{"health": health}})
}

// peerSinkOverrides add an otlp_http exporter to the sink at endpoint to the
// example's metrics pipeline, next to its own exporters.
func peerSinkOverrides(endpoint string, exporters ...string) []string {
	return []string{
		"exporters::otlp_http/sink::endpoint: " + endpoint,
		"exporters::otlp_http/sink::compression: none",
		"service::pipelines::metrics::exporters: [" + strings.Join(append(exporters, "otlp_http/sink"), ", ") + "]",
	}
}

// promSample is one element of an instant-query vector.
type promSample struct {
	Labels map[string]string
	Value  float64
}

// decodeVector parses the Prometheus HTTP API's vector result.
func decodeVector(t *testing.T, body string) []promSample {
	t.Helper()
	var r struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("decode query result: %v: %.300s", err, body)
	}
	if r.Status != "success" || r.Data.ResultType != "vector" {
		t.Fatalf("query result is not a successful vector: %.300s", body)
	}
	out := make([]promSample, 0, len(r.Data.Result))
	for _, s := range r.Data.Result {
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			t.Fatalf("sample value %v: %v", s.Value[1], err)
		}
		out = append(out, promSample{Labels: s.Metric, Value: v})
	}
	return out
}
