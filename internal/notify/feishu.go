package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Feishu posts to a Feishu/Lark custom bot as an interactive card (coloured
// header, lark_md body) or, with Post, as a rich-text post for tenants that
// disable cards. With Secret, "timestamp" and "sign" are spliced into the
// JSON body at send time (FeishuSign).
type Feishu struct {
	URL       string
	Secret    string
	Post      bool
	Templates Templates
}

var (
	feishuTitle = mustParse("feishu.title", DefaultTitle)
	feishuText  = mustParse("feishu.text", DefaultMarkdown)
)

// Feishu limits a request body to about 20 KB.
const feishuTextLimit = 18000

type feishuCard struct {
	MsgType string         `json:"msg_type"`
	Card    feishuCardBody `json:"card"`
}

type feishuCardBody struct {
	Config   map[string]bool `json:"config"`
	Header   feishuHeader    `json:"header"`
	Elements []feishuElement `json:"elements"`
}

type feishuHeader struct {
	Title    feishuText2 `json:"title"`
	Template string      `json:"template"`
}

type feishuText2 struct {
	Tag     string `json:"tag"`
	Content string `json:"content"`
}

type feishuElement struct {
	Tag  string      `json:"tag"`
	Text feishuText2 `json:"text"`
}

type feishuPost struct {
	MsgType string            `json:"msg_type"`
	Content feishuPostContent `json:"content"`
}

type feishuPostContent struct {
	Post map[string]feishuPostBody `json:"post"`
}

type feishuPostBody struct {
	Title   string                `json:"title"`
	Content [][]map[string]string `json:"content"`
}

// Render implements Target.
func (f *Feishu) Render(m *Message) ([]byte, error) {
	r, err := renderText(m, f.Templates, feishuTitle, feishuText, "\n\n---\n\n")
	if err != nil {
		return nil, err
	}
	text := Truncate(r.text, feishuTextLimit)
	if f.Post {
		var lines [][]map[string]string
		for _, l := range strings.Split(text, "\n") {
			lines = append(lines, []map[string]string{{"tag": "text", "text": l}})
		}
		return encodeJSON(feishuPost{MsgType: "post", Content: feishuPostContent{Post: map[string]feishuPostBody{
			"zh_cn": {Title: r.title, Content: lines},
		}}})
	}
	color := "green"
	if r.status == "firing" {
		color = "red"
	}
	return encodeJSON(feishuCard{MsgType: "interactive", Card: feishuCardBody{
		Config:   map[string]bool{"wide_screen_mode": true},
		Header:   feishuHeader{Title: feishuText2{Tag: "plain_text", Content: r.title}, Template: color},
		Elements: []feishuElement{{Tag: "div", Text: feishuText2{Tag: "lark_md", Content: text}}},
	}})
}

// Prepare implements Target.
func (f *Feishu) Prepare(body []byte, now time.Time) (*Request, error) {
	if f.Secret != "" {
		b, err := spliceFields(body, map[string]string{
			"timestamp": strconv.FormatInt(now.Unix(), 10),
			"sign":      FeishuSign(f.Secret, now.Unix()),
		})
		if err != nil {
			return nil, &PermanentError{Err: fmt.Errorf("feishu: %w", err)}
		}
		body = b
	}
	return &Request{URL: f.URL, Body: body}, nil
}

// spliceFields inserts string fields at the start of a JSON object body, so
// the queued body stays free of credentials and signatures are fresh.
func spliceFields(body []byte, fields map[string]string) ([]byte, error) {
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("body is not a JSON object")
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sortStrings(keys)
	out := []byte{'{'}
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(fields[k])
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, vb...)
		out = append(out, ',')
	}
	rest := body[1:]
	if len(strings.TrimSpace(string(rest))) > 0 && strings.TrimSpace(string(rest))[0] == '}' {
		out = out[:len(out)-1] // empty object: drop the trailing comma
	}
	return append(out, rest...), nil
}

type feishuReply struct {
	Code       *int   `json:"code"`
	Msg        string `json:"msg"`
	StatusCode *int   `json:"StatusCode"`
}

// Check implements Target. Feishu answers 200 with "code"; 11232 is the
// frequency limit, 19021 a bad signature or clock skew, 19022 an IP not
// allowed, 19024 a missing keyword: only the first is worth retrying.
func (f *Feishu) Check(body []byte) error {
	var r feishuReply
	if err := json.Unmarshal(body, &r); err != nil {
		return &RetryableError{Err: fmt.Errorf("feishu: unexpected reply: %s", snippet(body))}
	}
	code := r.Code
	if code == nil {
		code = r.StatusCode // legacy reply shape
	}
	if code == nil {
		return &RetryableError{Err: fmt.Errorf("feishu: unexpected reply: %s", snippet(body))}
	}
	if *code == 0 {
		return nil
	}
	err := fmt.Errorf("feishu: code %d: %s", *code, snippet([]byte(r.Msg)))
	if *code == 11232 {
		return &RetryableError{Err: err, RetryAfter: time.Minute}
	}
	return &PermanentError{Err: err}
}
