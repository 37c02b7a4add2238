package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"context"
	"errors"
	"math"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatautil"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/histogram"
	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor/internal/metadata"
)

// Companion metric names and attributes (see README.md, "Output").
const (
	metricScore    = "anomaly.score"
	metricActive   = "anomaly.active"
	metricExpected = "anomaly.expected"
	metricLower    = "anomaly.lower"
	metricUpper    = "anomaly.upper"
	attrMetric     = "anomaly.metric"
	attrSignal     = "anomaly.signal"
	attrQuantile   = "anomaly.quantile"
	// ownPrefix marks our own output, which is never scored again.
	ownPrefix = "anomaly."
)

// timeNow can be replaced in tests.
var timeNow = time.Now

type anomalyProcessor struct {
	id     component.ID
	cfg    *Config
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	next   consumer.Metrics

	shards    []shard      // shard.go
	live      atomic.Int64 // series in all shards, for max_series (admit)
	selMu     sync.Mutex
	selection map[string]selection // by metric name
	detCfgs   []detector.Config    // top level, then one per override
	// absentZero is absent_is_zero per detCfgs entry; families is set
	// when one of them is (absent.go).
	absentZero []bool
	families   *families
	lastSweep  atomic.Int64

	store  *snapshotStore
	cancel context.CancelFunc
	wg     sync.WaitGroup

	reasons  map[string]metric.MeasurementOption
	decision decision
}

var _ processor.Metrics = (*anomalyProcessor)(nil)

