package notify

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

var (
	start = time.Date(2026, 11, 23, 14, 40, 19, 0, time.UTC)
	end   = time.Date(2026, 11, 23, 14, 41, 26, 0, time.UTC)
)

func alert(inst, summary, gen string, resolvedAt time.Time) alerting.Alert {
	ls := alerting.NewLabels(map[string]string{"alertname": "HighErrorRate", "instance": inst, "service": "checkout", "severity": "warning"})
	a := alerting.Alert{Fingerprint: ls.Fingerprint(), Labels: ls, State: alerting.StateFiring, StartsAt: start,
		Annotations: alerting.NewLabels(map[string]string{"summary": summary}), GeneratorURL: gen}
	if !resolvedAt.IsZero() {
		a.State, a.ResolvedAt = alerting.StateResolved, resolvedAt
	}
	return a
}

// mixed is the group Alertmanager 0.25 notified in ALERTING.md §1.6: a
// resolved, b firing.
func mixed() alerting.Notification {
	return alerting.Notification{
		GroupKey:    `{}:{alertname="HighErrorRate", service="checkout"}`,
		GroupLabels: alerting.NewLabels(map[string]string{"alertname": "HighErrorRate", "service": "checkout"}),
		Alerts: []alerting.Alert{
			alert("b:8080", "error rate 9% > 5%", "http://collector.example/alerts?id=2", time.Time{}),
			alert("a:8080", "error rate back to 1%", "", end),
		},
		At: end,
	}
}

func message(ns ...alerting.Notification) *Message {
	return &Message{Receiver: "sink", ExternalURL: "http://127.0.0.1:19093", Notifications: ns}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o600))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update once and review the file")
	assert.Equal(t, string(want), string(got))
	assert.True(t, json.Valid(got))
}

func TestWebhookEqualsAlertmanagerPayload(t *testing.T) {
	body, err := (&Webhook{}).Render(message(mixed()))
	require.NoError(t, err)
	golden(t, "webhook.json", body)

	var got, want WebhookMessage
	require.NoError(t, json.Unmarshal(body, &got))
	raw, err := os.ReadFile("testdata/alertmanager-0.25-webhook-mixed.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &want))
	// Alertmanager lists alerts by label set; we list firing first.
	assert.ElementsMatch(t, want.Alerts, got.Alerts)
	got.Alerts, want.Alerts = nil, nil
	assert.Equal(t, want, got)
	assert.True(t, strings.HasSuffix(string(body), "}\n"), "json.Encoder framing like Alertmanager")
	assert.Contains(t, string(body), `9% \u003e 5%`, "HTML-escaped like Alertmanager")
}

func TestGoldenPayloads(t *testing.T) {
	digest := mixed()
	digest.GroupKey = `{}:{alertname="DiskFull", service="db"}`
	digest.GroupLabels = alerting.NewLabels(map[string]string{"alertname": "DiskFull", "service": "db"})
	digest.Alerts = digest.Alerts[1:]
	digest.Truncated = 2
	cases := []struct {
		name string
		t    Target
		m    *Message
	}{
		{"slack.json", &Slack{}, message(mixed())},
		{"dingtalk.json", &DingTalk{Keyword: "alert", AtMobiles: []string{"13800000000"}}, message(mixed())},
		{"dingtalk-digest.json", &DingTalk{}, message(mixed(), digest)},
		{"feishu-card.json", &Feishu{}, message(mixed())},
		{"feishu-post.json", &Feishu{Post: true}, message(mixed())},
		{"wecom.json", &WeCom{}, message(mixed())},
		{"msteams.json", &MSTeams{}, message(mixed())},
		{"pagerduty-trigger.json", &PagerDuty{}, message(mixed())},
		{"pagerduty-resolve.json", &PagerDuty{}, message(digest)},
		{"alertmanager.json", &Alertmanager{}, &Message{Alerts: mixed().Alerts, ValidUntil: end.Add(4 * time.Minute)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := c.t.Render(c.m)
			require.NoError(t, err)
			golden(t, c.name, body)
		})
	}
}

func TestTemplateOverride(t *testing.T) {
	title, err := ParseTemplate("t", `{{ .Status }} {{ len .Alerts }} {{ .CommonLabels.service }}`)
	require.NoError(t, err)
	text, err := ParseTemplate("x", `{{ range .Alerts }}{{ .Fingerprint }} {{ end }}`)
	require.NoError(t, err)
	body, err := (&WeCom{Templates: Templates{Title: title, Text: text}}).Render(message(mixed()))
	require.NoError(t, err)
	var m weComMessage
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Equal(t, "<font color=\"warning\">**firing 2 checkout**</font>\n562a51470c3cc665 626e4de042739668", m.Markdown.Content)
}

func TestSizeLimitsCutOnRunes(t *testing.T) {
	long := strings.Repeat("告警", 3000) // 3 bytes per rune
	n := mixed()
	n.Alerts[0].Annotations = alerting.NewLabels(map[string]string{"summary": long})
	body, err := (&WeCom{}).Render(message(n))
	require.NoError(t, err)
	var m weComMessage
	require.NoError(t, json.Unmarshal(body, &m))
	assert.LessOrEqual(t, len(m.Markdown.Content), weComContentLimit)
	assert.True(t, strings.HasSuffix(m.Markdown.Content, "…"))
	assert.True(t, json.Valid(body))
	assert.Equal(t, "ab…", Truncate("abcdef", 5))
	assert.Equal(t, "…", Truncate("告警告警", 4)[len(Truncate("告警告警", 4))-3:])
	// Invalid UTF-8 is replaced before the cut, not by the JSON encoder
	// after it (one invalid byte becomes three).
	bad := strings.Repeat("a\xff", 3000)
	got := Truncate(bad, 4096)
	assert.True(t, utf8.ValidString(got))
	assert.LessOrEqual(t, len(got), 4096)
	n.Alerts[0].Annotations = alerting.NewLabels(map[string]string{"summary": bad})
	body, err = (&WeCom{}).Render(message(n))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &m))
	assert.LessOrEqual(t, len(m.Markdown.Content), weComContentLimit)
}

