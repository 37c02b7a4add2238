package notify // import "github.com/otelcol-aiops/otelcol-aiops/internal/notify"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Request is one prepared HTTP request. URL may carry credentials: never log
// it, use Redact.
type Request struct {
	URL    string
	Header http.Header
	Body   []byte
}

// MaxResponseBody caps how much of any response is read; the rest is
// discarded so the connection can be reused and a hostile server cannot make
// us buffer without bound.
const MaxResponseBody = 64 << 10

// PermanentError is a failure retrying cannot fix (bad payload, bad
// credentials, unknown endpoint): the notification is dropped and counted.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// RetryableError is a transient failure. RetryAfter, when positive, is the
// server's (or vendor's) requested wait.
type RetryableError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// Send performs one attempt and classifies the result: nil on success,
// *PermanentError or *RetryableError otherwise. Errors never contain the URL
// beyond scheme and host.
func Send(ctx context.Context, client *http.Client, t Target, req *Request) error {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("building request for %s: %s", Redact(req.URL), redactErr(err, req.URL))}
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hreq.Header.Add(k, v)
		}
	}
	if hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", "otelcol-aiops-alertwebhook")
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return &RetryableError{Err: fmt.Errorf("POST %s: %s", Redact(req.URL), redactErr(err, req.URL))}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return Classify(resp.StatusCode, resp.Header, body, t, req.URL)
}

// Classify maps an HTTP response to nil, *PermanentError or *RetryableError.
func Classify(status int, h http.Header, body []byte, t Target, rawURL string) error {
	switch {
	case status >= 200 && status < 300:
		if t == nil {
			return nil
		}
		return t.Check(body)
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
		return &RetryableError{Err: statusErr(status, body, rawURL), RetryAfter: RetryAfter(h.Get("Retry-After"), time.Now())}
	case status >= 500, status == http.StatusRequestTimeout:
		return &RetryableError{Err: statusErr(status, body, rawURL)}
	default:
		// 400, 401, 403, 404, 413 and every other 4xx: the same request will
		// fail the same way. Alertmanager's 400 may even be a partial success
		// (valid alerts of the batch were stored), so never retry it.
		return &PermanentError{Err: statusErr(status, body, rawURL)}
	}
}

func statusErr(status int, body []byte, rawURL string) error {
	return fmt.Errorf("POST %s: HTTP %d: %s", Redact(rawURL), status, snippet(body))
}

// snippet is a short, single-line excerpt of a response body for errors.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	return Truncate(s, 200)
}

// RetryAfter parses a Retry-After header (delta-seconds or HTTP date); 0
// when absent or unparsable.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Redact keeps scheme and host only: chat robots put their token in the path
// (Slack, Feishu) or the query (DingTalk, WeCom, Teams `sig`).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<invalid url>"
	}
	return u.Scheme + "://" + u.Host + "/<redacted>"
}

// redactErr renders err with every occurrence of the raw URL (and its
// parsed forms) replaced, since net/http errors embed the full URL.
func redactErr(err error, raw string) string {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Op + ": " + ue.Err.Error()
	}
	if raw != "" {
		msg = strings.ReplaceAll(msg, raw, Redact(raw))
		if u, perr := url.Parse(raw); perr == nil {
			if u.RawQuery != "" {
				msg = strings.ReplaceAll(msg, u.RawQuery, "<redacted>")
			}
			if len(u.Path) > 1 {
				msg = strings.ReplaceAll(msg, u.Path, "/<redacted>")
			}
		}
	}
	return msg
}
