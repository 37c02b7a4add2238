package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// snapshotMagic and snapshotVersion head every snapshot; a decoder refuses
// anything else rather than guess. Bump the version on any layout change.
const (
	snapshotMagic = "ADS"
	// 2: suppression hold-off (uint32) replaced the episode peak; 3: alarm
	// rate; 4: 128-bin point ranks, the weekly correction and the drift;
	// 5: the previous point's bin in the point ranks; 6: the count view;
	// 7: the coarse view, and 24 bins instead of 32 in the surprise
	// average's and the drift's histories (version 6 is still read: its
	// upper 8 bins are empty, and the coarse view starts afresh); 8: a
	// level's run keeps its value nearest the level (versions 6 and 7 are
	// read with any run in progress restarted).
	snapshotVersion = 8
	// boundedBinsV6 is the bounded histories' size in version 6.
	boundedBinsV6 = 32
)

// ErrCorruptSnapshot is returned for a snapshot that cannot be decoded.
var ErrCorruptSnapshot = errors.New("corrupt detector snapshot")

// MarshalBinary encodes the learnt state (not the configuration: a restored
// series takes the configuration it is restored with).
func (s *Series) MarshalBinary() ([]byte, error) {
	w := make([]byte, 0, 384+4*len(s.base.profile)+4*(rankBins+coarseBins+4*boundedBins))
	w = append(w, snapshotMagic...)
	w = append(w, snapshotVersion)
	w = f64(w, s.last)
	w = binary.LittleEndian.AppendUint32(w, s.seen)
	w = binary.LittleEndian.AppendUint64(w, uint64(s.lastT))
	b := &s.base
	w = putLevel(w, &b.plain)
	w = putLevel(w, &b.seas)
	w = binary.LittleEndian.AppendUint64(w, uint64(b.bucketNs))
	w = binary.LittleEndian.AppendUint64(w, uint64(b.periodNs))
	w = binary.LittleEndian.AppendUint64(w, uint64(b.lastTs))
	w = binary.LittleEndian.AppendUint64(w, uint64(b.minStep))
	w = binary.LittleEndian.AppendUint16(w, b.steps)
	w = binary.LittleEndian.AppendUint32(w, b.seasonPts)
	w = binary.LittleEndian.AppendUint32(w, b.n)
	w = binary.LittleEndian.AppendUint16(w, uint16(len(b.profile)))
	for _, v := range b.profile {
		w = binary.LittleEndian.AppendUint32(w, math.Float32bits(v))
	}
	if wk := b.week; wk != nil {
		w = append(w, 1)
		for _, v := range wk.corr {
			w = binary.LittleEndian.AppendUint32(w, math.Float32bits(v))
		}
		w = f64(w, wk.scale.mad)
		w = f64(w, wk.scale.quantum)
		w = binary.LittleEndian.AppendUint32(w, wk.scale.n)
		w = f64(w, wk.err)
		w = binary.LittleEndian.AppendUint32(w, wk.pts)
	} else {
		w = append(w, 0)
	}
	w = putRanks(w, &s.cal)
	w = binary.LittleEndian.AppendUint32(w, s.sup.left)
	w = f64(w, s.bud.rate)
	w = binary.LittleEndian.AppendUint16(w, uint16(s.cal.lastBin))
	for i := range countLevels {
		w = f64(w, s.count.ref[i])
		w = f64(w, s.count.recent[i])
	}
	w = binary.LittleEndian.AppendUint32(w, s.count.n)
	c := s.coarse
	w = putLevel(w, &c.lvl)
	w = putRanks(w, &c.cal) // not its previous bin: judge never uses it
	w = f64(w, c.sum)
	w = f64(w, c.steps)
	w = f64(w, c.last)
	w = append(w, c.n)
	w = binary.LittleEndian.AppendUint32(w, c.seen)
	return w, nil
}

func f64(w []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(w, math.Float64bits(v))
}

