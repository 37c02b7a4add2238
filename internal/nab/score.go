package nab // import "github.com/otelcol-aiops/otelcol-aiops/internal/nab"

import (
	"fmt"
	"math"
	"sort"
)

// NoDetectionThreshold is the candidate threshold above every score (§2.6):
// at it nothing is detected and a corpus scores like the null detector.
const NoDetectionThreshold = 1.1

// Probation is the number of leading rows of an n-row file that are not
// scored (§2.2). It is a float as in NAB: row i is scored iff i >= Probation.
func Probation(n int) float64 {
	return math.Min(math.Floor(0.15*float64(n)), 0.15*5000)
}

// scaledSigmoid is NAB's S(x); clamped only for x > 3, as NAB does (§2.9).
func scaledSigmoid(x float64) float64 {
	if x > 3 {
		return -1
	}
	return 2/(1+math.Exp(5*x)) - 1
}

// point is one scorable row: its weight if detected and its window (-1 if
// outside every window).
type point struct {
	row    int
	weight float64
	window int
}

// weights returns the scorable rows of s with their weights under p (§2.3).
func weights(s *Series, p Profile) []point {
	n := len(s.Values)
	prob := Probation(n)
	out := make([]point, 0, n)
	k := 0         // next window not yet finished
	lastEnd := -1  // end row of the most recent finished window
	lastWidth := 0 // its width
	for i := 0; i < n; i++ {
		for k < len(s.Windows) && s.Windows[k].End < i {
			lastEnd, lastWidth = s.Windows[k].End, s.Windows[k].End-s.Windows[k].Start+1
			k++
		}
		pt := point{row: i, window: -1}
		if k < len(s.Windows) && i >= s.Windows[k].Start {
			w := s.Windows[k]
			width := float64(w.End - w.Start + 1)
			pos := -float64(w.End-i+1) / width
			pt.window = k
			pt.weight = p.TPWeight * scaledSigmoid(pos) / scaledSigmoid(-1)
		} else {
			u := -1.0
			if lastEnd >= 0 {
				pos := math.Inf(1) // a one-row window: NAB divides by zero
				if lastWidth > 1 {
					pos = float64(i-lastEnd) / float64(lastWidth-1)
				}
				u = scaledSigmoid(pos)
			}
			pt.weight = p.FPWeight * u
		}
		if float64(i) >= prob {
			out = append(out, pt)
		}
	}
	return out
}

// checkScores verifies there is one score per row of every series.
func checkScores(c *Corpus, scores [][]float64) error {
	if len(scores) != len(c.Series) {
		return fmt.Errorf("nab: %d score columns for %d series", len(scores), len(c.Series))
	}
	for i := range c.Series {
		if len(scores[i]) != len(c.Series[i].Values) {
			return fmt.Errorf("nab: %s: %d scores for %d rows", c.Series[i].Name, len(scores[i]), len(c.Series[i].Values))
		}
	}
	return nil
}

// ScoreAt is the raw corpus score at threshold t (§2.4): detections are the
// scorable rows with score >= t.
func ScoreAt(c *Corpus, scores [][]float64, p Profile, t float64) (float64, error) {
	if err := checkScores(c, scores); err != nil {
		return 0, err
	}
	total := 0.0
	for fi := range c.Series {
		pts := weights(&c.Series[fi], p)
		best := make(map[int]float64)
		seen := make(map[int]bool)
		for _, pt := range pts {
			if pt.window >= 0 {
				seen[pt.window] = true
			}
			if scores[fi][pt.row] < t {
				continue
			}
			if pt.window < 0 {
				total += pt.weight
			} else if b, ok := best[pt.window]; !ok || pt.weight > b {
				best[pt.window] = pt.weight
			}
		}
		for w := range seen {
			if b, ok := best[w]; ok {
				total += b
			} else {
				total -= p.FNWeight
			}
		}
	}
	return total, nil
}

// Optimize finds NAB's corpus-wide optimal threshold for p by an exact sweep
// over every distinct score (§2.6) and returns it with the raw score there.
// Ties go to the highest threshold, as in NAB.
func Optimize(c *Corpus, scores [][]float64, p Profile) (threshold, raw float64, err error) {
	if err := checkScores(c, scores); err != nil {
		return 0, 0, err
	}
	type row struct {
		score, weight float64
		window        int // corpus-wide window id, -1 outside
	}
	var rows []row
	var windowBest []float64 // current contribution of each window
	base := 0
	for fi := range c.Series {
		pts := weights(&c.Series[fi], p)
		ids := map[int]int{}
		for _, pt := range pts {
			r := row{score: scores[fi][pt.row], weight: pt.weight, window: -1}
			if pt.window >= 0 {
				id, ok := ids[pt.window]
				if !ok {
					id = base + len(ids)
					ids[pt.window] = id
				}
				r.window = id
			}
			rows = append(rows, r)
		}
		base += len(ids)
	}
	windowBest = make([]float64, base)
	detected := make([]bool, base)
	cur := -p.FNWeight * float64(base)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].score > rows[j].score })
	threshold, raw = NoDetectionThreshold, cur
	for i, r := range rows {
		if r.window < 0 {
			cur += r.weight
		} else if !detected[r.window] {
			detected[r.window] = true
			windowBest[r.window] = r.weight
			cur += r.weight + p.FNWeight
		} else if r.weight > windowBest[r.window] {
			cur += r.weight - windowBest[r.window]
			windowBest[r.window] = r.weight
		}
		if i+1 < len(rows) && rows[i+1].score == r.score {
			continue // equal scores are one candidate
		}
		if cur > raw {
			threshold, raw = r.score, cur
		}
	}
	return threshold, raw, nil
}

// Normalize maps a raw corpus score to NAB's 0 (null detector) .. 100
// (perfect detector) scale for a corpus with the given number of windows (§2.7).
func Normalize(raw float64, p Profile, windows int) float64 {
	null := -p.FNWeight * float64(windows)
	perfect := p.TPWeight * float64(windows)
	if perfect == null {
		return 0
	}
	return 100 * (raw - null) / (perfect - null)
}
