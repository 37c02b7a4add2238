package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
)

// FuzzRender renders a notification whose label and annotation values come
// from telemetry (anything, invalid UTF-8 included) through user title and
// text templates (anything that parses) for every target type. Rendering
// may fail with an error (a template can index out of range) but must not
// panic, must produce valid JSON, and must keep the vendors' size limits.
func FuzzRender(f *testing.F) {
	f.Add(DefaultTitle, DefaultMarkdown, "checkout", "error rate 9% > 5%", 0)
	f.Add(`{{ .CommonLabels.service }}`, `{{ range .Alerts }}{{ truncate 5 .Annotations.summary }}{{ end }}`, "告警告警", strings.Repeat("告", 2000), 3)
	f.Add(`{{ index .Alerts 7 }}`, `{{ join "," (sortedKeys .CommonLabels) }}`, "\xff\xfe", "\xc3\x28<b>&amp;</b>", -1)
	f.Add(`{{ upper .Status }}`, `{{ utc (index .Firing 0).StartsAt }} {{ .GroupKey | lower }}`, `a"b\c`, "\x00\x01\x1b[31m", 1<<20)
	f.Fuzz(func(t *testing.T, title, text, label, annotation string, truncated int) {
		var tmpl Templates
		if tt, err := ParseTemplate("title", title); err == nil {
			tmpl.Title = tt
		}
		if tx, err := ParseTemplate("text", text); err == nil {
			tmpl.Text = tx
		}
		n := fuzzNotification(label, annotation, truncated)
		m := &Message{Receiver: "fuzz", ExternalURL: "http://127.0.0.1:1", Notifications: []alerting.Notification{n, n}}
		targets := []struct {
			t     Target
			field func([]byte) string // the size-limited text of the payload
			limit int
		}{
			{&Slack{Templates: tmpl}, nil, 0},
			{&DingTalk{Templates: tmpl, Keyword: "alert"}, nil, 0},
			{&Feishu{Templates: tmpl}, nil, 0},
			{&Feishu{Templates: tmpl, Post: true}, nil, 0},
			{&WeCom{Templates: tmpl}, weComContent, weComContentLimit},
			{&MSTeams{Templates: tmpl}, nil, 0},
			{&PagerDuty{}, nil, 0},
			{&Webhook{}, nil, 0},
			{&Alertmanager{}, nil, 0},
		}
		for _, c := range targets {
			mm := m
			if _, ok := c.t.(*Alertmanager); ok {
				mm = &Message{Alerts: n.Alerts, ValidUntil: n.At.Add(time.Minute)}
			}
			body, err := c.t.Render(mm)
			if err != nil {
				continue
			}
			if !json.Valid(body) {
				t.Fatalf("%T rendered invalid JSON: %q", c.t, body)
			}
			if c.field != nil {
				if s := c.field(body); len(s) > c.limit {
					t.Fatalf("%T: %d bytes over the %d limit", c.t, len(s), c.limit)
				}
			}
		}
		// Truncate never splits a rune of valid input, and keeps its bound.
		for _, lim := range []int{0, 1, 3, 4, 7, 100} {
			s := Truncate(annotation, lim)
			if len(s) > max(lim, 0) && len(annotation) > lim {
				t.Fatalf("Truncate(%q, %d) = %q: over the bound", annotation, lim, s)
			}
			if utf8.ValidString(annotation) && !utf8.ValidString(s) {
				t.Fatalf("Truncate(%q, %d) = %q: split a rune", annotation, lim, s)
			}
		}
	})
}

func fuzzNotification(label, annotation string, truncated int) alerting.Notification {
	ls := alerting.NewLabels(map[string]string{"alertname": "Fuzz", "service": label, label: "v"})
	a := alerting.Alert{
		Fingerprint: ls.Fingerprint(), Labels: ls, State: alerting.StateFiring, StartsAt: start,
		Annotations: alerting.NewLabels(map[string]string{"summary": annotation, "description": label + annotation}),
	}
	r := a
	r.State, r.ResolvedAt = alerting.StateResolved, end
	return alerting.Notification{
		GroupKey:    "{}:" + label,
		GroupLabels: alerting.NewLabels(map[string]string{"service": label}),
		Alerts:      []alerting.Alert{a, r},
		Truncated:   truncated,
		At:          end,
	}
}

func weComContent(body []byte) string {
	var m weComMessage
	_ = json.Unmarshal(body, &m)
	return m.Markdown.Content
}
