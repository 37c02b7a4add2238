package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// rankBins log-spaced bins cover z in [0, 2^(rankBins/rankPerOctave)-1].
	rankBins      = 64
	rankPerOctave = 8
	// rankRescale is the weight at which counts are renormalised.
	rankRescale = 1e30
	// rankNegligible is the share of the history below which a bin counts
	// as empty: the top of the history is the highest bin holding more.
	rankNegligible = 1e-6
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
	// top is the highest non-negligible bin, kept up to date by add so
	// that neither scoring nor learning scans the whole histogram: bins
	// above it hold less than rankNegligible of the history each and are
	// treated as empty. Derived state: recomputed on restore.
	top uint8
}

func newRankHist(memory int) rankHist {
	return rankHist{weight: 1, growth: 1 / (1 - 1/float64(memory))}
}

// binOf returns the bin of z and z's position within it in [0, 1), on the
// log scale of the bins. It runs twice per point, so log2 is computed from
// the float's exponent and a short series for the mantissa (absolute error
// below 3e-7 octave, exact at powers of two).
func binOf(z float64) (int, float64) {
	x := 1 + z
	if !(x < 1<<(rankBins/rankPerOctave)) { // beyond the last bin, or NaN
		return rankBins - 1, 1
	}
	if x < 1 { // z < 0 cannot come from a z-score; keep it in bin 0
		return 0, 0
	}
	f := fastLog2(x) * rankPerOctave
	i := int(f)
	if i >= rankBins {
		return rankBins - 1, 1
	}
	return i, f - float64(i)
}

// fastLog2 is log2(x) for a finite normal x > 0: the exponent plus ln(m)/ln 2 of the
// mantissa m in [1, 2), with ln m = 2 atanh((m-1)/(m+1)) summed to t^11.
func fastLog2(x float64) float64 {
	bits := math.Float64bits(x)
	e := int(bits>>52&0x7ff) - 1023
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	t := (m - 1) / (m + 1)
	t2 := t * t
	ln := 2 * t * (1 + t2*(1.0/3+t2*(1.0/5+t2*(1.0/7+t2*(1.0/9+t2*(1.0/11))))))
	return float64(e) + ln*(1/math.Ln2)
}

// edges[i] is the upper edge of bin i: 2^((i+1)/rankPerOctave) - 1.
var edges = func() (e [rankBins]float64) {
	for i := range e {
		e[i] = math.Exp2(float64(i+1)/rankPerOctave) - 1
	}
	return e
}()

// pValue returns the p-value of z against the history: the share of the
// history at or above z, with one pseudo-sample at the top so that p > 0, and
// a power-law tail beyond the largest seen value so that scores keep their
// order however far out a value lands. It is 1 for an empty history.
func (h *rankHist) pValue(z float64) float64 {
	p, _ := h.pValueBin(z)
	return p
}

// pValueBin is pValue that also returns z's bin, for add.
func (h *rankHist) pValueBin(z float64) (float64, int) {
	b, frac := binOf(z)
	if h.total == 0 {
		return 1, b
	}
	top := int(h.top)
	above := 0.0
	if b <= top {
		above = float64(h.counts[b]) * (1 - frac)
		for i := b + 1; i <= top; i++ {
			above += float64(h.counts[i])
		}
	}
	// The pseudo-sample sits at the top of the history: beyond the highest
	// occupied bin its share decays as a power law of exponent 4, so doubling
	// 1+z beyond the record divides p by 16.
	tail := 1.0
	if edge := edges[top]; z > edge {
		r := (1 + edge) / (1 + z)
		tail = r * r * r * r
	}
	p := (above + h.weight*tail) / (h.total + h.weight)
	if p > 1 {
		p = 1
	}
	return p, b
}

// logP returns ln pValue(z).
func (h *rankHist) logP(z float64) float64 { return math.Log(h.pValue(z)) }

// add puts z into the history.
func (h *rankHist) add(z float64) {
	b, _ := binOf(z)
	h.addBin(b)
}

// addBin puts one sample into bin b.
func (h *rankHist) addBin(b int) {
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
	if b > int(h.top) {
		h.top = uint8(b)
	}
	h.settleTop()
}

// settleTop lowers top past bins that have decayed into negligibility.
func (h *rankHist) settleTop() {
	for h.top > 0 && float64(h.counts[h.top]) <= rankNegligible*h.total {
		h.top--
	}
}
