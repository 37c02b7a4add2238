package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-aiops/otelcol-aiops/internal/nab"
	"github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"
)

func init() {
	register("nab", "score the anomaly processor on a NAB corpus", runNAB)
}

// nabResult is the -json output shape.
type nabResult struct {
	Files            int          `json:"files"`
	Windows          int          `json:"windows"`
	Optimal          profileTable `json:"optimal"`
	DefaultThreshold profileTable `json:"default_threshold"`
}

// profileTable is a score per profile, encoded in profile order.
type profileTable struct {
	names  []string
	scores map[string]float64
}

func (t *profileTable) set(name string, v float64) {
	if t.scores == nil {
		t.scores = map[string]float64{}
	}
	t.names = append(t.names, name)
	t.scores[name] = v
}

func (t profileTable) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, n := range t.names {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(n)
		v, err := json.Marshal(t.scores[n])
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

func runNAB(args []string) error {
	fs := flag.NewFlagSet("nab", flag.ContinueOnError)
	data := fs.String("data", "", "NAB data directory (<category>/<file>.csv)")
	labels := fs.String("labels", "", "NAB combined_windows.json")
	profilesFile := fs.String("profiles", "", "NAB profiles.json (default: NAB v1.1's three profiles)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *labels == "" {
		return fmt.Errorf("-data and -labels are required")
	}
	profiles := nab.StandardProfiles
	if *profilesFile != "" {
		var err error
		if profiles, err = nab.LoadProfiles(*profilesFile); err != nil {
			return err
		}
	}
	corpus, err := nab.LoadCorpus(*data, *labels)
	if err != nil {
		return err
	}
	factory := anomalyprocessor.NewFactory()
	cfg := factory.CreateDefaultConfig()
	threshold, err := anomalyprocessor.ThresholdOf(cfg)
	if err != nil {
		return err
	}
	scores := make([][]float64, len(corpus.Series))
	for i := range corpus.Series {
		if scores[i], err = scoreSeries(factory, cfg, &corpus.Series[i]); err != nil {
			return fmt.Errorf("%s: %w", corpus.Series[i].Name, err)
		}
	}
	res := nabResult{Files: len(corpus.Series), Windows: corpus.NumWindows()}
	thresholds := map[string]float64{}
	for _, p := range profiles {
		t, raw, err := nab.Optimize(corpus, scores, p)
		if err != nil {
			return err
		}
		thresholds[p.Name] = t
		res.Optimal.set(p.Name, nab.Normalize(raw, p, res.Windows))
		at, err := nab.ScoreAt(corpus, scores, p, threshold)
		if err != nil {
			return err
		}
		res.DefaultThreshold.set(p.Name, nab.Normalize(at, p, res.Windows))
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("NAB: %d files, %d windows; anomaly processor, shipped default config\n", res.Files, res.Windows)
	fmt.Printf("%-20s %18s %22s\n", "profile", "optimal (T)", fmt.Sprintf("default T=%.3g", threshold))
	for _, p := range profiles {
		fmt.Printf("%-20s %9.2f (%.4f) %22.2f\n", p.Name, res.Optimal.scores[p.Name], thresholds[p.Name], res.DefaultThreshold.scores[p.Name])
	}
	return nil
}

// scoreSeries streams one file through a fresh processor, one gauge point
// per row with the row's timestamp, and reads back the emitted score of
// each row (0 for rows the processor emitted no score for).
func scoreSeries(factory processor.Factory, cfg any, s *nab.Series) ([]float64, error) {
	sink := new(consumertest.MetricsSink)
	set := processortest.NewNopSettings(factory.Type())
	proc, err := factory.CreateMetrics(context.Background(), set, cfg, sink)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if err := proc.Start(ctx, nil); err != nil {
		return nil, err
	}
	defer proc.Shutdown(ctx) //nolint:errcheck
	byTime := make(map[pcommon.Timestamp]int, len(s.Values))
	for i, v := range s.Values {
		ts := pcommon.NewTimestampFromTime(s.Times[i])
		byTime[ts] = i
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("nab.value")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetDoubleValue(v)
		if err := proc.ConsumeMetrics(ctx, md); err != nil {
			return nil, err
		}
	}
	out := make([]float64, len(s.Values))
	for _, md := range sink.AllMetrics() {
		ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
		for k := 0; k < ms.Len(); k++ {
			if ms.At(k).Name() != "anomaly.score" {
				continue
			}
			dps := ms.At(k).Gauge().DataPoints()
			for j := 0; j < dps.Len(); j++ {
				if i, ok := byTime[dps.At(j).Timestamp()]; ok {
					out[i] = dps.At(j).DoubleValue()
				}
			}
		}
	}
	return out, nil
}
