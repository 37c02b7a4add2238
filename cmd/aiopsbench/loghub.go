package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/otelcol-aiops/otelcol-aiops/internal/loghub"
	"github.com/otelcol-aiops/otelcol-aiops/processor/logclusterprocessor"
)

func init() {
	register("loghub", "template accuracy of the logcluster processor on Loghub-2k (-data DIR [-json])", runLoghub)
}

// loghubBatch is the number of records per ConsumeLogs call.
const loghubBatch = 1000

type loghubReport struct {
	Datasets map[string]loghub.Scores `json:"datasets"`
	Average  loghubAverage            `json:"average"`
}

type loghubAverage struct {
	GA  float64 `json:"ga"`
	FGA float64 `json:"fga"`
	PA  float64 `json:"pa"`
	FTA float64 `json:"fta"`
}

func runLoghub(args []string) error {
	fs := flag.NewFlagSet("loghub", flag.ContinueOnError)
	dir := fs.String("data", "", "directory with <D>/<D>_2k.log, <D>/<D>_2k.log_structured.csv and formats.json")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-data is required")
	}
	formats, err := loghub.ReadFormats(*dir)
	if err != nil {
		return err
	}
	names, err := loghub.Names(*dir)
	if err != nil {
		return err
	}
	report := loghubReport{Datasets: map[string]loghub.Scores{}}
	var all []loghub.Scores
	var order []string
	for _, name := range names {
		f, ok := formats[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "loghub: %s has no entry in formats.json, skipped\n", name)
			continue
		}
		d, err := loghub.Load(*dir, name, f)
		if err != nil {
			return err
		}
		s, err := scoreThroughProcessor(d)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		report.Datasets[name] = s
		all = append(all, s)
		order = append(order, name)
	}
	if len(all) == 0 {
		return fmt.Errorf("no datasets found in %s", *dir)
	}
	avg := loghub.Average(all)
	report.Average = loghubAverage{GA: avg.GA, FGA: avg.FGA, PA: avg.PA, FTA: avg.FTA}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "dataset\tlines\tGA\tFGA\tPA\tFTA\t")
	for _, n := range order {
		s := report.Datasets[n]
		fmt.Fprintf(w, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t\n", n, s.Lines, s.GA, s.FGA, s.PA, s.FTA)
	}
	fmt.Fprintf(w, "average\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t\n", avg.Lines, avg.GA, avg.FGA, avg.PA, avg.FTA)
	return w.Flush()
}

// scoreThroughProcessor sends the dataset's Content, in file order and one
// record per line, through a logcluster processor with the default
// configuration, then scores what it emitted: lines are grouped by the
// template ID written at ingest, and each ID is scored with its final
// template (the last one emitted for it).
func scoreThroughProcessor(d *loghub.Dataset) (loghub.Scores, error) {
	ctx := context.Background()
	factory := logclusterprocessor.NewFactory()
	cfg := factory.CreateDefaultConfig()
	set := processor.Settings{
		ID:                component.NewID(factory.Type()),
		TelemetrySettings: componenttest.NewNopTelemetrySettings(),
		BuildInfo:         component.NewDefaultBuildInfo(),
	}
	set.Logger = zap.NewNop()
	sink := new(consumertest.LogsSink)
	proc, err := factory.CreateLogs(ctx, set, cfg, sink)
	if err != nil {
		return loghub.Scores{}, err
	}
	if err := proc.Start(ctx, componenttest.NewNopHost()); err != nil {
		return loghub.Scores{}, err
	}
	for start := 0; start < len(d.Content); start += loghubBatch {
		end := min(start+loghubBatch, len(d.Content))
		ld := plog.NewLogs()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", d.Name)
		lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
		for _, line := range d.Content[start:end] {
			lrs.AppendEmpty().Body().SetStr(line)
		}
		if err := proc.ConsumeLogs(ctx, ld); err != nil {
			return loghub.Scores{}, err
		}
	}
	if err := proc.Shutdown(ctx); err != nil {
		return loghub.Scores{}, err
	}
	ids := make([]string, 0, len(d.Content))
	final := map[string]string{}
	for _, ld := range sink.AllLogs() {
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					attrs := lrs.At(k).Attributes()
					id, tmpl := "", ""
					if v, ok := attrs.Get("log.record.template.id"); ok {
						id = v.Str()
					}
					if v, ok := attrs.Get("log.record.template"); ok {
						tmpl = v.Str()
					}
					ids = append(ids, id)
					final[id] = tmpl
				}
			}
		}
	}
	if len(ids) != len(d.Content) {
		return loghub.Scores{}, fmt.Errorf("processor emitted %d records for %d lines", len(ids), len(d.Content))
	}
	templates := make([]string, len(ids))
	for i, id := range ids {
		templates[i] = final[id]
	}
	return loghub.Score(d.Truth, ids, templates), nil
}
