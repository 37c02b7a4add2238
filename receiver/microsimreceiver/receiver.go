package microsimreceiver // import "github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver"

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/microsim"
	"github.com/otelcol-aiops/otelcol-aiops/receiver/microsimreceiver/internal/metadata"
)

const (
	// minWake bounds the wake-ups per real second in accelerated mode (200
	// at most); each wake-up runs every tick that is due. It is small so
	// that a component aggregating on the wall clock (span_metrics flushes)
	// sees simulated time arrive evenly: with coarse wake-ups a flush holds
	// one or two wake-ups' worth of data and rates jump by half.
	minWake = 5 * time.Millisecond
	// maxBatchItems bounds a batch handed to the pipeline when many ticks
	// are due at once.
	maxBatchItems = 20000
)

// registry holds one receiver per component ID, so that the traces, metrics
// and logs pipelines of one microsim entry share one simulation. The
// collector creates all three before starting any.
var registry = struct {
	sync.Mutex
	m map[component.ID]*simReceiver
}{m: map[component.ID]*simReceiver{}}

func shared(set receiver.Settings, cfg *Config) (*simReceiver, error) {
	registry.Lock()
	defer registry.Unlock()
	if r, ok := registry.m[set.ID]; ok {
		return r, nil
	}
	r, err := newReceiver(set, cfg)
	if err != nil {
		return nil, err
	}
	registry.m[set.ID] = r
	return r, nil
}

type simReceiver struct {
	id     component.ID
	cfg    *Config
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	// now is the real clock; tests replace it.
	now func() time.Time

	traces  consumer.Traces
	metrics consumer.Metrics
	logs    consumer.Logs

	// Set in Start, then used by the run goroutine only.
	sim       *microsim.Simulator
	realStart time.Time
	simStart  time.Time
	truth     *os.File
	failures  int

	lag          atomic.Int64 // nanoseconds of simulated time behind target
	reached      atomic.Int64 // simulated time reached, Unix nanoseconds
	startOnce    sync.Once
	shutdownOnce sync.Once
	cancel       context.CancelFunc
	done         chan struct{}
}

var (
	_ receiver.Traces  = (*simReceiver)(nil)
	_ receiver.Metrics = (*simReceiver)(nil)
	_ receiver.Logs    = (*simReceiver)(nil)
)

func newReceiver(set receiver.Settings, cfg *Config) (*simReceiver, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &simReceiver{id: set.ID, cfg: cfg, logger: set.Logger, tel: tel, now: time.Now}
	err = tel.RegisterMicrosimLagCallback(func(_ context.Context, o metric.Float64Observer) error {
		o.Observe(time.Duration(r.lag.Load()).Seconds())
		return nil
	})
	if err != nil {
		tel.Shutdown()
		return nil, err
	}
	return r, nil
}

func (r *simReceiver) setTraces(c consumer.Traces)   { r.traces = c }
func (r *simReceiver) setMetrics(c consumer.Metrics) { r.metrics = c }
func (r *simReceiver) setLogs(c consumer.Logs)       { r.logs = c }

// Start starts the shared simulation once, whichever pipeline comes first.
func (r *simReceiver) Start(_ context.Context, _ component.Host) error {
	var err error
	r.startOnce.Do(func() {
		r.realStart = r.now()
		sim, e := microsim.New(r.cfg.simConfig(r.realStart))
		if e != nil {
			err = fmt.Errorf("microsim: %w", e)
			return
		}
		if f := r.cfg.GroundTruth.File; f != "" {
			if r.truth, e = os.OpenFile(f, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644); e != nil {
				err = fmt.Errorf("ground_truth.file: %w", e)
				return
			}
		}
		r.sim, r.simStart = sim, sim.Now()
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel, r.done = cancel, make(chan struct{})
		r.logger.Info("microsim started", zap.Float64("speed", r.cfg.Speed), zap.Time("simulated_start", r.simStart),
			zap.Int("scheduled_faults", len(sim.Faults())), zap.String("fault_schedule", r.cfg.FaultSchedule))
		go r.run(ctx)
	})
	return err
}

// Shutdown stops the simulation and removes the shared instance.
func (r *simReceiver) Shutdown(context.Context) error {
	var err error
	r.shutdownOnce.Do(func() {
		registry.Lock()
		if registry.m[r.id] == r {
			delete(registry.m, r.id)
		}
		registry.Unlock()
		if r.cancel != nil {
			r.cancel()
			<-r.done
		}
		if r.truth != nil {
			err = r.truth.Close()
		}
		r.tel.Shutdown()
	})
	return err
}

