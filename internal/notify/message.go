package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
)

// Message is what a target renders: one notification, or several when the
// target's outbox merged groups into a digest. The Alertmanager target uses
// Alerts instead (Alertmanager groups by itself).
type Message struct {
	Receiver      string
	ExternalURL   string
	Notifications []alerting.Notification
	Alerts        []alerting.Alert
	// ValidUntil is the endsAt posted for firing alerts to Alertmanager: if
	// we stop re-sending (crash, partition) Alertmanager resolves them then.
	ValidUntil time.Time
}

// Target renders and sends for one destination.
type Target interface {
	// Render builds the request body; it never contains credentials.
	Render(m *Message) ([]byte, error)
	// Prepare turns a body into a request, adding URL, credentials and
	// signatures for the attempt at now.
	Prepare(body []byte, now time.Time) (*Request, error)
	// Check inspects a 2xx response body for a vendor-level error; robots
	// answer HTTP 200 with an error code in the body.
	Check(body []byte) error
}

// Templates are a target's Go text/template overrides.
type Templates struct {
	Title *template.Template
	Text  *template.Template
}

// TemplateAlert is one alert as templates see it.
type TemplateAlert struct {
	Status       string
	Labels       map[string]string
	Annotations  map[string]string
	LabelString  string
	StartsAt     time.Time
	EndsAt       time.Time
	GeneratorURL string
	Fingerprint  string
}

// TemplateData is the data templates see for one notification (group).
type TemplateData struct {
	Receiver          string
	Status            string
	GroupKey          string
	GroupLabels       map[string]string
	GroupLabelValues  string
	CommonLabels      map[string]string
	CommonAnnotations map[string]string
	Alerts            []TemplateAlert
	Firing            []TemplateAlert
	Resolved          []TemplateAlert
	Truncated         int
	ExternalURL       string
}

// NewTemplateData flattens a notification for templates.
func NewTemplateData(receiver, externalURL string, n *alerting.Notification) *TemplateData {
	d := &TemplateData{
		Receiver:          receiver,
		Status:            n.Status(),
		GroupKey:          n.GroupKey,
		GroupLabels:       n.GroupLabels.Map(),
		CommonLabels:      n.CommonLabels().Map(),
		CommonAnnotations: n.CommonAnnotations().Map(),
		Truncated:         n.Truncated,
		ExternalURL:       externalURL,
	}
	vals := make([]string, 0, len(n.GroupLabels))
	for _, l := range n.GroupLabels {
		vals = append(vals, l.Value)
	}
	d.GroupLabelValues = strings.Join(vals, " ")
	for i := range n.Alerts {
		a := &n.Alerts[i]
		ta := TemplateAlert{
			Status: a.Status(), Labels: a.Labels.Map(), Annotations: a.Annotations.Map(),
			LabelString: labelString(a.Labels), StartsAt: a.StartsAt, EndsAt: a.ResolvedAt,
			GeneratorURL: a.GeneratorURL, Fingerprint: a.Fingerprint.String(),
		}
		d.Alerts = append(d.Alerts, ta)
		if a.State == alerting.StateFiring {
			d.Firing = append(d.Firing, ta)
		} else {
			d.Resolved = append(d.Resolved, ta)
		}
	}
	return d
}

func labelString(ls alerting.Labels) string {
	parts := make([]string, 0, len(ls))
	for _, l := range ls {
		parts = append(parts, l.Name+"="+l.Value)
	}
	return strings.Join(parts, ", ")
}

// Funcs are the helpers available to every template.
var Funcs = template.FuncMap{
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
	"join":  func(sep string, s []string) string { return strings.Join(s, sep) },
	"truncate": func(n int, s string) string {
		return Truncate(s, n)
	},
	"sortedKeys": func(m map[string]string) []string {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	},
	"utc": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") },
}

// ParseTemplate parses a user template with Funcs.
func ParseTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Funcs(Funcs).Option("missingkey=zero").Parse(text)
}

func mustParse(name, text string) *template.Template {
	t, err := ParseTemplate(name, text)
	if err != nil {
		panic(err) // built-in templates are tested
	}
	return t
}