// putLevel appends a level and its scale.
func putLevel(w []byte, l *level) []byte {
	w = f64(w, l.value)
	w = f64(w, l.scale.mad)
	w = f64(w, l.scale.quantum)
	w = binary.LittleEndian.AppendUint32(w, l.scale.n)
	w = f64(w, l.err)
	w = append(w, byte(l.run))
	return binary.LittleEndian.AppendUint32(w, math.Float32bits(l.near))
}

// putRanks appends a calibrator's averages and its three histories.
func putRanks(w []byte, c *calibrator) []byte {
	w = f64(w, c.short)
	w = f64(w, c.drift)
	for _, h := range []*rankHist{&c.point, &c.avg, &c.driftRanks} {
		for _, v := range h.counts {
			w = binary.LittleEndian.AppendUint32(w, math.Float32bits(v))
		}
		w = f64(w, h.total)
		w = f64(w, h.weight)
	}
	return w
}

// reader decodes little-endian fields and remembers the first error.
type reader struct {
	b       []byte
	err     error
	version byte // the snapshot's, for fields later versions added
}

func (r *reader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = fmt.Errorf("%w: truncated", ErrCorruptSnapshot)
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}
func (r *reader) u16() uint16 { return binary.LittleEndian.Uint16(r.take(2)) }
func (r *reader) u32() uint32 { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }

// f64 reads a float that must be finite and, if nonNeg, not negative.
func (r *reader) f64(nonNeg bool) float64 {
	v := math.Float64frombits(r.u64())
	if r.err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || (nonNeg && v < 0)) {
		r.err = fmt.Errorf("%w: invalid number %v", ErrCorruptSnapshot, v)
	}
	return v
}

// level reads what putLevel wrote.
func (r *reader) level(l *level) {
	l.value = r.f64(false)
	l.scale.mad = r.f64(true)
	l.scale.quantum = r.f64(true)
	l.scale.n = r.u32()
	l.err = r.f64(true)
	l.run = int8(r.take(1)[0])
	if r.version < 8 {
		l.run = 0 // its nearest value was not kept: the run starts afresh
		return
	}
	l.near = math.Float32frombits(r.u32())
	if math.IsNaN(float64(l.near)) || math.IsInf(float64(l.near), 0) {
		r.err = fmt.Errorf("%w: invalid number %v", ErrCorruptSnapshot, l.near)
	}
}

// ranks reads what putRanks wrote, with bounded bins in the surprise
// average's and the drift's histories (an older layout's extra bins are
// added to the last one).
func (r *reader) ranks(c *calibrator, bounded int) {
	c.short = r.f64(true)
	if c.drift = r.f64(false); math.Abs(c.drift) > driftClip {
		r.err = fmt.Errorf("%w: drift %v beyond its clip", ErrCorruptSnapshot, c.drift)
	}
	for k, h := range []*rankHist{&c.point, &c.avg, &c.driftRanks} {
		n := len(h.counts)
		if k > 0 {
			n = bounded
		}
		for i := range n {
			v := math.Float32frombits(r.u32())
			if v < 0 || v != v || math.IsInf(float64(v), 0) {
				r.err = fmt.Errorf("%w: invalid count", ErrCorruptSnapshot)
			}
			h.counts[min(i, len(h.counts)-1)] += v
		}
		h.total = r.f64(true)
		h.weight = r.f64(true)
		if h.weight < 1 || h.weight > rankRescale*h.growth {
			r.err = fmt.Errorf("%w: invalid weight", ErrCorruptSnapshot)
		}
		h.top = uint8(len(h.counts) - 1)
		h.settleTop()
	}
}

