package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Snapshots are versioned binary blobs: a 4-byte kind tag, a version byte,
// then varint-framed fields. A reader refuses unknown tags and versions
// instead of guessing, and every length is checked against the bytes left, so
// a corrupt or hostile blob yields an error, never a panic or a huge
// allocation.
const snapshotVersion = 1

var (
	tagEngine     = [4]byte{'A', 'W', 'E', 'N'}
	tagDispatcher = [4]byte{'A', 'W', 'D', 'P'}
	tagResender   = [4]byte{'A', 'W', 'R', 'S'}
	tagOutbox     = [4]byte{'A', 'W', 'O', 'B'}
)

// ErrSnapshot wraps every decoding failure.
var ErrSnapshot = errors.New("alerting: invalid snapshot")

type encoder struct{ b []byte }

func newEncoder(tag [4]byte) *encoder {
	e := &encoder{b: make([]byte, 0, 256)}
	e.b = append(e.b, tag[:]...)
	e.b = append(e.b, snapshotVersion)
	return e
}

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) u64(v uint64)     { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) boolean(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// Zero time is written as 0; real times as Unix nanoseconds (the Unix epoch
// itself would read back as zero, which no alert can carry).
func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.varint(0)
		return
	}
	e.varint(t.UnixNano())
}

func (e *encoder) labels(ls Labels) {
	e.uvarint(uint64(len(ls)))
	for _, l := range ls {
		e.str(l.Name)
		e.str(l.Value)
	}
}

func (e *encoder) fps(fps []Fingerprint) {
	e.uvarint(uint64(len(fps)))
	for _, f := range fps {
		e.u64(uint64(f))
	}
}

func (e *encoder) alert(a *Alert) {
	e.u64(uint64(a.Fingerprint))
	e.str(a.Rule)
	e.labels(a.Labels)
	e.labels(a.Annotations)
	e.str(a.GeneratorURL)
	e.varint(int64(a.Timing.For))
	e.varint(int64(a.Timing.KeepFiringFor))
	e.varint(int64(a.Timing.ResolveTimeout))
	e.b = append(e.b, byte(a.State))
	e.time(a.StartsAt)
	e.time(a.ResolvedAt)
	e.time(a.PendingSince)
	e.time(a.LastActive)
	e.time(a.ClearingSince)
}

func (e *encoder) notification(n *Notification) {
	e.str(n.GroupKey)
	e.labels(n.GroupLabels)
	e.uvarint(uint64(n.Truncated))
	e.time(n.At)
	e.uvarint(uint64(len(n.Alerts)))
	for i := range n.Alerts {
		e.alert(&n.Alerts[i])
	}
}

type decoder struct {
	b   []byte
	err error
}

func newDecoder(data []byte, tag [4]byte) *decoder {
	d := &decoder{b: data}
	if len(data) < 5 || [4]byte(data[:4]) != tag {
		d.fail("wrong kind tag")
		return d
	}
	if data[4] != snapshotVersion {
		d.fail(fmt.Sprintf("unsupported version %d", data[4]))
		return d
	}
	d.b = data[5:]
	return d
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrSnapshot, msg)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("truncated varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("truncated varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length and rejects one that cannot fit in the remaining
// bytes at minSize bytes per element.
func (d *decoder) count(minSize int) int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)/max(minSize, 1)) {
		d.fail("length exceeds data")
		return 0
	}
	return int(n)
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated uint64")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) byte1() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 1 {
		d.fail("truncated byte")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) boolean() bool { return d.byte1() == 1 }

func (d *decoder) str() string {
	n := d.count(1)
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) time() time.Time {
	v := d.varint()
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

func (d *decoder) duration() time.Duration {
	v := d.varint()
	if v < 0 {
		d.fail("negative duration")
	}
	return time.Duration(v)
}

func (d *decoder) labels() Labels {
	n := d.count(2)
	ls := make(Labels, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		l := Label{Name: d.str(), Value: d.str()}
		if len(ls) > 0 && ls[len(ls)-1].Name >= l.Name {
			d.fail("labels not sorted")
		}
		ls = append(ls, l)
	}
	return ls
}

func (d *decoder) fps() []Fingerprint {
	n := d.count(8)
	if n == 0 {
		return nil
	}
	out := make([]Fingerprint, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, Fingerprint(d.u64()))
	}
	return out
}

func (d *decoder) alert() Alert {
	var a Alert
	a.Fingerprint = Fingerprint(d.u64())
	a.Rule = d.str()
	a.Labels = d.labels()
	a.Annotations = d.labels()
	a.GeneratorURL = d.str()
	a.Timing.For = d.duration()
	a.Timing.KeepFiringFor = d.duration()
	a.Timing.ResolveTimeout = d.duration()
	a.State = State(d.byte1())
	a.StartsAt = d.time()
	a.ResolvedAt = d.time()
	a.PendingSince = d.time()
	a.LastActive = d.time()
	a.ClearingSince = d.time()
	if d.err == nil {
		if a.State < StatePending || a.State > StateResolved {
			d.fail("bad alert state")
		} else if len(a.Labels) == 0 || a.Labels.Fingerprint() != a.Fingerprint {
			d.fail("fingerprint does not match labels")
		}
	}
	return a
}