func newProcessor(cfg *Config, set processor.Settings, next consumer.Metrics) (*anomalyProcessor, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &anomalyProcessor{
		id:        set.ID,
		cfg:       cfg,
		logger:    set.Logger,
		tel:       tel,
		next:      next,
		shards:    newShards(cfg.MaxSeries, runtime.GOMAXPROCS(0)),
		selection: map[string]selection{},
		reasons:   map[string]metric.MeasurementOption{},
		decision: decision{on: cfg.Threshold, off: cfg.ClearThreshold,
			clearPoints: cfg.ClearPoints, confirmPoints: cfg.ConfirmPoints},
	}
	p.detCfgs = append(p.detCfgs, cfg.detectorConfig(cfg.Detection))
	p.absentZero = append(p.absentZero, cfg.absentIsZero(cfg.Detection))
	for _, o := range cfg.Overrides {
		p.detCfgs = append(p.detCfgs, o.detectorConfig(cfg.Detection))
		p.absentZero = append(p.absentZero, o.absentIsZero(cfg.Detection))
	}
	if slices.Contains(p.absentZero, true) {
		p.families = newFamilies()
	}
	// The engine's episode hold-off starts where the decision turns on.
	for i := range p.detCfgs {
		p.detCfgs[i].Threshold = cfg.Threshold
	}
	for _, r := range []string{reasonNotFinite, reasonOutOfRange, reasonOutOfOrder, reasonCounterReset, reasonNegativeCounter, reasonEmpty, reasonTooManyBuckets, reasonBadBuckets, "series_limit", "stale", "limit", "save", "restore"} {
		p.reasons[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", r)))
	}
	return p, nil
}

func (p *anomalyProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (p *anomalyProcessor) Start(ctx context.Context, host component.Host) error {
	if p.cfg.Storage == nil {
		return nil
	}
	store, err := openSnapshotStore(ctx, host, *p.cfg.Storage, p.id)
	if err != nil {
		return err
	}
	p.store = store
	p.lockAll()
	p.restore(ctx)
	p.unlockAll()
	if p.cfg.SnapshotInterval > 0 {
		tctx, cancel := context.WithCancel(context.Background())
		p.cancel = cancel
		p.wg.Add(1)
		go p.snapshotLoop(tctx)
	}
	return nil
}

func (p *anomalyProcessor) Shutdown(ctx context.Context) error {
	if p.cancel != nil {
		p.cancel()
		p.wg.Wait()
	}
	var err error
	if p.store != nil {
		p.save(ctx)
		err = p.store.client.Close(ctx)
	}
	p.tel.Shutdown()
	return err
}

func (p *anomalyProcessor) snapshotLoop(ctx context.Context) {
	defer p.wg.Done()
	t := time.NewTicker(p.cfg.SnapshotInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.save(ctx)
		}
	}
}

// selection is what the configuration says about one metric name.
type selection struct {
	scored bool
	// overrides are the indexes into Config.Overrides whose Metric matches
	// the name, in order, up to the first that applies to all its series.
	overrides []int
}

// selectionFor returns the selection of a metric name, cached per name.
func (p *anomalyProcessor) selectionFor(name string) selection {
	p.selMu.Lock()
	defer p.selMu.Unlock()
	if sel, ok := p.selection[name]; ok {
		return sel
	}
	sel := p.match(name)
	if len(p.selection) < 100000 { // names are bounded in practice; the cache must be too
		p.selection[name] = sel
	}
	return sel
}

func (p *anomalyProcessor) match(name string) selection {
	if strings.HasPrefix(name, ownPrefix) {
		return selection{}
	}
	matches := func(pats []string) bool {
		for _, pat := range pats {
			if ok, _ := path.Match(pat, name); ok {
				return true
			}
		}
		return false
	}
	if (len(p.cfg.Include) > 0 && !matches(p.cfg.Include)) || matches(p.cfg.Exclude) {
		return selection{}
	}
	sel := selection{scored: true}
	for i, o := range p.cfg.Overrides {
		if ok, _ := path.Match(o.Metric, name); ok {
			sel.overrides = append(sel.overrides, i)
			if o.Signal == "" && len(o.Attributes) == 0 {
				break // applies to every series of the metric
			}
		}
	}
	return sel
}

// configIndex returns the index into detCfgs for a series of the current
// metric: that of the first override applying to its signal and attributes,
// else 0 (top level). It runs when a series is created, not per point.
func (p *anomalyProcessor) configIndex(b *batch, signal string, attrs pcommon.Map) int {
	for _, i := range b.sel.overrides {
		if p.cfg.Overrides[i].matches(signal, attrs, b.resAttrs) {
			return i + 1
		}
	}
	return 0
}

// companions collects the output metrics of one scope. anomaly.active is
// added to the scope with its first point: without emit_inactive most
// batches have none, and a metric without points is no output.
type companions struct {
	sm                            pmetric.ScopeMetrics
	score, expected, lower, upper pmetric.NumberDataPointSlice
	active                        pmetric.NumberDataPointSlice
	hasActive                     bool
}

// reserve makes room for n more points in every companion written for each
// scored point, so that a batch grows each slice once rather than by
// repeated doubling.
func (c *companions) reserve(n int, cfg *Config) {
	c.score.EnsureCapacity(c.score.Len() + n)
	if cfg.EmitInactive {
		c.activeSlice().EnsureCapacity(c.active.Len() + n)
	}
	if cfg.EmitBands {
		c.expected.EnsureCapacity(c.expected.Len() + n)
		c.lower.EnsureCapacity(c.lower.Len() + n)
		c.upper.EnsureCapacity(c.upper.Len() + n)
	}
}

// activeSlice returns the points of anomaly.active, adding the metric to
// the scope on first use.
func (c *companions) activeSlice() pmetric.NumberDataPointSlice {
	if !c.hasActive {
		c.active = addGauge(c.sm, metricActive, "1 while the series named by anomaly.metric is anomalous (threshold with hysteresis); 0 on the point it returns to normal and on a series' first point (on every normal point with emit_inactive).")
		c.hasActive = true
	}
	return c.active
}

// addGauge appends a gauge companion metric to sm and returns its points.
// No unit: with unit "1" the Prometheus exporters append _ratio, and the
// documented names are anomaly_score and anomaly_active.
func addGauge(sm pmetric.ScopeMetrics, name, desc string) pmetric.NumberDataPointSlice {
	m := sm.Metrics().AppendEmpty()
	m.SetName(name)
	m.SetDescription(desc)
	return m.SetEmptyGauge().DataPoints()
}

func (p *anomalyProcessor) newCompanions(sm pmetric.ScopeMetrics) *companions {
	c := &companions{
		sm:    sm,
		score: addGauge(sm, metricScore, "Anomaly score in [0, 1] of the series named by anomaly.metric."),
	}
	if p.cfg.EmitBands {
		c.expected = addGauge(sm, metricExpected, "Value the detector expected for anomaly.metric.")
		c.lower = addGauge(sm, metricLower, "Lower edge of the expected band of anomaly.metric.")
		c.upper = addGauge(sm, metricUpper, "Upper edge of the expected band of anomaly.metric.")
	}
	return c
}

// batch is the per-call context of ConsumeMetrics.
type batch struct {
	now      int64
	resource [16]byte // resource attributes hash
	scope    pcommon.InstrumentationScope
	out      *companions
	sm       pmetric.ScopeMetrics
	name     string
	sel      selection
	resAttrs pcommon.Map
	// pending is the number of points of the current metric not yet
	// reserved for in the companions.
	pending int
	// scored is added to the telemetry counter once per call: a counter
	// update per point costs more than scoring the point.
	scored int64
	// The base hashes of the current metric's signals (identity.go),
	// computed once per metric and signal.
	digest xxhash.Digest
	bases  []baseEntry
	// The interval's buckets of the current histogram point, for its
	// quantile signals (HistogramQuantiles); scratch reused point to point.
	quantiles buckets
}

func (p *anomalyProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	p.process(ctx, md)
	return p.next.ConsumeMetrics(ctx, md)
}

func (p *anomalyProcessor) process(ctx context.Context, md pmetric.Metrics) {
	b := batch{now: timeNow().UnixNano()}
	if last := p.lastSweep.Load(); b.now-last > int64(time.Minute) && p.lastSweep.CompareAndSwap(last, b.now) {
		p.expire(ctx, b.now-int64(p.cfg.MaxStale))
	}
	if !p.sharded() {
		p.shards[0].mu.Lock()
		defer p.shards[0].mu.Unlock()
	}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		rh := pdatautil.MapHash(rm.Resource().Attributes())
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			b.resource, b.resAttrs, b.scope = rh, rm.Resource().Attributes(), sm.Scope()
			b.out, b.sm = nil, sm
			ms := sm.Metrics()
			n := ms.Len() // companions are appended: do not iterate over them
			for k := 0; k < n; k++ {
				m := ms.At(k)
				if b.sel = p.selectionFor(m.Name()); !b.sel.scored {
					continue
				}
				b.name = m.Name()
				b.bases = b.bases[:0]
				b.pending = pointCount(m, 2+len(p.cfg.HistogramQuantiles))
				p.processMetric(ctx, &b, m)
			}
		}
	}
	if b.scored > 0 {
		p.tel.AnomalyPointsScored.Add(ctx, b.scored)
	}
}

