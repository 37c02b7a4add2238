package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

const (
	// rankBins log-spaced bins cover z in [0, 2^(rankBins/rankPerOctave)-1]
	// (16 octaves: z up to 65535, so that a series whose routine spikes are
	// hundreds of sigmas tall still ranks them against each other).
	rankBins      = 128
	rankPerOctave = 8
	// boundedBins is enough for a statistic below 7 (3 octaves), such as
	// the capped surprise average (at most ln 100 = 4.6) or the clipped
	// drift (at most 4).
	boundedBins = 24
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
	counts []float32 // at most rankBins; values past the last bin fall in it
	total  float64
	weight float64 // weight of the next sample
	growth float64
	// top is the highest non-negligible bin, kept up to date by add so
	// that neither scoring nor learning scans the whole histogram: bins
	// above it hold less than rankNegligible of the history each and are
	// treated as empty. Derived state: recomputed on restore.
	top uint8
}

// newRankHist returns an empty history of about memory points whose
// log-spaced bins are store (at most rankBins of them).
func newRankHist(memory int, store []float32) rankHist {
	return rankHist{counts: store, weight: 1, growth: 1 / (1 - 1/float64(memory))}
}

// binOf returns the bin of z and z's position within it in [0, 1). It runs
// three times per point, so it takes no logarithm: the octave is the
// float's exponent, the bin within the octave is found by comparing the
// mantissa with the bin edges, and the position is linear in the mantissa
// between the edges (within 1.1% of the log-scale position).
func binOf(z float64) (int, float64) {
	x := 1 + z
	if !(x < 1<<(rankBins/rankPerOctave)) { // beyond the last bin, or NaN
		return rankBins - 1, 1
	}
	if x < 1 { // z < 0 cannot come from a z-score; keep it in bin 0
		return 0, 0
	}
	bits := math.Float64bits(x)
	e := int(bits>>52&0x7ff) - 1023
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	k := int(octaveSlot[bits>>48&0xf]) // the bin holding the slot's start
	if m >= octaveEdges[k+1] {
		k++
	}
	return e*rankPerOctave + k, (m - octaveEdges[k]) * octaveInvWidths[k]
}

// octaveSlot[j] is the bin within an octave holding mantissa 1+j/16: a
// slot (1/16 wide) is narrower than any bin (at least 2^(1/8)-1 = 0.09),
// so it holds at most one edge and one comparison finishes the search.
var octaveSlot = func() (t [16]uint8) {
	for j := range t {
		m := 1 + float64(j)/16
		for k := 1; k < rankPerOctave && m >= octaveEdges[k]; k++ {
			t[j] = uint8(k)
		}
	}
	return t
}()

// octaveEdges[k] = 2^(k/rankPerOctave) are the bin edges within an octave
// on the mantissa scale [1, 2]; octaveInvWidths are 1/(edge[k+1]-edge[k]).
var octaveEdges, octaveInvWidths = func() (e [rankPerOctave + 1]float64, w [rankPerOctave]float64) {
	for k := range e {
		e[k] = math.Exp2(float64(k) / rankPerOctave)
	}
	e[rankPerOctave] = 2
	for k := range w {
		w[k] = 1 / (e[k+1] - e[k])
	}
	return e, w
}()

// fastLog2 is log2(x) for a finite normal x > 0: the exponent plus log2 of
// the mantissa m in [1, 2). m is taken relative to the start c of its
// 1/128-wide slot, log2 m = log2 c + ln(1+r)/ln 2 with r = m/c - 1 in
// [0, 1/128), the series summed to r^3 (error below 2e-9): no division,
// and exact at powers of two. (32 slots and the series to r^5 took a tenth
// longer per update: the polynomial is a chain of dependent multiplies.)
func fastLog2(x float64) float64 {
	bits := math.Float64bits(x)
	e := int(bits>>52&0x7ff) - 1023
	m := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	k := bits >> (52 - log2Bits) & (log2Slots - 1) // the mantissa's top bits
	r := m*log2InvStart[k] - 1
	// ln(1+r)/ln 2 with the 1/ln 2 folded into the coefficients: one
	// multiply less, and small enough to be inlined (it runs up to four
	// times a point).
	return float64(e) + log2Start[k] + r*(1/math.Ln2-r*(1/(2*math.Ln2)-r*(1/(3*math.Ln2))))
}

