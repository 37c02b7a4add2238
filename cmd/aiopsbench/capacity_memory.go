package main

// RSS at N tracked series: the demo pipeline with anomaly max_series = N and
// a generous memory_limiter, an idle baseline, then N distinct gauge series
// with 20 points each, 10 s apart in point time. The number of points
// matters: a detector allocates its daily profile (about half of its state)
// once it has seen 16 sampling intervals, so a series with 3 points costs
// about half of one in steady state. RSS (VmRSS) is read after a forced garbage
// collection (pprof extension, heap?gc=1) and a settling wait, both for the
// baseline and with the series; self-telemetry confirms how many series the
// anomaly processor tracks and that none was evicted.

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// memoryOptions are the memory flags.
type memoryOptions struct {
	series   int
	points   int
	batch    int
	senders  int
	limitMiB int
	settle   time.Duration
}

// memoryResult is the -json form of the memory measurement.
type memoryResult struct {
	Series             int      `json:"series"`
	PointsPerSeries    int      `json:"points_per_series"`
	MemoryLimiterMiB   int      `json:"memory_limiter_limit_mib"`
	IdleRSSMiB         float64  `json:"idle_rss_mib"`
	RSSMiB             float64  `json:"rss_mib"`
	PeakRSSMiB         float64  `json:"peak_rss_mib"` // VmHWM
	IdleHeapMiB        float64  `json:"idle_heap_mib"`
	HeapMiB            float64  `json:"heap_mib"` // HeapAlloc right after a forced GC
	RSSBytesPerSeries  float64  `json:"rss_bytes_per_series"`
	HeapBytesPerSeries float64  `json:"heap_bytes_per_series"`
	Tracked            float64  `json:"tracked_series"` // otelcol_anomaly_series_active
	Evicted            float64  `json:"evicted_series"`
	Rejected           float64  `json:"rejected_points"`
	Retried            int      `json:"retried_requests"` // refused (429/503) and sent again
	LoadSeconds        float64  `json:"load_seconds"`
	Notes              []string `json:"notes,omitempty"`
}

func runMemory(ctx context.Context, env *capacityEnv, o memoryOptions) (*memoryResult, error) {
	res := &memoryResult{Series: o.series, PointsPerSeries: o.points, MemoryLimiterMiB: o.limitMiB}
	inst, err := env.prepare("memory", benchSetup{limitMiB: o.limitMiB, maxSeries: o.series, pprof: true}, nil)
	if err != nil {
		return nil, err
	}
	col, err := inst.startReady(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = col.stop() }()

	idle, err := settledMemory(ctx, inst, col, o.settle)
	if err != nil {
		return nil, err
	}
	res.IdleRSSMiB, res.IdleHeapMiB = kibToMiB(idle.rssKiB), idle.heap/(1<<20)
	env.progress("memory: idle RSS %.0f MiB, heap %.0f MiB; sending %d series x %d points", res.IdleRSSMiB, res.IdleHeapMiB, o.series, o.points)

	began := time.Now()
	retried, err := sendSeries(ctx, inst, o)
	if err != nil {
		return nil, err
	}
	res.Retried = retried
	res.LoadSeconds = time.Since(began).Seconds()

	// The last requests are answered after the processor has the series;
	// wait until the gauge shows all of them (or stops moving).
	var m e2e.PromSamples
	prev := -1.0
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if m, err = inst.selfMetrics(); err != nil {
			return nil, err
		}
		n := m.Sum("otelcol_anomaly_series_active", nil)
		if n >= float64(o.series) || n == prev || time.Now().After(deadline) {
			break
		}
		prev = n
		time.Sleep(2 * time.Second)
	}
	loaded, err := settledMemory(ctx, inst, col, o.settle)
	if err != nil {
		return nil, err
	}
	if m, err = inst.selfMetrics(); err != nil {
		return nil, err
	}
	res.Tracked = m.Sum("otelcol_anomaly_series_active", nil)
	res.Evicted = m.Sum("otelcol_anomaly_series_evicted", nil)
	res.Rejected = m.Sum("otelcol_anomaly_points_rejected", nil)
	res.RSSMiB, res.HeapMiB = kibToMiB(loaded.rssKiB), loaded.heap/(1<<20)
	hwm, err := e2e.ProcStatusKiB(col.pid(), "VmHWM")
	if err != nil {
		return nil, err
	}
	res.PeakRSSMiB = kibToMiB(hwm)
	res.RSSBytesPerSeries = float64(loaded.rssKiB-idle.rssKiB) * 1024 / float64(o.series)
	res.HeapBytesPerSeries = (loaded.heap - idle.heap) / float64(o.series)
	if res.Tracked < 0.99*float64(o.series) {
		res.Notes = append(res.Notes, fmt.Sprintf("only %.0f of %d series tracked", res.Tracked, o.series))
	}
	if res.Evicted > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%.0f series evicted", res.Evicted))
	}
	return res, nil
}

