package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"time"
)

// WeCom posts markdown to a WeCom (企业微信) group robot. The key in the URL
// is the only credential; there is no signing.
type WeCom struct {
	URL       string
	Templates Templates
}

var (
	weComTitle = mustParse("wecom.title", DefaultTitle)
	weComText  = mustParse("wecom.text", DefaultMarkdown)
)

// WeCom rejects markdown content over 4096 bytes.
const weComContentLimit = 4096

type weComMessage struct {
	MsgType  string        `json:"msgtype"`
	Markdown weComMarkdown `json:"markdown"`
}

type weComMarkdown struct {
	Content string `json:"content"`
}

// Render implements Target.
func (w *WeCom) Render(m *Message) ([]byte, error) {
	r, err := renderText(m, w.Templates, weComTitle, weComText, "\n\n")
	if err != nil {
		return nil, err
	}
	color := "info"
	if r.status == "firing" {
		color = "warning"
	}
	content := `<font color="` + color + `">**` + r.title + "**</font>\n" + r.text
	return encodeJSON(weComMessage{MsgType: "markdown", Markdown: weComMarkdown{Content: Truncate(content, weComContentLimit)}})
}

// Prepare implements Target.
func (w *WeCom) Prepare(body []byte, _ time.Time) (*Request, error) {
	return &Request{URL: w.URL, Body: body}, nil
}

// Check implements Target (45009: API frequency limit).
func (w *WeCom) Check(body []byte) error {
	return checkRobot("wecom", body, map[int]bool{45009: true, 45033: true})
}
