package alerting

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func firing(inst string, startsAt time.Time) Alert {
	ls := NewLabels(map[string]string{"alertname": "HighErrorRate", "service": "checkout", "instance": inst})
	return Alert{Fingerprint: ls.Fingerprint(), Labels: ls, State: StateFiring, StartsAt: startsAt}
}

func resolved(a Alert, at time.Time) Alert {
	a.State = StateResolved
	a.ResolvedAt = at
	return a
}

// summary renders notifications compactly: "status:inst=state,inst=state".
func summary(ns []Notification) []string {
	var out []string
	for _, n := range ns {
		s := n.Status() + ":"
		for i, a := range n.Alerts {
			if i > 0 {
				s += ","
			}
			s += a.Labels.Get("instance") + "=" + a.State.String()
		}
		if n.Truncated > 0 {
			s += "+" + string(rune('0'+n.Truncated))
		}
		out = append(out, s)
	}
	return out
}

type dstep struct {
	t      int
	insert []Alert
	want   []string // nil: no notification at this flush
}

// The scenarios replay the Alertmanager 0.25 observations in ALERTING.md
// §1.7 (group_wait 2s, group_interval 5s, repeat 60s).
func TestDispatcherMatchesAlertmanager(t *testing.T) {
	cfg := GroupingConfig{GroupBy: []string{"alertname", "service"}, GroupWait: 2 * time.Second,
		GroupInterval: 5 * time.Second, RepeatInterval: time.Minute, SendResolved: true}
	a, b := firing("a", at(-60)), firing("b", at(-60))
	fresh := firing("c", at(0))
	cases := []struct {
		name  string
		cfg   GroupingConfig
		steps []dstep
	}{
		{"E1 old alerts skip group_wait; re-posts are deduplicated", cfg, []dstep{
			{0, []Alert{a, b}, []string{"firing:a=firing,b=firing"}},
			{2, []Alert{a, b}, nil},
			{5, []Alert{a, b}, nil},
			{10, []Alert{a, b}, nil},
		}},
		{"E2 partial then full resolution", cfg, []dstep{
			{0, []Alert{a, b}, []string{"firing:a=firing,b=firing"}},
			{3, []Alert{resolved(a, at(3))}, nil},
			{5, nil, []string{"firing:b=firing,a=resolved"}},
			{8, []Alert{resolved(b, at(8))}, nil},
			{10, nil, []string{"resolved:b=resolved"}},
			{15, nil, nil},
		}},
		{"E3 resolved alert never notified is not sent", cfg, []dstep{
			{0, []Alert{resolved(a, at(0))}, nil},
			{5, nil, nil},
		}},
		{"E4/E14 fresh alert waits group_wait, then repeats", cfg, []dstep{
			{0, []Alert{fresh}, nil},
			{1, nil, nil},
			{2, nil, []string{"firing:c=firing"}},
			{7, nil, nil},
			{57, nil, nil},
			{62, nil, []string{"firing:c=firing"}},
		}},
		{"new firing alert in a group notifies at the next tick", cfg, []dstep{
			{0, []Alert{a}, []string{"firing:a=firing"}},
			{1, []Alert{b}, nil},
			{5, nil, []string{"firing:a=firing,b=firing"}},
		}},
		{"resolved before group_wait never notifies", cfg, []dstep{
			{0, []Alert{fresh}, nil},
			{1, []Alert{resolved(fresh, at(1))}, nil},
			{2, nil, nil},
		}},
		{"E15/E16 resolution re-sent is idempotent; refire is a new incident", cfg, []dstep{
			{0, []Alert{a}, []string{"firing:a=firing"}},
			{3, []Alert{resolved(a, at(3))}, nil},
			{5, nil, []string{"resolved:a=resolved"}},
			{6, []Alert{resolved(a, at(3))}, nil},
			{10, []Alert{resolved(a, at(3))}, nil},
			{11, []Alert{firing("a", at(11))}, nil},
			{13, nil, []string{"firing:a=firing"}},
		}},
		{"E9 max_alerts truncates with a count", GroupingConfig{GroupBy: []string{"alertname"}, MaxAlerts: 2, GroupInterval: 5 * time.Second, SendResolved: true},
			[]dstep{{0, []Alert{firing("1", at(-9)), firing("2", at(-9)), firing("3", at(-9)), firing("4", at(-9)), firing("5", at(-9))},
				[]string{"firing:1=firing,2=firing+3"}}}},
		{"E11 group_by ... gives one message per alert", GroupingConfig{GroupByAll: true, GroupInterval: 5 * time.Second},
			[]dstep{{0, []Alert{a, b}, []string{"firing:a=firing", "firing:b=firing"}}}},
		{"send_resolved=false: no resolved alerts and no all-resolved message", GroupingConfig{GroupBy: []string{"alertname"}, GroupInterval: 5 * time.Second, RepeatInterval: time.Hour},
			[]dstep{
				{0, []Alert{a, b}, []string{"firing:a=firing,b=firing"}},
				{1, []Alert{resolved(a, at(1))}, nil},
				{5, nil, nil},
				{6, []Alert{resolved(b, at(6))}, nil},
				{10, nil, nil},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := NewDispatcher(c.cfg)
			for i, s := range c.steps {
				for _, al := range s.insert {
					require.True(t, d.Insert(at(s.t), al))
				}
				assert.Equal(t, s.want, summary(d.Flush(at(s.t))), "step %d at %ds", i, s.t)
			}
		})
	}
}

