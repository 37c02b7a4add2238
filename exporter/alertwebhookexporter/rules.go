package alertwebhookexporter // import "github.com/otelcol-aiops/otelcol-aiops/exporter/alertwebhookexporter"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottldatapoint"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"

	"github.com/otelcol-aiops/otelcol-aiops/internal/alerting"
	"github.com/otelcol-aiops/otelcol-aiops/internal/notify"
)

// Default resolve timeouts: log records are events, so their alerts end when
// records stop; a metric series that stops reporting must not fire forever.
const (
	defaultLogResolveTimeout    = 5 * time.Minute
	defaultMetricResolveTimeout = 10 * time.Minute
)

// rule is the signal-independent part of a compiled rule.
type rule struct {
	name        string
	severity    string
	static      map[string]string
	fromAttrs   map[string]string
	allAttrs    bool
	annotations map[string]*template.Template
	timing      alerting.Timing
	sanitize    bool
}

type metricRule struct {
	rule
	sel, cond *ottl.Condition[*ottldatapoint.TransformContext]
}

type logRule struct {
	rule
	sel, cond *ottl.Condition[*ottllog.TransformContext]
}

// templateData is what annotation templates see.
type templateData struct {
	Rule       string
	Labels     map[string]string
	Value      float64
	MetricName string
	Attributes map[string]string
	Resource   map[string]string
	Body       string
	Severity   string
	TemplateID string
	Template   string
}

// defaultRules are the rules the shipped pipeline alerts with when none are
// configured: the anomaly processor's decision, and new error-level log
// templates found by the logcluster processor.
func defaultRules(d DefaultRulesConfig) []RuleConfig {
	if !d.Enabled {
		return nil
	}
	return []RuleConfig{
		{
			Name:   "AnomalyDetected",
			Signal: "metrics",
			Select: fmt.Sprintf("metric.name == %q", d.AnomalyMetric),
			// Gauges may carry the decision as double or int.
			Condition:             "value_double >= 1.0 or value_int >= 1",
			Severity:              "warning",
			AllAttributesAsLabels: true,
			LabelsFromAttributes:  map[string]string{"service": "service.name", "metric": d.AnomalySourceAttribute},
			Annotations: map[string]string{
				"summary":     fmt.Sprintf(`{{ index .Attributes %q }} is anomalous{{ with .Labels.service }} on {{ . }}{{ end }}`, d.AnomalySourceAttribute),
				"description": "The anomaly detector flagged this series ({{ .MetricName }} = {{ .Value }}).",
			},
			KeepFiringFor:  d.AnomalyKeepFiringFor,
			ResolveTimeout: defaultMetricResolveTimeout,
		},
		{
			Name:   "NewErrorLogTemplate",
			Signal: "logs",
			Condition: fmt.Sprintf(`attributes[%q] == true and (severity_number >= SEVERITY_NUMBER_ERROR or `+
				`(severity_number == SEVERITY_NUMBER_UNSPECIFIED and IsMatch(severity_text, "(?i)^(err|error|fatal|crit|critical|alert|emerg|emergency|panic)$")))`,
				d.LogTemplateNewAttribute),
			Severity:             "warning",
			LabelsFromAttributes: map[string]string{"service": "service.name", "template_id": d.LogTemplateIDAttribute},
			Annotations: map[string]string{
				"summary":     `New error log pattern{{ with .Labels.service }} in {{ . }}{{ end }}: {{ truncate 300 .Template }}`,
				"description": `Record ({{ .Severity }}): {{ truncate 1000 .Body }}`,
				"template":    `{{ .Template }}`,
			},
			ResolveTimeout: d.LogResolveTimeout,
		},
		{
			// A new warning pattern (a pool running dry, a certificate
			// about to expire, a fallback taken) is worth knowing about,
			// at a lower severity than a new error.
			Name:   "NewWarningLogTemplate",
			Signal: "logs",
			Condition: fmt.Sprintf(`attributes[%q] == true and ((severity_number >= SEVERITY_NUMBER_WARN and severity_number < SEVERITY_NUMBER_ERROR) or `+
				`(severity_number == SEVERITY_NUMBER_UNSPECIFIED and IsMatch(severity_text, "(?i)^(warn|warning)$")))`,
				d.LogTemplateNewAttribute),
			Severity:             "info",
			LabelsFromAttributes: map[string]string{"service": "service.name", "template_id": d.LogTemplateIDAttribute},
			Annotations: map[string]string{
				"summary":     `New warning log pattern{{ with .Labels.service }} in {{ . }}{{ end }}: {{ truncate 300 .Template }}`,
				"description": `Record ({{ .Severity }}): {{ truncate 1000 .Body }}`,
				"template":    `{{ .Template }}`,
			},
			ResolveTimeout: d.LogResolveTimeout,
		},
	}
}

// ruleParsers are the OTTL parsers of the two rule signals.
type ruleParsers struct {
	dp  ottl.Parser[*ottldatapoint.TransformContext]
	log ottl.Parser[*ottllog.TransformContext]
}

