package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import (
	"sort"
	"time"
)

// GroupingConfig is a target's Alertmanager-style route settings.
type GroupingConfig struct {
	// GroupBy lists the label names whose values define a group. GroupByAll
	// (Alertmanager's '...') makes every alert its own group.
	GroupBy    []string
	GroupByAll bool
	// GroupWait delays a new group's first notification to collect siblings.
	GroupWait time.Duration
	// GroupInterval is the tick at which a group re-evaluates whether to send.
	GroupInterval time.Duration
	// RepeatInterval re-sends an unchanged firing group.
	RepeatInterval time.Duration
	// MaxAlerts caps alerts listed per message (0 = all); the rest are counted
	// in Notification.Truncated.
	MaxAlerts int
	// SendResolved includes resolved alerts and sends all-resolved messages.
	SendResolved bool
	// MaxGroups bounds the number of groups (0 = unbounded); alerts of new
	// groups beyond it are refused and counted by the caller.
	MaxGroups int
}

// Notification is one message for a target: a group's alerts at flush time.
type Notification struct {
	GroupKey    string
	GroupLabels Labels
	// Alerts lists firing alerts first, then resolved, each by label set.
	Alerts    []Alert
	Truncated int
	// At is the flush time.
	At time.Time
}

// Status is "firing" if any listed alert fires, else "resolved".
func (n *Notification) Status() string {
	for i := range n.Alerts {
		if n.Alerts[i].State == StateFiring {
			return "firing"
		}
	}
	return "resolved"
}

// CommonLabels returns the labels shared by every listed alert.
func (n *Notification) CommonLabels() Labels {
	return common(n.Alerts, func(a *Alert) Labels { return a.Labels })
}

// CommonAnnotations returns the annotations shared by every listed alert.
func (n *Notification) CommonAnnotations() Labels {
	return common(n.Alerts, func(a *Alert) Labels { return a.Annotations })
}

func common(alerts []Alert, get func(*Alert) Labels) Labels {
	if len(alerts) == 0 {
		return Labels{}
	}
	out := Labels{}
	for _, l := range get(&alerts[0]) {
		shared := true
		for i := 1; i < len(alerts); i++ {
			if other := get(&alerts[i]); !other.Has(l.Name) || other.Get(l.Name) != l.Value {
				shared = false
				break
			}
		}
		if shared {
			out = append(out, l)
		}
	}
	return out
}

// notifyLog is what was last notified for a group (Alertmanager's nflog
// entry): the firing and resolved fingerprints and when.
type notifyLog struct {
	firing, resolved []Fingerprint // sorted
	sentAt           time.Time
}

type group struct {
	key     string
	labels  Labels
	alerts  map[Fingerprint]Alert
	next    time.Time // next flush
	flushed bool
	log     *notifyLog
}

// Dispatcher groups alerts for one target and decides when to notify, with
// Alertmanager's timer and deduplication semantics. Not safe for concurrent use.
type Dispatcher struct {
	cfg    GroupingConfig
	groups map[string]*group
}

// NewDispatcher returns an empty dispatcher.
func NewDispatcher(cfg GroupingConfig) *Dispatcher {
	return &Dispatcher{cfg: cfg, groups: map[string]*group{}}
}