// memorySample is the collector's memory at one moment.
type memorySample struct {
	rssKiB int64
	heap   float64 // live heap in bytes, right after a forced collection
}

// settledMemory forces a collection, which yields the live heap, then
// waits settle for the runtime to return freed memory and reads VmRSS.
func settledMemory(ctx context.Context, inst *benchInstance, col *collectorRun, settle time.Duration) (memorySample, error) {
	heap, err := inst.forceGC()
	if err != nil {
		return memorySample{}, err
	}
	select {
	case <-ctx.Done():
		return memorySample{}, ctx.Err()
	case <-col.done():
		return memorySample{}, fmt.Errorf("collector exited (%v); its log:\n%s", col.exitErr(), tail(col.logPath, 4000))
	case <-time.After(settle):
	}
	rss, err := e2e.ProcStatusKiB(col.pid(), "VmRSS")
	if err != nil {
		return memorySample{}, err
	}
	return memorySample{rssKiB: rss, heap: heap}, nil
}

func kibToMiB(k int64) float64 { return float64(k) / 1024 }

// sendSeries sends o.points rounds of one point for each of o.series
// series (rounds ten seconds apart in point time, one after the other so
// that every series' points arrive in order), retrying refused requests.
func sendSeries(ctx context.Context, inst *benchInstance, o memoryOptions) (int, error) {
	snd := newOTLPSender(inst.otlpBase(), o.senders)
	base := time.Now().Add(-time.Duration(o.points) * 10 * time.Second)
	retried := 0
	var mu sync.Mutex
	for round := 0; round < o.points; round++ {
		ts := pcommon.NewTimestampFromTime(base.Add(time.Duration(round) * 10 * time.Second))
		firsts := make(chan int)
		errs := make(chan error, o.senders)
		var wg sync.WaitGroup
		for w := 0; w < o.senders; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for first := range firsts {
					n, err := postSeriesBatch(ctx, snd, first, min(o.batch, o.series-first), ts, round)
					mu.Lock()
					retried += n
					mu.Unlock()
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	feed:
		for first := 0; first < o.series; first += o.batch {
			select {
			case firsts <- first:
			case err := <-errs:
				close(firsts)
				wg.Wait()
				return retried, err
			case <-ctx.Done():
				break feed
			}
		}
		close(firsts)
		wg.Wait()
		select {
		case err := <-errs:
			return retried, err
		default:
		}
		if ctx.Err() != nil {
			return retried, ctx.Err()
		}
	}
	return retried, nil
}

// postSeriesBatch posts one point for each series first..first+n-1 and
// retries (for up to two minutes) while the collector refuses with 429 or
// 503; it returns the number of retries.
func postSeriesBatch(ctx context.Context, snd *otlpSender, first, n int, ts pcommon.Timestamp, round int) (int, error) {
	series := make([]gaugeSeries, n)
	for i := range series {
		series[i] = seriesOf(first + i)
	}
	md := gaugeBatch(series, 0, n, func(g gaugeSeries) (pcommon.Timestamp, float64) {
		return ts, g.level * (1 + 0.01*float64(round%3))
	})
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		return 0, err
	}
	retries := 0
	for deadline := time.Now().Add(2 * time.Minute); ; retries++ {
		code, err := snd.post(sigMetrics, body)
		if err == nil && code == http.StatusOK {
			return retries, nil
		}
		if err == nil && code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable {
			return retries, fmt.Errorf("series %d..%d: HTTP %d", first, first+n-1, code)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return retries, fmt.Errorf("series %d..%d not accepted within 2 minutes (last: %d %v)", first, first+n-1, code, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