func newRuleParsers(set component.TelemetrySettings) (ruleParsers, error) {
	dp, err := ottldatapoint.NewParser(ottlfuncs.StandardConverters[*ottldatapoint.TransformContext](), set)
	if err != nil {
		return ruleParsers{}, err
	}
	log, err := ottllog.NewParser(ottlfuncs.StandardConverters[*ottllog.TransformContext](), set)
	return ruleParsers{dp: dp, log: log}, err
}

// checkConditions parses every rule's condition and select, for Validate
// (the templates are checked there already).
func checkConditions(cfgs []RuleConfig) error {
	ps, err := newRuleParsers(component.TelemetrySettings{Logger: zap.NewNop()})
	if err != nil {
		return err
	}
	var errs []error
	for i := range cfgs {
		switch cfgs[i].Signal {
		case "metrics":
			_, _, err = parseConditions(ps.dp, i, &cfgs[i])
		case "logs":
			_, _, err = parseConditions(ps.log, i, &cfgs[i])
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// compileRules parses every rule's OTTL and templates.
func compileRules(cfgs []RuleConfig, sanitize bool, set component.TelemetrySettings) ([]*metricRule, []*logRule, error) {
	ps, err := newRuleParsers(set)
	if err != nil {
		return nil, nil, err
	}
	var mrs []*metricRule
	var lrs []*logRule
	for i := range cfgs {
		c := &cfgs[i]
		base := rule{
			name: c.Name, severity: c.Severity, static: c.Labels, fromAttrs: c.LabelsFromAttributes,
			allAttrs: c.AllAttributesAsLabels, sanitize: sanitize, annotations: map[string]*template.Template{},
			timing: alerting.Timing{For: c.For, KeepFiringFor: c.KeepFiringFor, ResolveTimeout: c.ResolveTimeout},
		}
		for k, v := range c.Annotations {
			t, err := notify.ParseTemplate(k, v)
			if err != nil {
				return nil, nil, fmt.Errorf("rules[%d].annotations.%s: %w", i, k, err)
			}
			base.annotations[k] = t
		}
		switch c.Signal {
		case "metrics":
			if base.timing.ResolveTimeout == 0 {
				base.timing.ResolveTimeout = defaultMetricResolveTimeout
			}
			r := &metricRule{rule: base}
			if r.cond, r.sel, err = parseConditions(ps.dp, i, c); err != nil {
				return nil, nil, err
			}
			mrs = append(mrs, r)
		case "logs":
			if base.timing.ResolveTimeout == 0 {
				base.timing.ResolveTimeout = defaultLogResolveTimeout
			}
			r := &logRule{rule: base}
			if r.cond, r.sel, err = parseConditions(ps.log, i, c); err != nil {
				return nil, nil, err
			}
			lrs = append(lrs, r)
		}
	}
	return mrs, lrs, nil
}

// parseConditions parses rule i's condition and optional select in the
// rule's OTTL context; errors name the key and the expression.
func parseConditions[K any](p ottl.Parser[K], i int, c *RuleConfig) (cond, sel *ottl.Condition[K], err error) {
	if cond, err = p.ParseCondition(c.Condition); err != nil {
		return nil, nil, fmt.Errorf("rules[%d].condition %q: %w", i, c.Condition, err)
	}
	if c.Select != "" {
		if sel, err = p.ParseCondition(c.Select); err != nil {
			return nil, nil, fmt.Errorf("rules[%d].select %q: %w", i, c.Select, err)
		}
	}
	return cond, sel, nil
}

// evalCounts tallies evaluation problems for telemetry.
type evalCounts struct {
	evalErrors, templateErrors int
}

// evalMetrics evaluates metric rules on every data point of md.
func evalMetrics(ctx context.Context, rules []*metricRule, md pmetric.Metrics, out []alerting.Observation, cnt *evalCounts) []alerting.Observation {
	if len(rules) == 0 {
		return out
	}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				forEachPoint(m, func(dp any, attrs pcommon.Map, ts pcommon.Timestamp, value float64) {
					tCtx := ottldatapoint.NewTransformContextPtr(rm, sm, m, dp)
					defer tCtx.Close()
					for _, r := range rules {
						active, selected, err := evalPair(ctx, r.sel, r.cond, tCtx)
						if err != nil {
							cnt.evalErrors++
							continue
						}
						if !selected {
							continue
						}
						obs := alerting.Observation{Rule: r.name, Timing: r.timing, Active: active, At: ts.AsTime()}
						obs.Labels = r.labels(attrs, rm.Resource().Attributes())
						if active {
							obs.Annotations = r.render(&templateData{
								Rule: r.name, Labels: obs.Labels.Map(), Value: value, MetricName: m.Name(),
								Attributes: flatten(attrs), Resource: flatten(rm.Resource().Attributes()),
							}, cnt)
						}
						out = append(out, obs)
					}
				})
			}
		}
	}
	return out
}

