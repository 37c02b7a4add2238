//go:build e2e

package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// TestReliabilityWebhookOutage (issue 7, item 2): the webhook is down while
// five alerts fire and resolve, then comes back. Every notification is
// delivered, none more than twice (at-least-once), and per group the firing
// notification comes before the resolution.
func TestReliabilityWebhookOutage(t *testing.T) {
	hook := newWebhook(t) // starts down (503)
	c := e2e.Start(t, alertConfig, e2e.Options{Data: hook.srv.URL})

	services := []string{"cart", "checkout", "payment", "shipping", "frontend"}
	for i, svc := range services {
		ld := serviceLogs(svc, fmt.Sprintf("%s: upstream %d refused the connection", svc, i))
		ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).SetSeverityNumber(plog.SeverityNumberError)
		e2e.SendLogs(t, c.Addr("otlp"), ld)
	}
	// The outage outlasts every alert's life (resolve timeout 3s), so both
	// the firing and the resolved notifications queue up behind it.
	time.Sleep(6 * time.Second)
	require.Empty(t, hook.messages())
	require.Greater(t, hook.attempts.Load(), int64(1), "the exporter kept retrying during the outage")
	hook.up.Store(true)

	type seen struct{ firing, resolved []int }
	e2e.Eventually(t, 60*time.Second, func() bool {
		_, r := hook.statuses()
		return r >= len(services)
	}, "every resolution after the outage")

	bySvc := map[string]*seen{}
	for n, m := range hook.messages() {
		for _, a := range m.Alerts {
			s := bySvc[a.Labels["service"]]
			if s == nil {
				s = &seen{}
				bySvc[a.Labels["service"]] = s
			}
			switch a.Status {
			case "firing":
				s.firing = append(s.firing, n)
			case "resolved":
				s.resolved = append(s.resolved, n)
			}
		}
	}
	for _, svc := range services {
		s := bySvc[svc]
		require.NotNil(t, s, "no notification for %s", svc)
		require.NotEmpty(t, s.firing, "%s: firing delivered", svc)
		require.NotEmpty(t, s.resolved, "%s: resolution delivered", svc)
		assert.LessOrEqual(t, len(s.firing), 2, "%s: at-least-once, not a flood", svc)
		assert.LessOrEqual(t, len(s.resolved), 2, "%s: at-least-once, not a flood", svc)
		assert.Less(t, s.firing[0], s.resolved[0], "%s: firing before resolved", svc)
	}
	require.NoError(t, c.Stop())
}