func (d *decoder) notification() Notification {
	var n Notification
	n.GroupKey = d.str()
	n.GroupLabels = d.labels()
	n.Truncated = int(min(d.uvarint(), math.MaxInt32))
	n.At = d.time()
	c := d.count(8)
	n.Alerts = make([]Alert, 0, c)
	for i := 0; i < c && d.err == nil; i++ {
		n.Alerts = append(n.Alerts, d.alert())
	}
	return n
}

func (d *decoder) finish() error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return d.err
}

// MarshalBinary snapshots every tracked alert.
func (e *Engine) MarshalBinary() ([]byte, error) {
	enc := newEncoder(tagEngine)
	alerts := e.Alerts()
	enc.uvarint(uint64(len(alerts)))
	for i := range alerts {
		enc.alert(&alerts[i])
	}
	return enc.b, nil
}

// UnmarshalBinary replaces the engine's alerts with a snapshot's. Restored
// alerts are not marked changed: they were announced before the restart.
func (e *Engine) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagEngine)
	n := d.count(8)
	alerts := make(map[Fingerprint]*Alert, n)
	for i := 0; i < n && d.err == nil; i++ {
		a := d.alert()
		alerts[a.Fingerprint] = &a
	}
	if err := d.finish(); err != nil {
		return err
	}
	e.alerts = alerts
	clear(e.changed)
	return nil
}

// MarshalBinary snapshots groups, their alerts and notification logs.
func (d *Dispatcher) MarshalBinary() ([]byte, error) {
	enc := newEncoder(tagDispatcher)
	enc.uvarint(uint64(len(d.groups)))
	for _, g := range d.groups {
		enc.str(g.key)
		enc.labels(g.labels)
		enc.time(g.next)
		enc.boolean(g.flushed)
		enc.uvarint(uint64(len(g.alerts)))
		for _, a := range g.alerts {
			enc.alert(&a)
		}
		enc.boolean(g.log != nil)
		if g.log != nil {
			enc.fps(g.log.firing)
			enc.fps(g.log.resolved)
			enc.time(g.log.sentAt)
		}
	}
	return enc.b, nil
}

// UnmarshalBinary restores a dispatcher snapshot.
func (d *Dispatcher) UnmarshalBinary(data []byte) error {
	dec := newDecoder(data, tagDispatcher)
	n := dec.count(4)
	groups := make(map[string]*group, n)
	for i := 0; i < n && dec.err == nil; i++ {
		g := &group{key: dec.str(), labels: dec.labels(), next: dec.time(), flushed: dec.boolean()}
		c := dec.count(8)
		g.alerts = make(map[Fingerprint]Alert, c)
		for j := 0; j < c && dec.err == nil; j++ {
			a := dec.alert()
			g.alerts[a.Fingerprint] = a
		}
		if dec.boolean() {
			g.log = &notifyLog{firing: dec.fps(), resolved: dec.fps(), sentAt: dec.time()}
		}
		groups[g.key] = g
	}
	if err := dec.finish(); err != nil {
		return err
	}
	d.groups = groups
	return nil
}

// MarshalBinary snapshots the re-posted alerts.
func (r *Resender) MarshalBinary() ([]byte, error) {
	enc := newEncoder(tagResender)
	enc.time(r.lastSent)
	enc.uvarint(uint64(len(r.alerts)))
	for _, a := range r.alerts {
		enc.alert(&a)
	}
	return enc.b, nil
}

// UnmarshalBinary restores a resender snapshot and marks it due, so that the
// first Flush after a restart re-posts everything (Alertmanager may have
// restarted too and lost its in-memory alerts).
func (r *Resender) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagResender)
	last := d.time()
	n := d.count(8)
	alerts := make(map[Fingerprint]Alert, n)
	for i := 0; i < n && d.err == nil; i++ {
		a := d.alert()
		alerts[a.Fingerprint] = a
	}
	if err := d.finish(); err != nil {
		return err
	}
	r.alerts, r.lastSent, r.dirty = alerts, last, len(alerts) > 0
	return nil
}

// MarshalBinary snapshots the pending notifications and the bucket.
func (o *Outbox) MarshalBinary() ([]byte, error) {
	enc := newEncoder(tagOutbox)
	enc.varint(int64(o.tokens * 1000))
	enc.time(o.last)
	enc.uvarint(uint64(len(o.pending)))
	for _, n := range o.pending {
		enc.notification(&n)
	}
	return enc.b, nil
}

// UnmarshalBinary restores an outbox snapshot.
func (o *Outbox) UnmarshalBinary(data []byte) error {
	d := newDecoder(data, tagOutbox)
	tokens := float64(d.varint()) / 1000
	last := d.time()
	n := d.count(4)
	pending := make(map[string]Notification, n)
	for i := 0; i < n && d.err == nil; i++ {
		nt := d.notification()
		pending[nt.GroupKey] = nt
	}
	if err := d.finish(); err != nil {
		return err
	}
	if b := float64(o.limit.burst()); tokens > b || tokens < 0 {
		tokens = b
	}
	o.tokens, o.last, o.pending = tokens, last, pending
	return nil
}