// Restore returns a detector with cfg and the state of a snapshot made by
// MarshalBinary. Any inconsistency yields ErrCorruptSnapshot, never a
// detector that could misbehave later.
func Restore(cfg Config, data []byte) (*Series, error) {
	s := New(cfg)
	r := &reader{b: data}
	if string(r.take(len(snapshotMagic))) != snapshotMagic || r.err != nil {
		return nil, fmt.Errorf("%w: bad magic", ErrCorruptSnapshot)
	}
	r.version = r.take(1)[0]
	bounded := boundedBins
	switch r.version {
	case snapshotVersion, 7:
	case 6:
		bounded = boundedBinsV6
	default:
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptSnapshot, r.version)
	}
	s.last = r.f64(false)
	s.seen = r.u32()
	s.lastT = int64(r.u64())
	b := &s.base
	r.level(&b.plain)
	r.level(&b.seas)
	b.bucketNs = int64(r.u64())
	periodNs := int64(r.u64())
	b.lastTs = int64(r.u64())
	b.minStep = int64(r.u64())
	b.steps = r.u16()
	b.seasonPts = r.u32()
	b.n = r.u32()
	np := int(r.u16())
	if np > 0 {
		if np > maxBuckets*7 || b.bucketNs <= 0 || periodNs <= 0 || periodNs/b.bucketNs > int64(np) {
			return nil, fmt.Errorf("%w: inconsistent profile", ErrCorruptSnapshot)
		}
		b.profile = make([]float32, np)
		for i := range b.profile {
			b.profile[i] = math.Float32frombits(r.u32())
		}
	}
	// The period follows the configuration unless the snapshot holds a
	// profile built for another one, which is then dropped.
	if b.profile != nil && periodNs != b.periodNs {
		b.profile, b.bucketNs, b.seasonPts, b.steps = nil, 0, 0, 0
	}
	if r.take(1)[0] == 1 {
		var wk weekly
		for i := range wk.corr {
			wk.corr[i] = math.Float32frombits(r.u32())
			if math.IsInf(float64(wk.corr[i]), 0) { // NaN marks an unvisited bucket
				r.err = fmt.Errorf("%w: infinite weekly correction", ErrCorruptSnapshot)
			}
		}
		wk.scale.mad = r.f64(true)
		wk.scale.quantum = r.f64(true)
		wk.scale.n = r.u32()
		wk.err = r.f64(true)
		wk.pts = r.u32()
		// Kept only beside the daily profile it corrects, in SeasonAuto.
		if b.profile != nil && b.mode == SeasonAuto && b.minStep > 0 {
			fresh := newWeekly(b.minStep)
			wk.alpha, wk.minPts = fresh.alpha, fresh.minPts
			b.week = &wk
		}
	}
	if b.week == nil && b.profile != nil && b.mode == SeasonAuto && b.minStep > 0 {
		wk := newWeekly(b.minStep) // a snapshot made without one
		b.week = &wk
	}
	r.ranks(&s.cal, bounded)
	if s.sup.left = r.u32(); s.sup.left > s.sup.horizon {
		s.sup.left = s.sup.horizon // a snapshot made with a longer hold-off
	}
	if s.bud.rate = r.f64(true); s.bud.rate > 1 {
		r.err = fmt.Errorf("%w: alarm rate %v above 1", ErrCorruptSnapshot, s.bud.rate)
	}
	if s.cal.lastBin = int16(r.u16()); s.cal.lastBin < -1 || int(s.cal.lastBin) >= rankBins {
		r.err = fmt.Errorf("%w: previous point's bin %d", ErrCorruptSnapshot, s.cal.lastBin)
	}
	for i := range countLevels {
		s.count.ref[i] = r.f64(true)
		s.count.recent[i] = r.f64(true)
		if s.count.ref[i] > 1 || s.count.recent[i] > 1 {
			r.err = fmt.Errorf("%w: count view share above 1", ErrCorruptSnapshot)
		}
	}
	if s.count.n = r.u32(); s.count.n > countHorizon {
		r.err = fmt.Errorf("%w: count view of %d points", ErrCorruptSnapshot, s.count.n)
	}
	if r.version >= 7 {
		c := s.coarse
		r.level(&c.lvl)
		r.ranks(&c.cal, boundedBins)
		c.sum = r.f64(false)
		c.steps = r.f64(true)
		c.last = r.f64(false)
		if c.n = r.take(1)[0]; c.n >= coarseBlock {
			r.err = fmt.Errorf("%w: coarse block of %d points", ErrCorruptSnapshot, c.n)
		}
		c.seen = r.u32()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", ErrCorruptSnapshot, len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}
