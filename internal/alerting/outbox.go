package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import (
	"sort"
	"time"
)

// RateLimit is a token bucket: Messages per Per, bursting up to Burst
// (Messages when 0). Zero Messages means unlimited.
type RateLimit struct {
	Messages int
	Per      time.Duration
	Burst    int
}

// Outbox holds a target's notifications until its rate limit allows sending.
// A newer notification for a group replaces a pending one for the same group
// (the newer one carries the group's latest state), and with Digest all
// pending groups leave together in one message, so a burst of changes turns
// into fewer, fuller messages instead of dropped ones. DingTalk and WeCom
// robots allow 20 messages a minute and DingTalk locks a robot for 10 minutes
// beyond that, so this is what keeps alerts flowing during an incident.
// Not safe for concurrent use.
type Outbox struct {
	limit   RateLimit
	digest  bool
	tokens  float64
	last    time.Time
	pending map[string]Notification
	// Merged counts notifications replaced by a newer one of the same group.
	Merged int
}

// NewOutbox returns an outbox starting with a full bucket.
func NewOutbox(limit RateLimit, digest bool) *Outbox {
	return &Outbox{limit: limit, digest: digest, tokens: float64(limit.burst()), pending: map[string]Notification{}}
}

func (l RateLimit) burst() int {
	if l.Burst > 0 {
		return l.Burst
	}
	return l.Messages
}

// Offer queues a notification.
func (o *Outbox) Offer(n Notification) {
	if _, ok := o.pending[n.GroupKey]; ok {
		o.Merged++
	}
	o.pending[n.GroupKey] = n
}

// Release returns the messages that may be sent at now; each message is one
// or (with digest) several notifications.
func (o *Outbox) Release(now time.Time) [][]Notification {
	if len(o.pending) == 0 {
		o.refill(now)
		return nil
	}
	keys := make([]string, 0, len(o.pending))
	for k := range o.pending {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if o.limit.Messages <= 0 {
		return o.take(keys, len(keys))
	}
	o.refill(now)
	avail := int(o.tokens)
	if avail <= 0 {
		return nil
	}
	if o.digest {
		o.tokens--
		msg := make([]Notification, 0, len(keys))
		for _, k := range keys {
			msg = append(msg, o.pending[k])
			delete(o.pending, k)
		}
		return [][]Notification{msg}
	}
	n := min(avail, len(keys))
	o.tokens -= float64(n)
	return o.take(keys, n)
}

func (o *Outbox) take(keys []string, n int) [][]Notification {
	out := make([][]Notification, 0, n)
	for _, k := range keys[:n] {
		out = append(out, []Notification{o.pending[k]})
		delete(o.pending, k)
	}
	return out
}

func (o *Outbox) refill(now time.Time) {
	if o.limit.Messages <= 0 || o.limit.Per <= 0 {
		return
	}
	if !o.last.IsZero() && now.After(o.last) {
		rate := float64(o.limit.Messages) / float64(o.limit.Per)
		o.tokens += rate * float64(now.Sub(o.last))
		if b := float64(o.limit.burst()); o.tokens > b {
			o.tokens = b
		}
	}
	if o.last.IsZero() || now.After(o.last) {
		o.last = now
	}
}

// Pending is the number of groups waiting for a token.
func (o *Outbox) Pending() int { return len(o.pending) }
