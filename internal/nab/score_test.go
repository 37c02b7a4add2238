package nab

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-aiops/otelcol-aiops/internal/datasets"
)

// Hand-worked values for a 20-row file, probation floor(0.15*20) = 3 rows,
// one window on rows 10..13 (width 4):
//
//	w11  = S(-3/4)/S(-1)             = 0.9669890878000605 (row 11 in the window)
//	fp15 = 0.11*S((15-13)/(4-1))     = -0.10242205695343354 (row 15, after it)
//	fp5  = 0.11*(-1)                 (row 5, no window has ended yet)
const (
	w11  = 0.9669890878000605
	fp15 = -0.10242205695343354
)

func tinyCorpus() *Corpus {
	s := Series{Name: "a/b.csv", Values: make([]float64, 20), Times: make([]time.Time, 20)}
	for i := range s.Times {
		s.Times[i] = time.Date(2020, 1, 1, 0, i*5, 0, 0, time.UTC)
	}
	s.Windows = []Window{{Start: 10, End: 13}}
	return &Corpus{Series: []Series{s}}
}

func scoresWith(n int, at map[int]float64) []float64 {
	s := make([]float64, n)
	for i, v := range at {
		s[i] = v
	}
	return s
}

func TestProbation(t *testing.T) {
	assert.Equal(t, 3.0, Probation(20))
	assert.Equal(t, 169.0, Probation(1127))
	assert.Equal(t, 750.0, Probation(5000))
	assert.Equal(t, 750.0, Probation(22695))
}

func TestScoreAtHandWorked(t *testing.T) {
	c := tinyCorpus()
	std := StandardProfiles[0]
	cases := []struct {
		name string
		at   map[int]float64
		want float64
	}{
		{"nothing detected costs one miss", nil, -1},
		{"detection in window", map[int]float64{11: 1}, w11},
		{"first row of window is worth tpWeight", map[int]float64{10: 1}, 1},
		{"only the earliest detection in a window counts", map[int]float64{11: 1, 12: 1, 13: 1}, w11},
		{"false positive before any window costs fpWeight", map[int]float64{5: 1}, -0.11 - 1},
		{"false positive after a window costs less", map[int]float64{15: 1, 11: 1}, w11 + fp15},
		{"probationary rows are ignored", map[int]float64{2: 1}, -1},
		{"scores equal to the threshold count", map[int]float64{11: 0.5}, w11},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ScoreAt(c, [][]float64{scoresWith(20, tc.at)}, std, 0.5)
			require.NoError(t, err)
			assert.InDelta(t, tc.want, got, 1e-12)
		})
	}
}

func TestOptimizeHandWorked(t *testing.T) {
	c := tinyCorpus()
	// Candidates: 1.1 -> -1; 0.95 -> -1+fp15; 0.9 -> w11+fp15; 0.8 -> w11+fp15-0.11.
	sc := [][]float64{scoresWith(20, map[int]float64{11: 0.9, 5: 0.8, 15: 0.95})}
	th, raw, err := Optimize(c, sc, StandardProfiles[0])
	require.NoError(t, err)
	assert.Equal(t, 0.9, th)
	assert.InDelta(t, 0.864567030846627, raw, 1e-12)
	assert.InDelta(t, 93.22835154233135, Normalize(raw, StandardProfiles[0], 1), 1e-9)

	th, raw, err = Optimize(c, sc, StandardProfiles[2])
	require.NoError(t, err)
	assert.Equal(t, 0.9, th)
	assert.InDelta(t, 95.48556769488755, Normalize(raw, StandardProfiles[2], 1), 1e-9)
}