func (p *anomalyProcessor) processMetric(ctx context.Context, b *batch, m pmetric.Metric) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		dps := m.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			p.score(ctx, b, attrsOf(dp.Attributes()), signalValue, 0, int64(dp.Timestamp()), func(*series) (sample, string, bool) {
				return sample{v: numberValue(dp)}, "", true
			})
		}
	case pmetric.MetricTypeSum:
		sum := m.Sum()
		cumulative := sum.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		dps := sum.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			if !sum.IsMonotonic() {
				p.score(ctx, b, attrsOf(dp.Attributes()), signalValue, 0, int64(dp.Timestamp()), func(*series) (sample, string, bool) {
					return sample{v: numberValue(dp)}, "", true
				})
				continue
			}
			p.score(ctx, b, attrsOf(dp.Attributes()), signalRate, 0, int64(dp.Timestamp()), func(s *series) (sample, string, bool) {
				v := numberValue(dp)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return sample{}, reasonNotFinite, false
				}
				integral := dp.ValueType() == pmetric.NumberDataPointValueTypeInt
				return counterRate(s, v, int64(dp.Timestamp()), int64(dp.StartTimestamp()), cumulative, integral)
			})
		}
	case pmetric.MetricTypeHistogram:
		h := m.Histogram()
		cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		dps := h.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			p.histogram(ctx, b, attrsOf(dp.Attributes()), float64(dp.Count()), dp.Sum(), dp.HasSum(), int64(dp.Timestamp()), int64(dp.StartTimestamp()), cumulative,
				dp.BucketCounts().Len(), func(tr *histogram.Tracker) (bool, bool) { return b.quantiles.loadExplicit(dp, tr) })
		}
	case pmetric.MetricTypeExponentialHistogram:
		h := m.ExponentialHistogram()
		cumulative := h.AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		dps := h.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			p.histogram(ctx, b, attrsOf(dp.Attributes()), float64(dp.Count()), dp.Sum(), dp.HasSum(), int64(dp.Timestamp()), int64(dp.StartTimestamp()), cumulative,
				dp.Positive().BucketCounts().Len()+dp.Negative().BucketCounts().Len(),
				func(tr *histogram.Tracker) (bool, bool) { return b.quantiles.loadExponential(dp, tr) })
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			qs := dp.QuantileValues()
			attrs := attrsOf(dp.Attributes())
			for j := 0; j < qs.Len(); j++ {
				q := qs.At(j)
				p.score(ctx, b, attrs, signalQuantile, q.Quantile(), int64(dp.Timestamp()), func(*series) (sample, string, bool) {
					return sample{v: q.Value()}, "", true
				})
			}
		}
	}
}

