package logclusterprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor"

import (
	"context"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/drain"
	"github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor/internal/metadata"
)

// overflowPartition receives the records of partitions beyond
// max_partitions. The NUL byte keeps it apart from any attribute value.
const overflowPartition = "\x00overflow"

// maxYoungTemplates bounds the templates waiting to recur (new_pattern),
// whatever max_clusters x max_partitions allows: about 100 bytes each.
const maxYoungTemplates = 1 << 16

var (
	reasonEmpty   = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "empty_body")))
	reasonNonText = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "non_text_body")))
	reasonMissing = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", "missing_field")))
)

type logClusterProcessor struct {
	cfg      *Config
	drainCfg drain.Config
	logger   *zap.Logger
	tel      *metadata.TelemetryBuilder
	id       component.ID

	// Each partition has its own miner and lock, so partitions never
	// serialise on one another; this lock only guards the map.
	mu    sync.RWMutex
	parts map[string]*drain.Miner
	// learnUntil is when each partition created empty stops learning
	// (LearningPeriod); restored partitions have no entry.
	learnUntil map[string]time.Time
	now        func() time.Time
	// recur decides which record makes a new template news (NewPattern).
	recur *drain.Recurrence

	store *persistence
}

func newProcessor(set processor.Settings, cfg *Config) (*logClusterProcessor, error) {
	dc := drain.Config{
		SimThreshold:      cfg.SimilarityThreshold,
		MaxClusters:       cfg.MaxClusters,
		MaxLineBytes:      cfg.MaxLineBytes,
		MaxTokens:         cfg.MaxTokens,
		ExtraDelimiters:   cfg.ExtraDelimiters,
		TypedPlaceholders: cfg.TypedPlaceholders,
	}
	for _, m := range cfg.Masks {
		dc.Masks = append(dc.Masks, drain.MaskConfig{Name: m.Name, Pattern: m.Pattern})
	}
	if err := dc.Validate(); err != nil {
		return nil, err
	}
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &logClusterProcessor{
		cfg: cfg, drainCfg: dc, logger: set.Logger, tel: tel, id: set.ID,
		parts: map[string]*drain.Miner{}, learnUntil: map[string]time.Time{}, now: time.Now,
		// Template IDs are seeded with the partition: unique across them.
		recur: drain.NewRecurrence(cfg.NewPattern.MinRecords, cfg.NewPattern.Within,
			min(cfg.MaxClusters*cfg.MaxPartitions, maxYoungTemplates)),
	}
	err = tel.RegisterLogclusterClustersActiveCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(int64(p.activeClusters()))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *logClusterProcessor) activeClusters() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	n := 0
	for _, m := range p.parts {
		n += m.Len()
	}
	return n
}

// partitionName is the partition of a resource: the configured attributes as
// key=value pairs, in configuration order.
func (p *logClusterProcessor) partitionName(res pcommon.Resource) string {
	if len(p.cfg.PartitionBy) == 0 {
		return ""
	}
	var b strings.Builder
	attrs := res.Attributes()
	for i, k := range p.cfg.PartitionBy {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		if v, ok := attrs.Get(k); ok {
			b.WriteString(v.AsString())
		}
	}
	return b.String()
}

// miner returns the partition's miner, creating it under the map's write
// lock; overflow reports that the partition limit routed it elsewhere, and
// learnUntil is the end of the partition's learning period (zero if none).
func (p *logClusterProcessor) miner(name string) (m *drain.Miner, learnUntil time.Time, overflow bool) {
	p.mu.RLock()
	m, learnUntil = p.parts[name], p.learnUntil[name]
	p.mu.RUnlock()
	if m != nil {
		return m, learnUntil, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if m = p.parts[name]; m != nil {
		return m, p.learnUntil[name], false
	}
	if len(p.parts) >= p.cfg.MaxPartitions {
		name, overflow = overflowPartition, true
		if m = p.parts[name]; m != nil {
			return m, p.learnUntil[name], true
		}
	}
	m, _ = drain.New(name, p.drainCfg) // validated in newProcessor
	p.parts[name] = m
	if p.cfg.LearningPeriod > 0 {
		p.learnUntil[name] = p.now().Add(p.cfg.LearningPeriod)
	}
	return m, p.learnUntil[name], overflow
}

// text returns the record's text, or the reason it has none.
func (p *logClusterProcessor) text(body pcommon.Value) (string, metric.AddOption) {
	switch body.Type() {
	case pcommon.ValueTypeStr:
	case pcommon.ValueTypeMap:
		v, ok := body.Map().Get(p.cfg.BodyField)
		if !ok {
			return "", reasonMissing
		}
		body = v
		if body.Type() != pcommon.ValueTypeStr {
			return "", reasonNonText
		}
	case pcommon.ValueTypeEmpty:
		return "", reasonEmpty
	default:
		return "", reasonNonText
	}
	s := body.Str()
	if strings.TrimSpace(s) == "" {
		return "", reasonEmpty
	}
	return s, nil
}

func (p *logClusterProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var annotated, created, evicted, overflowed int64
	attrNames := p.cfg.Attributes
	now := p.now()
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		m, learnUntil, overflow := p.miner(p.partitionName(rl.Resource()))
		learning := now.Before(learnUntil)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				s, reason := p.text(lr.Body())
				if reason != nil {
					p.tel.LogclusterRecordsUnannotated.Add(ctx, 1, reason)
					continue
				}
				r := m.Process(s, p.cfg.ExtractParams)
				attrs := lr.Attributes()
				attrs.PutStr(attrNames.Template, r.Template)
				attrs.PutStr(attrNames.TemplateID, r.ID)
				if r.Created {
					created++
				}
				if !learning && p.recur.Seen(r.ID, r.Created, now) {
					attrs.PutBool(attrNames.New, true)
				}
				if p.cfg.ExtractParams {
					sl := attrs.PutEmptySlice(attrNames.Params)
					sl.EnsureCapacity(len(r.Params))
					for _, v := range r.Params {
						sl.AppendEmpty().SetStr(v)
					}
				}
				evicted += int64(r.Evicted)
				annotated++
				if overflow {
					overflowed++
				}
			}
		}
	}
	p.count(ctx, annotated, created, evicted, overflowed)
	return ld, nil
}

func (p *logClusterProcessor) count(ctx context.Context, annotated, created, evicted, overflowed int64) {
	if annotated > 0 {
		p.tel.LogclusterRecordsAnnotated.Add(ctx, annotated)
	}
	if created > 0 {
		p.tel.LogclusterClustersCreated.Add(ctx, created)
	}
	if evicted > 0 {
		p.tel.LogclusterClustersEvicted.Add(ctx, evicted)
	}
	if overflowed > 0 {
		p.tel.LogclusterPartitionsOverflow.Add(ctx, overflowed)
	}
}

func (p *logClusterProcessor) start(ctx context.Context, host component.Host) error {
	if p.cfg.Storage == nil {
		return nil
	}
	st, err := newPersistence(ctx, host, p)
	if err != nil {
		return err
	}
	p.store = st
	st.restore(ctx)
	st.run()
	return nil
}

func (p *logClusterProcessor) shutdown(ctx context.Context) error {
	defer p.tel.Shutdown()
	if p.store == nil {
		return nil
	}
	return p.store.close(ctx)
}
