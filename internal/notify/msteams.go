package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"time"
)

// MSTeams posts an Adaptive Card to a Teams Workflows (Power Automate)
// webhook, the replacement of the retired Office 365 connectors, which only
// accepts Adaptive Cards. The envelope matches Alertmanager's msteamsv2.
type MSTeams struct {
	// URL is the Workflows trigger URL including its `sig` parameter.
	URL       string
	Templates Templates
}

var (
	teamsTitle = mustParse("msteams.title", DefaultTitle)
	teamsText  = mustParse("msteams.text", DefaultMarkdown)
)

// Workflows reject payloads above about 28 KB.
const teamsTextLimit = 24000

type teamsMessage struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string    `json:"contentType"`
	ContentURL  *string   `json:"contentUrl"`
	Content     teamsCard `json:"content"`
}

type teamsCard struct {
	Schema  string            `json:"$schema"`
	Type    string            `json:"type"`
	Version string            `json:"version"`
	Body    []teamsTextBlock  `json:"body"`
	MSTeams map[string]string `json:"msteams"`
}

type teamsTextBlock struct {
	Type   string `json:"type"`
	Text   string `json:"text"`
	Weight string `json:"weight,omitempty"`
	Size   string `json:"size,omitempty"`
	Wrap   bool   `json:"wrap"`
	Style  string `json:"style,omitempty"`
	Color  string `json:"color,omitempty"`
}

// Render implements Target.
func (t *MSTeams) Render(m *Message) ([]byte, error) {
	r, err := renderText(m, t.Templates, teamsTitle, teamsText, "\n\n")
	if err != nil {
		return nil, err
	}
	color := "Good"
	if r.status == "firing" {
		color = "Attention"
	}
	return encodeJSON(teamsMessage{Type: "message", Attachments: []teamsAttachment{{
		ContentType: "application/vnd.microsoft.card.adaptive",
		Content: teamsCard{
			Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.2",
			Body: []teamsTextBlock{
				{Type: "TextBlock", Text: r.title, Weight: "Bolder", Size: "Medium", Wrap: true, Style: "heading", Color: color},
				{Type: "TextBlock", Text: Truncate(r.text, teamsTextLimit), Wrap: true},
			},
			MSTeams: map[string]string{"width": "full"},
		},
	}}})
}

// Prepare implements Target.
func (t *MSTeams) Prepare(body []byte, _ time.Time) (*Request, error) {
	return &Request{URL: t.URL, Body: body}, nil
}

// Check implements Target: Workflows answer 202 and run asynchronously, so
// there is nothing more to learn from the body.
func (t *MSTeams) Check([]byte) error { return nil }
