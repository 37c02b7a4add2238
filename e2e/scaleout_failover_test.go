//go:build e2e

package e2e

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// TestScaleOutFailover (issue 7, scale-out): the routing tier of
// examples/scale-out with routing-dns.yaml finds three backends by name, as
// it does through a headless Service in Kubernetes. The backends listen on
// 127.0.0.2, .3 and .4 at one port, and a name in /etc/hosts resolves to the
// three addresses. One backend is killed with SIGKILL and its address leaves
// the name (what the endpoints controller does for a dead pod); the load
// keeps coming. Its series and services move to the survivors, each series
// to exactly one, the others stay where they were, and an anomaly on a moved
// series (after its new detector warmed up) and one on a series that stayed
// are both alerted.
func TestScaleOutFailover(t *testing.T) {
	addrs := []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}
	for _, a := range addrs {
		requireLoopbackAddr(t, a)
	}
	name := newHostsName(t, addrs...)
	sink := e2e.NewSink(t)
	hook := newWebhook(t)
	hook.up.Store(true)

	port := e2e.FreePort(t)
	backends, addrOf := map[string]*e2e.Collector{}, map[string]string{}
	for i, a := range addrs {
		be := fmt.Sprintf("backend-%d", i)
		backends[be], addrOf[be] = startScaleOutBackend(t, be, fmt.Sprintf("%s:%d", a, port), sink, hook), a
	}
	routing := startScaleOutRouting(t, []string{"routing.yaml", "routing-dns.yaml"},
		"BACKENDS_HOST="+name.name, fmt.Sprintf("BACKENDS_PORT=%d", port), "RESOLVE_INTERVAL=1s")

	// 24 latency series, one point a minute from a day ago; logs of 12
	// services. The routing tier sends concurrently, and a detector rejects
	// a point older than the last it took, so a batch that must be learnt
	// in full goes as one request, and the next waits until it is scored.
	const series, services = 24, 12
	start := time.Now().Add(-24 * time.Hour).Truncate(time.Minute)
	at := func(i int) time.Time { return start.Add(time.Duration(i) * time.Minute) }
	rng := rand.New(rand.NewPCG(7, 7))
	normal := func(s, i int) float64 {
		return 100 * (1 + 0.1*math.Sin(float64(i+3*s)/20) + 0.02*rng.NormFloat64())
	}
	i := 0 // the next point
	send := func(n int, value func(s, i int) float64) {
		e2e.SendMetrics(t, routing.Addr("otlp"), latencySeries(series, n, at(i), func(s, k int) float64 { return value(s, i+k) }))
		i += n
	}
	scored := func() {
		t.Helper()
		e2e.Eventually(t, 30*time.Second, func() bool { return len(scoreOwners(sink.Metrics(), at(i-1))) == series },
			"the last point (%d) of all %d series scored", i-1, series)
	}
	sendLogs := func() {
		for s := 0; s < services; s++ {
			e2e.SendLogs(t, routing.Addr("otlp"), serviceLogs(fmt.Sprintf("svc-%d", s), fmt.Sprintf("request %d served in %dms", i, 10+i%7)))
		}
	}

	// Before: 120 points, past the detectors' 100-point warm-up, and logs.
	send(120, normal)
	sendLogs()
	scored()
	e2e.Eventually(t, 30*time.Second, func() bool { return len(sinkRecords(sink)) == services }, "the logs of all %d services", services)
	seriesBefore := soleOwners(t, scoreOwners(sink.Metrics(), time.Time{}), "series")
	svcBefore := soleOwners(t, logOwners(sink.Logs()), "service")

	// The victim: the backend with the most services (it has series too).
	victim := ""
	for _, be := range slices.Sorted(maps.Keys(backends)) {
		if victim == "" || len(ownedBy(svcBefore, be)) > len(ownedBy(svcBefore, victim)) {
			victim = be
		}
	}
	movedSeries, movedServices := ownedBy(seriesBefore, victim), ownedBy(svcBefore, victim)
	require.NotEmpty(t, movedSeries, "%s scores some series: %v", victim, seriesBefore)
	require.NotEmpty(t, movedServices, "%s mines some services: %v", victim, svcBefore)
	t.Logf("killing %s: series %v, services %v", victim, movedSeries, movedServices)

	backends[victim].Kill()
	name.drop(addrOf[victim])
	killedAt, logsBefore, killed := i, len(sink.Logs()), time.Now()

	// The load goes on, a point and a record every 200 ms; the routing
	// tier's next look-up no longer finds the victim, and its series and
	// services arrive at the survivors.
	moved := func() bool {
		after, logs := scoreOwners(sink.Metrics(), at(killedAt)), logOwners(sink.Logs()[logsBefore:])
		for _, route := range movedSeries {
			if len(after[route]) == 0 || after[route][victim] {
				return false
			}
		}
		for _, svc := range movedServices {
			if len(logs[svc]) == 0 {
				return false
			}
		}
		return true
	}
	for !moved() {
		require.Less(t, time.Since(killed), 30*time.Second, "%s's series and services did not move to the survivors", victim)
		send(1, normal)
		sendLogs()
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("traffic moved %s after the kill (%d points later)", time.Since(killed).Round(100*time.Millisecond), i-killedAt)

	// The moved series' new detectors learn from scratch: warm them up,
	// then step one moved series and one that stayed to 10x.
	send(110, normal)
	scored()
	movedRoute, stayedRoute := movedSeries[0], ""
	for _, route := range slices.Sorted(maps.Keys(seriesBefore)) {
		if seriesBefore[route] != victim {
			stayedRoute = route
			break
		}
	}
	require.NotEmpty(t, stayedRoute)
	for _, route := range []string{movedRoute, stayedRoute} {
		require.Empty(t, hook.firing("AnomalyDetected", "http_route", route), "no alert for %s before the anomaly", route)
	}
	send(5, func(s, i int) float64 {
		if route := fmt.Sprintf("/r/%d", s); route == movedRoute || route == stayedRoute {
			return 10 * normal(s, i)
		}
		return normal(s, i)
	})
	for _, route := range []string{movedRoute, stayedRoute} {
		e2e.Eventually(t, 20*time.Second, func() bool { return len(hook.firing("AnomalyDetected", "http_route", route)) > 0 },
			"AnomalyDetected for %s at the webhook", route)
	}

	// Since the kill, every series has had exactly one owner: a survivor
	// for the moved ones, the same backend as before for the others (its
	// detector kept scoring); likewise for the services' templates.
	scored()
	seriesAfter := soleOwners(t, scoreOwners(sink.Metrics(), at(killedAt)), "series after the kill")
	svcAfter := soleOwners(t, logOwners(sink.Logs()[logsBefore:]), "service after the kill")
	assert.Len(t, seriesAfter, series)
	for route, be := range seriesBefore {
		if be == victim {
			assert.NotEqual(t, victim, seriesAfter[route], "%s left the dead backend", route)
		} else {
			assert.Equal(t, be, seriesAfter[route], "%s stayed on its backend", route)
		}
	}
	assert.Len(t, svcAfter, services)
	for svc, be := range svcBefore {
		if be == victim {
			assert.NotEqual(t, victim, svcAfter[svc], "%s's templates left the dead backend", svc)
		} else {
			assert.Equal(t, be, svcAfter[svc], "%s's templates stayed on their backend", svc)
		}
	}
}