// histogram scores a histogram point of either layout: the mean and the
// count rate of the interval's observations and, with HistogramQuantiles,
// quantile estimates from its n buckets, which load reads (differenced by
// the tracker of a cumulative stream, nil for a delta point), reporting
// whether they hold an interval and whether they are malformed.
func (p *anomalyProcessor) histogram(ctx context.Context, b *batch, attrs pointAttrs, count, sum float64, hasSum bool, ts, start int64, cumulative bool,
	n int, load func(*histogram.Tracker) (ok, malformed bool),
) {
	if hasSum {
		p.score(ctx, b, attrs, signalMean, 0, ts, func(s *series) (sample, string, bool) {
			return histogramSignal(s, signalMean, count, sum, ts, start, cumulative)
		})
	}
	qs := p.cfg.HistogramQuantiles
	estimable := false // b.quantiles holds the point's interval
	// The count rate's series follows the stream's intervals (first point,
	// restarts, order); a cumulative stream's previous buckets live in it.
	p.score(ctx, b, attrs, signalCountRate, 0, ts, func(s *series) (sample, string, bool) {
		out, reason, ok := histogramSignal(s, signalCountRate, count, sum, ts, start, cumulative)
		if len(qs) == 0 || reason == reasonOutOfOrder {
			return out, reason, ok
		}
		if n > maxQuantileBuckets {
			s.buckets = nil
			p.tel.AnomalyPointsRejected.Add(ctx, 1, p.reasons[reasonTooManyBuckets])
			return out, reason, ok
		}
		var tr *histogram.Tracker
		if cumulative {
			if s.buckets == nil {
				s.buckets = new(histogram.Tracker)
			}
			tr = s.buckets
			if !ok { // first point or restart: re-base the buckets too
				tr.Reset()
			}
		}
		loaded, malformed := load(tr)
		if malformed {
			if tr != nil {
				tr.Reset()
			}
			p.tel.AnomalyPointsRejected.Add(ctx, 1, p.reasons[reasonBadBuckets])
		}
		estimable = ok && loaded
		return out, reason, ok
	})
	if !estimable {
		return
	}
	for _, q := range qs {
		if v, ok := b.quantiles.quantile(q); ok {
			p.score(ctx, b, attrs, signalQuantile, q, ts, func(*series) (sample, string, bool) {
				return sample{v: v}, "", true
			})
		}
	}
}

// score judges one signal of one point (judge) and emits its companion
// points.
func (p *anomalyProcessor) score(ctx context.Context, b *batch, pa pointAttrs, signal string, quantile float64, ts int64, extract func(*series) (sample, string, bool)) {
	attrs := pa.m
	base := b.baseFor(signal, quantile)
	res, d, ok := p.judge(ctx, b, base, seriesKey(base, pa.hash), attrs, signal, ts, extract)
	if !ok {
		return
	}
	b.scored++
	if b.out == nil {
		b.out = p.newCompanions(b.sm)
	}
	if b.pending > 0 {
		b.out.reserve(b.pending, p.cfg)
		b.pending = 0
	}
	// The first companion gets the source attributes plus ours, in a map
	// sized once; the others copy its finished map (copies keep capacity).
	sdp := b.out.score.AppendEmpty()
	sa := sdp.Attributes()
	sa.EnsureCapacity(attrs.Len() + ownAttrs(signal))
	attrs.CopyTo(sa)
	sa.PutStr(attrMetric, b.name)
	if signal != signalValue {
		sa.PutStr(attrSignal, signal)
	}
	if signal == signalQuantile {
		sa.PutDouble(attrQuantile, quantile)
	}
	sdp.SetTimestamp(pcommon.Timestamp(ts))
	sdp.SetDoubleValue(res.Score)
	emit := func(dps pmetric.NumberDataPointSlice) pmetric.NumberDataPoint {
		dp := dps.AppendEmpty()
		dp.Attributes().EnsureCapacity(sa.Len())
		sa.CopyTo(dp.Attributes())
		dp.SetTimestamp(pcommon.Timestamp(ts))
		return dp
	}
	if d.active || d.news || p.cfg.EmitInactive {
		act := int64(0)
		if d.active {
			act = 1
		}
		emit(b.out.activeSlice()).SetIntValue(act)
	}
	if p.cfg.EmitBands {
		emit(b.out.expected).SetDoubleValue(res.Expected)
		emit(b.out.lower).SetDoubleValue(res.Lower)
		emit(b.out.upper).SetDoubleValue(res.Upper)
	}
}

