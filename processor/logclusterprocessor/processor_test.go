package logclusterprocessor

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor/internal/metadata"
	"github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor/internal/metadatatest"
)

func newTestProcessor(t testing.TB, cfg *Config, sink *consumertest.LogsSink) processor.Logs {
	t.Helper()
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	return p
}

// logs builds one resource per service with string bodies; a nil body entry
// leaves the body empty.
func logs(service string, bodies ...any) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	if service != "" {
		rl.Resource().Attributes().PutStr("service.name", service)
	}
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, b := range bodies {
		lr := lrs.AppendEmpty()
		switch v := b.(type) {
		case string:
			lr.Body().SetStr(v)
		case map[string]any:
			require.NoError(nil, lr.Body().SetEmptyMap().FromRaw(v))
		case int:
			lr.Body().SetInt(int64(v))
		}
	}
	return ld
}

func records(ld plog.Logs) []pcommon.Map {
	var out []pcommon.Map
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				out = append(out, lrs.At(k).Attributes())
			}
		}
	}
	return out
}

func str(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return "<absent>"
	}
	return v.AsString()
}

func TestAnnotates(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ExtractParams = true
	sink := new(consumertest.LogsSink)
	p := newTestProcessor(t, cfg, sink)
	require.NoError(t, p.Start(context.Background(), nil))
	ctx := context.Background()
	require.NoError(t, p.ConsumeLogs(ctx, logs("api",
		"Failed password for root from 10.0.0.1 port 22 ssh2",
		"Failed password for admin from 10.0.0.2 port 23 ssh2",
		map[string]any{"message": "Failed password for bob from 10.0.0.3 port 24 ssh2", "level": "warn"},
		map[string]any{"msg": "no message field"},
		map[string]any{"message": 42},
		"",
		nil,
		7,
	)))
	require.NoError(t, p.Shutdown(ctx))
	recs := records(sink.AllLogs()[0])
	require.Len(t, recs, 8)
	id := str(recs[0], "log.record.template.id")
	assert.Len(t, id, 16)
	assert.Equal(t, "Failed password for root from <*> port <*> ssh2", str(recs[0], "log.record.template"))
	assert.Equal(t, "true", str(recs[0], "log.record.template.new"))
	// "root" was literal when the first record was mined.
	assert.Equal(t, "[\"10.0.0.1\",\"22\"]", str(recs[0], "log.record.template.params"))
	for _, r := range recs[1:3] {
		assert.Equal(t, id, str(r, "log.record.template.id"), "same template, same ID")
		assert.Equal(t, "<absent>", str(r, "log.record.template.new"))
	}
	assert.Equal(t, "Failed password for <*> from <*> port <*> ssh2", str(recs[2], "log.record.template"))
	assert.Equal(t, "[\"bob\",\"10.0.0.3\",\"24\"]", str(recs[2], "log.record.template.params"))
	for _, r := range recs[3:] {
		assert.Equal(t, 0, r.Len(), "records without text pass through unannotated")
	}
}

func TestPartitions(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxPartitions = 2
	sink := new(consumertest.LogsSink)
	p := newTestProcessor(t, cfg, sink)
	ctx := context.Background()
	line := "connection reset by peer"
	for _, svc := range []string{"a", "b", "c", "d"} {
		require.NoError(t, p.ConsumeLogs(ctx, logs(svc, line)))
	}
	var ids []string
	for _, ld := range sink.AllLogs() {
		ids = append(ids, str(records(ld)[0], "log.record.template.id"))
	}
	assert.NotEqual(t, ids[0], ids[1], "partitions have separate template spaces and IDs")
	assert.Equal(t, ids[2], ids[3], "partitions beyond max_partitions share the overflow partition")
	assert.NotEqual(t, ids[0], ids[2])
}

