package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"time"
)

// Slack posts to an incoming webhook: a colour-coded attachment (danger when
// firing, good when resolved, as Alertmanager does) with the mrkdwn text and
// a plain fallback in `text`. The webhook URL itself is the secret.
type Slack struct {
	URL       string
	Templates Templates
}

// slackTextLimit keeps under Slack's 3000-character section limit.
const slackTextLimit = 3000

var (
	slackTitle = mustParse("slack.title", DefaultTitle)
	slackText  = mustParse("slack.text", DefaultSlack)
)

type slackMessage struct {
	Text        string            `json:"text"`
	Attachments []slackAttachment `json:"attachments"`
}

type slackAttachment struct {
	Color     string   `json:"color"`
	Title     string   `json:"title"`
	TitleLink string   `json:"title_link,omitempty"`
	Text      string   `json:"text"`
	Fallback  string   `json:"fallback"`
	MrkdwnIn  []string `json:"mrkdwn_in"`
}

// Render implements Target.
func (s *Slack) Render(m *Message) ([]byte, error) {
	r, err := renderText(m, s.Templates, slackTitle, slackText, "\n\n")
	if err != nil {
		return nil, err
	}
	color := "good"
	if r.status == "firing" {
		color = "danger"
	}
	return encodeJSON(slackMessage{
		Text: r.title,
		Attachments: []slackAttachment{{
			Color: color, Title: r.title, TitleLink: m.ExternalURL,
			Text: Truncate(r.text, slackTextLimit), Fallback: r.title, MrkdwnIn: []string{"text"},
		}},
	})
}

// Prepare implements Target.
func (s *Slack) Prepare(body []byte, _ time.Time) (*Request, error) {
	return &Request{URL: s.URL, Body: body}, nil
}

// Check implements Target: incoming webhooks answer 200 "ok" and report
// errors with 4xx statuses, which Classify already handles.
func (s *Slack) Check([]byte) error { return nil }