// log2Slots slots of the mantissa for fastLog2 (its top log2Bits bits):
// the reciprocal and log2 of each slot's start 1 + k/log2Slots.
const (
	log2Bits  = 7
	log2Slots = 1 << log2Bits
)

var log2InvStart, log2Start = func() (inv, lg [log2Slots]float64) {
	for k := range inv {
		c := 1 + float64(k)/log2Slots
		inv[k], lg[k] = 1/c, math.Log2(c)
	}
	return inv, lg
}()

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
	p, b, _ := h.pValues(z, -1)
	return p, b
}

// pValues returns pValueBin and, from the same scan, the p-value of z
// against the history without the point added last (bin last; last < 0:
// none, pExcept = p). That point's weight is the current weight over the
// growth (rescaling keeps that ratio).
func (h *rankHist) pValues(z float64, last int) (p float64, b int, pExcept float64) {
	b, frac := binOf(z)
	if b >= len(h.counts) {
		b, frac = len(h.counts)-1, 1
	}
	if h.total == 0 {
		return 1, b, 1
	}
	top := int(h.top)
	var above float64
	if 2*b < top {
		// Fewer bins below than above: the complement is the shorter
		// sum, and exact enough, as the share above is then most of the
		// history.
		above = h.total - h.weightBelow(b, frac)
	} else {
		above = h.weightFrom(b, frac, top)
	}
	p = h.share(above, h.total, z, top)
	if last < 0 {
		return p, b, p
	}
	lw := h.weight / h.growth
	total := h.total - lw
	if total <= 0 {
		return p, b, 1
	}
	if last == top && float64(h.counts[top])-lw <= rankNegligible*total {
		// The point left out was all the top bin held: the record falls
		// back to the next occupied bin.
		for top > 0 && (top == last || float64(h.counts[top]) <= rankNegligible*total) {
			top--
		}
		above = h.weightFrom(b, frac, top)
	}
	switch {
	case last > b && last <= top:
		above -= lw
	case last == b && b <= top:
		above -= lw * (1 - frac)
	}
	return p, b, h.share(max(above, 0), total, z, top)
}

// weightFrom is the history's weight at or above position frac of bin b,
// counting bins up to top.
func (h *rankHist) weightFrom(b int, frac float64, top int) float64 {
	if b > top {
		return 0
	}
	above := float64(h.counts[b]) * (1 - frac)
	for i := b + 1; i <= top; i++ {
		above += float64(h.counts[i])
	}
	return above
}

// weightBelow is the history's weight below position frac of bin b.
func (h *rankHist) weightBelow(b int, frac float64) float64 {
	below := float64(h.counts[b]) * frac
	for i := 0; i < b; i++ {
		below += float64(h.counts[i])
	}
	return below
}

// share is the p-value of z given the history's weight at or above it: the
// pseudo-sample sits at the top of the history, and beyond the highest
// occupied bin its share decays as a power law of exponent 4, so doubling
// 1+z beyond the record divides p by 16.
func (h *rankHist) share(above, total, z float64, top int) float64 {
	tail := 1.0
	if edge := edges[top]; z > edge {
		r := (1 + edge) / (1 + z)
		tail = r * r * r * r
	}
	return min((above+h.weight*tail)/(total+h.weight), 1)
}

// logP returns ln pValue(z).
func (h *rankHist) logP(z float64) float64 { return math.Log(h.pValue(z)) }

// add puts z into the history.
func (h *rankHist) add(z float64) {
	b, _ := binOf(z)
	h.addBin(min(b, len(h.counts)-1))
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
