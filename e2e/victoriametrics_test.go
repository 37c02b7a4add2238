//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// victoriaMetrics runs single-node VictoriaMetrics on loopback with its data
// in the test's folder. -search.latencyOffset=1s makes just-written samples
// queryable at once instead of after the default 30 s.
var victoriaMetrics = peerProgram{
	Program: "victoria-metrics",
	Args: func(addr, dir string) []string {
		return []string{
			"-httpListenAddr=" + addr,
			"-storageDataPath=" + filepath.Join(dir, "data"),
			"-retentionPeriod=1d",
			"-search.latencyOffset=1s",
			"-search.disableCache",
		}
	},
	ReadyPath: "/health",
	ReadyBody: "OK",
}

// vmExport returns the samples VictoriaMetrics holds for the series selector
// (its /api/v1/export JSON lines), in time order, per series.
func vmExport(t *testing.T, base, selector string) []vmSeries {
	t.Helper()
	code, body := peerGet(base + "/api/v1/export?match[]=" + url.QueryEscape(selector))
	if code != 200 {
		t.Logf("export %s: HTTP %d: %.300s", selector, code, body)
		return nil
	}
	var out []vmSeries
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var s vmSeries
		require.NoError(t, json.Unmarshal(sc.Bytes(), &s), "export line %.200s", sc.Text())
		out = append(out, s)
	}
	return out
}

type vmSeries struct {
	Metric     map[string]string `json:"metric"`
	Values     []float64         `json:"values"`
	Timestamps []int64           `json:"timestamps"`
}

// TestVictoriaMetricsRemoteWrite: the shipped victoriametrics example
// remote-writes a service's latency and its anomaly companions into a real
// VictoriaMetrics; its query API returns anomaly_score and the band with the
// source's labels, and its export API the whole history at the original
// timestamps: scores of zero during warm-up, and a decision written on the
// series' first point (0) and as 1 after a 10x step, not in between.
func TestVictoriaMetricsRemoteWrite(t *testing.T) {
	vm := startPeer(t, victoriaMetrics)
	base := "http://" + vm.Addr
	otlpAddr := fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t))
	startPeerExample(t, "victoriametrics",
		map[string]string{
			"OTLP_GRPC_ENDPOINT": fmt.Sprintf("127.0.0.1:%d", e2e.FreePort(t)),
			"OTLP_HTTP_ENDPOINT": otlpAddr,
			"VM_WRITE_URL":       base + "/api/v1/write",
		},
		"processors::batch::timeout: 100ms",
	)

	rng := rand.New(rand.NewPCG(5, 6))
	const normal, step = 300, 3
	start := time.Now().Add(-time.Duration(normal+step) * time.Minute).Truncate(time.Second)
	for i := 0; i < normal+step; i++ {
		level := 0.120
		if i >= normal {
			level = 1.2
		}
		v := level * (1 + 0.1*math.Sin(float64(i)/30) + 0.05*rng.NormFloat64())
		e2e.SendMetrics(t, otlpAddr, latencyBatch(start.Add(time.Duration(i)*time.Minute), v))
	}

	// Every point's score arrives, each at its source's timestamp; the
	// decision on the series' first point and then only while anomalous.
	sel := `{anomaly_metric="http.server.latency",job="checkout"}`
	var active, scores []vmSeries
	e2e.Eventually(t, 30*time.Second, func() bool {
		peerGet(base + "/internal/force_flush")
		scores = vmExport(t, base, "anomaly_score"+sel)
		active = vmExport(t, base, "anomaly_active"+sel)
		return len(scores) == 1 && len(scores[0].Values) == normal+step &&
			len(active) == 1 && active[0].Values[len(active[0].Values)-1] == 1
	}, "%d anomaly_score samples and anomaly_active 1 in VictoriaMetrics", normal+step)
	a := active[0]
	assert.Equal(t, "/api/checkout", a.Metric["http_route"], "the source point's attribute as a label")
	assert.Equal(t, start.UnixMilli(), a.Timestamps[0], "samples keep the source timestamps")
	assert.Equal(t, 0.0, a.Values[0], "the series' first point tells its decision: normal")
	for i, ts := range a.Timestamps[1:] {
		assert.GreaterOrEqual(t, ts, start.Add(normal/2*time.Minute).UnixMilli(), "decision sample %d: nothing written for warm-up and normal latency", i+1)
	}
	assert.Equal(t, start.UnixMilli(), scores[0].Timestamps[0], "scores keep the source timestamps")
	for i, v := range scores[0].Values[:100] {
		require.Zero(t, v, "score %d is in the 100-point warm-up", i)
	}
	assert.GreaterOrEqual(t, vmMax(scores[0].Values[normal:]), 0.45, "the step's score reaches the threshold")

	// The query API answers PromQL on the same series.
	score := promQuery(t, base, "max_over_time(anomaly_score"+sel+"[10m])")
	require.Len(t, score, 1)
	assert.GreaterOrEqual(t, score[0].Value, 0.45)
	expected := promQuery(t, base, "anomaly_expected"+sel)
	lower := promQuery(t, base, "anomaly_lower"+sel)
	upper := promQuery(t, base, "anomaly_upper"+sel)
	require.Len(t, expected, 1)
	require.Len(t, lower, 1)
	require.Len(t, upper, 1)
	assert.Less(t, lower[0].Value, expected[0].Value)
	assert.Less(t, expected[0].Value, upper[0].Value)
	assert.Len(t, promQuery(t, base, `http_server_latency{job="checkout"}`), 1, "the source series is written too")
	t.Logf("VictoriaMetrics: %d samples per series; step score %.3f; expected %.3f in [%.3f, %.3f]",
		len(scores[0].Values), score[0].Value, expected[0].Value, lower[0].Value, upper[0].Value)
}

func vmMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
