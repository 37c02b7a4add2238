//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
)

// demoOverlay only moves the demo's endpoints: alerts to the test's webhook
// (with the demo's own group timers) and the health check to a free port.
const demoOverlay = `
exporters:
  alertwebhook:
    targets:
      - name: alertsink
        type: webhook
        endpoint: {{.}}
        group_wait: 5s
        group_interval: 30s
extensions:
  health_check:
    endpoint: 127.0.0.1:{{port "health"}}
`

// TestDemoLoop (issue 6) runs what `make run` runs, examples/demo/config.yaml
// in real time, and checks the promise made to a new user: the scripted
// checkout latency fault, three minutes in, is alerted within a minute of
// its start, naming checkout or a service that calls it, and the alert
// resolves within two minutes of the fault's end. It takes about five and a
// half minutes.
func TestDemoLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time demo: about 5.5 minutes")
	}
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	hook := newWebhook(t)
	hook.up.Store(true)
	dir := t.TempDir()
	overlay, ports := e2e.Render(t, dir, demoOverlay, nil, hook.srv.URL+"/")
	c := e2e.Start(t, "", e2e.Options{
		Dir: dir, Ports: ports, NoHealthWait: true, Env: []string{"DEMO_DIR=" + dir},
		Args: []string{"--config", filepath.Join(root, "examples", "demo", "config.yaml"), "--config", overlay},
	})
	c.WaitHealthy(60 * time.Second)

	var fault demoFault
	e2e.Eventually(t, microsim.DemoFaults()[0].Start+time.Minute, func() bool {
		fault = firstFault(t, filepath.Join(dir, "faults.jsonl"))
		return fault.ID != ""
	}, "the demo's first fault to start")
	require.Equal(t, "latency", fault.Type)
	require.Equal(t, "checkout", fault.Service)

	// checkout, or frontend, which calls it.
	var alert webhookAlert
	matches := func(a webhookAlert) bool {
		s := a.Labels["service"]
		return a.Labels["alertname"] == "AnomalyDetected" && (s == "checkout" || s == "frontend")
	}
	e2e.Eventually(t, time.Until(fault.Start.Add(time.Minute)), func() bool {
		for _, a := range hook.alerts() {
			if a.Status == "firing" && matches(a) {
				alert = a
				return true
			}
		}
		return false
	}, "an AnomalyDetected alert on checkout or frontend within a minute of the fault's start (%s)", fault.Start.Format(time.TimeOnly))
	t.Logf("alerted %s after the fault started: %v", time.Since(fault.Start).Round(time.Second), alert.Labels)

	e2e.Eventually(t, time.Until(fault.End.Add(2*time.Minute)), func() bool {
		for _, a := range hook.alerts() {
			if a.Status == "resolved" && a.Fingerprint == alert.Fingerprint {
				return true
			}
		}
		return false
	}, "the alert to resolve within two minutes of the fault's end (%s)", fault.End.Format(time.TimeOnly))
	t.Logf("resolved %s after the fault ended", time.Since(fault.End).Round(time.Second))
	assert.Greater(t, time.Since(fault.End), time.Duration(0), "not resolved before the fault ended")
}

// demoFault is a start event of the receiver's ground-truth file.
type demoFault struct {
	Event   string    `json:"event"`
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Service string    `json:"service"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// firstFault returns the first fault started in the ground-truth file, or a
// zero value while there is none.
func firstFault(t *testing.T, path string) demoFault {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return demoFault{}
	}
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev demoFault
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Event == "start" {
			return ev
		}
	}
	return demoFault{}
}
