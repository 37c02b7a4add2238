package faulteval // import "github.com/otelcol-aiops/otelcol-aiops/internal/faulteval"

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Fault is one injected fault, in simulated time.
type Fault struct {
	ID      string
	Type    string
	Service string
	Start   time.Time
	End     time.Time
}

// Alert is one firing episode.
type Alert struct {
	// ID identifies the episode (e.g. fingerprint and start time).
	ID     string
	Labels map[string]string
	// FiredAt is when the episode started firing, in simulated time.
	FiredAt time.Time
}

// DefaultServiceLabels are the labels that name a service in the alerts of
// the shipped pipeline: `service` (set by the alertwebhook default rules from
// the service.name resource attribute), and the same attribute copied as a
// label, sanitized or not.
var DefaultServiceLabels = []string{"service", "service_name", "service.name"}

// Rules are the matching rules.
type Rules struct {
	// Grace extends every fault window past the fault's end: detectors see
	// the fault's last effects, and its recovery, a little later.
	Grace time.Duration
	// ServiceLabels are the alert labels that name a service; nil means
	// DefaultServiceLabels.
	ServiceLabels []string
	// Edges are caller -> callee pairs of the call graph.
	Edges [][2]string
}

// Result is the score of one run.
type Result struct {
	Faults  int
	Alerts  int
	Matched int // alerts matching at least one fault
	// Detected counts faults with at least one matching alert.
	Detected  int
	Precision float64
	Recall    float64
	// MedianTimeToAlert is over detected faults (0 when there are none);
	// MedianTimeToAlertSeconds is the same in seconds, NaN when undefined.
	MedianTimeToAlert        time.Duration
	MedianTimeToAlertSeconds float64
	ByType                   map[string]*TypeResult
	PerFault                 []FaultResult
	// Unmatched lists the alerts that match no fault, in firing order.
	Unmatched []Alert
}

// TypeResult is the score restricted to one fault type.
type TypeResult struct {
	Faults   int
	Detected int
	// InWindow counts alerts that fired inside a window of a fault of this
	// type; Matched those of them that match such a fault.
	InWindow                 int
	Matched                  int
	Precision                float64
	Recall                   float64
	MedianTimeToAlertSeconds float64
}

// FaultResult is the outcome for one fault.
type FaultResult struct {
	Fault
	Detected bool
	// TimeToAlert is the first matching alert's firing time minus the start.
	TimeToAlert time.Duration
	FirstAlert  string
	// Alerts counts matching alerts.
	Alerts int
}

// Score matches alerts to faults under rules r.
func Score(faults []Fault, alerts []Alert, r Rules) Result {
	labels := r.ServiceLabels
	if labels == nil {
		labels = DefaultServiceLabels
	}
	up := upstream(r.Edges)
	alerts = slices.Clone(alerts)
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].FiredAt.Before(alerts[j].FiredAt) })

	res := Result{Faults: len(faults), Alerts: len(alerts), ByType: map[string]*TypeResult{}}
	res.PerFault = make([]FaultResult, len(faults))
	for i, f := range faults {
		res.PerFault[i] = FaultResult{Fault: f}
		typeOf(res.ByType, f.Type).Faults++
	}
	for _, a := range alerts {
		named := namedServices(a.Labels, labels)
		matchedAny := false
		// Per type, an alert counts once however many faults of the type
		// overlap it.
		inWindow, matchedType := map[string]bool{}, map[string]bool{}
		for i := range res.PerFault {
			fr := &res.PerFault[i]
			if a.FiredAt.Before(fr.Start) || a.FiredAt.After(fr.End.Add(r.Grace)) {
				continue
			}
			inWindow[fr.Type] = true
			if !names(named, fr.Service, up) {
				continue
			}
			matchedAny, matchedType[fr.Type] = true, true
			fr.Alerts++
			if !fr.Detected {
				fr.Detected, fr.TimeToAlert, fr.FirstAlert = true, a.FiredAt.Sub(fr.Start), a.ID
			}
		}
		for t := range inWindow {
			tr := typeOf(res.ByType, t)
			tr.InWindow++
			if matchedType[t] {
				tr.Matched++
			}
		}
		if matchedAny {
			res.Matched++
		} else {
			res.Unmatched = append(res.Unmatched, a)
		}
	}

	var all []time.Duration
	perType := map[string][]time.Duration{}
	for _, fr := range res.PerFault {
		if fr.Detected {
			res.Detected++
			typeOf(res.ByType, fr.Type).Detected++
			all = append(all, fr.TimeToAlert)
			perType[fr.Type] = append(perType[fr.Type], fr.TimeToAlert)
		}
	}
	res.Precision = ratio(res.Matched, res.Alerts)
	res.Recall = ratio(res.Detected, res.Faults)
	res.MedianTimeToAlert = Median(all)
	res.MedianTimeToAlertSeconds = seconds(res.MedianTimeToAlert, len(all))
	for t, tr := range res.ByType {
		tr.Precision = ratio(tr.Matched, tr.InWindow)
		tr.Recall = ratio(tr.Detected, tr.Faults)
		tr.MedianTimeToAlertSeconds = seconds(Median(perType[t]), len(perType[t]))
	}
	return res
}

// Median is the median of ds (the mean of the middle two for an even
// count); 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1] + (s[n/2]-s[n/2-1])/2
}

func seconds(d time.Duration, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return d.Seconds()
}

func ratio(num, den int) float64 {
	if den == 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

func typeOf(m map[string]*TypeResult, t string) *TypeResult {
	tr := m[t]
	if tr == nil {
		tr = &TypeResult{}
		m[t] = tr
	}
	return tr
}

// namedServices returns the distinct non-empty values of the service labels.
func namedServices(l map[string]string, keys []string) []string {
	var out []string
	for _, k := range keys {
		if v := l[k]; v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// names reports whether one of the named services is the faulted service or
// one of its (transitive) callers.
func names(named []string, faulted string, up map[string]map[string]bool) bool {
	for _, s := range named {
		if s == faulted || up[faulted][s] {
			return true
		}
	}
	return false
}

// upstream maps each service to every service that calls it, directly or
// through others. Cycles are harmless: a visited service is not expanded twice.
func upstream(edges [][2]string) map[string]map[string]bool {
	callers := map[string][]string{}
	for _, e := range edges {
		callers[e[1]] = append(callers[e[1]], e[0])
	}
	out := map[string]map[string]bool{}
	for callee := range callers {
		seen := map[string]bool{}
		stack := slices.Clone(callers[callee])
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[s] || s == callee {
				continue
			}
			seen[s] = true
			stack = append(stack, callers[s]...)
		}
		out[callee] = seen
	}
	return out
}
