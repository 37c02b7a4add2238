// Package configtest loads a component's configuration in its tests the way
// the collector does: one section of the package's testdata/config.yaml
// unmarshalled over the component's defaults.
package configtest // import "github.com/otelcol-aiops/otelcol-aiops/internal/configtest"

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap/confmaptest"
)

// Load unmarshals the section named name (the component's type, then
// "/name" unless name is empty) of testdata/config.yaml over the factory's
// default configuration, which must be a C (a pointer), and returns it.
func Load[C component.Config](t testing.TB, f component.Factory, name string) C {
	t.Helper()
	cfg, ok := f.CreateDefaultConfig().(C)
	require.True(t, ok, "default configuration of %s is a %T", f.Type(), f.CreateDefaultConfig())
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(f.Type(), name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}