// evalLogs evaluates log rules on every record of ld.
func evalLogs(ctx context.Context, rules []*logRule, ld plog.Logs, out []alerting.Observation, cnt *evalCounts, tmplAttr, tmplIDAttr string) []alerting.Observation {
	if len(rules) == 0 {
		return out
	}
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				tCtx := ottllog.NewTransformContextPtr(rl, sl, lr)
				for _, r := range rules {
					active, selected, err := evalPair(ctx, r.sel, r.cond, tCtx)
					if err != nil {
						cnt.evalErrors++
						continue
					}
					if !selected {
						continue
					}
					ts := lr.Timestamp()
					if ts == 0 {
						ts = lr.ObservedTimestamp()
					}
					obs := alerting.Observation{Rule: r.name, Timing: r.timing, Active: active, At: ts.AsTime()}
					obs.Labels = r.labels(lr.Attributes(), rl.Resource().Attributes())
					if active {
						d := &templateData{
							Rule: r.name, Labels: obs.Labels.Map(), Attributes: flatten(lr.Attributes()),
							Resource: flatten(rl.Resource().Attributes()), Body: lr.Body().AsString(),
							Severity: lr.SeverityText(),
						}
						if d.Severity == "" {
							d.Severity = lr.SeverityNumber().String()
						}
						d.Template = d.Attributes[tmplAttr]
						d.TemplateID = d.Attributes[tmplIDAttr]
						obs.Annotations = r.render(d, cnt)
					}
					out = append(out, obs)
				}
				tCtx.Close()
			}
		}
	}
	return out
}

// evalPair evaluates the optional select and the condition. Without a
// select, only true conditions are observations (there is no "normal" signal
// for data the rule does not scope).
func evalPair[K any](ctx context.Context, sel, cond *ottl.Condition[K], tCtx K) (active, selected bool, err error) {
	if sel != nil {
		ok, err := sel.Eval(ctx, tCtx)
		if err != nil || !ok {
			return false, false, err
		}
	}
	active, err = cond.Eval(ctx, tCtx)
	if err != nil {
		return false, false, err
	}
	return active, active || sel != nil, nil
}

func forEachPoint(m pmetric.Metric, fn func(dp any, attrs pcommon.Map, ts pcommon.Timestamp, value float64)) {
	number := func(dps pmetric.NumberDataPointSlice) {
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			v := dp.DoubleValue()
			if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
				v = float64(dp.IntValue())
			}
			fn(dp, dp.Attributes(), dp.Timestamp(), v)
		}
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		number(m.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		number(m.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			fn(dp, dp.Attributes(), dp.Timestamp(), dp.Sum())
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := m.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			fn(dp, dp.Attributes(), dp.Timestamp(), dp.Sum())
		}
	case pmetric.MetricTypeSummary:
		dps := m.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			fn(dp, dp.Attributes(), dp.Timestamp(), dp.Sum())
		}
	}
}

// labels builds the alert identity. Values must never carry measurements:
// a label that changes per evaluation would make a new alert every time.
func (r *rule) labels(attrs, res pcommon.Map) alerting.Labels {
	m := make(map[string]string, 4+len(r.static)+len(r.fromAttrs))
	if r.allAttrs {
		attrs.Range(func(k string, v pcommon.Value) bool {
			m[r.name2(k)] = v.AsString()
			return true
		})
	}
	for label, key := range r.fromAttrs {
		if v, ok := attrs.Get(key); ok {
			m[r.name2(label)] = v.AsString()
		} else if v, ok := res.Get(key); ok {
			m[r.name2(label)] = v.AsString()
		}
	}
	for k, v := range r.static {
		m[r.name2(k)] = v
	}
	// alertname and severity win over attributes of the same name.
	m["alertname"] = r.name
	if r.severity != "" {
		m["severity"] = r.severity
	}
	return alerting.NewLabels(m)
}

func (r *rule) name2(n string) string {
	if r.sanitize {
		return alerting.SanitizeName(n)
	}
	return n
}

// render executes annotation templates; a failing template yields its error
// text in the annotation (so the alert still goes out) and is counted.
func (r *rule) render(d *templateData, cnt *evalCounts) alerting.Labels {
	if len(r.annotations) == 0 {
		return nil
	}
	m := make(map[string]string, len(r.annotations))
	var b bytes.Buffer
	for k, t := range r.annotations {
		b.Reset()
		if err := t.Execute(&b, d); err != nil {
			cnt.templateErrors++
			m[r.name2(k)] = "template error: " + err.Error()
			continue
		}
		m[r.name2(k)] = strings.TrimSpace(b.String())
	}
	return alerting.NewLabels(m)
}

func flatten(m pcommon.Map) map[string]string {
	out := make(map[string]string, m.Len())
	m.Range(func(k string, v pcommon.Value) bool {
		out[k] = v.AsString()
		return true
	})
	return out
}
