package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// rankBins log-spaced bins cover z in [0, 2^(rankBins/rankPerOctave)-1].
	rankBins      = 64
	rankPerOctave = 8
	// tailExponent is the power-law decay assumed beyond the largest value in
	// the history: doubling 1+z beyond the record divides p by 16.
	tailExponent = 4
	// rankRescale is the weight at which counts are renormalised.
	rankRescale = 1e30
)

// rankHist is a decaying histogram of a non-negative statistic, used as a
// conformal reference: the p-value of a new value is the (decayed) fraction
// of the recent history at least as large. It is distribution-free, so a
// series with heavy-tailed residuals is judged against its own tail rather
// than a Gaussian one. Decay is done by growing the weight of new samples
// (and renormalising rarely), which keeps an update O(1).
type rankHist struct {
	counts [rankBins]float32
	total  float64
	weight float64 // weight of the next sample
	growth float64
}

func newRankHist(memory int) rankHist {
	return rankHist{weight: 1, growth: 1 / (1 - 1/float64(memory))}
}

func binOf(z float64) (int, float64) {
	f := math.Log2(1+z) * rankPerOctave
	if f >= rankBins {
		return rankBins - 1, 1
	}
	i := int(f)
	return i, f - float64(i)
}

// logP returns ln of the p-value of z against the history: the share of the
// history at or above z, with one pseudo-sample at the top so that p > 0, and
// a power-law tail beyond the largest seen value so that scores keep their
// order however far out a value lands.
func (h *rankHist) logP(z float64) float64 {
	if h.total == 0 {
		return 0
	}
	b, frac := binOf(z)
	above := float64(h.counts[b]) * (1 - frac)
	for i := b + 1; i < rankBins; i++ {
		above += float64(h.counts[i])
	}
	// The pseudo-sample sits at the top of the history: beyond the highest
	// occupied bin its share decays as a power law.
	top := 0
	for i := rankBins - 1; i >= 0; i-- {
		if float64(h.counts[i]) > 1e-6*h.total {
			top = i
			break
		}
	}
	edge := math.Exp2(float64(top+1)/rankPerOctave) - 1
	tail := 1.0
	if z > edge {
		tail = math.Pow((1+edge)/(1+z), tailExponent)
	}
	p := (above + h.weight*tail) / (h.total + h.weight)
	return math.Log(math.Min(p, 1))
}

// add puts z into the history.
func (h *rankHist) add(z float64) {
	b, _ := binOf(z)
	h.counts[b] += float32(h.weight)
	h.total += h.weight
	h.weight *= h.growth
	if h.weight > rankRescale {
		inv := 1 / h.weight
		for i := range h.counts {
			h.counts[i] = float32(float64(h.counts[i]) * inv)
		}
		h.total *= inv
		h.weight = 1
	}
}
