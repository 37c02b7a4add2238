package loghub // import "github.com/otelcol-aiops/otelcol-aiops/internal/loghub"

import "strings"

// Scores are the Loghub-2.0 accuracy metrics, as defined in ANCHORS.md.
type Scores struct {
	Lines int     `json:"lines"`
	GA    float64 `json:"ga"`
	FGA   float64 `json:"fga"`
	PA    float64 `json:"pa"`
	FTA   float64 `json:"fta"`
}

// NormalizeTemplate strips a template and collapses whitespace runs to one
// space, so that only the tokens and the <*> wildcards are compared.
func NormalizeTemplate(s string) string { return strings.Join(strings.Fields(s), " ") }

func harmonic(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Score computes GA, FGA, PA and FTA. truth[i] is line i's ground-truth
// template, group[i] its predicted group key and template[i] the predicted
// template text of that group. Lines with an empty ground truth are left
// out of every metric.
func Score(truth, group, template []string) Scores {
	type predGroup struct {
		truth    string // the single ground truth of its lines, if mixed is false
		mixed    bool
		size     int
		template string
	}
	truthSize := map[string]int{}
	preds := map[string]*predGroup{}
	var order []string
	s := Scores{}
	paOK := 0
	for i, t := range truth {
		if t == "" {
			continue
		}
		s.Lines++
		truthSize[t]++
		g, ok := preds[group[i]]
		if !ok {
			g = &predGroup{truth: t, template: template[i]}
			preds[group[i]] = g
			order = append(order, group[i])
		}
		if g.truth != t {
			g.mixed = true
		}
		g.size++
		if NormalizeTemplate(template[i]) == NormalizeTemplate(t) {
			paOK++
		}
	}
	if s.Lines == 0 {
		return s
	}
	gaOK, groupsOK, templatesOK := 0, 0, 0
	for _, k := range order {
		g := preds[k]
		if g.mixed || g.size != truthSize[g.truth] {
			if !g.mixed && NormalizeTemplate(g.template) == NormalizeTemplate(g.truth) {
				// FTA only needs purity, not completeness.
				templatesOK++
			}
			continue
		}
		gaOK += g.size
		groupsOK++
		if NormalizeTemplate(g.template) == NormalizeTemplate(g.truth) {
			templatesOK++
		}
	}
	n := float64(s.Lines)
	s.GA = float64(gaOK) / n
	s.PA = float64(paOK) / n
	nPred, nTruth := float64(len(preds)), float64(len(truthSize))
	s.FGA = harmonic(float64(groupsOK)/nPred, float64(groupsOK)/nTruth)
	s.FTA = harmonic(float64(templatesOK)/nPred, float64(templatesOK)/nTruth)
	return s
}

// Average returns the unweighted mean of the scores (each dataset counts
// once, as in the Loghub benchmarks). Lines is the total.
func Average(all []Scores) Scores {
	var a Scores
	if len(all) == 0 {
		return a
	}
	for _, s := range all {
		a.Lines += s.Lines
		a.GA += s.GA
		a.FGA += s.FGA
		a.PA += s.PA
		a.FTA += s.FTA
	}
	n := float64(len(all))
	a.GA /= n
	a.FGA /= n
	a.PA /= n
	a.FTA /= n
	return a
}
