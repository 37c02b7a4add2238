//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

func TestVersion(t *testing.T) {
	out, err := e2e.Run(t, "--version")
	require.NoError(t, err, out)
	assert.Regexp(t, `^otelcol-aiops version \d+\.\d+\.\d+`, strings.TrimSpace(out))
}

// TestComponents checks that every component the distribution promises is
// linked in, under the names the collector lists them by.
func TestComponents(t *testing.T) {
	out, err := e2e.Run(t, "components")
	require.NoError(t, err, out)
	var got struct {
		Receivers  []struct{ Name string }   `yaml:"receivers"`
		Processors []struct{ Name string }   `yaml:"processors"`
		Exporters  []struct{ Name string }   `yaml:"exporters"`
		Connectors []struct{ Name string }   `yaml:"connectors"`
		Extensions []struct{ Name string }   `yaml:"extensions"`
		Providers  []struct{ Scheme string } `yaml:"providers"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(out), &got), out)
	names := func(list []struct{ Name string }) []string {
		var s []string
		for _, c := range list {
			s = append(s, c.Name)
		}
		return s
	}
	for kind, c := range map[string]struct {
		got  []string
		want []string
	}{
		"receivers":  {names(got.Receivers), distribution.receivers},
		"processors": {names(got.Processors), distribution.processors},
		"exporters":  {names(got.Exporters), distribution.exporters},
		"connectors": {names(got.Connectors), distribution.connectors},
		"extensions": {names(got.Extensions), distribution.extensions},
	} {
		for _, w := range c.want {
			assert.Containsf(t, c.got, w, "%s: %s missing from `components`", kind, w)
		}
	}
	var schemes []string
	for _, p := range got.Providers {
		schemes = append(schemes, p.Scheme)
	}
	assert.Subset(t, schemes, []string{"env", "file", "http", "https", "yaml"})
}

// TestValidateExamples runs `validate` on every collector config under
// examples/: each one a user may copy must at least load.
func TestValidateExamples(t *testing.T) {
	root, err := e2e.RepoRoot()
	require.NoError(t, err)
	configs := collectorConfigs(t, filepath.Join(root, "examples"))
	require.NotEmpty(t, configs)
	for _, cfg := range configs {
		rel, _ := filepath.Rel(root, cfg)
		t.Run(rel, func(t *testing.T) {
			out, err := e2e.Run(t, "validate", "--config", cfg)
			assert.NoError(t, err, out)
		})
	}
	// Overlays are valid over the config they are documented with.
	for _, pair := range [][2]string{{"scale-out/routing.yaml", "scale-out/routing-dns.yaml"}} {
		t.Run(pair[1], func(t *testing.T) {
			out, err := e2e.Run(t, "validate", "--config", filepath.Join(root, "examples", pair[0]), "--config", filepath.Join(root, "examples", pair[1]))
			assert.NoError(t, err, out)
		})
	}
}

// collectorConfigs finds YAML files with top-level receivers and service
// sections; other YAML (manifests, rules, compose files) is skipped.
func collectorConfigs(t *testing.T, dir string) []string {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if ext := filepath.Ext(path); err != nil || d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var top map[string]any
		if yaml.Unmarshal(data, &top) == nil && top["receivers"] != nil && top["service"] != nil {
			out = append(out, path)
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func TestValidateRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
processors:
  batch:
    send_batch_size: 10
    send_batch_max_size: 5
exporters:
  debug: {}
service:
  pipelines:
    logs: {receivers: [otlp], processors: [batch], exporters: [debug]}
`), 0o600))
	out, err := e2e.Run(t, "validate", "--config", bad)
	require.Error(t, err)
	assert.Contains(t, out, "send_batch_max_size")
}

// TestFeatureGates: a known gate is accepted, an unknown one is refused, as in
// otelcol-contrib.
func TestFeatureGates(t *testing.T) {
	out, err := e2e.Run(t, "featuregate")
	require.NoError(t, err, out)
	m := regexp.MustCompile(`(?m)^\s*([a-z][\w.]+\.[\w.]+)\s`).FindStringSubmatch(out)
	require.NotNil(t, m, "no gate listed:\n%s", out)
	cfg := minimalConfig(t)
	out, err = e2e.Run(t, "validate", "--config", cfg, "--feature-gates", m[1])
	assert.NoError(t, err, out)
	out, err = e2e.Run(t, "validate", "--config", cfg, "--feature-gates", "+no.such.gate")
	require.Error(t, err)
	assert.Contains(t, out, "no.such.gate")
}

func minimalConfig(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "min.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`
receivers: {nop: {}}
exporters: {nop: {}}
service:
  pipelines:
    logs: {receivers: [nop], exporters: [nop]}
`), 0o600))
	return path
}
