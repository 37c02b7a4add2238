//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// webhook is an Alertmanager-webhook-v4 receiver that can be switched
// between failing (503) and accepting.
type webhook struct {
	srv      *httptest.Server
	up       atomic.Bool
	attempts atomic.Int64
	mu       sync.Mutex
	got      []webhookMessage
}

type webhookMessage struct {
	Version string         `json:"version"`
	Status  string         `json:"status"`
	Alerts  []webhookAlert `json:"alerts"`
}

// webhookAlert is one alert of a webhook message.
type webhookAlert = struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Fingerprint string            `json:"fingerprint"`
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	w.srv = &httptest.Server{Listener: l, Config: &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.attempts.Add(1)
		body, _ := io.ReadAll(r.Body)
		if !w.up.Load() {
			http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var m webhookMessage
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.mu.Lock()
		w.got = append(w.got, m)
		w.mu.Unlock()
	})}}
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	return w
}

func (w *webhook) messages() []webhookMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]webhookMessage(nil), w.got...)
}

func (w *webhook) statuses() (firing, resolved int) {
	for _, m := range w.messages() {
		for _, a := range m.Alerts {
			switch a.Status {
			case "firing":
				firing++
			case "resolved":
				resolved++
			}
		}
	}
	return firing, resolved
}

// alerts returns every alert of every message received, in order.
func (w *webhook) alerts() []webhookAlert {
	var out []webhookAlert
	for _, m := range w.messages() {
		out = append(out, m.Alerts...)
	}
	return out
}

// firing returns the firing alerts named alertname whose label key is value.
func (w *webhook) firing(alertname, key, value string) []webhookAlert {
	var out []webhookAlert
	for _, a := range w.alerts() {
		if a.Status == "firing" && a.Labels["alertname"] == alertname && a.Labels[key] == value {
			out = append(out, a)
		}
	}
	return out
}
