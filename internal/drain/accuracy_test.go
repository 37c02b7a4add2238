package drain

import (
	"fmt"
	"os"
	"testing"

	"github.com/otelcol-aiops/otelcol-aiops/internal/datasets"
	"github.com/otelcol-aiops/otelcol-aiops/internal/loghub"
)

func loadLoghub(tb testing.TB) []*loghub.Dataset {
	tb.Helper()
	dir := datasets.Dir(tb, "loghub2k")
	formats, err := loghub.ReadFormats(dir)
	if err != nil {
		tb.Skipf("Loghub-2k not available: %v", err)
	}
	names, err := loghub.Names(dir)
	if err != nil || len(names) == 0 {
		tb.Skipf("Loghub-2k not available: %v", err)
	}
	var out []*loghub.Dataset
	for _, n := range names {
		f, ok := formats[n]
		if !ok {
			continue
		}
		d, err := loghub.Load(dir, n, f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestLoghubAccuracy runs the default configuration over every Loghub-2k
// dataset, grouping by the ID emitted at ingest and scoring each ID's final
// template, and holds the engine to the accuracy goal of the project.
func TestLoghubAccuracy(t *testing.T) {
	sets := loadLoghub(t)
	if v := os.Getenv("DRAIN_SIM"); v != "" {
		if _, err := fmt.Sscan(v, &defaultSim); err != nil {
			t.Fatalf("DRAIN_SIM=%q: %v", v, err)
		}
	}
	var all []loghub.Scores
	for _, d := range sets {
		m, err := New("", DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(d.Content))
		for i, line := range d.Content {
			ids[i] = m.Process(line, false).ID
		}
		tmpl := make([]string, len(ids))
		for i, id := range ids {
			tmpl[i], _ = m.Template(id)
		}
		s := loghub.Score(d.Truth, ids, tmpl)
		all = append(all, s)
		t.Logf("%-10s GA %.3f FGA %.3f PA %.3f FTA %.3f", d.Name, s.GA, s.FGA, s.PA, s.FTA)
		if os.Getenv("DRAIN_DEBUG") == d.Name {
			dumpMistakes(t, d, ids, tmpl)
		}
	}
	avg := loghub.Average(all)
	t.Logf("%-10s GA %.3f FGA %.3f PA %.3f FTA %.3f", "average", avg.GA, avg.FGA, avg.PA, avg.FTA)
	if avg.GA < 0.95 || avg.PA < 0.80 {
		t.Errorf("average GA %.3f PA %.3f below the goal (0.95, 0.80)", avg.GA, avg.PA)
	}
}

func dumpMistakes(t *testing.T, d *loghub.Dataset, ids, tmpl []string) {
	byTruth := map[string]map[string]int{}
	for i, tr := range d.Truth {
		if byTruth[tr] == nil {
			byTruth[tr] = map[string]int{}
		}
		byTruth[tr][ids[i]]++
	}
	seen := map[string]bool{}
	for i, tr := range d.Truth {
		if seen[tr] {
			continue
		}
		seen[tr] = true
		if loghub.NormalizeTemplate(tmpl[i]) != loghub.NormalizeTemplate(tr) || len(byTruth[tr]) > 1 {
			t.Logf("GT  %q (%d ids)\nGOT %q\nRAW %q", tr, len(byTruth[tr]), tmpl[i], d.Content[i])
		}
	}
}