// DefaultTitle is shared by the chat targets: Alertmanager's familiar
// "[FIRING:2] HighErrorRate checkout".
const DefaultTitle = `[{{ upper .Status }}{{ if .Firing }}:{{ len .Firing }}{{ end }}] {{ .GroupLabelValues }}`

// DefaultMarkdown is the body for targets that take standard Markdown
// (DingTalk, WeCom, Feishu lark_md, Teams). Summary first: previews show
// only the first lines.
const DefaultMarkdown = `{{ range .Firing }}- **{{ .Labels.alertname }}**{{ with .Labels.severity }} ({{ . }}){{ end }}: {{ or .Annotations.summary .LabelString }}
{{ with .Annotations.description }}  {{ . }}
{{ end }}  since {{ utc .StartsAt }}
{{ end }}{{ range .Resolved }}- RESOLVED **{{ .Labels.alertname }}**: {{ or .Annotations.summary .LabelString }}
  {{ utc .StartsAt }} to {{ utc .EndsAt }}
{{ end }}{{ if .Truncated }}- and {{ .Truncated }} more
{{ end }}`

// DefaultSlack is DefaultMarkdown in Slack's mrkdwn dialect (*bold*).
const DefaultSlack = `{{ range .Firing }}• *{{ .Labels.alertname }}*{{ with .Labels.severity }} ({{ . }}){{ end }}: {{ or .Annotations.summary .LabelString }}
{{ with .Annotations.description }}  {{ . }}
{{ end }}  since {{ utc .StartsAt }}
{{ end }}{{ range .Resolved }}• RESOLVED *{{ .Labels.alertname }}*: {{ or .Annotations.summary .LabelString }}
  {{ utc .StartsAt }} to {{ utc .EndsAt }}
{{ end }}{{ if .Truncated }}• and {{ .Truncated }} more
{{ end }}`

// rendered is a message's title, body text and status after templating.
type rendered struct {
	title, text, status string
}

// renderText applies title and text templates to every notification of the
// message; a digest joins groups under one title.
func renderText(m *Message, t Templates, defTitle, defText *template.Template, sep string) (rendered, error) {
	title, text := t.Title, t.Text
	if title == nil {
		title = defTitle
	}
	if text == nil {
		text = defText
	}
	var out rendered
	var titles, bodies []string
	firing := 0
	for i := range m.Notifications {
		d := NewTemplateData(m.Receiver, m.ExternalURL, &m.Notifications[i])
		if d.Status == "firing" {
			firing++
		}
		var tb, bb bytes.Buffer
		if err := title.Execute(&tb, d); err != nil {
			return out, fmt.Errorf("title template: %w", err)
		}
		if err := text.Execute(&bb, d); err != nil {
			return out, fmt.Errorf("text template: %w", err)
		}
		titles = append(titles, strings.TrimSpace(tb.String()))
		bodies = append(bodies, strings.TrimRight(bb.String(), " \t\n"))
	}
	out.status = "resolved"
	if firing > 0 {
		out.status = "firing"
	}
	switch len(titles) {
	case 0:
		return out, fmt.Errorf("empty message")
	case 1:
		out.title, out.text = titles[0], bodies[0]
	default:
		out.title = fmt.Sprintf("[%d groups, %d firing] %s", len(titles), firing, titles[0])
		parts := make([]string, len(titles))
		for i := range titles {
			parts[i] = titles[i] + "\n" + bodies[i]
		}
		out.text = strings.Join(parts, sep)
	}
	return out, nil
}

// Truncate cuts s to at most n bytes on a rune boundary, ending with "…"
// when cut, so vendor size limits never split a UTF-8 sequence. Invalid
// UTF-8 (telemetry can carry any bytes) is first replaced by U+FFFD, as the
// JSON encoder would do after the cut: each invalid byte becomes three, so
// a limit counted before it could be overrun (fuzzing found 4,100 bytes of
// WeCom content against its 4,096).
func Truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	const ell = "…"
	if n <= len(ell) {
		return ""
	}
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ell
}

func sortStrings(s []string) { sort.Strings(s) }
