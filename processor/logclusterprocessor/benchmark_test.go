package logclusterprocessor

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-aiops/otelcol-aiops/internal/datasets"
	"github.com/otelcol-aiops/otelcol-aiops/internal/loghub"
)

const benchBatch = 1000

// loghubBatches returns all shared Loghub-2k Content as 1,000-record
// batches, one resource (service.name = dataset) per batch; the data is
// read at run time and the benchmark skips without it.
func loghubBatches(b *testing.B) []plog.Logs {
	dir := datasets.Dir(b, "loghub2k")
	formats, err := loghub.ReadFormats(dir)
	if err != nil {
		b.Skipf("Loghub-2k not available: %v", err)
	}
	names, err := loghub.Names(dir)
	require.NoError(b, err)
	var out []plog.Logs
	for _, n := range names {
		d, err := loghub.Load(dir, n, formats[n])
		require.NoError(b, err)
		for s := 0; s < len(d.Content); s += benchBatch {
			ld := plog.NewLogs()
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", n)
			lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
			for _, l := range d.Content[s:min(s+benchBatch, len(d.Content))] {
				lrs.AppendEmpty().Body().SetStr(l)
			}
			out = append(out, ld)
		}
	}
	return out
}

// BenchmarkProcessor measures ConsumeLogs on 1,000-record batches of the
// shared Loghub Content, repeated; run with -benchtime 1000x or more for
// >= 1M records. Copying each input batch is excluded from the timing.
func BenchmarkProcessor(b *testing.B) {
	batches := loghubBatches(b)
	proc, err := newProcessor(newSettings(), createDefaultConfig().(*Config))
	require.NoError(b, err)
	ctx := context.Background()
	for _, ld := range batches { // learn templates once: steady state
		in := plog.NewLogs()
		ld.CopyTo(in)
		_, _ = proc.processLogs(ctx, in)
	}
	next := consumertest.NewNop()
	b.ReportAllocs()
	b.ResetTimer()
	records := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		in := plog.NewLogs()
		batches[i%len(batches)].CopyTo(in)
		b.StartTimer()
		out, _ := proc.processLogs(ctx, in)
		_ = next.ConsumeLogs(ctx, out)
		records += in.LogRecordCount()
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkClusterMemory creates 10,000 distinct templates in one partition
// and reports heap bytes per cluster and the heap in use with them (after GC).
func BenchmarkClusterMemory(b *testing.B) {
	const clusters = 10000
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		proc, err := newProcessor(newSettings(), createDefaultConfig().(*Config))
		require.NoError(b, err)
		ld := plog.NewLogs()
		lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for c := 0; c < clusters; c++ {
			// Distinct leading words give distinct templates of realistic size.
			lrs.AppendEmpty().Body().SetStr(fmt.Sprintf("event%c%c%c%c handler %d failed for request id=%d after %dms: connection reset", 'a'+c%26, 'a'+c/26%26, 'a'+c/676%26, 'a'+c/17576%26, c, c*7, c%100))
		}
		_, _ = proc.processLogs(context.Background(), ld)
		if n := proc.activeClusters(); n != clusters {
			b.Fatalf("%d clusters, want %d", n, clusters)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/clusters, "bytes/cluster")
		b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-inuse-MiB")
		runtime.KeepAlive(proc)
	}
}
