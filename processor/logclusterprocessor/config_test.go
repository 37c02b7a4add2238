package logclusterprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-aiops/otelcol-aiops/internal/configtest"
)

func TestLoadConfig(t *testing.T) {
	def := configtest.Load[*Config](t, NewFactory(), "")
	require.NoError(t, def.Validate())
	assert.Equal(t, createDefaultConfig(), def)

	c := configtest.Load[*Config](t, NewFactory(), "custom")
	require.NoError(t, c.Validate())
	storage := component.MustNewID("file_storage")
	want := &Config{
		BodyField:           "msg",
		PartitionBy:         []string{"service.name", "deployment.environment"},
		MaxPartitions:       10,
		MaxClusters:         500,
		MaxLineBytes:        1024,
		MaxTokens:           64,
		SimilarityThreshold: 0.6,
		ExtraDelimiters:     ",",
		Masks:               []MaskConfig{{Name: "TICKET", Pattern: `[A-Z]+-\d+`}},
		TypedPlaceholders:   true,
		ExtractParams:       true,
		Attributes:          AttributesConfig{Template: "tmpl", TemplateID: "tmpl.id", Params: "tmpl.params", New: "tmpl.new"},
		Storage:             &storage,
		SnapshotInterval:    30 * time.Second,
		LearningPeriod:      15 * time.Minute,
		NewPattern:          NewPatternConfig{MinRecords: 3, Within: 2 * time.Minute},
	}
	assert.Equal(t, want, c)
}

func TestBadConfigs(t *testing.T) {
	tests := []struct{ name, msg string }{
		{"bad_threshold", "similarity_threshold must be in (0, 1] (got 1.5)"},
		{"bad_clusters", "max_clusters must be at least 1 (got 0)"},
		{"bad_mask", `masks[0].pattern is not a valid regular expression (got "(")`},
		{"bad_attributes", `attributes.template and attributes.template_id must differ (both "log.record.template")`},
		{"bad_interval", "snapshot_interval must be positive when storage is set (got 0s)"},
		{"bad_learning", "learning_period must not be negative (got -1m0s)"},
		{"bad_min_records", "new_pattern.min_records must be in [1, 20] (got 0)"},
		{"bad_within", "new_pattern.within must be positive when min_records > 1 (got 0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Several runs: the message must not depend on map order.
			for range 20 {
				err := configtest.Load[*Config](t, NewFactory(), tt.name).Validate()
				require.Error(t, err)
				require.Contains(t, err.Error(), tt.msg)
			}
		})
	}
}
