package alerting

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expected fingerprints were printed by a real Alertmanager 0.25 in its
// webhook payloads (shared/docs/ALERTING.md §1.6) and recomputed with an
// independent Python FNV-1a (see TestFingerprintMatchesAlertmanager comment).
func TestFingerprintMatchesAlertmanager(t *testing.T) {
	// python3: h=0xcbf29ce484222325; for each sorted (k,v): for b in k+'\xff'+v+'\xff': h^=b; h*=0x100000001b3 mod 2^64
	cases := []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"alertname": "HighErrorRate", "instance": "a:8080", "service": "checkout", "severity": "warning"}, "626e4de042739668"},
		{map[string]string{"alertname": "HighErrorRate", "instance": "b:8080", "service": "checkout", "severity": "warning"}, "562a51470c3cc665"},
		{map[string]string{"alertname": "PeerTest"}, "68e6657de0af7b94"},
		{map[string]string{}, "cbf29ce484222325"},
		// Empty values are dropped before hashing, as Alertmanager does.
		{map[string]string{"alertname": "PeerTest", "gone": ""}, "68e6657de0af7b94"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, NewLabels(c.labels).Fingerprint().String(), "%v", c.labels)
	}
}

func TestLabels(t *testing.T) {
	ls := NewLabels(map[string]string{"b": "2", "a": "1", "c": "x\"y"})
	assert.Equal(t, `{a="1", b="2", c="x\"y"}`, ls.String())
	assert.Equal(t, "2", ls.Get("b"))
	assert.Equal(t, "", ls.Get("zz"))
	assert.True(t, ls.Has("c"))
	assert.False(t, ls.Has("d"))
	assert.Equal(t, map[string]string{"a": "1", "b": "2", "c": "x\"y"}, ls.Map())
	assert.True(t, ls.Equal(NewLabels(map[string]string{"a": "1", "b": "2", "c": "x\"y"})))
	assert.False(t, ls.Equal(NewLabels(map[string]string{"a": "1"})))
}

func TestSanitizeName(t *testing.T) {
	cases := map[string]string{
		"service.name":  "service_name",
		"alertname":     "alertname",
		"alert-name":    "alert_name",
		"9lives":        "_9lives",
		"_ok9":          "_ok9",
		"k8s.pod.name":  "k8s_pod_name",
		"ünïcode":       "__n__code",
		"":              "",
		"http.route/v1": "http_route_v1",
	}
	for in, want := range cases {
		assert.Equal(t, want, SanitizeName(in), in)
	}
}
