package detector_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/otelcol-aiops/otelcol-aiops/internal/datasets"
	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/nab"
)

// TestNABCorpus reports the engine's NAB scores on the shared NAB corpus
// (data/ and labels/combined_windows.json; see internal/datasets): all three profiles at the optimal
// threshold and at DefaultThreshold, and per category (normalised against the
// category's own windows, at the corpus-wide optimal threshold). It guards
// against regressions: the standard score must stay above a floor well under
// what the engine reaches on NAB, so a broken stage fails the test.
// NAB_PERFILE=1 adds one line per file. NAB_SKIP=k feeds each series from
// its row k on (the rows before score 0, all inside NAB's probation for k
// up to 160): every series then takes another path through the
// detector's state (warm-up, records, hold-offs, blocks), which shows how
// much of a figure is the draw of one path (see BENCHMARKS.md).
func TestNABCorpus(t *testing.T) {
	dir := datasets.Dir(t, "nab")
	c, err := nab.LoadCorpus(filepath.Join(dir, "data"), filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := detector.DefaultConfig()
	skip := 0
	if v := os.Getenv("NAB_SKIP"); v != "" {
		if skip, err = strconv.Atoi(v); err != nil || skip < 0 {
			t.Fatalf("NAB_SKIP=%q: want a number of rows", v)
		}
	}
	scores := make([][]float64, len(c.Series))
	for i, s := range c.Series {
		d := detector.New(cfg)
		scores[i] = make([]float64, len(s.Values))
		for j := skip; j < len(s.Values); j++ {
			r, err := d.Update(s.Times[j].UnixNano(), s.Values[j])
			if err == nil {
				scores[i][j] = r.Score
			}
		}
	}
	var standard float64
	for _, p := range nab.StandardProfiles {
		th, raw, err := nab.Optimize(c, scores, p)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := nab.ScoreAt(c, scores, p, detector.DefaultThreshold)
		t.Logf("%-20s optimal %.2f (T=%.4f)  at default %.2f: %.2f", p.Name, nab.Normalize(raw, p, c.NumWindows()), th, detector.DefaultThreshold, nab.Normalize(at, p, c.NumWindows()))
		if p.Name == "standard" {
			standard = nab.Normalize(raw, p, c.NumWindows())
		}
	}
	p := nab.StandardProfiles[0]
	th, _, _ := nab.Optimize(c, scores, p)
	cats := map[string]*nab.Corpus{}
	catScores := map[string][][]float64{}
	for i, s := range c.Series {
		cat := s.Name[:strings.IndexByte(s.Name, '/')]
		if strings.HasPrefix(cat, "artificial") {
			cat = "artificial*"
		}
		if cats[cat] == nil {
			cats[cat] = &nab.Corpus{}
		}
		cats[cat].Series = append(cats[cat].Series, s)
		catScores[cat] = append(catScores[cat], scores[i])
	}
	var names []string
	for k := range cats {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		line := fmt.Sprintf("  %-22s", k)
		for _, p := range nab.StandardProfiles {
			th, _, _ := nab.Optimize(c, scores, p)
			raw, _ := nab.ScoreAt(cats[k], catScores[k], p, th)
			def, _ := nab.ScoreAt(cats[k], catScores[k], p, detector.DefaultThreshold)
			line += fmt.Sprintf(" %s %.2f/%.2f", p.Name, nab.Normalize(raw, p, cats[k].NumWindows()), nab.Normalize(def, p, cats[k].NumWindows()))
		}
		t.Logf("%s (%d windows; optimal/default)", line, cats[k].NumWindows())
	}
	if os.Getenv("NAB_PERFILE") != "" {
		for i, s := range c.Series {
			one := &nab.Corpus{Series: []nab.Series{s}}
			raw, _ := nab.ScoreAt(one, [][]float64{scores[i]}, p, th)
			fp, hit := 0, 0
			for _, w := range s.Windows {
				for j := w.Start; j <= w.End; j++ {
					if scores[i][j] >= th {
						hit++
						break
					}
				}
			}
			for j, v := range scores[i] {
				if v < th || float64(j) < nab.Probation(len(scores[i])) {
					continue
				}
				in := false
				for _, w := range s.Windows {
					in = in || (j >= w.Start && j <= w.End)
				}
				if !in {
					fp++
				}
			}
			t.Logf("%-60s %7.3f windows=%d hit=%d fp=%d", s.Name, raw, len(s.Windows), hit, fp)
		}
	}
	if standard < 70 {
		t.Errorf("standard NAB score %.2f below the regression floor 70", standard)
	}
}

func TestNABTrace(t *testing.T) {
	name := os.Getenv("NAB_TRACE")
	if name == "" {
		t.Skip("NAB_TRACE not set")
	}
	dir := datasets.Dir(t, "nab")
	c, err := nab.LoadCorpus(filepath.Join(dir, "data"), filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Series {
		if !strings.Contains(s.Name, name) {
			continue
		}
		t.Logf("%s n=%d probation=%.0f windows=%v", s.Name, len(s.Values), nab.Probation(len(s.Values)), s.Windows)
		d := detector.New(detector.DefaultConfig())
		for j, v := range s.Values {
			r, _ := d.Update(s.Times[j].UnixNano(), v)
			if r.Score >= 0.45 {
				t.Logf("row %5d v=%10.3f exp=%10.3f band=%8.3f score=%.3f", j, v, r.Expected, r.Upper-r.Expected, r.Score)
			}
		}
	}
}
