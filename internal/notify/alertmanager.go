package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"errors"
	"strings"
	"time"
)

// Alertmanager posts to Alertmanager's API v2 (POST /api/v2/alerts). It sends
// whole alerts every time (annotations and generatorURL are replaced by the
// latest post), firing ones with endsAt = Message.ValidUntil and resolved
// ones with their resolution time.
type Alertmanager struct {
	// URL is the Alertmanager base URL (http://host:9093); the API path is
	// appended unless already present.
	URL string
}

// PostableAlert is Alertmanager's API v2 postableAlert.
type PostableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations,omitempty"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// Render implements Target.
func (a *Alertmanager) Render(m *Message) ([]byte, error) {
	if len(m.Alerts) == 0 {
		return nil, errors.New("alertmanager: no alerts")
	}
	out := make([]PostableAlert, 0, len(m.Alerts))
	for i := range m.Alerts {
		al := &m.Alerts[i]
		ends := al.ResolvedAt
		if ends.IsZero() {
			ends = m.ValidUntil
		}
		if ends.Before(al.StartsAt) {
			ends = al.StartsAt // Alertmanager rejects endsAt < startsAt
		}
		out = append(out, PostableAlert{
			Labels: al.Labels.Map(), Annotations: al.Annotations.Map(),
			StartsAt: al.StartsAt.UTC(), EndsAt: ends.UTC(), GeneratorURL: al.GeneratorURL,
		})
	}
	return encodeJSON(out)
}

// Prepare implements Target.
func (a *Alertmanager) Prepare(body []byte, _ time.Time) (*Request, error) {
	u := strings.TrimRight(a.URL, "/")
	if !strings.HasSuffix(u, "/api/v2/alerts") {
		u += "/api/v2/alerts"
	}
	return &Request{URL: u, Body: body}, nil
}

// Check implements Target: Alertmanager answers 200 with an empty body.
func (a *Alertmanager) Check([]byte) error { return nil }
