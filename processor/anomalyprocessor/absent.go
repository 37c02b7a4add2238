package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import "sync"

// Rate series that exist only once something is counted (absent_is_zero).
//
// A span-metrics error series is created at an operation's first error, a
// per-template log count at the template's first record. Such a series'
// first points would fall in its warm-up, so the first errors of an
// operation that had none, one of the commonest incidents, would never be
// scored. With absent_is_zero its detector starts from min(warm_up, 200)
// intervals of zeros instead (detector.Series.AssumeZeros), but only where
// the zeros are known: the series' family (its resource, scope, metric and
// signal: the base of its key, identity.go) must have been seen for that
// long before in this process. A new pod's or a new service's series
// arrive with their family, and are learnt as usual.

// absentState is a series' part in absent_is_zero: bits.
type absentState uint8

const (
	// zerosPending: the series' config assumes zeros for it (absent_is_zero
	// and a rate signal), to be given with its first value.
	zerosPending absentState = 1 << iota
	// familyNoted: its family's first time has been noted (firstSeen) in
	// this process.
	familyNoted
)

// familySlots is the size of the families table: 16 bytes a slot, 1 MiB.
const familySlots = 1 << 16

// families remembers when each metric family was first seen in this
// process (the data's timestamps), in a direct-mapped table: bounded
// memory at any cardinality. A family that takes another's slot evicts it,
// and the evicted family then looks new: a collision can only withhold
// the zeros, never assume them.
type families struct {
	mu    sync.Mutex
	slots []familySlot
}

// familySlot is one family's first time; the zero value is an empty slot
// (a family whose key hashes to 0, first seen at time 0, would look new
// each time: the safe side).
type familySlot struct {
	base  uint64
	first int64
}

func newFamilies() *families {
	return &families{slots: make([]familySlot, familySlots)}
}

// firstSeen returns when the family of base was first seen, recording ts
// for a family not in the table (or as its first time if earlier).
func (f *families) firstSeen(base uint64, ts int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	sl := &f.slots[base%familySlots]
	if *sl == (familySlot{}) || sl.base != base {
		*sl = familySlot{base: base, first: ts}
	} else if ts < sl.first {
		sl.first = ts
	}
	return sl.first
}

// assumeZeros gives s, at its first value in, the zeros absent_is_zero
// assumes, where its family vouches for them. The caller holds the series'
// shard lock.
func (p *anomalyProcessor) assumeZeros(s *series, base uint64, ts int64, in sample) {
	s.absent &^= zerosPending
	// An interval longer than a day (or absurd) is no rate's.
	if !(in.dt > 0 && in.dt <= 86400) {
		return
	}
	from := p.families.firstSeen(base, ts)
	s.det.AssumeZeros(ts, int64(in.dt*1e9), in.step, from)
}

// isRate reports whether signal counts per second (the signals
// absent_is_zero applies to).
func isRate(signal string) bool { return signal == signalRate || signal == signalCountRate }