func TestOptimizeNullAndTies(t *testing.T) {
	// A constant detector on a 200-row file: detecting every row costs more
	// than missing the window, so the optimiser keeps 1.1 and the score is
	// the null score, 0.
	long := &Corpus{Series: []Series{{Name: "a/long.csv", Values: make([]float64, 200), Times: make([]time.Time, 200), Windows: []Window{{Start: 100, End: 103}}}}}
	sc := [][]float64{scoresWith(200, nil)}
	for i := range sc[0] {
		sc[0][i] = 0.5
	}
	th, raw, err := Optimize(long, sc, StandardProfiles[0])
	require.NoError(t, err)
	assert.Equal(t, NoDetectionThreshold, th)
	assert.Equal(t, 0.0, Normalize(raw, StandardProfiles[0], 1))

	// Two rows with the same score are one candidate: 11 and 5 both at 0.9
	// gives w11-0.11 > -1, never w11 alone.
	c := tinyCorpus()
	sc = [][]float64{scoresWith(20, map[int]float64{11: 0.9, 5: 0.9})}
	th, raw, err = Optimize(c, sc, StandardProfiles[0])
	require.NoError(t, err)
	assert.Equal(t, 0.9, th)
	assert.InDelta(t, w11-0.11, raw, 1e-12)
}

// The sweep must agree with scoring each candidate threshold directly.
func TestOptimizeMatchesScoreAt(t *testing.T) {
	c := tinyCorpus()
	c.Series = append(c.Series, c.Series[0])
	c.Series[1].Name = "a/c.csv"
	c.Series[1].Windows = []Window{{Start: 4, End: 6}, {Start: 12, End: 12}}
	rng := uint64(7)
	next := func() float64 {
		rng = rng*6364136223846793005 + 1442695040888963407
		return float64(rng>>40) / float64(1<<24)
	}
	for trial := 0; trial < 50; trial++ {
		sc := [][]float64{make([]float64, 20), make([]float64, 20)}
		for _, s := range sc {
			for i := range s {
				s[i] = math.Round(next()*10) / 10 // many ties
			}
		}
		for _, p := range StandardProfiles {
			th, raw, err := Optimize(c, sc, p)
			require.NoError(t, err)
			direct, err := ScoreAt(c, sc, p, th)
			require.NoError(t, err)
			assert.InDelta(t, direct, raw, 1e-9)
			for _, cand := range []float64{0, 0.1, 0.3, 0.5, 0.7, 0.9, 1} {
				v, _ := ScoreAt(c, sc, p, cand)
				assert.LessOrEqual(t, v, raw+1e-9, "threshold %v beats the optimum", cand)
			}
		}
	}
}

func TestLoadCorpus(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "data", "cat"), 0o755))
	csv := "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2.5\n2014-04-01 00:10:00,3\n2014-04-01 00:15:00,4\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "cat", "x.csv"), []byte(csv), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "cat", "y.csv"), []byte(csv), 0o644))
	labels := `{"cat/x.csv": [["2014-04-01 00:05:00.000000", "2014-04-01 00:10:00.000000"]], "cat/gone.csv": []}`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "labels.json"), []byte(labels), 0o644))
	c, err := LoadCorpus(filepath.Join(dir, "data"), filepath.Join(dir, "labels.json"))
	require.NoError(t, err)
	require.Len(t, c.Series, 2)
	assert.Equal(t, "cat/x.csv", c.Series[0].Name)
	assert.Equal(t, []float64{1, 2.5, 3, 4}, c.Series[0].Values)
	assert.Equal(t, []Window{{Start: 1, End: 2}}, c.Series[0].Windows)
	assert.Empty(t, c.Series[1].Windows)
	assert.Equal(t, 1, c.NumWindows())

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"cat/x.csv": [["2015-01-01 00:00:00", "2015-01-02 00:00:00"]]}`), 0o644))
	_, err = LoadCorpus(filepath.Join(dir, "data"), filepath.Join(dir, "bad.json"))
	assert.ErrorContains(t, err, "covers no row")
}

func TestLoadProfiles(t *testing.T) {
	ps, err := LoadProfiles(filepath.Join(datasets.Dir(t, "nab"), "config", "profiles.json"))
	require.NoError(t, err)
	assert.Equal(t, StandardProfiles, ps)
}
