package main

import (
	"fmt"
	"math"
	"strings"
)

// rampSearch chooses the offered rate of each step of the ingest ramp: it
// multiplies the rate by factor while steps pass, then bisects (geometric
// mean) between the highest passing and the lowest failing rate, refine
// times. A failing step is repeated before it counts, so that a hiccup of a
// shared machine does not end the search: once when the collector was
// saturated (used its core), up to three times when it was not (then
// something else, such as other processes taking the CPU, held it back).
// When even the first rate fails the search goes down by factor instead,
// to minRate.
type rampSearch struct {
	factor, minRate, maxRate float64
	refine                   int

	rate    float64 // the step being run
	best    float64 // highest rate that passed; 0 = none
	fail    float64 // lowest rate that failed for good; 0 = none
	retried int     // times the current rate has failed
}

// Repeats of a failing step before it counts.
const (
	repeatsSaturated   = 1
	repeatsUnsaturated = 3
)

func newRampSearch(start, factor, minRate, maxRate float64, refine int) (*rampSearch, error) {
	if !(factor > 1) || !(start > 0) || !(minRate > 0) || maxRate < start || refine < 0 {
		return nil, fmt.Errorf("ramp: need factor > 1, 0 < start <= max, min > 0, refine >= 0")
	}
	return &rampSearch{factor: factor, minRate: minRate, maxRate: maxRate, refine: refine, rate: start}, nil
}

// next records whether the step at the current rate kept up (and, if it
// did not, whether the collector was saturated) and returns the rate of the
// next step, or ok false when the search is over.
func (r *rampSearch) next(pass, saturated bool) (rate float64, ok bool) {
	if pass {
		r.retried = 0
		r.best = max(r.best, r.rate)
		if r.fail == 0 {
			if r.rate*r.factor > r.maxRate {
				return 0, false
			}
			r.rate *= r.factor
			return r.rate, true
		}
	} else {
		allowed := repeatsUnsaturated
		if saturated {
			allowed = repeatsSaturated
		}
		if r.retried < allowed {
			r.retried++
			return r.rate, true
		}
		r.retried = 0
		if r.fail == 0 || r.rate < r.fail {
			r.fail = r.rate
		}
		if r.best == 0 {
			if r.rate/r.factor < r.minRate {
				return 0, false
			}
			r.rate /= r.factor
			return r.rate, true
		}
	}
	// Between best and fail: bisect while steps remain and the gap is
	// worth a step (more than 5%).
	if r.refine == 0 || r.fail/r.best < 1.05 {
		return 0, false
	}
	r.refine--
	r.rate = math.Sqrt(r.best * r.fail)
	return r.rate, true
}

// saturatedCPU is the collector CPU (cores, of the one GOMAXPROCS allows)
// from which a failing step counts as the collector's own limit.
const saturatedCPU = 0.9

// result is the highest rate that passed (0 when none did) and the lowest
// that failed (0 when none did).
func (r *rampSearch) result() (best, fail float64) { return r.best, r.fail }

// stepOutcome is what one step of the ramp measured.
type stepOutcome struct {
	Offered      float64        `json:"offered_items_per_s"`
	Achieved     float64        `json:"achieved_items_per_s"` // items answered 200, per second of the step
	Accepted     float64        `json:"accepted_items_per_s"` // the collector's otelcol_receiver_accepted_*
	Refused      float64        `json:"refused_items"`        // receiver refused/failed + memory_limiter refused
	Failed       int            `json:"failed_requests"`      // non-200 answers and transport errors
	FailedBy     map[string]int `json:"failed_by,omitempty"`  // HTTP status or "transport"
	Missed       int            `json:"missed_requests"`      // not sent: every sender busy, queue full
	CollectorCPU float64        `json:"collector_cpu_cores"`
	LoadAverage  string         `json:"load_average"` // of the machine, at the step's end
	LoadCPU      float64        `json:"load_generator_cpu_cores"`
	P50ms        float64        `json:"p50_ms"`
	P99ms        float64        `json:"p99_ms"`
	Seconds      float64        `json:"seconds"`
	Pass         bool           `json:"pass"`
	Why          string         `json:"why,omitempty"`
}

// judge decides whether the collector kept up during a step: nothing
// refused or failed, and both what the senders got answered and what the
// receiver counts as accepted within tolerance (a fraction) of the offer.
func (s *stepOutcome) judge(tolerance float64) {
	var why []string
	if s.Refused > 0 {
		why = append(why, fmt.Sprintf("%.0f items refused", s.Refused))
	}
	if s.Failed > 0 {
		why = append(why, fmt.Sprintf("%d requests failed %v", s.Failed, s.FailedBy))
	}
	floor := (1 - tolerance) * s.Offered
	if s.Achieved < floor {
		why = append(why, fmt.Sprintf("answered %.0f/s of %.0f/s", s.Achieved, s.Offered))
	}
	if s.Accepted < floor {
		why = append(why, fmt.Sprintf("accepted %.0f/s of %.0f/s", s.Accepted, s.Offered))
	}
	s.Pass = len(why) == 0
	s.Why = strings.Join(why, "; ")
}

// percentile returns the q-quantile (0..1) of sorted values, 0 for none.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
