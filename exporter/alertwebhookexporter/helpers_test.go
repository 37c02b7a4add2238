package alertwebhookexporter

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap/zaptest"

	"github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// storageName names the file-backed test storage extension standing in for
// file_storage. Its clients write their file when closed and read it when
// opened, so an exporter started on the same directory after a shutdown
// sees what the previous instance persisted, as across a real restart.
const storageName = "alerts"

var storageID = storagetest.NewStorageID(storageName)

// hostWith returns a host with file-backed storage in dir, or with no
// extensions when dir is empty.
func hostWith(dir string) component.Host {
	h := storagetest.NewStorageHost()
	if dir != "" {
		h = h.WithFileBackedStorageExtension(storageName, dir)
	}
	return h
}

// fakeClock is the exporter's clock in tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// harness runs one exporter instance (metrics + logs wrappers) with a fake
// clock; the timer loop is effectively off and tests call tick.
type harness struct {
	t       *testing.T
	e       *alertExporter
	metrics exporter.Metrics
	logs    exporter.Logs
	clock   *fakeClock
}

func testConfig(targets ...TargetConfig) *Config {
	cfg := createDefaultConfig().(*Config)
	cfg.EvaluationInterval = time.Hour
	cfg.Targets = targets
	cfg.RetryConfig.InitialInterval = 20 * time.Millisecond
	cfg.RetryConfig.MaxInterval = 100 * time.Millisecond
	cfg.RetryConfig.RandomizationFactor = 0
	return cfg
}

func startHarness(t *testing.T, cfg *Config, host component.Host, clock *fakeClock) *harness {
	t.Helper()
	require.NoError(t, cfg.Validate())
	set := exportertest.NewNopSettings(metadata.Type)
	// A stable ID: storage clients are keyed by it, and a restart must
	// find the previous instance's data.
	set.ID = component.NewIDWithName(metadata.Type, "test")
	if testing.Verbose() {
		set.Logger = zaptest.NewLogger(t)
	}
	f := NewFactory()
	m, err := f.CreateMetrics(context.Background(), set, cfg)
	require.NoError(t, err)
	l, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	sharedMu.Lock()
	e := shared[set.ID]
	sharedMu.Unlock()
	e.now = clock.now
	require.NoError(t, m.Start(context.Background(), host))
	require.NoError(t, l.Start(context.Background(), host))
	return &harness{t: t, e: e, metrics: m, logs: l, clock: clock}
}

func (h *harness) stop() {
	require.NoError(h.t, h.metrics.Shutdown(context.Background()))
	require.NoError(h.t, h.logs.Shutdown(context.Background()))
}

func (h *harness) tick(d time.Duration) {
	h.e.tick(context.Background(), h.clock.add(d))
}

// anomalyPoint builds the anomaly processor's decision gauge for one series.
func anomalyPoint(service, source, route string, value int64, ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", service)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("anomaly.active")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetIntValue(value)
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.Attributes().PutStr("anomaly.metric", source)
	dp.Attributes().PutStr("http.route", route)
	return md
}

func errorLog(service, templateID, template, body string, isNew bool, sev plog.SeverityNumber) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetSeverityNumber(sev)
	lr.SetSeverityText(sev.String())
	lr.Body().SetStr(body)
	lr.Attributes().PutBool("log.record.template.new", isNew)
	lr.Attributes().PutStr("log.record.template.id", templateID)
	lr.Attributes().PutStr("log.record.template", template)
	return ld
}

// sink is a webhook receiver that records version 4 payloads; respond
// decides each answer (status, Retry-After) from the attempt number.
type sink struct {
	srv      *httptest.Server
	mu       sync.Mutex
	attempts []time.Time
	messages []notify.WebhookMessage
	lastBody string
	respond  func(attempt int) (int, string)
}

func newSink(t *testing.T, respond func(int) (int, string)) *sink {
	s := &sink{respond: respond}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.attempts = append(s.attempts, time.Now())
		n := len(s.attempts)
		status, retryAfter := 200, ""
		if s.respond != nil {
			status, retryAfter = s.respond(n)
		}
		if status == 200 {
			var m notify.WebhookMessage
			if json.Unmarshal(body, &m) == nil {
				s.messages = append(s.messages, m)
			}
		}
		s.mu.Unlock()
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) delivered() []notify.WebhookMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notify.WebhookMessage(nil), s.messages...)
}

func (s *sink) attemptTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.attempts...)
}

func webhookTarget(url string) TargetConfig {
	tc := TargetConfig{Name: "hook", Type: "webhook", GroupWait: ptr(time.Second), GroupInterval: 5 * time.Second, RepeatInterval: time.Hour}
	tc.ClientConfig.Endpoint = url
	return tc
}

// okRobot answers like a chat robot that accepted the message.
func okRobot(s *sink) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.lastBody = string(body)
		s.attempts = append(s.attempts, time.Now())
		s.mu.Unlock()
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	})
}

func exportertestSettings() exporter.Settings {
	set := exportertest.NewNopSettings(metadata.Type)
	return set
}

func httpClientNoRetry() *http.Client { return &http.Client{Timeout: 2 * time.Second} }

func ptr[T any](v T) *T { return &v }
