package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/faulteval"
)

func TestE2EOverlayScalesTimers(t *testing.T) {
	o := e2eOptions{duration: 6 * time.Hour, speed: 60, seed: 7, config: "demo.yaml"}
	y := e2eOverlay(o, "/tmp/x/faults.jsonl", "http://127.0.0.1:1234/", 4321)
	for _, want := range []string{
		"seed: 7", "speed: 60", "start_time: 2026-01-05T00:00:00Z", "duration: 6h0m0s", "warmup: 15m0s",
		"metrics_flush_interval: 83ms", // 5 s simulated
		"evaluation_interval: 17ms",    // 1 s simulated
		"anomaly_keep_firing_for: 1s",  // 1 min simulated
		"group_interval: 500ms",        // 30 s simulated
		"tick: 100ms", "timeout: 83ms", // batch/templates: 5 s simulated
		"learning_period: 14s", "warm_up: 84", // 14 of the schedule's 15 fault-free minutes, 10 s host metrics
		"within: 1s", // new_pattern: 1 min simulated
		`endpoint: "http://127.0.0.1:1234/"`, "endpoint: 127.0.0.1:4321", "level: none",
	} {
		assert.Contains(t, y, want)
	}
	// At 360x the floors apply.
	o.speed = 360
	y = e2eOverlay(o, "f", "u", 1)
	assert.Contains(t, y, "metrics_flush_interval: 20ms")
	assert.Contains(t, y, "evaluation_interval: 10ms")
}

// Faults the run cuts off are not scored, and the alerts that point at them
// are left out; other alerts stay, whatever they match.
func TestE2EScoreableCutsOffLastFaults(t *testing.T) {
	t0 := e2eStartTime
	end := t0.Add(6 * time.Hour)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	faults := []faulteval.Fault{
		{ID: "whole", Type: "latency", Service: "cart", Start: at(100), End: at(105)},
		{ID: "cut", Type: "memory_leak", Service: "cache", Start: at(355), End: at(361)},
		{ID: "late", Type: "errors", Service: "payment", Start: at(359), End: at(359).Add(30 * time.Second)},
	}
	alerts := []faulteval.Alert{
		{ID: "a1", Labels: map[string]string{"service": "cart"}, FiredAt: at(101)},
		{ID: "a2", Labels: map[string]string{"service": "cache"}, FiredAt: at(358)},
		{ID: "a3", Labels: map[string]string{"service": "shipping"}, FiredAt: at(358)},
	}
	scored, skipped, kept, leftOut := scoreable(faults, alerts, end, e2eOptions{grace: 2 * time.Minute})
	require.Len(t, scored, 1)
	assert.Equal(t, "whole", scored[0].ID)
	assert.Len(t, skipped, 2)
	assert.Equal(t, 1, leftOut, "the alert on the cut-off leak")
	require.Len(t, kept, 2)
	assert.Equal(t, "a1", kept[0].ID)
	assert.Equal(t, "a3", kept[1].ID, "an alert on an unrelated service still counts")
}

