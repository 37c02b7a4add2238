package logclusterprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor"

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/drain"
	"github.com/otelcol-aiops/otelcol-aiops/internal/storageclient"
)

// snapshotKey is the storage key of the processor's snapshot. The storage
// client is already scoped to this processor's component ID.
const snapshotKey = "templates"

// Container format, version 1: magic "LCPS" | uvarint version | uvarint
// partitions | per partition: uvarint len, name, uvarint len, drain snapshot.
const (
	containerMagic   = "LCPS"
	containerVersion = 1
)

var (
	opSave    = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "save")))
	opRestore = metric.WithAttributeSet(attribute.NewSet(attribute.String("operation", "restore")))
)

// persistence saves and restores the processor's templates through a
// storage extension client.
type persistence struct {
	p        *logClusterProcessor
	client   storage.Client
	stop     chan struct{}
	wg       sync.WaitGroup
	saveLock sync.Mutex // one save at a time: the ticker and shutdown may race
}

func newPersistence(ctx context.Context, host component.Host, p *logClusterProcessor) (*persistence, error) {
	client, err := storageclient.Open(ctx, host, *p.cfg.Storage, component.KindProcessor, p.id, "")
	if err != nil {
		return nil, err
	}
	return &persistence{p: p, client: client, stop: make(chan struct{})}, nil
}

// restore loads the snapshot. A missing snapshot is normal; a corrupt or
// incompatible one is logged and counted, and the processor starts empty.
func (s *persistence) restore(ctx context.Context) {
	data, err := s.client.Get(ctx, snapshotKey)
	if err != nil {
		s.fail(ctx, opRestore, "reading the template snapshot failed; starting empty", err)
		return
	}
	if data == nil {
		return
	}
	parts, err := decodeContainer(data, s.p.drainCfg)
	if err != nil {
		s.fail(ctx, opRestore, "ignoring the template snapshot; starting empty", err)
		return
	}
	s.p.mu.Lock()
	s.p.parts = parts
	clear(s.p.learnUntil) // restored partitions know their patterns
	s.p.mu.Unlock()
	s.p.logger.Info("restored templates", zap.Int("partitions", len(parts)))
}

func (s *persistence) fail(ctx context.Context, op metric.AddOption, msg string, err error) {
	s.p.logger.Warn(msg, zap.Error(err))
	s.p.tel.LogclusterSnapshotFailures.Add(ctx, 1, op)
}

func (s *persistence) run() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.p.cfg.SnapshotInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.save(context.Background())
			}
		}
	}()
}

func (s *persistence) save(ctx context.Context) {
	s.saveLock.Lock()
	defer s.saveLock.Unlock()
	if err := s.client.Set(ctx, snapshotKey, s.encode()); err != nil {
		s.fail(ctx, opSave, "saving the template snapshot failed", err)
	}
}

// encode snapshots each partition under its own miner's read lock, so
// matching continues while a snapshot is taken.
func (s *persistence) encode() []byte {
	s.p.mu.RLock()
	names := make([]string, 0, len(s.p.parts))
	miners := make([]*drain.Miner, 0, len(s.p.parts))
	for n, m := range s.p.parts {
		names = append(names, n)
		miners = append(miners, m)
	}
	s.p.mu.RUnlock()
	b := append([]byte(nil), containerMagic...)
	b = binary.AppendUvarint(b, containerVersion)
	b = binary.AppendUvarint(b, uint64(len(names)))
	var snap []byte
	for i, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
		snap = miners[i].Snapshot(snap[:0])
		b = binary.AppendUvarint(b, uint64(len(snap)))
		b = append(b, snap...)
	}
	return b
}

func (s *persistence) close(ctx context.Context) error {
	close(s.stop)
	s.wg.Wait()
	s.save(ctx)
	return s.client.Close(ctx)
}

var errContainer = errors.New("corrupt template snapshot container")

// decodeContainer rebuilds the partitions of a snapshot; any error discards
// the whole snapshot so that partitions are never half restored.
func decodeContainer(b []byte, cfg drain.Config) (map[string]*drain.Miner, error) {
	if len(b) < len(containerMagic) || string(b[:len(containerMagic)]) != containerMagic {
		return nil, fmt.Errorf("%w: bad magic", errContainer)
	}
	b = b[len(containerMagic):]
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	bytes := func() ([]byte, bool) {
		n, ok := next()
		if !ok || n > uint64(len(b)) {
			return nil, false
		}
		v := b[:n]
		b = b[n:]
		return v, true
	}
	v, ok := next()
	if !ok {
		return nil, errContainer
	}
	if v != containerVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", drain.ErrIncompatible, v, containerVersion)
	}
	n, ok := next()
	if !ok || n > uint64(len(b)/2) {
		return nil, errContainer
	}
	parts := make(map[string]*drain.Miner, n)
	for i := uint64(0); i < n; i++ {
		name, ok1 := bytes()
		snap, ok2 := bytes()
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: partition %d", errContainer, i)
		}
		m, err := drain.New(string(name), cfg)
		if err != nil {
			return nil, err
		}
		if err := m.Restore(snap); err != nil {
			return nil, fmt.Errorf("partition %q: %w", name, err)
		}
		parts[string(name)] = m
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", errContainer)
	}
	return parts, nil
}
