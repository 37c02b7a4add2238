//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// grafanaNotOurs are series a dashboard may show that the distribution does
// not export: Prometheus's own (rule state and scrape health).
var grafanaNotOurs = map[string]bool{"ALERTS": true, "ALERTS_FOR_STATE": true, "up": true}

// TestGrafanaDashboardsUseExportedMetrics: every metric name a dashboard
// under examples/grafana queries is one the distribution really exports,
// either through the prometheus exporter (examples/nginx/config.yaml: anomaly
// companions with bands, count connector metrics) or as the collector's own
// telemetry (component metrics of anomaly, logcluster, alertwebhook).
func TestGrafanaDashboardsUseExportedMetrics(t *testing.T) {
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	referenced := grafanaReferencedMetrics(t, filepath.Join(root, "examples", "grafana"))
	require.NotEmpty(t, referenced)

	// The webhook refuses the first notification so that the failure counter
	// exists too, then accepts.
	var attempts atomic.Int64
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hook := &httptest.Server{Listener: l, Config: &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if attempts.Add(1) == 1 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
		}
	})}}
	hook.Start()
	defer hook.Close()

	dir := t.TempDir()
	ports := map[string]int{"health": e2e.FreePort(t), "prom": e2e.FreePort(t), "otlp": e2e.FreePort(t), "telemetry": e2e.FreePort(t)}
	// OTLP logs join the nginx example's log pipeline in place of a real
	// access log, and the collector's own telemetry is served for Prometheus.
	overlay := fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
exporters:
  alertwebhook:
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 200ms
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
  pipelines:
    logs:
      receivers: [file_log/nginx, otlp]
`, ports["otlp"], ports["telemetry"])
	overlayPath := filepath.Join(dir, "overlay.yaml")
	require.NoError(t, os.WriteFile(overlayPath, []byte(overlay), 0o600))
	c := e2e.Start(t, "", e2e.Options{
		Dir:   dir,
		Ports: ports,
		Args: []string{
			"--config", filepath.Join(root, "examples", "nginx", "config.yaml"),
			"--config", overlayPath,
		},
		Env: []string{
			"NGINX_ACCESS_LOG=" + filepath.Join(dir, "no-access.log"),
			"NGINX_WINDOW=500ms",
			"ANOMALY_WARM_UP=10",
			"ALERT_WEBHOOK_URL=" + hook.URL,
			"ALERT_GROUP_WAIT=0s",
			"ALERT_GROUP_INTERVAL=1s",
			"PROMETHEUS_ENDPOINT=127.0.0.1:" + strconv.Itoa(ports["prom"]),
			"HEALTH_CHECK_ENDPOINT=127.0.0.1:" + strconv.Itoa(ports["health"]),
			"OTELCOL_STORAGE_DIR=" + filepath.Join(dir, "storage"),
		},
	})

	exported := map[string]bool{}
	missing := func() []string {
		for _, url := range []string{
			fmt.Sprintf("http://%s/metrics", c.Addr("prom")),
			fmt.Sprintf("http://%s/metrics", c.Addr("telemetry")),
		} {
			for name := range prometheusMetricNames(scrape(t, url)) {
				exported[name] = true
			}
		}
		var out []string
		for name := range referenced {
			if !exported[name] {
				out = append(out, name)
			}
		}
		sort.Strings(out)
		return out
	}
	// Access-log-like records, as file_log's parser leaves them, in windows
	// of 500 ms until every referenced name has appeared (bounded: 40 rounds).
	for round := 0; round < 40 && len(missing()) > 0; round++ {
		e2e.SendLogs(t, c.Addr("otlp"), grafanaAccessLogs(round))
		time.Sleep(300 * time.Millisecond)
	}
	assert.Empty(t, missing(), "metrics the dashboards query that the distribution does not export")
	t.Logf("%d metric names referenced by the dashboards: %v", len(referenced), sortedKeys(referenced))
}

// grafanaAccessLogs is one round of records shaped like the nginx example's
// file_log output: 2xx, 4xx and, from round 1, 5xx requests.
func grafanaAccessLogs(round int) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	add := func(method, path, status string, sev plog.SeverityNumber) {
		lr := lrs.AppendEmpty()
		lr.SetSeverityNumber(sev)
		lr.Body().SetStr("raw access log line")
		a := lr.Attributes()
		a.PutStr("request", method+" "+path+" HTTP/1.1")
		a.PutStr("http.request.method", method)
		a.PutStr("url.path", path)
		a.PutStr("http.response.status_code", status)
		a.PutStr("http.response.body.size", "6")
	}
	for i := 0; i < 10; i++ {
		add("GET", fmt.Sprintf("/api/items/%d", i), "200", plog.SeverityNumberInfo)
	}
	add("GET", "/static/app.css", "404", plog.SeverityNumberWarn)
	if round > 0 {
		add("POST", "/error/db", "500", plog.SeverityNumberError)
	}
	return ld
}

// grafanaReferencedMetrics parses every dashboard and returns the metric
// names its panel and variable queries select.
func grafanaReferencedMetrics(t *testing.T, dir string) map[string]bool {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no dashboards in %s", dir)
	out := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var d grafanaDashboard
		require.NoError(t, json.Unmarshal(data, &d), f)
		require.NotEmpty(t, d.UID, "%s: uid", f)
		require.NotEmpty(t, d.Title, "%s: title", f)
		require.True(t, d.hasPrometheusInput(), "%s: a DS_PROMETHEUS datasource input", f)
		var exprs []string
		for _, p := range d.allPanels() {
			if p.Type == "row" {
				continue
			}
			require.NotEmpty(t, p.Targets, "%s: panel %q has no query", f, p.Title)
			for _, tg := range p.Targets {
				require.Equal(t, "${DS_PROMETHEUS}", tg.Datasource.UID, "%s: panel %q uses the imported datasource", f, p.Title)
				exprs = append(exprs, tg.Expr)
			}
		}
		for _, v := range d.Templating.List {
			if v.Type == "query" {
				exprs = append(exprs, grafanaVariableQuery(v.Query))
			}
		}
		for _, e := range exprs {
			names := promqlMetricNames(e)
			require.NotEmpty(t, names, "%s: no metric in %q", f, e)
			for _, n := range names {
				if !grafanaNotOurs[n] {
					out[n] = true
				}
			}
		}
	}
	return out
}

type grafanaPanel struct {
	Type    string         `json:"type"`
	Title   string         `json:"title"`
	Panels  []grafanaPanel `json:"panels"`
	Targets []struct {
		Expr       string `json:"expr"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	} `json:"targets"`
}

type grafanaDashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Inputs []struct {
		Name     string `json:"name"`
		PluginID string `json:"pluginId"`
	} `json:"__inputs"`
	Panels     []grafanaPanel `json:"panels"`
	Templating struct {
		List []struct {
			Type  string          `json:"type"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func (d grafanaDashboard) hasPrometheusInput() bool {
	for _, in := range d.Inputs {
		if in.Name == "DS_PROMETHEUS" && in.PluginID == "prometheus" {
			return true
		}
	}
	return false
}

// allPanels flattens collapsed rows, which nest their panels.
func (d grafanaDashboard) allPanels() []grafanaPanel {
	var out []grafanaPanel
	var walk func([]grafanaPanel)
	walk = func(ps []grafanaPanel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

var (
	labelValuesOfExpr = regexp.MustCompile(`^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)
	labelValuesAll    = regexp.MustCompile(`^\s*label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$`)
)

// grafanaVariableQuery returns the PromQL inside a Prometheus variable query
// (a string, or an object with "query"): label_values(expr, label) and
// query_result(expr) hold one.
func grafanaVariableQuery(raw json.RawMessage) string {
	var q string
	if json.Unmarshal(raw, &q) != nil {
		var obj struct {
			Query string `json:"query"`
		}
		_ = json.Unmarshal(raw, &obj)
		q = obj.Query
	}
	if labelValuesAll.MatchString(q) {
		return "" // label_values(label): no metric
	}
	if m := labelValuesOfExpr.FindStringSubmatch(q); m != nil {
		return m[1]
	}
	if s := strings.TrimSpace(q); strings.HasPrefix(s, "query_result(") && strings.HasSuffix(s, ")") {
		return s[len("query_result(") : len(s)-1]
	}
	return q
}

// promqlKeywords are identifiers that are never metric names outside a call.
var promqlKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"offset": true, "bool": true, "and": true, "or": true, "unless": true, "atan2": true,
	"inf": true, "nan": true, "start": true, "end": true,
}

// promqlAggregations may be followed by a by/without clause before "(".
var promqlAggregations = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
}