// The expected signatures were computed independently of this code with
// Python's hmac module and cross-checked with OpenSSL:
//
//	python3 -c 'import hmac,hashlib,base64,urllib.parse; s="SEC0123…abcd"; ts="1700000000000";
//	  print(urllib.parse.quote_plus(base64.b64encode(hmac.new(s.encode(),(ts+"\n"+s).encode(),hashlib.sha256).digest()).decode()))'
//	printf '1700000000000\nSEC0123…abcd' | openssl dgst -sha256 -hmac 'SEC0123…abcd' -binary | base64
//	printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nfeishu-secret')" -binary | base64
//	printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec
func TestSigningVectors(t *testing.T) {
	const dtSecret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
	assert.Equal(t, "8SZas7RY4E7wuOlgLfjLwHSKZpyUEdXdLvFYSDZiiFw%3D", DingTalkSign(dtSecret, 1700000000000))
	assert.Equal(t, "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=", FeishuSign("feishu-secret", 1700000000))
	assert.Equal(t, "sha256=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032", WebhookSign("whsec", 1700000000, []byte(`{"a":1}`)))

	now := time.UnixMilli(1700000000000)
	req, err := (&DingTalk{URL: "https://oapi.dingtalk.com/robot/send?access_token=tok", Secret: dtSecret}).Prepare([]byte(`{}`), now)
	require.NoError(t, err)
	assert.Equal(t, "https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1700000000000&sign=8SZas7RY4E7wuOlgLfjLwHSKZpyUEdXdLvFYSDZiiFw%3D", req.URL)

	req, err = (&Feishu{URL: "https://open.feishu.cn/open-apis/bot/v2/hook/x", Secret: "feishu-secret"}).Prepare([]byte(`{"msg_type":"text"}`), now)
	require.NoError(t, err)
	assert.JSONEq(t, `{"msg_type":"text","timestamp":"1700000000","sign":"OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU="}`, string(req.Body))

	req, err = (&Webhook{URL: "http://x/", Secret: "whsec"}).Prepare([]byte(`{"a":1}`), now)
	require.NoError(t, err)
	assert.Equal(t, "1700000000", req.Header.Get("X-Alertwebhook-Timestamp"))
	assert.Equal(t, "sha256=8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032", req.Header.Get("X-Alertwebhook-Signature"))

	req, err = (&PagerDuty{RoutingKey: "R0UT1NG"}).Prepare([]byte(`{"event_action":"resolve"}`), now)
	require.NoError(t, err)
	assert.Equal(t, DefaultPagerDutyURL, req.URL)
	assert.JSONEq(t, `{"routing_key":"R0UT1NG","event_action":"resolve"}`, string(req.Body))
	req, err = (&Alertmanager{URL: "http://am:9093/"}).Prepare([]byte(`[]`), now)
	require.NoError(t, err)
	assert.Equal(t, "http://am:9093/api/v2/alerts", req.URL)
}

// python3 -c 'import hashlib; print(hashlib.sha256(b"{}:{alertname=\"HighErrorRate\", service=\"checkout\"}").hexdigest())'
func TestPagerDutyDedupKey(t *testing.T) {
	assert.Equal(t, "97510b418c30a6bc221ab8cd7f4d49d287215a8f33fc7173ad6f03934114edfb", PagerDutyDedupKey(mixed().GroupKey))
}