// verdict is the decision on one point: whether the series is anomalous,
// and whether it is news: the decision changed to 0 on this point, or the
// series has its first point in this process (a consumer that kept an
// alert across a restart of either learns where the series stands).
type verdict struct {
	active, news bool
}

// judge runs the series of key on one point under its shard's lock (with
// one shard, the call holds it): it finds or creates the series, derives
// the value with extract, runs the detector and the decision. ok is false
// when the point is not scored. Writing the companions (most of a point's
// time) needs no lock.
func (p *anomalyProcessor) judge(ctx context.Context, b *batch, base, key uint64, attrs pcommon.Map, signal string, ts int64, extract func(*series) (sample, string, bool)) (res detector.Result, d verdict, ok bool) {
	sh := p.shardOf(key)
	if p.sharded() {
		sh.mu.Lock()
		defer sh.mu.Unlock()
	}
	s := sh.table.get(key, b.now)
	if s == nil {
		ci := p.configIndex(b, signal, attrs)
		s = &series{key: key, det: detector.New(p.detCfgs[ci])}
		if p.absentZero[ci] && isRate(signal) {
			s.absent = zerosPending
		}
		if p.admit(sh, s, b.now) {
			p.tel.AnomalySeriesEvicted.Add(ctx, 1, p.reasons["limit"])
		} else {
			p.tel.AnomalySeriesActive.Add(ctx, 1)
		}
	}
	if s.snapshot != nil {
		p.settleRestored(b, s, signal, attrs)
	}
	if p.families != nil && s.absent&familyNoted == 0 {
		// The series' first point in this process (restored series too):
		// its family is watched from here on.
		s.absent |= familyNoted
		p.families.firstSeen(base, ts)
	}
	// Thousands of series apart, this one's state has left the caches:
	// fetch its lines in parallel rather than stage by stage.
	s.det.Prefetch(ts)
	in, reason, extracted := extract(s)
	if !extracted {
		if reason != "" {
			p.tel.AnomalyPointsRejected.Add(ctx, 1, p.reasons[reason])
		}
		return res, d, false
	}
	if s.absent&zerosPending != 0 {
		p.assumeZeros(s, base, ts, in)
	}
	res, err := s.det.UpdateStep(ts, in.v, in.step)
	if err != nil {
		r := reasonNotFinite
		switch {
		case errors.Is(err, detector.ErrOutOfOrder):
			r = reasonOutOfOrder
		case errors.Is(err, detector.ErrOutOfRange):
			r = reasonOutOfRange
		}
		p.tel.AnomalyPointsRejected.Add(ctx, 1, p.reasons[r])
		return res, d, false
	}
	was, told := s.active, s.told
	active, started := s.decide(res, p.decision)
	if started {
		p.tel.AnomalyEpisodes.Add(ctx, 1)
	}
	s.told = true
	return res, verdict{active: active, news: !told || (was && !active)}, true
}

// ownAttrs is the number of attributes score adds to the source's for a
// signal, on the same conditions as it adds them (a map sized for more than
// it holds costs every companion point the difference).
func ownAttrs(signal string) int {
	n := 1 // attrMetric
	if signal != signalValue {
		n++ // attrSignal
	}
	if signal == signalQuantile {
		n++ // attrQuantile
	}
	return n
}

// baseEntry is the base hash of one signal of the current metric.
type baseEntry struct {
	signal   string
	quantile float64
	hash     uint64
}

// baseFor returns the base hash of a signal of the current metric, hashing
// it on its first point: a histogram's points interleave their signals
// (mean, count rate, quantiles), a summary's its quantiles.
func (b *batch) baseFor(signal string, quantile float64) uint64 {
	for _, e := range b.bases {
		if e.signal == signal && e.quantile == quantile {
			return e.hash
		}
	}
	h := baseHash(&b.digest, b.resource, b.scope.Name(), b.scope.Version(), b.name, signal, quantile)
	b.bases = append(b.bases, baseEntry{signal, quantile, h})
	return h
}

// pointCount is the number of companion points a metric can produce, an
// upper bound used to size the output once (a histogram point gives
// perHistogram signals).
func pointCount(m pmetric.Metric, perHistogram int) int {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return m.Gauge().DataPoints().Len()
	case pmetric.MetricTypeSum:
		return m.Sum().DataPoints().Len()
	case pmetric.MetricTypeHistogram:
		return perHistogram * m.Histogram().DataPoints().Len()
	case pmetric.MetricTypeExponentialHistogram:
		return perHistogram * m.ExponentialHistogram().DataPoints().Len()
	}
	return 0 // summaries: quantile counts vary; slices grow as needed
}