func (r *simReceiver) run(ctx context.Context) {
	defer close(r.done)
	wake := max(time.Duration(float64(r.cfg.Tick)/r.cfg.Speed), minWake)
	ticker := time.NewTicker(wake)
	defer ticker.Stop()
	for {
		r.advance(ctx, r.target(r.now()))
		if r.finished() {
			r.lag.Store(0)
			r.logger.Info("microsim reached its duration; no more data", zap.Duration("duration", r.cfg.Duration))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// target is the simulated time that real time now corresponds to.
func (r *simReceiver) target(now time.Time) time.Time {
	return r.simStart.Add(time.Duration(float64(now.Sub(r.realStart)) * r.cfg.Speed))
}

func (r *simReceiver) finished() bool {
	return r.cfg.Duration > 0 && !r.sim.Now().Before(r.simStart.Add(r.cfg.Duration))
}

// advance runs every tick that ends by target and hands the results on.
func (r *simReceiver) advance(ctx context.Context, target time.Time) {
	var acc microsim.Batch
	for ctx.Err() == nil && !r.finished() && !r.sim.Now().Add(r.sim.Tick()).After(target) {
		acc.Append(r.sim.Step())
		if len(acc.Spans)+len(acc.Logs) >= maxBatchItems {
			r.emit(ctx, acc)
			acc = microsim.Batch{}
		}
	}
	r.lag.Store(int64(max(target.Sub(r.sim.Now()), 0)))
	r.reached.Store(r.sim.Now().UnixNano())
	if !acc.Empty() {
		r.emit(ctx, acc)
	}
}

func (r *simReceiver) emit(ctx context.Context, b microsim.Batch) {
	for _, ev := range b.FaultEvents {
		r.reportFault(ctx, ev)
	}
	topo := r.sim.Topology()
	if r.traces != nil && len(b.Spans) > 0 {
		if err := r.traces.ConsumeTraces(ctx, toTraces(b.Spans, topo)); err != nil {
			r.refused(ctx, "traces", err)
		} else {
			r.tel.MicrosimSpansEmitted.Add(ctx, int64(len(b.Spans)))
		}
	}
	if r.metrics != nil && len(b.Points) > 0 {
		if err := r.metrics.ConsumeMetrics(ctx, toMetrics(b.Points, topo, r.simStart)); err != nil {
			r.refused(ctx, "metrics", err)
		} else {
			r.tel.MicrosimMetricPointsEmitted.Add(ctx, int64(len(b.Points)))
		}
	}
	if r.logs != nil && len(b.Logs)+len(b.FaultEvents) > 0 {
		if err := r.logs.ConsumeLogs(ctx, toLogs(b.Logs, b.FaultEvents, topo)); err != nil {
			r.refused(ctx, "logs", err)
		} else {
			r.tel.MicrosimLogRecordsEmitted.Add(ctx, int64(len(b.Logs)+len(b.FaultEvents)))
		}
	}
}

func (r *simReceiver) refused(ctx context.Context, signal string, err error) {
	r.tel.MicrosimBatchesRefused.Add(ctx, 1, metric.WithAttributes(attribute.String("signal", signal)))
	// The data is simulated and the run goes on; log the first refusals
	// and then only now and then, not once per tick.
	if r.failures++; r.failures <= 3 || r.failures%1000 == 0 {
		r.logger.Warn("next consumer refused simulated data; dropped", zap.String("signal", signal),
			zap.Int("refusals", r.failures), zap.Error(err))
	}
}

// reportFault writes a fault event to the log and the ground-truth file.
func (r *simReceiver) reportFault(ctx context.Context, ev microsim.FaultEvent) {
	if ev.Event == "start" {
		r.tel.MicrosimFaultsStarted.Add(ctx, 1)
	}
	r.logger.Info("microsim fault "+ev.Event, zap.String("id", ev.ID), zap.String("type", string(ev.Type)),
		zap.String("service", ev.Service), zap.Float64("magnitude", ev.Magnitude),
		zap.Time("start", ev.Start), zap.Time("end", ev.End))
	if r.truth == nil {
		return
	}
	line, err := json.Marshal(ev)
	if err == nil {
		_, err = r.truth.Write(append(line, '\n'))
	}
	if err != nil {
		r.logger.Warn("cannot write ground truth", zap.String("file", r.cfg.GroundTruth.File), zap.Error(err))
	}
}
