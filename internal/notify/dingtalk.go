package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DingTalk posts markdown to a custom robot. The robot's security setting
// decides which of Keyword and Secret must be set: with Keyword, the message
// must contain it (we prepend it to the title when the text lacks it); with
// Secret, every request is signed (DingTalkSign) at send time.
type DingTalk struct {
	// URL is the robot webhook including access_token.
	URL       string
	Secret    string
	Keyword   string
	AtMobiles []string
	AtAll     bool
	Templates Templates
}

var (
	dingTalkTitle = mustParse("dingtalk.title", DefaultTitle)
	dingTalkText  = mustParse("dingtalk.text", DefaultMarkdown)
)

// DingTalk's documented markdown limit is not published reliably; 18000
// bytes stays well inside what robots accept (the body limit is 20 KB).
const dingTalkTextLimit = 18000

type dingTalkMessage struct {
	MsgType  string           `json:"msgtype"`
	Markdown dingTalkMarkdown `json:"markdown"`
	At       dingTalkAt       `json:"at"`
}

type dingTalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

type dingTalkAt struct {
	AtMobiles []string `json:"atMobiles"`
	IsAtAll   bool     `json:"isAtAll"`
}

// Render implements Target.
func (d *DingTalk) Render(m *Message) ([]byte, error) {
	r, err := renderText(m, d.Templates, dingTalkTitle, dingTalkText, "\n\n---\n\n")
	if err != nil {
		return nil, err
	}
	title := r.title
	if d.Keyword != "" && !strings.Contains(title, d.Keyword) && !strings.Contains(r.text, d.Keyword) {
		title = d.Keyword + " " + title
	}
	text := "#### " + title + "\n\n" + r.text
	// A mention only highlights when the text contains "@<mobile>".
	for _, mob := range d.AtMobiles {
		text += " @" + mob
	}
	mobiles := d.AtMobiles
	if mobiles == nil {
		mobiles = []string{}
	}
	return encodeJSON(dingTalkMessage{
		MsgType:  "markdown",
		Markdown: dingTalkMarkdown{Title: title, Text: Truncate(text, dingTalkTextLimit)},
		At:       dingTalkAt{AtMobiles: mobiles, IsAtAll: d.AtAll},
	})
}

// Prepare implements Target.
func (d *DingTalk) Prepare(body []byte, now time.Time) (*Request, error) {
	u := d.URL
	if d.Secret != "" {
		ts := now.UnixMilli()
		sep := "&"
		if !strings.Contains(u, "?") {
			sep = "?"
		}
		// DingTalkSign already URL-encodes the signature.
		u += sep + "timestamp=" + strconv.FormatInt(ts, 10) + "&sign=" + DingTalkSign(d.Secret, ts)
	}
	if _, err := url.Parse(u); err != nil {
		return nil, &PermanentError{Err: fmt.Errorf("dingtalk: invalid url")}
	}
	return &Request{URL: u, Body: body}, nil
}

// robotReply is the body DingTalk and WeCom answer with.
type robotReply struct {
	ErrCode *int   `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// Check implements Target.
func (d *DingTalk) Check(body []byte) error {
	return checkRobot("dingtalk", body, map[int]bool{130101: true, 90030: true, 660026: true})
}

// checkRobot decides success from errcode. Rate-limit codes are retried after
// a minute (DingTalk locks an over-eager robot, so waiting is the only cure);
// every other non-zero code is a configuration problem (bad token, keyword,
// signature, IP allowlist) that retrying cannot fix.
func checkRobot(vendor string, body []byte, throttle map[int]bool) error {
	var r robotReply
	if err := json.Unmarshal(body, &r); err != nil || r.ErrCode == nil {
		return &RetryableError{Err: fmt.Errorf("%s: unexpected reply: %s", vendor, snippet(body))}
	}
	if *r.ErrCode == 0 {
		return nil
	}
	err := fmt.Errorf("%s: errcode %d: %s", vendor, *r.ErrCode, snippet([]byte(r.ErrMsg)))
	if throttle[*r.ErrCode] {
		return &RetryableError{Err: err, RetryAfter: time.Minute}
	}
	return &PermanentError{Err: err}
}
