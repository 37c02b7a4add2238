// Package storageclient opens a component's client of a storage extension
// (file_storage and the like) named in its config. It is collector plumbing
// shared by our stateful components, not an algorithm: with internal/e2e it
// is the only internal package that imports the collector.
package storageclient // import "github.com/otelcol-aiops/otelcol-aiops/internal/storageclient"

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
)

// Open returns the client of the storage extension ext for the component
// owner (its full ID, so that two instances of one component type keep
// apart) under name. Errors name the `storage` key and the extension.
func Open(ctx context.Context, host component.Host, ext component.ID, kind component.Kind, owner component.ID, name string) (storage.Client, error) {
	e, ok := host.GetExtensions()[ext]
	if !ok {
		return nil, fmt.Errorf("storage: extension %q not found", ext)
	}
	se, ok := e.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("storage: extension %q is not a storage extension", ext)
	}
	c, err := se.GetClient(ctx, kind, owner, name)
	if err != nil {
		return nil, fmt.Errorf("storage: extension %q: %w", ext, err)
	}
	return c, nil
}
