package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"

import (
	"context"
	"encoding"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/storageclient"
)

// stateSaveInterval bounds how stale the persisted LastActive times may get
// when nothing else changed (they drive resolve timeouts after a restart).
const stateSaveInterval = 30 * time.Second

// stateStore persists alert and group state through a storage extension, so
// that after a restart firing alerts are not announced again and their
// resolutions are still sent.
type stateStore struct {
	client storage.Client
}

func newStateStore(ctx context.Context, host component.Host, id component.ID, owner component.ID) (*stateStore, error) {
	c, err := storageclient.Open(ctx, host, id, component.KindExporter, owner, "alert_state")
	if err != nil {
		return nil, err
	}
	return &stateStore{client: c}, nil
}

func (s *stateStore) close(ctx context.Context) error { return s.client.Close(ctx) }

type snapshotter interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// parts lists every snapshot with its storage key. Callers hold e.mu.
func (e *alertExporter) parts() map[string]snapshotter {
	p := map[string]snapshotter{"engine": e.engine}
	for _, t := range e.targets {
		if t.resend != nil {
			p["target/"+t.name+"/resender"] = t.resend
			continue
		}
		p["target/"+t.name+"/dispatcher"] = t.disp
		p["target/"+t.name+"/outbox"] = t.outbox
	}
	return p
}

// restore loads every snapshot; a missing one starts empty, a corrupt one
// is counted, logged and ignored (starting empty beats not starting).
func (e *alertExporter) restore(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for key, p := range e.parts() {
		b, err := e.state.client.Get(ctx, key)
		if err == nil && b != nil {
			err = p.UnmarshalBinary(b)
		}
		if err != nil {
			e.tb.AlertwebhookStateErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("operation", "restore")))
			e.logger.Warn("ignoring unreadable alert state", zap.String("key", key), zap.Error(err))
		}
	}
	pending, firing := e.engine.Counts()
	e.logger.Info("restored alert state", zap.Int("pending", pending), zap.Int("firing", firing))
}

// save writes all snapshots when something changed (or periodically).
func (e *alertExporter) save(ctx context.Context, now time.Time, force bool) {
	e.mu.Lock()
	if !force && !e.dirty && now.Sub(e.saved) < stateSaveInterval {
		e.mu.Unlock()
		return
	}
	var ops []*storage.Operation
	var err error
	for key, p := range e.parts() {
		var b []byte
		if b, err = p.MarshalBinary(); err != nil {
			break
		}
		ops = append(ops, storage.SetOperation(key, b))
	}
	e.dirty, e.saved = false, now
	e.mu.Unlock()
	if err == nil {
		err = e.state.client.Batch(ctx, ops...)
	}
	if err != nil {
		e.tb.AlertwebhookStateErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("operation", "save")))
		e.logger.Warn("saving alert state failed", zap.Error(err))
	}
}
