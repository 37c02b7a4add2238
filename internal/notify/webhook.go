package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
)

// Webhook posts Alertmanager's webhook payload (version 4), so receivers
// written for Alertmanager work unchanged. One message per group; digests do
// not apply to this format.
type Webhook struct {
	URL string
	// Secret, when set, adds X-Alertwebhook-Timestamp and
	// X-Alertwebhook-Signature (see WebhookSign).
	Secret string
}

// WebhookMessage is payload version 4, field for field and in Alertmanager's
// order.
type WebhookMessage struct {
	Receiver          string            `json:"receiver"`
	Status            string            `json:"status"`
	Alerts            []WebhookAlert    `json:"alerts"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
}

// WebhookAlert is one alert of a version 4 payload.
type WebhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// NewWebhookMessage builds the version 4 payload for one notification.
func NewWebhookMessage(receiver, externalURL string, n *alerting.Notification) WebhookMessage {
	msg := WebhookMessage{
		Receiver:          receiver,
		Status:            n.Status(),
		Alerts:            make([]WebhookAlert, 0, len(n.Alerts)),
		GroupLabels:       n.GroupLabels.Map(),
		CommonLabels:      n.CommonLabels().Map(),
		CommonAnnotations: n.CommonAnnotations().Map(),
		ExternalURL:       externalURL,
		Version:           "4",
		GroupKey:          n.GroupKey,
		TruncatedAlerts:   n.Truncated,
	}
	for i := range n.Alerts {
		a := &n.Alerts[i]
		// Firing alerts carry the zero endsAt, as Alertmanager sends them.
		msg.Alerts = append(msg.Alerts, WebhookAlert{
			Status: a.Status(), Labels: a.Labels.Map(), Annotations: a.Annotations.Map(),
			StartsAt: a.StartsAt.UTC(), EndsAt: zeroOrUTC(a.ResolvedAt),
			GeneratorURL: a.GeneratorURL, Fingerprint: a.Fingerprint.String(),
		})
	}
	return msg
}

func zeroOrUTC(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// encodeJSON encodes like Alertmanager (json.Encoder: HTML-escaped, trailing
// newline).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Render implements Target.
func (w *Webhook) Render(m *Message) ([]byte, error) {
	if len(m.Notifications) != 1 {
		return nil, errors.New("webhook: exactly one group per message")
	}
	return encodeJSON(NewWebhookMessage(m.Receiver, m.ExternalURL, &m.Notifications[0]))
}

// Prepare implements Target.
func (w *Webhook) Prepare(body []byte, now time.Time) (*Request, error) {
	h := http.Header{}
	if w.Secret != "" {
		ts := now.Unix()
		h.Set("X-Alertwebhook-Timestamp", strconv.FormatInt(ts, 10))
		h.Set("X-Alertwebhook-Signature", WebhookSign(w.Secret, ts, body))
	}
	return &Request{URL: w.URL, Header: h, Body: body}, nil
}

// Check implements Target: any 2xx is success.
func (w *Webhook) Check([]byte) error { return nil }
