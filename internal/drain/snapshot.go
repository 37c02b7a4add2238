package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Snapshot format, version 1 (all integers unsigned varints, strings are a
// length then bytes):
//
//	magic "DRNS" | version | fingerprint | partition | tick | clusters
//	cluster: id | size | lastUsed | tokens | per token: flags masked prefix suffix gap
//
// It is decoded by hand, with every length checked against the remaining
// input, so a truncated or hostile snapshot yields an error, never a panic or
// an oversized allocation.
const (
	snapshotMagic   = "DRNS"
	snapshotVersion = 1
	// classifierVersion changes whenever the built-in classifier would mask a
	// line differently: templates from another version could never match.
	classifierVersion = 1
)

const (
	flagWild = 1 << iota
	flagUpper
	flagWord
)

// ErrIncompatible is returned by Restore for a well-formed snapshot written
// with a different version or masking configuration.
var ErrIncompatible = errors.New("drain: incompatible snapshot")

// fingerprint identifies everything that changes masked forms.
func (m *Miner) fingerprint() uint64 {
	h := fnvByte(fnvOffset, classifierVersion)
	h = fnvString(h, m.cfg.ExtraDelimiters)
	for _, k := range m.cfg.Masks {
		h = fnvString(fnvByte(h, 0), k.Name)
		h = fnvString(fnvByte(h, 0), k.Pattern)
	}
	return h
}

// Snapshot appends the miner's state to dst. It holds the read lock, so
// matching continues while it runs.
func (m *Miner) Snapshot(dst []byte) []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b := append(dst, snapshotMagic...)
	b = binary.AppendUvarint(b, snapshotVersion)
	b = binary.AppendUvarint(b, m.fingerprint())
	b = appendString(b, m.partition)
	b = binary.AppendUvarint(b, m.tick.Load())
	b = binary.AppendUvarint(b, uint64(len(m.byID)))
	for _, c := range m.byID {
		b = appendString(b, c.id)
		b = binary.AppendUvarint(b, uint64(c.size.Load()))
		b = binary.AppendUvarint(b, c.lastUsed.Load())
		b = binary.AppendUvarint(b, uint64(len(c.toks)))
		for i := range c.toks {
			t := &c.toks[i]
			var f byte
			if t.wild {
				f |= flagWild
			}
			if t.upper {
				f |= flagUpper
			}
			if t.word {
				f |= flagWord
			}
			b = append(b, f)
			b = appendString(b, t.masked)
			b = appendString(b, t.prefix)
			b = appendString(b, t.suffix)
			b = appendString(b, c.gaps[i])
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)) {
		r.err = errCorrupt
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// count reads a length that needs at least min bytes per element, so a
// forged count cannot make us allocate more than the input justifies.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.b)/min) {
		r.err = errCorrupt
		return 0
	}
	return int(n)
}

// maskedHash recomputes a token hash from its masked text, exactly as the
// tokenizer computes it from a line; ok is false for malformed text.
func maskedHash(masked string, userKinds int) (uint64, bool) {
	h := uint64(fnvOffset)
	for i := 0; i < len(masked); i++ {
		c := masked[i]
		if c != placeholderMark {
			h = fnvByte(h, c)
			continue
		}
		if i+1 >= len(masked) || masked[i+1] < 0x80 {
			return 0, false
		}
		k := Kind(masked[i+1] &^ 0x80)
		if k == KindNone || k == KindWild || int(k) >= int(KindUser)+userKinds {
			return 0, false
		}
		h = fnvByte(fnvByte(h, placeholderMark), byte(k))
		i++
	}
	return h, true
}

// Restore replaces the miner's state with a snapshot. On any error the
// miner is left unchanged.
func (m *Miner) Restore(data []byte) error {
	if len(data) < len(snapshotMagic) || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return fmt.Errorf("%w: bad magic", errCorrupt)
	}
	r := &reader{b: data[len(snapshotMagic):]}
	if v := r.uvarint(); r.err == nil && v != snapshotVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrIncompatible, v, snapshotVersion)
	}
	if fp := r.uvarint(); r.err == nil && fp != m.fingerprint() {
		return fmt.Errorf("%w: masking configuration changed", ErrIncompatible)
	}
	partition := r.string()
	tick := r.uvarint()
	n := r.count(8)
	if r.err == nil && partition != m.partition {
		return fmt.Errorf("%w: partition %q, want %q", ErrIncompatible, partition, m.partition)
	}
	clusters := make([]*Cluster, 0, n)
	ids := make(map[string]bool, n)
	for i := 0; i < n && r.err == nil; i++ {
		c := &Cluster{id: r.string()}
		c.size.Store(int64(r.uvarint() & (1<<62 - 1)))
		c.lastUsed.Store(r.uvarint())
		nt := r.count(5)
		if r.err != nil {
			break
		}
		// nt == 0 is the template of empty lines.
		if ids[c.id] || c.id == "" || (m.cfg.MaxTokens > 0 && nt > m.cfg.MaxTokens) {
			r.err = errCorrupt
			break
		}
		ids[c.id] = true
		c.toks = make([]tmplTok, nt)
		c.gaps = make([]string, nt)
		for j := 0; j < nt && r.err == nil; j++ {
			f := r.byte()
			t := tmplTok{wild: f&flagWild != 0, upper: f&flagUpper != 0, word: f&flagWord != 0}
			t.masked, t.prefix, t.suffix = r.string(), r.string(), r.string()
			c.gaps[j] = r.string()
			h, ok := maskedHash(t.masked, len(m.tk.masks))
			if !ok || strings.IndexByte(t.prefix, placeholderMark) >= 0 || strings.IndexByte(t.suffix, placeholderMark) >= 0 {
				r.err = errCorrupt
			}
			t.hash = h
			c.toks[j] = t
		}
		if r.err == nil && nt > 0 && c.gaps[0] != "" {
			r.err = errCorrupt
		}
		clusters = append(clusters, c)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	if r.err != nil {
		return fmt.Errorf("%w: at cluster %d", r.err, len(clusters))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reset()
	for _, c := range clusters {
		c.key = c.treeKey()
		c.render(m.cfg.TypedPlaceholders, m.tk.masks)
		m.insert(c)
	}
	m.tick.Store(tick)
	for m.cfg.MaxClusters > 0 && len(m.byID) > m.cfg.MaxClusters {
		m.evictLRU()
	}
	return nil
}
