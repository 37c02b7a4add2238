package detector_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/otelcol-aiops/otelcol-aiops/internal/datasets"
	"github.com/otelcol-aiops/otelcol-aiops/internal/detector"
	"github.com/otelcol-aiops/otelcol-aiops/internal/nab"
)

// TestNABDiagnose explains the standard score at its optimal threshold, one
// line per window (earliest detection and what it earned, or the best score
// a missed window reached) and per false positive (what it cost). Set
// NAB_DIAG=1 to run it; NAB_PROFILE=reward_low_FP_rate (or another profile's
// name) explains that profile instead, and NAB_TRACE=1 adds the unsuppressed
// scores since the previous detection to each false positive within 200
// points of it (a re-report of the same episode, or a new one?).
func TestNABDiagnose(t *testing.T) {
	if os.Getenv("NAB_DIAG") == "" {
		t.Skip("NAB_DIAG not set")
	}
	dir := datasets.Dir(t, "nab")
	c, err := nab.LoadCorpus(filepath.Join(dir, "data"), filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		t.Fatal(err)
	}
	scores := make([][]float64, len(c.Series))
	raws := make([][]float64, len(c.Series))
	for i, s := range c.Series {
		d := detector.New(detector.DefaultConfig())
		scores[i] = make([]float64, len(s.Values))
		raws[i] = make([]float64, len(s.Values))
		for j, v := range s.Values {
			r, _ := d.Update(s.Times[j].UnixNano(), v)
			scores[i][j], raws[i][j] = r.Score, r.Unsuppressed
		}
	}
	p := nab.StandardProfiles[0]
	for _, q := range nab.StandardProfiles {
		if q.Name == os.Getenv("NAB_PROFILE") {
			p = q
		}
	}
	th, _, err := nab.Optimize(c, scores, p)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(x float64) float64 {
		if x > 3 {
			return -1
		}
		return 2/(1+math.Exp(5*x)) - 1
	}
	var gain, cost float64
	misses := 0
	for i, s := range c.Series {
		prob := nab.Probation(len(s.Values))
		t.Logf("%s n=%d", s.Name, len(s.Values))
		for _, w := range s.Windows {
			first, firstRaw, best := -1, -1, 0.0
			for j := w.Start; j <= w.End; j++ {
				if scores[i][j] >= th && first < 0 {
					first = j
				}
				if raws[i][j] >= th && firstRaw < 0 {
					firstRaw = j
				}
				best = math.Max(best, raws[i][j])
			}
			if firstRaw >= 0 && firstRaw != first {
				t.Logf("  HELD   [%d,%d] reached the threshold at %d during a hold-off", w.Start, w.End, firstRaw)
			}
			if first < 0 {
				misses++
				t.Logf("  MISS   [%d,%d] best unsuppressed %.3f", w.Start, w.End, best)
				continue
			}
			width := float64(w.End - w.Start + 1)
			g := sig(-float64(w.End-first+1)/width) / sig(-1)
			gain += g
			t.Logf("  hit    [%d,%d] at %d (+%.2f of width) score %.3f earns %.2f", w.Start, w.End, first, float64(first-w.Start)/width, scores[i][first], g)
		}
		prev := -1
		for j, v := range scores[i] {
			if v < th || float64(j) < prob {
				if v >= th {
					prev = j
				}
				continue
			}
			gap := j - prev
			prev = j
			u, in := -1.0, false
			for _, w := range s.Windows {
				if j >= w.Start && j <= w.End {
					in = true
				}
				if w.End < j {
					u = sig(float64(j-w.End) / float64(w.End-w.Start))
				}
			}
			if in {
				continue
			}
			cost += -u * p.FPWeight
			t.Logf("  FP     %d score %.3f costs %.3f gap %d", j, v, -u*p.FPWeight, gap)
			if gap <= 200 && os.Getenv("NAB_TRACE") != "" {
				var b []byte
				for k := j - gap; k <= j; k += 5 {
					b = fmt.Appendf(b, " %.2f", raws[i][k])
				}
				t.Logf("    raw every 5th since prev:%s", b)
			}
		}
	}
	t.Logf("threshold %.4f: TP earned %.2f, misses %d, FP cost %.2f", th, gain, misses, cost)
}