func TestConcurrentConsume(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	sink := new(consumertest.LogsSink)
	p := newTestProcessor(t, cfg, sink)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				assert.NoError(t, p.ConsumeLogs(ctx, logs(fmt.Sprint("svc", g%2), fmt.Sprintf("job %d finished in %dms", i, g))))
			}
		}(g)
	}
	wg.Wait()
	byService := map[string]map[string]bool{}
	for _, ld := range sink.AllLogs() {
		svc, _ := ld.ResourceLogs().At(0).Resource().Attributes().Get("service.name")
		if byService[svc.Str()] == nil {
			byService[svc.Str()] = map[string]bool{}
		}
		byService[svc.Str()][str(records(ld)[0], "log.record.template.id")] = true
	}
	for svc, ids := range byService {
		assert.Len(t, ids, 1, "service %s", svc)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	storeID := storagetest.NewStorageID("logcluster")
	h := storagetest.NewStorageHost().WithFileBackedStorageExtension("logcluster", dir)
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &storeID
	ctx := context.Background()

	// Each run is one collector life: Shutdown closes the storage client,
	// which writes the file that the next run's client reads back.
	run := func(line string) (pcommon.Map, *componenttest.Telemetry) {
		tel := componenttest.NewTelemetry()
		t.Cleanup(func() { require.NoError(t, tel.Shutdown(ctx)) })
		set := processortest.NewNopSettings(metadata.Type)
		set.TelemetrySettings = tel.NewTelemetrySettings()
		sink := new(consumertest.LogsSink)
		p, err := NewFactory().CreateLogs(ctx, set, cfg, sink)
		require.NoError(t, err)
		require.NoError(t, p.Start(ctx, h))
		require.NoError(t, p.ConsumeLogs(ctx, logs("api", line)))
		require.NoError(t, p.Shutdown(ctx))
		return records(sink.AllLogs()[0])[0], tel
	}
	noFailures := func(tel *componenttest.Telemetry) {
		_, err := tel.GetMetric("otelcol_logcluster_snapshot_failures")
		assert.ErrorContains(t, err, "not found", "no snapshot save or restore failed")
	}
	first, tel := run("login of user alice from 10.1.1.1")
	noFailures(tel)
	second, tel := run("login of user bob from 10.2.2.2")
	noFailures(tel)
	assert.Equal(t, str(first, "log.record.template.id"), str(second, "log.record.template.id"))
	assert.Equal(t, "<absent>", str(second, "log.record.template.new"), "restored template is not new")
	assert.Equal(t, "login of user <*> from <*>", str(second, "log.record.template"))

	// A corrupt snapshot is ignored: the processor starts empty and works.
	// The processor's own client is opened directly to overwrite it.
	stored := storagetest.NewFileBackedClient(component.KindProcessor, component.NewID(metadata.Type), "", dir)
	require.NoError(t, stored.Set(ctx, snapshotKey, []byte("LCPS\x01\x05garbage")))
	require.NoError(t, stored.Close(ctx))
	third, tel := run("login of user alice from 10.3.3.3")
	// The corrupt snapshot was read and counted.
	metadatatest.AssertEqualLogclusterSnapshotFailures(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: attribute.NewSet(attribute.String("operation", "restore")), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	assert.Equal(t, "true", str(third, "log.record.template.new"))
	assert.Equal(t, str(first, "log.record.template.id"), str(third, "log.record.template.id"), "IDs are derived, not stored")
}

func TestMissingStorageExtension(t *testing.T) {
	id := storagetest.NewStorageID("logcluster")
	cfg := createDefaultConfig().(*Config)
	cfg.Storage = &id
	p := newTestProcessor(t, cfg, new(consumertest.LogsSink))
	err := p.Start(context.Background(), storagetest.NewStorageHost())
	require.ErrorContains(t, err, `extension "test_storage/logcluster" not found`)
}

func TestDecodeContainerCorrupt(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("LCPS"), []byte("LCPS\x02\x00"), []byte("LCPS\x01\x01\x01a\x05DRNS"), []byte("XXXX\x01\x00")} {
		_, err := decodeContainer(b, createDrainConfig(t))
		assert.Error(t, err, "%q", b)
	}
}

// With new_pattern.min_records 3, a template is news on its third record
// within the window: a one-off line is never marked, a pattern that repeats
// is marked once.
func TestNewPatternRecurs(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.NewPattern = NewPatternConfig{MinRecords: 3, Within: time.Minute}
	require.NoError(t, cfg.Validate())
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	isNew := func(line string) bool {
		ld, err := p.processLogs(context.Background(), logs("api", line))
		require.NoError(t, err)
		return str(records(ld)[0], "log.record.template.new") == "true"
	}
	assert.False(t, isNew("upstream db refused connection from 10.0.0.1"))
	assert.False(t, isNew("rare retry of job 42 after 3 attempts"), "one-off")
	now = now.Add(10 * time.Second)
	assert.False(t, isNew("upstream db refused connection from 10.0.0.2"))
	now = now.Add(10 * time.Second)
	assert.True(t, isNew("upstream db refused connection from 10.0.0.3"), "third within a minute")
	assert.False(t, isNew("upstream db refused connection from 10.0.0.4"), "marked once")
	now = now.Add(2 * time.Minute)
	assert.False(t, isNew("rare retry of job 43 after 3 attempts"))
	assert.False(t, isNew("rare retry of job 44 after 3 attempts"), "its records came too late")
}

func TestLearningPeriod(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.LearningPeriod = 10 * time.Minute
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return now }
	isNew := func(svc, line string) bool {
		ld, err := p.processLogs(context.Background(), logs(svc, line))
		require.NoError(t, err)
		return str(records(ld)[0], "log.record.template.new") == "true"
	}

	assert.False(t, isNew("api", "cache miss for key user:1"), "learnt in api's first 10 minutes")
	now = now.Add(9 * time.Minute)
	assert.False(t, isNew("api", "payment declined for order 17"), "still learning")
	now = now.Add(2 * time.Minute)
	assert.True(t, isNew("api", "circuit breaker opened for upstream db"), "after the period: new")
	assert.False(t, isNew("api", "cache miss for key user:2"), "a learnt template is known, not new")
	assert.False(t, isNew("web", "circuit breaker opened for upstream db"), "a partition that appears later learns for its own period")
	now = now.Add(10 * time.Minute)
	assert.True(t, isNew("web", "disk full on /var/lib"))

	cfg.LearningPeriod = 0
	p, err = newProcessor(processortest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	assert.True(t, isNew("api", "cache miss for key user:1"), "without a learning period every template is new")
}
