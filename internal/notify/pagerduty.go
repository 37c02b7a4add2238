package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
)

// PagerDuty sends Events API v2 events: trigger while any alert of the group
// fires, resolve once all resolved. dedup_key is sha256 of the group key, as
// Alertmanager's PagerDuty integration computes it, so incidents opened by
// either deduplicate against each other. The routing key is spliced in at
// send time so it never sits in the queue.
type PagerDuty struct {
	// URL defaults to https://events.pagerduty.com/v2/enqueue.
	URL        string
	RoutingKey string
	// Source names the monitored system (default "otelcol-aiops").
	Source    string
	Templates Templates
}

// DefaultPagerDutyURL is the Events API v2 endpoint.
const DefaultPagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

var (
	pagerDutyTitle = mustParse("pagerduty.title", DefaultTitle)
	pagerDutyText  = mustParse("pagerduty.text", DefaultMarkdown)
)

type pagerDutyEvent struct {
	EventAction string            `json:"event_action"`
	DedupKey    string            `json:"dedup_key"`
	Payload     *pagerDutyPayload `json:"payload,omitempty"`
	Client      string            `json:"client,omitempty"`
	ClientURL   string            `json:"client_url,omitempty"`
}

type pagerDutyPayload struct {
	Summary       string         `json:"summary"`
	Source        string         `json:"source"`
	Severity      string         `json:"severity"`
	Timestamp     string         `json:"timestamp,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// PagerDutyDedupKey is sha256(groupKey) in hex.
func PagerDutyDedupKey(groupKey string) string {
	s := sha256.Sum256([]byte(groupKey))
	return hex.EncodeToString(s[:])
}

// pagerDutySeverity maps our severity label onto PagerDuty's four levels.
func pagerDutySeverity(s string) string {
	switch s {
	case "critical", "error", "warning", "info":
		return s
	case "page", "fatal", "emergency":
		return "critical"
	case "minor", "warn":
		return "warning"
	case "":
		return "error"
	}
	return "error"
}

// Render implements Target.
func (p *PagerDuty) Render(m *Message) ([]byte, error) {
	if len(m.Notifications) != 1 {
		return nil, errors.New("pagerduty: exactly one group per message")
	}
	n := &m.Notifications[0]
	one := &Message{Receiver: m.Receiver, ExternalURL: m.ExternalURL, Notifications: m.Notifications}
	r, err := renderText(one, p.Templates, pagerDutyTitle, pagerDutyText, "\n")
	if err != nil {
		return nil, err
	}
	ev := pagerDutyEvent{EventAction: "resolve", DedupKey: PagerDutyDedupKey(n.GroupKey), Client: "otelcol-aiops", ClientURL: m.ExternalURL}
	if r.status == "firing" {
		src := p.Source
		if src == "" {
			src = "otelcol-aiops"
		}
		common := n.CommonLabels()
		var started time.Time
		for _, a := range n.Alerts {
			if a.State == alerting.StateFiring && (started.IsZero() || a.StartsAt.Before(started)) {
				started = a.StartsAt
			}
		}
		ev.EventAction = "trigger"
		ev.Payload = &pagerDutyPayload{
			// PagerDuty caps summary at 1024 characters.
			Summary: truncateRunes(r.title, 1024), Source: src,
			Severity: pagerDutySeverity(common.Get("severity")), Timestamp: started.UTC().Format(time.RFC3339Nano),
			Group: common.Get("service"), Class: common.Get("alertname"),
			CustomDetails: map[string]any{"details": r.text, "firing": countState(n, alerting.StateFiring),
				"resolved": countState(n, alerting.StateResolved), "truncated": n.Truncated, "group_labels": n.GroupLabels.Map()},
		}
	}
	return encodeJSON(ev)
}

func countState(n *alerting.Notification, s alerting.State) int {
	c := 0
	for _, a := range n.Alerts {
		if a.State == s {
			c++
		}
	}
	return c
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Prepare implements Target.
func (p *PagerDuty) Prepare(body []byte, _ time.Time) (*Request, error) {
	u := p.URL
	if u == "" {
		u = DefaultPagerDutyURL
	}
	b, err := spliceFields(body, map[string]string{"routing_key": p.RoutingKey})
	if err != nil {
		return nil, &PermanentError{Err: fmt.Errorf("pagerduty: %w", err)}
	}
	return &Request{URL: u, Body: b}, nil
}

// Check implements Target: 202 with {"status":"success"}.
func (p *PagerDuty) Check(body []byte) error {
	var r struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &r) == nil && r.Status != "" && r.Status != "success" {
		return &PermanentError{Err: fmt.Errorf("pagerduty: %s: %s", r.Status, snippet([]byte(r.Message)))}
	}
	return nil
}
