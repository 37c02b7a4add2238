package storageclient

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()
	owner := component.MustNewIDWithName("anomaly", "a")
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("s", t.TempDir()).WithNonStorageExtension("n")

	c, err := Open(ctx, host, storagetest.NewStorageID("s"), component.KindProcessor, owner, "")
	require.NoError(t, err)
	require.NoError(t, c.Set(ctx, "k", []byte("v")))
	require.NoError(t, c.Close(ctx))

	// Another instance of the same type gets its own space.
	other, err := Open(ctx, host, storagetest.NewStorageID("s"), component.KindProcessor, component.MustNewIDWithName("anomaly", "b"), "")
	require.NoError(t, err)
	v, err := other.Get(ctx, "k")
	require.NoError(t, err)
	assert.Nil(t, v)

	_, err = Open(ctx, host, storagetest.NewStorageID("missing"), component.KindProcessor, owner, "")
	assert.ErrorContains(t, err, `storage: extension "test_storage/missing" not found`)
	_, err = Open(ctx, host, storagetest.NewNonStorageID("n"), component.KindProcessor, owner, "")
	assert.ErrorContains(t, err, "is not a storage extension")
}
