//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/e2e"
)

// badConfig is one invalid setting of one of our components: body is the
// YAML under the component's key, want the substrings the `validate` output
// must contain, the key's path first and then the bad value.
//
// Type and syntax errors (a duration that does not parse, a string where a
// number belongs) are reported by the collector's decoder, which names the
// key and the kind of error but deliberately not the value (mapstructure
// v2.3+ stopped echoing values because they may be secrets); for those
// cases want holds the key and the decoder's reason instead.
type badConfig struct {
	name string
	body string
	want []string
}

// componentConfigs wrap a component body into a whole collector config in
// which the component sits in a pipeline, so that `validate` both checks
// its Config and builds it (alertwebhook compiles its OTTL rules then).
var componentConfigs = map[string]string{
	"anomaly": `
receivers: {nop: {}}
processors:
  anomaly:
%s
exporters: {nop: {}}
service:
  pipelines:
    metrics: {receivers: [nop], processors: [anomaly], exporters: [nop]}
`,
	"logcluster": `
receivers: {nop: {}}
processors:
  logcluster:
%s
exporters: {nop: {}}
service:
  pipelines:
    logs: {receivers: [nop], processors: [logcluster], exporters: [nop]}
`,
	"alertwebhook": `
receivers: {nop: {}}
exporters:
  alertwebhook:
%s
service:
  pipelines:
    metrics: {receivers: [nop], exporters: [alertwebhook]}
    logs: {receivers: [nop], exporters: [alertwebhook]}
`,
	"microsim": `
receivers:
  microsim:
%s
exporters: {nop: {}}
service:
  pipelines:
    metrics: {receivers: [microsim], exporters: [nop]}
    logs: {receivers: [microsim], exporters: [nop]}
    traces: {receivers: [microsim], exporters: [nop]}
`,
}

// A target that validates, for alertwebhook cases about something else.
const goodTarget = `
targets:
  - name: hook
    type: webhook
    endpoint: http://127.0.0.1:9/hook`