// soleOwners reduces owners to key -> its one backend, failing for keys
// with more than one.
func soleOwners(t *testing.T, owners map[string]map[string]bool, what string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for key, bes := range owners {
		be := soleOwner(bes)
		assert.NotEmpty(t, be, "%s %s handled by exactly one backend: %v", what, key, bes)
		out[key] = be
	}
	return out
}

// ownedBy lists, sorted, the keys whose owner is backend.
func ownedBy(owners map[string]string, backend string) []string {
	var out []string
	for key, be := range owners {
		if be == backend {
			out = append(out, key)
		}
	}
	slices.Sort(out)
	return out
}

// requireLoopbackAddr checks that a server can listen on addr (Linux routes
// all of 127.0.0.0/8 to lo; other systems may not): without it the test is
// skipped, except in CI, where it fails.
func requireLoopbackAddr(t *testing.T, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		skipOutsideCI(t, "cannot listen on %s: %v", addr, err)
	}
	_ = l.Close()
}

// hostsName is a name in /etc/hosts with one line per backend address, the
// stand-in for a headless Service's DNS name. The binary is built with
// CGO_ENABLED=0, so the dns resolver's look-ups go through Go's own
// resolver, which reads /etc/hosts first and again when it changed (it
// checks at most every 5 s).
type hostsName struct {
	t    *testing.T
	name string
}

const hostsFile = "/etc/hosts"

// newHostsName adds a fresh name for addrs to /etc/hosts and takes its lines
// out again when the test ends. Without write access (not root) the test is
// skipped, except in CI, where it fails.
func newHostsName(t *testing.T, addrs ...string) *hostsName {
	t.Helper()
	h := &hostsName{t: t, name: fmt.Sprintf("otelcol-aiops-backends-%d-%d.test", os.Getpid(), rand.Uint32())}
	var lines []string
	for _, a := range addrs {
		lines = append(lines, a+" "+h.name)
	}
	if err := h.rewrite(func(kept []string) []string { return append(kept, lines...) }); err != nil {
		skipOutsideCI(t, "cannot add the backends' name to %s: %v", hostsFile, err)
	}
	t.Cleanup(func() {
		if err := h.rewrite(func(kept []string) []string { return kept }); err != nil {
			t.Errorf("remove %s from %s: %v", h.name, hostsFile, err)
		}
	})
	return h
}

// drop takes addr out of the name's answer.
func (h *hostsName) drop(addr string) {
	h.t.Helper()
	var rest []string
	for _, l := range h.lines() {
		if f := strings.Fields(l); f[0] != addr {
			rest = append(rest, l)
		}
	}
	require.NoError(h.t, h.rewrite(func(kept []string) []string { return append(kept, rest...) }))
}

// lines returns the file's lines for the name.
func (h *hostsName) lines() []string {
	data, err := os.ReadFile(hostsFile)
	require.NoError(h.t, err)
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if h.names(l) {
			out = append(out, l)
		}
	}
	return out
}

func (h *hostsName) names(line string) bool {
	f := strings.Fields(line)
	return len(f) >= 2 && slices.Contains(f[1:], h.name)
}

// rewrite replaces the name's lines by add(every other line), in place and
// with one write (in containers /etc/hosts is often a bind mount that
// cannot be renamed over).
func (h *hostsName) rewrite(add func(kept []string) []string) error {
	data, err := os.ReadFile(hostsFile)
	if err != nil {
		return err
	}
	var kept []string
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if !h.names(l) {
			kept = append(kept, l)
		}
	}
	return os.WriteFile(hostsFile, []byte(strings.Join(add(kept), "\n")+"\n"), 0o644)
}

// skipOutsideCI skips the test, or fails it in CI (CI set), whose runner
// provides what is missing.
func skipOutsideCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
