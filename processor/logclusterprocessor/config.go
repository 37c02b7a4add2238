package logclusterprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor"

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-aiops/otelcol-aiops/internal/drain"
)

// Config configures the logcluster processor.
type Config struct {
	// BodyField is the field read from map bodies; string bodies are read
	// as they are.
	BodyField string `mapstructure:"body_field"`
	// PartitionBy lists the resource attributes that separate template
	// spaces (and seed template IDs).
	PartitionBy []string `mapstructure:"partition_by"`
	// MaxPartitions bounds the number of template spaces; records of further
	// partitions share one overflow partition.
	MaxPartitions int `mapstructure:"max_partitions"`
	// MaxClusters bounds the templates per partition (LRU eviction).
	MaxClusters int `mapstructure:"max_clusters"`
	// MaxLineBytes truncates the text used for clustering; records are
	// never dropped or changed.
	MaxLineBytes int `mapstructure:"max_line_bytes"`
	// MaxTokens caps the tokens used for clustering.
	MaxTokens int `mapstructure:"max_tokens"`
	// SimilarityThreshold is the share of equal positions for a line to
	// join a template.
	SimilarityThreshold float64 `mapstructure:"similarity_threshold"`
	// ExtraDelimiters are characters that separate tokens besides
	// whitespace.
	ExtraDelimiters string `mapstructure:"extra_delimiters"`
	// Masks are extra variable patterns, each matched against whole tokens.
	Masks []MaskConfig `mapstructure:"masks"`
	// TypedPlaceholders renders <NUM>, <IP>, ... instead of <*>.
	TypedPlaceholders bool `mapstructure:"typed_placeholders"`
	// ExtractParams writes the parameters attribute.
	ExtractParams bool `mapstructure:"extract_params"`
	// Attributes names the attributes written on records.
	Attributes AttributesConfig `mapstructure:"attributes"`
	// Storage is an optional storage extension (file_storage) for snapshots.
	Storage *component.ID `mapstructure:"storage"`
	// SnapshotInterval is how often templates are saved to Storage; they are
	// also saved at shutdown.
	SnapshotInterval time.Duration `mapstructure:"snapshot_interval"`
	// LearningPeriod: a partition that starts empty (nothing restored from
	// Storage) learns for this long; templates it creates meanwhile are its
	// usual patterns and are not marked new. 0 marks every template new.
	LearningPeriod time.Duration `mapstructure:"learning_period"`
	// NewPattern says when a template created after the learning period is
	// marked new.
	NewPattern NewPatternConfig `mapstructure:"new_pattern"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// NewPatternConfig: with MinRecords 1 the record that creates a template is
// marked new; with n > 1, the first record that makes n records of the
// template within Within is (a one-off line is not a pattern; a rare line
// that turns into a burst is news then).
type NewPatternConfig struct {
	MinRecords int           `mapstructure:"min_records"`
	Within     time.Duration `mapstructure:"within"`
}

// MaskConfig is a user-defined variable pattern.
type MaskConfig struct {
	Name    string `mapstructure:"name"`
	Pattern string `mapstructure:"pattern"`
}

// AttributesConfig names the record attributes written by the processor.
type AttributesConfig struct {
	Template   string `mapstructure:"template"`
	TemplateID string `mapstructure:"template_id"`
	Params     string `mapstructure:"params"`
	New        string `mapstructure:"new"`
}

// Validate checks the configuration; every error names the key and value.
// The collector calls it (xconfmap.Validator) when it loads the config.
func (c *Config) Validate() error {
	var errs []error
	if c.BodyField == "" {
		errs = append(errs, errors.New("body_field must not be empty"))
	}
	if c.MaxPartitions < 1 {
		errs = append(errs, fmt.Errorf("max_partitions must be at least 1 (got %d)", c.MaxPartitions))
	}
	if c.MaxClusters < 1 {
		errs = append(errs, fmt.Errorf("max_clusters must be at least 1 (got %d)", c.MaxClusters))
	}
	if c.MaxLineBytes < 16 {
		errs = append(errs, fmt.Errorf("max_line_bytes must be at least 16 (got %d)", c.MaxLineBytes))
	}
	if c.MaxTokens < 1 {
		errs = append(errs, fmt.Errorf("max_tokens must be at least 1 (got %d)", c.MaxTokens))
	}
	if !(c.SimilarityThreshold > 0 && c.SimilarityThreshold <= 1) {
		errs = append(errs, fmt.Errorf("similarity_threshold must be in (0, 1] (got %v)", c.SimilarityThreshold))
	}
	for i, d := range c.ExtraDelimiters {
		if d > 127 {
			errs = append(errs, fmt.Errorf("extra_delimiters must be ASCII (got %q at %d)", d, i))
		}
	}
	for i, m := range c.Masks {
		if m.Name == "" || strings.ContainsAny(m.Name, "<> \t") {
			errs = append(errs, fmt.Errorf("masks[%d].name must be non-empty without spaces or <> (got %q)", i, m.Name))
		}
		if _, err := regexp.Compile(m.Pattern); err != nil || m.Pattern == "" {
			errs = append(errs, fmt.Errorf("masks[%d].pattern is not a valid regular expression (got %q)", i, m.Pattern))
		}
	}
	// A slice, not a map: the error names the keys in their documented
	// order, the same on every run.
	names := map[string]string{}
	for _, a := range []struct{ key, v string }{
		{"attributes.template", c.Attributes.Template}, {"attributes.template_id", c.Attributes.TemplateID},
		{"attributes.params", c.Attributes.Params}, {"attributes.new", c.Attributes.New},
	} {
		key, v := a.key, a.v
		if v == "" {
			errs = append(errs, fmt.Errorf("%s must not be empty", key))
			continue
		}
		if other, dup := names[v]; dup {
			errs = append(errs, fmt.Errorf("%s and %s must differ (both %q)", other, key, v))
		}
		names[v] = key
	}
	if c.LearningPeriod < 0 {
		errs = append(errs, fmt.Errorf("learning_period must not be negative (got %s)", c.LearningPeriod))
	}
	if c.NewPattern.MinRecords < 1 || c.NewPattern.MinRecords > drain.MaxRecurrenceRecords {
		errs = append(errs, fmt.Errorf("new_pattern.min_records must be in [1, %d] (got %d)", drain.MaxRecurrenceRecords, c.NewPattern.MinRecords))
	}
	if c.NewPattern.MinRecords > 1 && c.NewPattern.Within <= 0 {
		errs = append(errs, fmt.Errorf("new_pattern.within must be positive when min_records > 1 (got %s)", c.NewPattern.Within))
	}
	if c.Storage != nil && c.SnapshotInterval <= 0 {
		errs = append(errs, fmt.Errorf("snapshot_interval must be positive when storage is set (got %s)", c.SnapshotInterval))
	}
	return errors.Join(errs...)
}
