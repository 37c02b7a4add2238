package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strconv"
)

// DingTalkSign is the custom-robot signature: HMAC-SHA256 keyed by the
// secret over "<timestamp ms>\n<secret>", base64, then URL-encoded for the
// `sign` query parameter.
func DingTalkSign(secret string, timestampMs int64) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampMs, 10) + "\n" + secret))
	return url.QueryEscape(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// FeishuSign is the custom-bot signature. The roles are the reverse of
// DingTalk's: the key is "<timestamp s>\n<secret>" and the message is empty.
// The result goes into the JSON body as "sign" (not URL-encoded).
func FeishuSign(secret string, timestampS int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(timestampS, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// WebhookSign signs a generic webhook body: hex HMAC-SHA256 keyed by the
// secret over "<timestamp s>.<body>" (the timestamp in the message stops
// replay of old bodies), sent as "sha256=<hex>".
func WebhookSign(secret string, timestampS int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestampS, 10) + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
