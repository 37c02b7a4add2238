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

// Load unmarshals the section id of testdata/config.yaml over cfg (the
// component's default configuration, a pointer) and returns cfg.
func Load[C component.Config](t testing.TB, id component.ID, cfg C) C {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}