func TestDispatcherNotificationFields(t *testing.T) {
	d := NewDispatcher(GroupingConfig{GroupBy: []string{"alertname", "service"}, SendResolved: true})
	x, y := firing("a", at(-60)), firing("b", at(-60))
	x.Annotations = NewLabels(map[string]string{"summary": "s", "runbook": "r"})
	y.Annotations = NewLabels(map[string]string{"summary": "t", "runbook": "r"})
	d.Insert(at(0), x)
	d.Insert(at(0), y)
	ns := d.Flush(at(0))
	require.Len(t, ns, 1)
	n := ns[0]
	assert.Equal(t, `{}:{alertname="HighErrorRate", service="checkout"}`, n.GroupKey)
	assert.Equal(t, NewLabels(map[string]string{"alertname": "HighErrorRate", "service": "checkout"}), n.CommonLabels())
	assert.Equal(t, NewLabels(map[string]string{"runbook": "r"}), n.CommonAnnotations())
	assert.Equal(t, "firing", n.Status())
	assert.Equal(t, 0, d.Groups()-1)
}

func TestDispatcherMaxGroups(t *testing.T) {
	d := NewDispatcher(GroupingConfig{GroupByAll: true, MaxGroups: 1})
	assert.True(t, d.Insert(at(0), firing("a", at(0))))
	assert.False(t, d.Insert(at(0), firing("b", at(0))))
	assert.True(t, d.Insert(at(0), firing("a", at(0))), "existing group still accepts")
}

func TestResender(t *testing.T) {
	r := NewResender(ResendConfig{Interval: time.Minute, ResolvedFor: 5 * time.Minute})
	a := firing("a", at(0))
	r.Insert(resolved(firing("z", at(0)), at(0))) // never fired here: ignored
	assert.Nil(t, r.Flush(at(0)))
	r.Insert(a)
	assert.Len(t, r.Flush(at(1)), 1, "new alert posts at once")
	r.Insert(a)
	assert.Nil(t, r.Flush(at(30)), "unchanged: waits for the interval")
	assert.Len(t, r.Flush(at(61)), 1, "interval re-post")
	r.Insert(resolved(a, at(70)))
	got := r.Flush(at(70))
	require.Len(t, got, 1)
	assert.Equal(t, StateResolved, got[0].State)
	assert.Len(t, r.Flush(at(131)), 1, "resolved re-posted within resolved_for")
	assert.Nil(t, r.Flush(at(70+301)), "dropped after resolved_for")
	assert.Equal(t, 0, r.Len())
}

func TestOutboxMergesInsteadOfDropping(t *testing.T) {
	lim := RateLimit{Messages: 2, Per: time.Minute}
	n := func(key string, t int) Notification { return Notification{GroupKey: key, At: at(t)} }

	o := NewOutbox(lim, false)
	for i := 0; i < 3; i++ {
		o.Offer(n("g1", i))
		o.Offer(n("g2", i))
		o.Offer(n("g3", i))
	}
	assert.Equal(t, 6, o.Merged)
	got := o.Release(at(3))
	require.Len(t, got, 2, "burst of 2")
	assert.Equal(t, at(2), got[0][0].At, "latest state of the group is sent")
	assert.Nil(t, o.Release(at(4)), "bucket empty")
	assert.Equal(t, 1, o.Pending())
	assert.Nil(t, o.Release(at(30)))
	got = o.Release(at(33)) // 30s refills one token at 2/min
	require.Len(t, got, 1)
	assert.Equal(t, "g3", got[0][0].GroupKey)

	d := NewOutbox(RateLimit{Messages: 1, Per: time.Minute}, true)
	d.Offer(n("g1", 0))
	d.Offer(n("g2", 0))
	got = d.Release(at(0))
	require.Len(t, got, 1, "digest: one message")
	assert.Len(t, got[0], 2)

	u := NewOutbox(RateLimit{}, false)
	for _, k := range []string{"a", "b", "c"} {
		u.Offer(n(k, 0))
	}
	assert.Len(t, u.Release(at(0)), 3, "unlimited")
}