// groupLabels picks the group_by labels present on the alert.
func (d *Dispatcher) groupLabels(ls Labels) Labels {
	if d.cfg.GroupByAll {
		return ls
	}
	out := Labels{}
	for _, n := range d.cfg.GroupBy {
		if v := ls.Get(n); v != "" {
			out = append(out, Label{Name: n, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Insert adds or updates a firing or resolved alert. It returns false if the
// alert was refused because MaxGroups is reached.
func (d *Dispatcher) Insert(now time.Time, a Alert) bool {
	if a.State != StateFiring && a.State != StateResolved {
		return true
	}
	gl := d.groupLabels(a.Labels)
	// Alertmanager's group key: route path, ':', group labels.
	key := "{}:" + gl.String()
	g := d.groups[key]
	if g == nil {
		if a.State == StateResolved {
			// Never notified in this group: Alertmanager would not tell
			// anyone either.
			return true
		}
		if d.cfg.MaxGroups > 0 && len(d.groups) >= d.cfg.MaxGroups {
			return false
		}
		g = &group{key: key, labels: gl, alerts: map[Fingerprint]Alert{}, next: now.Add(d.cfg.GroupWait)}
		d.groups[key] = g
	}
	g.alerts[a.Fingerprint] = a
	// An alert that started longer than group_wait ago has waited enough:
	// flush at once (Alertmanager does the same, and after our restart it
	// avoids delaying already-known alerts).
	if !g.flushed && a.StartsAt.Add(d.cfg.GroupWait).Before(now) {
		g.next = now
	}
	return true
}

// Flush returns the notifications due at now and records them as sent: the
// caller hands them to a durable outbox, which owns delivery from there.
func (d *Dispatcher) Flush(now time.Time) []Notification {
	var out []Notification
	for key, g := range d.groups {
		if now.Before(g.next) {
			continue
		}
		g.flushed = true
		g.next = now.Add(d.cfg.GroupInterval)
		if n, ok := d.flushGroup(now, g); ok {
			out = append(out, n)
		}
		if len(g.alerts) == 0 {
			delete(d.groups, key)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GroupKey < out[j].GroupKey })
	return out
}

func (d *Dispatcher) flushGroup(now time.Time, g *group) (Notification, bool) {
	alerts := make([]Alert, 0, len(g.alerts))
	var firing, resolved []Fingerprint
	for fp, a := range g.alerts {
		alerts = append(alerts, a)
		if a.State == StateFiring {
			firing = append(firing, fp)
		} else {
			resolved = append(resolved, fp)
			// Resolved alerts leave the group once considered, as in
			// Alertmanager, so the next all-resolved message lists only
			// what newly resolved.
			delete(g.alerts, fp)
		}
	}
	sortFingerprints(firing)
	sortFingerprints(resolved)
	if !d.needsUpdate(now, g.log, firing, resolved) {
		return Notification{}, false
	}
	g.log = &notifyLog{firing: firing, resolved: resolved, sentAt: now}
	if !d.cfg.SendResolved {
		kept := alerts[:0]
		for _, a := range alerts {
			if a.State == StateFiring {
				kept = append(kept, a)
			}
		}
		alerts = kept
		if len(alerts) == 0 {
			return Notification{}, false
		}
	}
	sortAlerts(alerts)
	n := Notification{GroupKey: g.key, GroupLabels: g.labels, At: now}
	if d.cfg.MaxAlerts > 0 && len(alerts) > d.cfg.MaxAlerts {
		n.Truncated = len(alerts) - d.cfg.MaxAlerts
		alerts = alerts[:d.cfg.MaxAlerts]
	}
	n.Alerts = alerts
	return n, true
}

// needsUpdate is Alertmanager's DedupStage rule set.
func (d *Dispatcher) needsUpdate(now time.Time, log *notifyLog, firing, resolved []Fingerprint) bool {
	if log == nil {
		return len(firing) > 0
	}
	if !subset(firing, log.firing) {
		return true // new firing alerts
	}
	if len(firing) == 0 {
		return len(log.firing) > 0 // everything resolved since last time
	}
	if d.cfg.SendResolved && !subset(resolved, log.resolved) {
		return true
	}
	return !log.sentAt.After(now.Add(-d.cfg.RepeatInterval))
}

// Groups is the number of aggregation groups.
func (d *Dispatcher) Groups() int { return len(d.groups) }

func sortFingerprints(fps []Fingerprint) {
	sort.Slice(fps, func(i, j int) bool { return fps[i] < fps[j] })
}

// subset reports whether every element of a (sorted) is in b (sorted).
func subset(a, b []Fingerprint) bool {
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			return false
		}
	}
	return true
}

// sortAlerts orders firing before resolved, then by label set, so messages
// are deterministic and the important part comes first in chat previews.
func sortAlerts(as []Alert) {
	sort.Slice(as, func(i, j int) bool {
		if as[i].State != as[j].State {
			return as[i].State == StateFiring
		}
		return labelsLess(as[i].Labels, as[j].Labels)
	})
}

func labelsLess(a, b Labels) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].Name != b[i].Name {
			return a[i].Name < b[i].Name
		}
		if a[i].Value != b[i].Value {
			return a[i].Value < b[i].Value
		}
	}
	return len(a) < len(b)
}
