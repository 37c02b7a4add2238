package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/storageclient"
)

// Snapshot layout in the storage extension: key "count" holds the number of
// chunks; "chunk/<i>" holds up to chunkSeries series records, so that no
// single value grows with the number of series.
const (
	chunkSeries  = 1000
	chunkVersion = 2 // 2: series keys from identity.go, detector snapshot v2
)

type snapshotStore struct {
	client storage.Client
}

// openSnapshotStore opens the storage client of this processor instance
// (its full ID: anomaly/a and anomaly/b sharing one file_storage keep apart).
func openSnapshotStore(ctx context.Context, host component.Host, ext, owner component.ID) (*snapshotStore, error) {
	client, err := storageclient.Open(ctx, host, ext, component.KindProcessor, owner, "")
	if err != nil {
		return nil, err
	}
	return &snapshotStore{client: client}, nil
}

// save writes every series, holding one shard's lock at a time: scoring
// pauses for a shard's share of the series, not for all of them.
func (p *anomalyProcessor) save(ctx context.Context) {
	var chunks [][]byte
	var cur []byte
	n := 0
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		cur, chunks, n = appendShard(sh.table, cur, chunks, n)
		sh.mu.Unlock()
	}
	if cur != nil {
		chunks = append(chunks, cur)
	}
	ops := []*storage.Operation{storage.SetOperation("count", binary.LittleEndian.AppendUint32(nil, uint32(len(chunks))))}
	for i, c := range chunks {
		ops = append(ops, storage.SetOperation(fmt.Sprintf("chunk/%d", i), c))
	}
	if err := p.store.client.Batch(ctx, ops...); err != nil {
		p.logger.Warn("saving anomaly state failed", zap.Error(err))
		p.tel.AnomalySnapshotErrors.Add(ctx, 1, p.reasons["save"])
	}
}

// appendShard appends the records of a shard's series to the current chunk
// cur, closing it into chunks every chunkSeries series (n counts them).
func appendShard(t *table, cur []byte, chunks [][]byte, n int) ([]byte, [][]byte, int) {
	for s := t.tail; s != nil; s = s.prev { // oldest first: restore re-creates the LRU order
		if cur == nil {
			cur = []byte{chunkVersion}
		}
		det := s.snapshot // restored, not yet updated: its state as it came
		if det == nil {
			det, _ = s.det.MarshalBinary()
		}
		cur = binary.LittleEndian.AppendUint64(cur, s.key)
		cur = binary.LittleEndian.AppendUint32(cur, uint32(len(det)))
		cur = append(cur, det...)
		for _, v := range []float64{s.prevA, s.prevB} {
			cur = binary.LittleEndian.AppendUint64(cur, math.Float64bits(v))
		}
		cur = binary.LittleEndian.AppendUint64(cur, uint64(s.prevTs))
		cur = binary.LittleEndian.AppendUint64(cur, uint64(s.prevStart))
		flags := byte(0)
		if s.hasPrev {
			flags |= 1
		}
		if s.active {
			flags |= 2
		}
		if s.armed {
			flags |= 4
		}
		flags |= s.run << 3 // at most maxConfirmPoints: four bits
		if s.unconfirmed {
			flags |= 128
		}
		cur = append(cur, flags)
		if n++; n%chunkSeries == 0 {
			chunks, cur = append(chunks, cur), nil
		}
	}
	return cur, chunks, n
}

var errCorrupt = errors.New("corrupt anomaly snapshot")

// restore loads the snapshot; on any error it logs, counts and starts empty.
// Called with every shard locked.
func (p *anomalyProcessor) restore(ctx context.Context) {
	if err := p.load(ctx); err != nil {
		p.logger.Warn("restoring anomaly state failed; starting empty", zap.Error(err))
		p.tel.AnomalySnapshotErrors.Add(ctx, 1, p.reasons["restore"])
		for i := range p.shards {
			p.shards[i].table = newTable()
		}
		p.live.Store(0)
	}
	p.tel.AnomalySeriesActive.Add(ctx, p.live.Load())
}

func (p *anomalyProcessor) load(ctx context.Context) error {
	raw, err := p.store.client.Get(ctx, "count")
	if err != nil {
		return err
	}
	if raw == nil {
		return nil // nothing saved yet
	}
	if len(raw) != 4 {
		return fmt.Errorf("%w: count", errCorrupt)
	}
	now := timeNow().UnixNano()
	cfg := p.detCfgs[0]
	for i := uint32(0); i < binary.LittleEndian.Uint32(raw); i++ {
		c, err := p.store.client.Get(ctx, fmt.Sprintf("chunk/%d", i))
		if err != nil {
			return err
		}
		if len(c) < 1 || c[0] != chunkVersion {
			return fmt.Errorf("%w: chunk %d version", errCorrupt, i)
		}
		c = c[1:]
		for len(c) > 0 {
			if len(c) < 12 {
				return fmt.Errorf("%w: chunk %d truncated", errCorrupt, i)
			}
			s := &series{key: binary.LittleEndian.Uint64(c)}
			dl := int(binary.LittleEndian.Uint32(c[8:]))
			c = c[12:]
			if dl > len(c) || len(c)-dl < 33 {
				return fmt.Errorf("%w: chunk %d truncated", errCorrupt, i)
			}
			// Series restore with the top-level configuration, which checks
			// the state. Which override applies to a series depends on its
			// signal and attributes, known from its next point: until then
			// it keeps its state for settleRestored.
			if s.det, err = detector.Restore(cfg, c[:dl]); err != nil {
				return err
			}
			if len(p.cfg.Overrides) > 0 {
				s.snapshot = bytes.Clone(c[:dl])
			}
			c = c[dl:]
			s.prevA = math.Float64frombits(binary.LittleEndian.Uint64(c))
			s.prevB = math.Float64frombits(binary.LittleEndian.Uint64(c[8:]))
			s.prevTs = int64(binary.LittleEndian.Uint64(c[16:]))
			s.prevStart = int64(binary.LittleEndian.Uint64(c[24:]))
			s.hasPrev, s.active, s.armed = c[32]&1 != 0, c[32]&2 != 0, c[32]&4 != 0
			s.run, s.unconfirmed = c[32]>>3&15, c[32]&128 != 0
			c = c[33:]
			if sh := p.shardOf(s.key); sh.table.get(s.key, now) == nil {
				p.admit(sh, s, now) // a smaller max_series than when saved: the oldest go
			}
		}
	}
	return nil
}

// settleRestored gives a restored series the configuration that applies to
// it, now that a point has shown its signal and attributes: when an override
// applies, the state is restored again under that override's settings.
func (p *anomalyProcessor) settleRestored(b *batch, s *series, signal string, attrs pcommon.Map) {
	if i := p.configIndex(b, signal, attrs); i > 0 {
		if det, err := detector.Restore(p.detCfgs[i], s.snapshot); err == nil {
			s.det = det
		}
	}
	s.snapshot = nil
}