var badConfigs = map[string][]badConfig{
	"anomaly": {
		{"threshold above 1", `threshold: 1.5`, []string{"processors::anomaly: threshold", "(got 1.5)"}},
		{"clear_threshold above threshold", `clear_threshold: 0.9`, []string{"clear_threshold", "(got 0.9)"}},
		{"confirm_points above 15", `confirm_points: 16`, []string{"confirm_points", "(got 16)"}},
		{"negative sensitivity", `sensitivity: -1`, []string{"sensitivity", "(got -1)"}},
		{"zero max_series", `max_series: 0`, []string{"max_series", "(got 0)"}},
		{"direction enum", `direction: sideways`, []string{"direction", `(got "sideways")`}},
		{"seasonality enum", `seasonality: hourly`, []string{"seasonality", `(got "hourly")`}},
		{"negative max_stale", `max_stale: -5m`, []string{"max_stale", "(got -5m0s)"}},
		{"unparsable max_stale", `max_stale: 5 minutes`, []string{"'max_stale'", "unknown unit"}},
		{"string max_series", `max_series: lots`, []string{"'max_series'", "expected type 'int'"}},
		{"bad include pattern", `include: ["http.[a-"]`, []string{"include[0]", `bad pattern "http.[a-"`}},
		{"override warm_up out of range", "overrides:\n  - metric: http.*\n    warm_up: 5", []string{"overrides[0].warm_up", "(got 5)"}},
		{"override without metric", "overrides:\n  - direction: up", []string{"overrides[0].metric"}},
		{"histogram quantile out of range", "histogram_quantiles: [0.5, 99]", []string{"histogram_quantiles[1]", "(got 99)"}},
		{"unknown key", `treshold: 0.5`, []string{"invalid keys", "treshold"}},
	},
	"logcluster": {
		{"similarity_threshold above 1", `similarity_threshold: 1.2`, []string{"processors::logcluster: similarity_threshold", "(got 1.2)"}},
		{"zero max_clusters", `max_clusters: 0`, []string{"max_clusters", "(got 0)"}},
		{"max_line_bytes too small", `max_line_bytes: 8`, []string{"max_line_bytes", "(got 8)"}},
		{"negative max_partitions", `max_partitions: -3`, []string{"max_partitions", "(got -3)"}},
		{"bad mask regex", "masks:\n  - name: TICKET\n    pattern: '[A-Z+-\\d+'", []string{"masks[0].pattern", `(got "[A-Z+-\\d+")`}},
		{"mask name with a space", "masks:\n  - name: MY TICKET\n    pattern: '[A-Z]+-\\d+'", []string{"masks[0].name", `(got "MY TICKET")`}},
		{"non-ASCII delimiter", `extra_delimiters: "→"`, []string{"extra_delimiters", "(got '→'"}},
		{"duplicate attribute names", "attributes:\n  template: x\n  template_id: x", []string{"attributes.template and attributes.template_id", `(both "x")`}},
		{"zero snapshot_interval with storage", "storage: file_storage\nsnapshot_interval: 0s", []string{"snapshot_interval", "(got 0s)"}},
		{"unparsable snapshot_interval", `snapshot_interval: soon`, []string{"'snapshot_interval'", "invalid duration"}},
		{"unknown key", `max_cluster: 5`, []string{"invalid keys", "max_cluster"}},
	},
	"alertwebhook": {
		{"webhook target without endpoint", "targets:\n  - name: hook\n    type: webhook", []string{"exporters::alertwebhook: targets[0].endpoint is required for type webhook"}},
		{"target type enum", "targets:\n  - name: bird\n    type: carrier_pigeon\n    endpoint: http://127.0.0.1:9/", []string{"targets[0].type", `(got "carrier_pigeon")`}},
		{"non-http endpoint", "targets:\n  - name: hook\n    type: webhook\n    endpoint: ftp://files.example.com/drop", []string{"targets[0].endpoint", "(got ftp://files.example.com/"}},
		{"label_name_mode enum", "label_name_mode: ascii" + goodTarget, []string{"label_name_mode", `(got "ascii")`}},
		{"zero evaluation_interval", "evaluation_interval: 0s" + goodTarget, []string{"evaluation_interval", "(got 0s)"}},
		{"negative max_alerts", "max_alerts: -1" + goodTarget, []string{"max_alerts", "(got -1)"}},
		{"bad OTTL condition", "rules:\n  - name: HighLatency\n    signal: metrics\n    condition: 'value_double >>> 3'" + goodTarget, []string{"rules[0].condition", `"value_double >>> 3"`}},
		{"bad OTTL select", "rules:\n  - name: NewErrors\n    signal: logs\n    select: 'severity_number >= '\n    condition: 'severity_number >= 17'" + goodTarget, []string{"rules[0].select", `"severity_number >= "`}},
		{"signal enum", "rules:\n  - name: Spans\n    signal: traces\n    condition: 'true'" + goodTarget, []string{"rules[0].signal", `(got "traces")`}},
		{"bad annotation template", "rules:\n  - name: X\n    signal: metrics\n    condition: 'true'\n    annotations: {summary: '{{ .Value '}" + goodTarget, []string{`rules[0].annotations.summary "{{ .Value "`, "unclosed action"}},
		{"negative rule for", "rules:\n  - name: X\n    signal: metrics\n    condition: 'true'\n    for: -1m" + goodTarget, []string{"rules[0].for", "(got -1m0s)"}},
		{"rate_limit without per", "targets:\n  - name: hook\n    type: webhook\n    endpoint: http://127.0.0.1:9/\n    rate_limit: {messages: 5, per: 0s}", []string{"targets[0].rate_limit", "per=0s"}},
		{"unparsable group_wait", "targets:\n  - name: hook\n    type: webhook\n    endpoint: http://127.0.0.1:9/\n    group_wait: soon", []string{"'targets[0].group_wait'", "invalid duration"}},
		{"unknown key", "target: []" + goodTarget, []string{"invalid keys", "target"}},
	},
	"microsim": {
		{"zero speed", `speed: 0`, []string{"receivers::microsim: speed", "(got 0)"}},
		{"tick too long", `tick: 2m`, []string{"tick", "(got 2m0s)"}},
		{"peak_hour out of range", `peak_hour: 24`, []string{"peak_hour", "(got 24)"}},
		{"daily_amplitude out of range", `daily_amplitude: 1`, []string{"daily_amplitude", "(got 1)"}},
		{"negative duration", `duration: -1h`, []string{"duration", "(got -1h0m0s)"}},
		{"fault_schedule enum", `fault_schedule: chaos`, []string{"fault_schedule", `(got "chaos")`}},
		{"fault type enum", "faults:\n  - type: meltdown\n    service: cart\n    duration: 1m", []string{"faults[0].type", `(got "meltdown")`}},
		{"fault service unknown", "faults:\n  - type: latency\n    service: mainframe\n    duration: 1m", []string{"faults[0].service", `(got "mainframe")`}},
		{"fault magnitude out of range", "faults:\n  - type: errors\n    service: cart\n    duration: 1m\n    magnitude: 7", []string{"faults[0].magnitude", "(got 7)"}},
		{"random gaps reversed", "fault_schedule: random\nrandom_faults: {min_gap: 20m, max_gap: 10m}", []string{"random_faults.max_gap", "(got 10m0s)"}},
		{"unparsable start_time", `start_time: yesterday`, []string{"'start_time'", `"yesterday"`}},
		{"unknown key", `sped: 5`, []string{"invalid keys", "sped"}},
	},
}

// TestBadConfig runs `otelcol-aiops validate` on invalid settings of each of
// our components: every one must fail with a message that names the
// component, the key and (where the decoder allows) the bad value.
func TestBadConfig(t *testing.T) {
	dir := t.TempDir()
	for component, cases := range badConfigs {
		require.GreaterOrEqual(t, len(cases), 4, component)
		for _, tc := range cases {
			t.Run(component+"/"+tc.name, func(t *testing.T) {
				file := filepath.Join(dir, strings.NewReplacer(" ", "_", "/", "_").Replace(component+"_"+tc.name)+".yaml")
				cfg := strings.Replace(componentConfigs[component], "%s", indent(tc.body, "    "), 1)
				require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
				out, err := e2e.Run(t, "validate", "--config", file)
				require.Error(t, err, "validate accepted:\n%s\noutput:\n%s", cfg, out)
				assert.Contains(t, out, component, "the error names the component")
				for _, w := range tc.want {
					assert.Contains(t, out, w, "config:\n%s", cfg)
				}
				assert.NotContains(t, out, "panic", "validate crashed")
			})
		}
	}
}

// TestBadConfigBaselineValid guards the table: the wrappers with a valid
// body pass, so each failure above comes from the bad setting alone.
func TestBadConfigBaselineValid(t *testing.T) {
	dir := t.TempDir()
	for component, wrapper := range componentConfigs {
		body := "{}"
		if component == "alertwebhook" {
			body = strings.TrimPrefix(goodTarget, "\n")
		}
		file := filepath.Join(dir, component+".yaml")
		require.NoError(t, os.WriteFile(file, []byte(strings.Replace(wrapper, "%s", indent(body, "    "), 1)), 0o600))
		out, err := e2e.Run(t, "validate", "--config", file)
		assert.NoError(t, err, "%s: %s", component, out)
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimPrefix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