func TestE2EReadClockAndGroundTruth(t *testing.T) {
	dir := t.TempDir()
	log := strings.Join([]string{
		`not json`,
		`{"level":"info","ts":"2026-11-23T22:00:00.000Z","msg":"Everything is ready."}`,
		`{"level":"info","ts":"2026-11-23T22:00:01.000Z","msg":"microsim started","speed":60,"simulated_start":"2026-01-05T00:00:00.000Z"}`,
		// Reached 15 min after 20 s (nominal: 20 min): 5 min behind.
		`{"level":"info","ts":"2026-11-23T22:00:21.000Z","msg":"microsim fault start","start":"2026-01-05T00:15:00.000Z","end":"2026-01-05T00:18:00.000Z"}`,
		`{"level":"info","ts":"2026-11-23T22:00:31.000Z","msg":"microsim reached its duration; no more data","duration":1800}`,
	}, "\n")
	logPath := filepath.Join(dir, "collector.log")
	require.NoError(t, os.WriteFile(logPath, []byte(log), 0o600))
	clock, simEnd, err := readClock(logPath, e2eOptions{duration: 30 * time.Minute, speed: 60}, true)
	require.NoError(t, err)
	assert.Equal(t, e2eStartTime.Add(30*time.Minute), simEnd)
	assert.Equal(t, 5*time.Minute, clock.MaxLag())
	wall := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	assert.Equal(t, e2eStartTime.Add(15*time.Minute), clock.Sim(wall("2026-11-23T22:00:21Z")))
	assert.Equal(t, e2eStartTime.Add(30*time.Minute), clock.Sim(wall("2026-11-23T22:05:00Z")), "frozen at the end")

	_, _, err = readClock(filepath.Join(dir, "missing"), e2eOptions{speed: 1}, true)
	assert.Error(t, err)
	require.NoError(t, os.WriteFile(logPath, []byte(`{"msg":"hello"}`), 0o600))
	_, _, err = readClock(logPath, e2eOptions{speed: 1}, true)
	assert.ErrorContains(t, err, "microsim started")

	truth := `{"event":"start","time":"2026-01-05T00:40:00Z","id":"r002-cpu-cart","type":"cpu","service":"cart","start":"2026-01-05T00:40:00Z","end":"2026-01-05T00:45:00Z","magnitude":0.4}
{"event":"start","time":"2026-01-05T00:15:00Z","id":"r001-latency-payment","type":"latency","service":"payment","start":"2026-01-05T00:15:00Z","end":"2026-01-05T00:18:00Z","magnitude":5}
{"event":"end","time":"2026-01-05T00:18:00Z","id":"r001-latency-payment","type":"latency","service":"payment","start":"2026-01-05T00:15:00Z","end":"2026-01-05T00:18:00Z","magnitude":5}
`
	truthPath := filepath.Join(dir, "faults.jsonl")
	require.NoError(t, os.WriteFile(truthPath, []byte(truth), 0o600))
	faults, err := readGroundTruth(truthPath)
	require.NoError(t, err)
	require.Len(t, faults, 2)
	assert.Equal(t, "r001-latency-payment", faults[0].ID)
	assert.Equal(t, "latency", faults[0].Type)
	assert.Equal(t, e2eStartTime.Add(18*time.Minute), faults[0].End)
	require.NoError(t, os.WriteFile(truthPath, []byte("{broken\n"), 0o600))
	_, err = readGroundTruth(truthPath)
	assert.ErrorContains(t, err, "line 1")
}

func TestE2EAlertSinkEpisodes(t *testing.T) {
	s, err := startAlertSink()
	require.NoError(t, err)
	defer s.close()
	now := time.Now().UTC()
	post := func(body string) int {
		resp, err := http.Post(s.url, "application/json", bytes.NewBufferString(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	msg := func(status, fp string, startsAt time.Time) string {
		return `{"version":"4","status":"` + status + `","alerts":[{"status":"` + status + `","labels":{"alertname":"A","service":"cart"},` +
			`"startsAt":"` + startsAt.Format(time.RFC3339Nano) + `","endsAt":"0001-01-01T00:00:00Z","fingerprint":"` + fp + `"}]}`
	}
	first := now.Add(-2 * time.Second)
	assert.Equal(t, http.StatusOK, post(msg("firing", "aa", first)))
	assert.Equal(t, http.StatusOK, post("{\n  "+msg("firing", "aa", first)[1:])) // re-notified, indented: same episode
	assert.Equal(t, http.StatusOK, post(msg("resolved", "aa", first)))           // its resolution: same episode
	assert.Equal(t, http.StatusOK, post(msg("firing", "aa", now)))               // fires again: a new episode
	assert.Equal(t, http.StatusOK, post(msg("firing", "bb", now.Add(time.Hour))))
	assert.Equal(t, http.StatusBadRequest, post("{"))
	assert.Equal(t, 1, s.rejected())

	wallStart := now.Add(-10 * time.Second)
	clock := newTestClock(wallStart)
	alerts, bad, late := s.episodes(clock)
	require.Len(t, alerts, 3)
	assert.Equal(t, 1, bad, "a startsAt after the receipt is implausible")
	assert.Zero(t, late)
	assert.Equal(t, e2eStartTime.Add(8*time.Minute), alerts[0].FiredAt, "8 s of wall time at 60x")
	assert.Equal(t, "cart", alerts[0].Labels["service"])

	// Once the simulation has stopped, new alerts answer its traffic
	// ending: not scored.
	clock.End(now.Add(-time.Second), e2eStartTime.Add(9*time.Minute))
	alerts, _, late = s.episodes(clock)
	assert.Len(t, alerts, 1, "only the episode that started before the end")
	assert.Equal(t, 2, late)

	out := filepath.Join(t.TempDir(), "alerts.jsonl")
	require.NoError(t, s.save(out))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	assert.Len(t, lines, 5, "every accepted payload kept")
	for _, l := range lines {
		assert.True(t, json.Valid([]byte(l)), "one JSON payload per line: %s", l)
	}
}

func newTestClock(wallStart time.Time) *faulteval.Clock {
	return faulteval.NewClock(wallStart, e2eStartTime, 60)
}
