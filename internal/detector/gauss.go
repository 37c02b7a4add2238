package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

// ewStat is an exponentially weighted mean and variance.
type ewStat struct{ mean, variance float64 }

func (s *ewStat) add(x, alpha float64) {
	d := x - s.mean
	s.mean += alpha * d
	s.variance = (1 - alpha) * (s.variance + alpha*d*d)
}

// logTail returns ln P(Z >= z) for a standard normal Z, accurate far into
// the tail where 1-Phi underflows, so that scores keep their order.
func logTail(z float64) float64 {
	if z < 5 {
		return math.Log(0.5 * math.Erfc(z/math.Sqrt2))
	}
	z2 := z * z // asymptotic series of the Mills ratio
	return -z2/2 - math.Log(z*math.Sqrt(2*math.Pi)) + math.Log(1-1/z2+3/(z2*z2))
}

// gaussRef is a parametric reference distribution: the statistic is
// log-transformed (z-scores are skewed; their logarithm is close to normal)
// and compared with its EW mean and standard deviation.
type gaussRef struct {
	st    ewStat
	n     uint32
	alpha float64
}

func newGaussRef(memory int) gaussRef { return gaussRef{alpha: 1 / float64(memory)} }

func (g *gaussRef) logP(z float64) float64 {
	if g.n < 2 {
		return 0
	}
	sd := math.Max(math.Sqrt(g.st.variance), 0.05)
	return logTail((math.Log1p(z) - g.st.mean) / sd)
}

func (g *gaussRef) add(z float64) {
	x := math.Log1p(z)
	g.n++
	a := math.Max(1/float64(g.n), g.alpha)
	if g.n > 10 { // one extreme point must not numb the next hour
		x = math.Min(x, g.st.mean+4*math.Sqrt(g.st.variance))
	}
	g.st.add(x, a)
}
