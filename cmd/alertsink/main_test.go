package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mixed is the captured Alertmanager 0.25 notification from ALERTING.md:
// one alert resolved, one still firing.
const mixed = `{
  "receiver": "sink", "status": "firing",
  "alerts": [
    {"status": "resolved",
     "labels": {"alertname": "HighErrorRate", "instance": "a:8080", "service": "checkout", "severity": "warning"},
     "annotations": {"summary": "error rate back to 1%"},
     "startsAt": "2026-11-23T14:40:19Z", "endsAt": "2026-11-23T14:41:26Z",
     "generatorURL": "", "fingerprint": "626e4de042739668"},
    {"status": "firing",
     "labels": {"alertname": "HighErrorRate", "instance": "b:8080", "service": "checkout", "severity": "warning"},
     "annotations": {"summary": "error rate 9% \u003e 5%"},
     "startsAt": "2026-11-23T14:40:19Z", "endsAt": "0001-01-01T00:00:00Z",
     "generatorURL": "http://collector.example/alerts?id=2", "fingerprint": "562a51470c3cc665"}
  ],
  "groupLabels": {"alertname": "HighErrorRate", "service": "checkout"},
  "commonLabels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "warning"},
  "commonAnnotations": {}, "externalURL": "http://127.0.0.1:19093", "version": "4",
  "groupKey": "{}:{alertname=\"HighErrorRate\", service=\"checkout\"}", "truncatedAlerts": 0
}`

func post(t *testing.T, s *sink, method, body string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(s)
	defer srv.Close()
	req, err := http.NewRequest(method, srv.URL+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

func TestPrintsFiringAndResolved(t *testing.T) {
	var w, out bytes.Buffer
	s := &sink{w: &w, out: &out}
	resp := post(t, s, http.MethodPost, mixed)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t,
		"2026-11-23T14:41:26Z RESOLVED HighErrorRate [warning] instance=a:8080 service=checkout | error rate back to 1% (lasted 1m7s)\n"+
			"2026-11-23T14:40:19Z FIRING   HighErrorRate [warning] instance=b:8080 service=checkout | error rate 9% > 5%\n",
		w.String())

	// The group's next notification repeats both alerts: nothing new to
	// print. The firing one resolving is printed.
	post(t, s, http.MethodPost, mixed)
	assert.Equal(t, 2, strings.Count(w.String(), "\n"), "a repeated notification prints nothing")
	post(t, s, http.MethodPost, strings.Replace(strings.Replace(mixed,
		`"status": "firing",
     "labels": {"alertname": "HighErrorRate", "instance": "b:8080"`, `"status": "resolved",
     "labels": {"alertname": "HighErrorRate", "instance": "b:8080"`, 1),
		`"endsAt": "0001-01-01T00:00:00Z"`, `"endsAt": "2026-11-23T14:45:19Z"`, 1))
	assert.Equal(t, 3, strings.Count(w.String(), "\n"))
	assert.Contains(t, w.String(), "2026-11-23T14:45:19Z RESOLVED HighErrorRate [warning] instance=b:8080 service=checkout | error rate 9% > 5% (lasted 5m0s)\n")

	// -out holds every request as one compact JSON line.
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	var m message
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &m))
	assert.Len(t, m.Alerts, 2)
	assert.Equal(t, "4", m.Version)
}

func TestMinimalAlertAndTruncation(t *testing.T) {
	var w bytes.Buffer
	resp := post(t, &sink{w: &w}, http.MethodPost,
		`{"status":"firing","groupKey":"g","truncatedAlerts":3,"alerts":[{"status":"firing","labels":{},"annotations":{"description":"only a description"},"startsAt":"2026-01-01T00:00:00Z"}]}`)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "2026-01-01T00:00:00Z FIRING   - | only a description\n(3 more alerts in group g were truncated by the sender)\n", w.String())
}

func TestRejectsBadRequests(t *testing.T) {
	var w, out bytes.Buffer
	s := &sink{w: &w, out: &out}
	assert.Equal(t, http.StatusMethodNotAllowed, post(t, s, http.MethodGet, "").StatusCode)
	assert.Equal(t, http.StatusBadRequest, post(t, s, http.MethodPost, `{"alerts": [`).StatusCode)
	assert.Equal(t, http.StatusBadRequest, post(t, s, http.MethodPost, `[{"labels":{}}]`).StatusCode)
	assert.Equal(t, http.StatusRequestEntityTooLarge, post(t, s, http.MethodPost, `{"receiver":"`+strings.Repeat("x", maxBody)+`"}`).StatusCode)
	assert.Empty(t, w.String())
	assert.Empty(t, out.String())
}
