package notify

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		header     string
		body       string
		target     Target
		permanent  bool
		retryable  bool
		retryAfter time.Duration
	}{
		{"200 ok", 200, "", "", &Webhook{}, false, false, 0},
		{"202 pagerduty", 202, "", `{"status":"success","message":"Event processed"}`, &PagerDuty{}, false, false, 0},
		{"400", 400, "", `"at least one label pair required"`, &Alertmanager{}, true, false, 0},
		{"401", 401, "", "", &Webhook{}, true, false, 0},
		{"403", 403, "", "", &Webhook{}, true, false, 0},
		{"404", 404, "", "no_service", &Slack{}, true, false, 0},
		{"413", 413, "", "", &Webhook{}, true, false, 0},
		{"422", 422, "", `{"code":601}`, &Alertmanager{}, true, false, 0},
		{"429 with Retry-After", 429, "7", "", &Slack{}, false, true, 7 * time.Second},
		{"429 without Retry-After", 429, "", "", &Slack{}, false, true, 0},
		{"503 Retry-After", 503, "2", "", &Webhook{}, false, true, 2 * time.Second},
		{"500", 500, "", "boom", &Webhook{}, false, true, 0},
		{"502", 502, "", "", &Webhook{}, false, true, 0},
		{"dingtalk ok", 200, "", `{"errcode":0,"errmsg":"ok"}`, &DingTalk{}, false, false, 0},
		{"dingtalk security", 200, "", `{"errcode":310000,"errmsg":"keywords not in content"}`, &DingTalk{}, true, false, 0},
		{"dingtalk too fast", 200, "", `{"errcode":130101,"errmsg":"send too fast"}`, &DingTalk{}, false, true, time.Minute},
		{"dingtalk garbage", 200, "", `<html>`, &DingTalk{}, false, true, 0},
		{"wecom ok", 200, "", `{"errcode":0,"errmsg":"ok"}`, &WeCom{}, false, false, 0},
		{"wecom freq", 200, "", `{"errcode":45009,"errmsg":"api freq out of limit"}`, &WeCom{}, false, true, time.Minute},
		{"wecom bad key", 200, "", `{"errcode":93000,"errmsg":"invalid webhook url"}`, &WeCom{}, true, false, 0},
		{"feishu ok", 200, "", `{"code":0,"msg":"success","data":{}}`, &Feishu{}, false, false, 0},
		{"feishu legacy ok", 200, "", `{"StatusCode":0,"StatusMessage":"success"}`, &Feishu{}, false, false, 0},
		{"feishu sign", 200, "", `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, &Feishu{}, true, false, 0},
		{"feishu limited", 200, "", `{"code":11232,"msg":"frequency limited"}`, &Feishu{}, false, true, time.Minute},
		{"pagerduty invalid", 202, "", `{"status":"invalid event","message":"Event object is invalid"}`, &PagerDuty{}, true, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.header != "" {
				h.Set("Retry-After", c.header)
			}
			err := Classify(c.status, h, []byte(c.body), c.target, "https://example.com/hook?token=SECRET")
			var perm *PermanentError
			var retry *RetryableError
			assert.Equal(t, c.permanent, errors.As(err, &perm), "permanent: %v", err)
			assert.Equal(t, c.retryable, errors.As(err, &retry), "retryable: %v", err)
			if c.retryable {
				assert.Equal(t, c.retryAfter, retry.RetryAfter)
			}
			if err != nil {
				assert.NotContains(t, err.Error(), "SECRET")
			}
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, 30*time.Second, RetryAfter(now.Add(30*time.Second).Format(http.TimeFormat), now))
	assert.Equal(t, time.Duration(0), RetryAfter("soon", now))
	assert.Equal(t, time.Duration(0), RetryAfter("-3", now))
}

func TestSendReadsAtMost64KiBAndRedacts(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		w.WriteHeader(500)
		_, _ = w.Write([]byte(huge))
	}))
	defer srv.Close()
	err := Send(context.Background(), srv.Client(), &Webhook{}, &Request{URL: srv.URL + "/hook/T000/B000/SECRETPATH?access_token=SECRETQ", Body: []byte("{}")})
	var retry *RetryableError
	require.ErrorAs(t, err, &retry)
	assert.Less(t, len(err.Error()), 400, "error carries only a short snippet")
	assert.NotContains(t, err.Error(), "SECRET")

	// Network error: the closed server's URL must not leak either.
	ln, err2 := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err2)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	err = Send(context.Background(), http.DefaultClient, &Webhook{}, &Request{URL: "http://" + addr + "/x/SECRETPATH?key=SECRETQ", Body: []byte("{}")})
	require.ErrorAs(t, err, &retry)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.Contains(t, err.Error(), addr)

	err = Send(context.Background(), http.DefaultClient, &Webhook{}, &Request{URL: "http://[::1\x7f/SECRET", Body: []byte("{}")})
	assert.True(t, IsPermanent(err))
	assert.NotContains(t, err.Error(), "SECRET")
}

func TestSendSuccessChecksBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
	}))
	defer srv.Close()
	err := Send(context.Background(), srv.Client(), &DingTalk{}, &Request{URL: srv.URL, Body: []byte("{}")})
	assert.True(t, IsPermanent(err))
	assert.Contains(t, err.Error(), "310000")
}
