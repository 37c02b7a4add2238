package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

import (
	"strings"
	"sync/atomic"
)

// tmplTok is one position of a template. Until it is generalised it holds the
// masked form of the token (literal bytes and typed placeholders) and matches
// a line token with the same masked hash. Once generalised (wild) it matches
// any token that starts with prefix and ends with suffix: keeping the literal
// key of "user=root" vs "user=admin" gives "user=<*>" rather than "<*>".
type tmplTok struct {
	masked         string
	hash           uint64
	wild           bool
	upper          bool
	word           bool
	prefix, suffix string
}

// Cluster is one template. Its ID is fixed when it is created; its template
// text may generalise later. Size and last use are atomics because they are
// updated on the read path, under the miner's shared lock.
type Cluster struct {
	id       string
	toks     []tmplTok
	gaps     []string // gaps[i] is the whitespace before token i; gaps[0] == ""
	template string
	key      bucketKey
	size     atomic.Int64
	lastUsed atomic.Uint64
}

// ID returns the stable template ID.
func (c *Cluster) ID() string { return c.id }

// Template returns the current template text with <*> for every variable.
func (c *Cluster) Template() string { return c.template }

// Size returns how many lines the cluster has matched, including its first.
func (c *Cluster) Size() int64 { return c.size.Load() }

// renderMasked writes a masked token for people: placeholders become <*>,
// or <KIND> when typed is set.
func renderMasked(b *strings.Builder, masked string, typed bool, masks []userMask) {
	for i := 0; i < len(masked); i++ {
		c := masked[i]
		if c != placeholderMark || i+1 >= len(masked) {
			b.WriteByte(c)
			continue
		}
		i++
		if !typed {
			b.WriteString("<*>")
			continue
		}
		k := Kind(masked[i] &^ 0x80)
		b.WriteByte('<')
		if k >= KindUser && int(k-KindUser) < len(masks) {
			b.WriteString(masks[k-KindUser].name)
		} else {
			b.WriteString(k.String())
		}
		b.WriteByte('>')
	}
}

func (c *Cluster) render(typed bool, masks []userMask) {
	var b strings.Builder
	for i := range c.toks {
		b.WriteString(c.gaps[i])
		t := &c.toks[i]
		if t.wild {
			b.WriteString(t.prefix)
			b.WriteString("<*>")
			b.WriteString(t.suffix)
			continue
		}
		renderMasked(&b, t.masked, typed, masks)
	}
	c.template = b.String()
}

// fits reports whether raw matches a generalised position.
func (t *tmplTok) fits(raw string) bool {
	return len(raw) >= len(t.prefix)+len(t.suffix) &&
		strings.HasPrefix(raw, t.prefix) && strings.HasSuffix(raw, t.suffix)
}

// commonAffixes returns the longest common prefix and suffix of x and y that
// end (prefix) or start (suffix) at punctuation and contain no placeholder,
// so that the kept text is a whole literal key or wrapper, never half a word.
func commonAffixes(x, y string) (prefix, suffix string) {
	n := 0
	for n < len(x) && n < len(y) && x[n] == y[n] && x[n] != placeholderMark {
		n++
	}
	for n > 0 && isWordByte(x[n-1]) {
		n--
	}
	// Do not keep a prefix that swallows either string entirely.
	if n == len(x) || n == len(y) {
		n = 0
	}
	m := 0
	for m < len(x)-n && m < len(y)-n && x[len(x)-1-m] == y[len(y)-1-m] && x[len(x)-1-m] != placeholderMark {
		m++
	}
	for m > 0 && isWordByte(x[len(x)-m]) {
		m--
	}
	if n+m >= len(x) || n+m >= len(y) {
		m = 0
	}
	// Kind bytes are >= 0x80, so the loop above never starts a suffix
	// inside a placeholder.
	return x[:n], x[len(x)-m:]
}

// shrinkAffixes narrows a generalised position so that raw fits it.
func (t *tmplTok) shrinkAffixes(raw string) {
	n := 0
	for n < len(t.prefix) && n < len(raw) && t.prefix[n] == raw[n] {
		n++
	}
	for n > 0 && isWordByte(t.prefix[n-1]) {
		n--
	}
	t.prefix = t.prefix[:n]
	m := 0
	for m < len(t.suffix) && m < len(raw)-n && t.suffix[len(t.suffix)-1-m] == raw[len(raw)-1-m] {
		m++
	}
	for m > 0 && isWordByte(t.suffix[len(t.suffix)-m]) {
		m--
	}
	t.suffix = t.suffix[len(t.suffix)-m:]
}

// treeKey is the bucket of c: generalised leading positions move it to the
// wildcard branch, as in Drain.
func (c *Cluster) treeKey() bucketKey {
	k := bucketKey{n: int32(len(c.toks))}
	lead := func(i int) uint64 {
		if i >= len(c.toks) || c.toks[i].wild || strings.IndexByte(c.toks[i].masked, placeholderMark) >= 0 {
			return 0
		}
		if c.toks[i].hash == 0 {
			return 1
		}
		return c.toks[i].hash
	}
	k.k0, k.k1 = lead(0), lead(1)
	return k
}