// promqlMetricNames returns the metric names an expression selects: bare
// identifiers that are not calls, keywords or label lists, and __name__
// matchers. Strings, label matchers, ranges and Grafana variables ($x) are
// skipped.
func promqlMetricNames(expr string) []string {
	var names []string
	s := expr
	isIdent := func(c byte, first bool) bool {
		return c == '_' || c == ':' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || (!first && c >= '0' && c <= '9')
	}
	skipSpace := func(i int) int {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++
		}
		return i
	}
	skipString := func(i int) int { // s[i] is the opening quote
		q := s[i]
		for i++; i < len(s) && s[i] != q; i++ {
			if s[i] == '\\' && q != '`' {
				i++
			}
		}
		return i + 1
	}
	closing := func(i int, open, close byte) int { // s[i] == open; returns after its match
		depth := 0
		for i < len(s) {
			switch s[i] {
			case '"', '\'', '`':
				i = skipString(i)
				continue
			case open:
				depth++
			case close:
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	nameMatcher := regexp.MustCompile(`__name__\s*=\s*"([^"]+)"`)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = skipString(i)
		case c == '{':
			end := closing(i, '{', '}')
			if m := nameMatcher.FindStringSubmatch(s[i:end]); m != nil {
				names = append(names, m[1])
			}
			i = end
		case c == '[':
			i = closing(i, '[', ']')
		case c == '$':
			i++
			if i < len(s) && s[i] == '{' {
				i = closing(i, '{', '}')
				continue
			}
			for i < len(s) && isIdent(s[i], false) {
				i++
			}
		case c >= '0' && c <= '9' || c == '.':
			for i < len(s) && (isIdent(s[i], false) || s[i] == '.') {
				i++
			}
		case isIdent(c, true):
			j := i
			for j < len(s) && isIdent(s[j], false) {
				j++
			}
			word := s[i:j]
			next := skipSpace(j)
			switch {
			case next < len(s) && s[next] == '(' && !promqlLabelListKeyword(word):
				// a function or aggregation call
			case promqlLabelListKeyword(word):
				if next < len(s) && s[next] == '(' {
					next = closing(next, '(', ')')
				}
				j = next
			case promqlKeywords[strings.ToLower(word)]:
			case promqlAggregations[word] && next < len(s) && isIdent(s[next], true):
				// "sum by (...)" / "sum without (...)"
			default:
				names = append(names, word)
			}
			i = j
		default:
			i++
		}
	}
	return names
}

func promqlLabelListKeyword(w string) bool {
	switch w {
	case "by", "without", "on", "ignoring", "group_left", "group_right":
		return true
	}
	return false
}

// prometheusMetricNames returns the metric names of samples in a Prometheus
// text exposition.
func prometheusMetricNames(body string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		end := strings.IndexAny(line, "{ ")
		if end > 0 {
			out[line[:end]] = true
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestGrafanaPromQLNames checks the metric-name extraction the dashboard
// test relies on.
func TestGrafanaPromQLNames(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`anomaly_score{job=~"$job", anomaly_metric="a.b"}`, []string{"anomaly_score"}},
		{`sum by (job, anomaly_metric) (rate(nginx_requests_total{x="by (y)"}[$__rate_interval])) / sum(up)`, []string{"nginx_requests_total", "up"}},
		{`count(anomaly_active == 1) or vector(0)`, []string{"anomaly_active"}},
		{`topk(10, sum without (instance) (a:b_c offset 5m)) > bool on (job) group_left (x) other_metric`, []string{"a:b_c", "other_metric"}},
		{`{__name__="by_name", job="x"} and max_over_time(m2[5m:1m])`, []string{"by_name", "m2"}},
		{`histogram_quantile(0.9, sum by (le) (rate(h_bucket[${__rate_interval}])))`, []string{"h_bucket"}},
		{`1e3 * inf`, nil},
	} {
		assert.Equal(t, tc.want, promqlMetricNames(tc.expr), tc.expr)
	}
	assert.Equal(t, `anomaly_score{job=~"$job"}`, grafanaVariableQuery(json.RawMessage(`{"query":"label_values(anomaly_score{job=~\"$job\"}, anomaly_metric)"}`)))
	assert.Equal(t, ``, grafanaVariableQuery(json.RawMessage(`"label_values(job)"`)))
}
