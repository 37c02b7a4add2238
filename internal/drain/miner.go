package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Config configures a Miner. The zero value of every field selects the
// default documented on it; DefaultConfig returns them spelled out.
type Config struct {
	// SimThreshold is the fraction of a template's positions that must be
	// equal for a line to join it (0 < x <= 1). Default 0.7.
	SimThreshold float64
	// MaxClusters bounds the templates kept; the least recently used one is
	// evicted to make room. Default 10000. Negative means unbounded.
	MaxClusters int
	// MaxLineBytes truncates lines for clustering (never for output).
	// Default 4096.
	MaxLineBytes int
	// MaxTokens caps the token count; the tail joins the last token.
	// Default 256.
	MaxTokens int
	// ExtraDelimiters are bytes that separate tokens besides whitespace.
	ExtraDelimiters string
	// Masks are user patterns tried, in order, on every token core (the token
	// without surrounding brackets, quotes and trailing punctuation) before
	// the built-in classifier. A pattern must match the whole core.
	Masks []MaskConfig
	// TypedPlaceholders renders variables as <NUM>, <IP>, ... instead of <*>.
	TypedPlaceholders bool
}

// MaskConfig is a user-defined variable pattern.
type MaskConfig struct {
	Name    string
	Pattern string
}

// DefaultConfig returns the configuration used for published accuracy.
func DefaultConfig() Config {
	return Config{SimThreshold: defaultSim, MaxClusters: 10000, MaxLineBytes: 4096, MaxTokens: 256}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.SimThreshold == 0 {
		c.SimThreshold = d.SimThreshold
	}
	if c.MaxClusters == 0 {
		c.MaxClusters = d.MaxClusters
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = d.MaxLineBytes
	}
	if c.MaxTokens == 0 {
		c.MaxTokens = d.MaxTokens
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	c = c.withDefaults()
	if !(c.SimThreshold > 0 && c.SimThreshold <= 1) {
		return fmt.Errorf("similarity threshold must be in (0, 1] (got %v)", c.SimThreshold)
	}
	if c.MaxLineBytes < 0 || c.MaxTokens < 0 {
		return fmt.Errorf("line limits must not be negative (got %d bytes, %d tokens)", c.MaxLineBytes, c.MaxTokens)
	}
	if int(KindUser)+len(c.Masks) > maxKind {
		return fmt.Errorf("at most %d masks (got %d)", maxKind-int(KindUser), len(c.Masks))
	}
	for i, m := range c.Masks {
		if m.Name == "" || strings.ContainsAny(m.Name, "<> \t") {
			return fmt.Errorf("mask %d: name must be non-empty without spaces or <> (got %q)", i, m.Name)
		}
		if _, err := regexp.Compile(m.Pattern); err != nil {
			return fmt.Errorf("mask %q: pattern %q: %w", m.Name, m.Pattern, err)
		}
	}
	return nil
}

// bucketKey is Drain's fixed-depth tree flattened into one map: token count
// and the first two tokens (Drain's default depth 4), each 0 when variable.
// As in Drain, the leading tokens are the event's verb: lines that differ
// there are different events even when the rest is equal.
type bucketKey struct {
	n      int32
	k0, k1 uint64
}

// Result describes how a line was classified.
type Result struct {
	// ID is the stable template ID of the line's cluster.
	ID string
	// Template is the cluster's template text after this line.
	Template string
	// Created is true only for the line that created the cluster.
	Created bool
	// Evicted is the number of clusters evicted to make room for this one.
	Evicted int
	// Params are the values behind the template's variables, in order; only
	// filled when requested.
	Params []string
}

// Miner mines templates of one partition. It is safe for concurrent use:
// lines that match a known template exactly share a read lock; only lines
// that create or generalise a template take the write lock.
type Miner struct {
	cfg       Config
	tk        *tokenizer
	partition string

	mu      sync.RWMutex
	buckets map[bucketKey][]*Cluster
	byLen   map[int32][]*Cluster
	byID    map[string]*Cluster
	tick    atomic.Uint64

	evicted atomic.Int64
	created atomic.Int64

	pool sync.Pool
}

// New returns an empty miner for the given partition name, which seeds the
// template IDs.
func New(partition string, cfg Config) (*Miner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	masks := make([]userMask, len(cfg.Masks))
	for i, m := range cfg.Masks {
		masks[i] = userMask{name: m.Name, re: regexp.MustCompile("^(?:" + m.Pattern + ")$")}
	}
	m := &Miner{
		cfg:       cfg,
		tk:        newTokenizer(cfg.ExtraDelimiters, masks, cfg.MaxLineBytes, cfg.MaxTokens),
		partition: partition,
	}
	m.reset()
	m.pool.New = func() any { return &scratch{toks: make([]token, 0, 32), parts: make([]part, 0, 96)} }
	return m, nil
}

func (m *Miner) reset() {
	m.buckets = map[bucketKey][]*Cluster{}
	m.byLen = map[int32][]*Cluster{}
	m.byID = map[string]*Cluster{}
}

// Len returns the number of live clusters.
func (m *Miner) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byID)
}

// Evicted and Created return how many clusters were evicted or created since
// the miner was made.
func (m *Miner) Evicted() int64 { return m.evicted.Load() }

// Created returns how many clusters were created since the miner was made.
func (m *Miner) Created() int64 { return m.created.Load() }

// Process classifies line, learning from it, and returns its cluster.
func (m *Miner) Process(line string, wantParams bool) Result {
	sc := m.pool.Get().(*scratch)
	defer m.pool.Put(sc)
	m.tk.split(sc, line)

	m.mu.RLock()
	c, exact := m.find(sc)
	if exact {
		res := m.use(c, sc, false, wantParams)
		m.mu.RUnlock()
		return res
	}
	m.mu.RUnlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	// Another writer may have created or widened the template meanwhile.
	c, exact = m.find(sc)
	created, evicted := false, 0
	switch {
	case c == nil:
		c, evicted = m.create(sc)
		created = true
	case !exact:
		m.generalise(c, sc)
	}
	r := m.use(c, sc, created, wantParams)
	r.Evicted = evicted
	return r
}

func (m *Miner) use(c *Cluster, sc *scratch, created, wantParams bool) Result {
	c.size.Add(1)
	c.lastUsed.Store(m.tick.Add(1))
	r := Result{ID: c.id, Template: c.template, Created: created}
	if wantParams {
		r.Params = params(c, sc)
	}
	return r
}

// leadKey is the tree key of line token i: 0 when variable or absent.
func leadKey(sc *scratch, i int) uint64 {
	if i >= len(sc.toks) || sc.toks[i].vars {
		return 0
	}
	if h := sc.toks[i].hash; h != 0 {
		return h
	}
	return 1
}

func lineKey(sc *scratch) bucketKey {
	return bucketKey{n: int32(len(sc.toks)), k0: leadKey(sc, 0), k1: leadKey(sc, 1)}
}

// find returns the best cluster for the line and whether the line fits it
// without generalising. It only reads shared state.
func (m *Miner) find(sc *scratch) (*Cluster, bool) {
	lk := lineKey(sc)
	var best *Cluster
	bestSim := -1.0
	keys := [4]bucketKey{lk, {lk.n, lk.k0, 0}, {lk.n, 0, lk.k1}, {lk.n, 0, 0}}
	for i, k := range keys {
		if dupKey(keys[:i], k) {
			continue
		}
		for _, c := range m.buckets[k] {
			sim, mism, ok := m.score(c, sc, 0)
			if !ok {
				continue
			}
			if mism == 0 {
				return c, true
			}
			if sim > bestSim {
				best, bestSim = c, sim
			}
		}
	}
	if best != nil || lk.n < 4 || !m.identifierLead(sc) {
		return best, false
	}
	// A leading token may be a variable the classifier does not know (a
	// process name such as chrome.exe): join a same-length template that
	// equals the line everywhere else.
	for _, c := range m.byLen[lk.n] {
		if _, mism, ok := m.score(c, sc, 2); ok && mism == 0 && m.leadFits(c, sc) {
			return c, false
		}
	}
	return nil, false
}

func dupKey(keys []bucketKey, k bucketKey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// identifierLead reports whether a leading token is identifier-like (has
// punctuation): plain words there are verbs and never generalise across
// buckets.
func (m *Miner) identifierLead(sc *scratch) bool {
	for i := 0; i < 2 && i < len(sc.toks); i++ {
		if !sc.toks[i].word {
			return true
		}
	}
	return false
}

// leadFits reports whether the first two positions of c differ from the
// line only where both are identifier-like.
func (m *Miner) leadFits(c *Cluster, sc *scratch) bool {
	for i := 0; i < 2; i++ {
		t, lt := &c.toks[i], &sc.toks[i]
		if t.wild || t.hash == lt.hash {
			continue
		}
		if t.word || lt.word {
			return false
		}
	}
	return true
}

// score compares the template with the line from position from on. sim is
// Drain's similarity (equal positions / length; generalised positions do
// not count), mism the positions that would have to generalise. ok is false
// when the line must not join: too dissimilar, or an upper-case word (a
// state or event name) differs.
func (m *Miner) score(c *Cluster, sc *scratch, from int) (sim float64, mism int, ok bool) {
	line := sc.line
	equal := 0
	for i := from; i < len(c.toks); i++ {
		t := &c.toks[i]
		lt := &sc.toks[i]
		if t.wild {
			if !t.fits(line[lt.start:lt.end]) {
				mism++
			}
			continue
		}
		if t.hash == lt.hash {
			equal++
			continue
		}
		if t.upper || lt.upper {
			return 0, 0, false
		}
		mism++
	}
	if mism == 0 {
		return 1, 0, true
	}
	sim = float64(equal+from) / float64(len(c.toks))
	return sim, mism, sim >= m.cfg.SimThreshold
}

// maskedText builds the masked form of line token i.
func maskedText(sc *scratch, i int) string {
	tok := &sc.toks[i]
	var b strings.Builder
	for _, p := range sc.parts[tok.p0:tok.p1] {
		if p.kind == KindNone {
			b.WriteString(sc.line[p.start:p.end])
			continue
		}
		b.WriteByte(placeholderMark)
		b.WriteByte(kindByte(p.kind))
	}
	return b.String()
}

func (m *Miner) create(sc *scratch) (*Cluster, int) {
	evicted := 0
	if m.cfg.MaxClusters > 0 && len(m.byID) >= m.cfg.MaxClusters {
		m.evictLRU()
		evicted = 1
	}
	n := len(sc.toks)
	c := &Cluster{toks: make([]tmplTok, n), gaps: make([]string, n)}
	for i := range sc.toks {
		lt := &sc.toks[i]
		c.toks[i] = tmplTok{masked: maskedText(sc, i), hash: lt.hash, upper: lt.upper, word: lt.word}
		if i > 0 {
			c.gaps[i] = strings.Clone(sc.line[sc.toks[i-1].end:lt.start])
		}
	}
	c.key = lineKey(sc)
	c.id = m.newID(c)
	c.render(m.cfg.TypedPlaceholders, m.tk.masks)
	m.insert(c)
	m.created.Add(1)
	return c, evicted
}

func (m *Miner) insert(c *Cluster) {
	m.buckets[c.key] = append(m.buckets[c.key], c)
	m.byLen[c.key.n] = append(m.byLen[c.key.n], c)
	m.byID[c.id] = c
}

func removeCluster(list []*Cluster, c *Cluster) []*Cluster {
	for i, x := range list {
		if x == c {
			last := len(list) - 1
			list[i] = list[last]
			list[last] = nil
			return list[:last]
		}
	}
	return list
}

func (m *Miner) remove(c *Cluster) {
	if l := removeCluster(m.buckets[c.key], c); len(l) > 0 {
		m.buckets[c.key] = l
	} else {
		delete(m.buckets, c.key)
	}
	if l := removeCluster(m.byLen[c.key.n], c); len(l) > 0 {
		m.byLen[c.key.n] = l
	} else {
		delete(m.byLen, c.key.n)
	}
	delete(m.byID, c.id)
}

// evictLRU removes the least recently used cluster. It scans all clusters:
// eviction only happens when a new template appears at the limit, and a scan
// keeps the read path free of list maintenance under the shared lock.
func (m *Miner) evictLRU() {
	var victim *Cluster
	oldest := ^uint64(0)
	for _, c := range m.byID {
		if u := c.lastUsed.Load(); u < oldest || victim == nil {
			victim, oldest = c, u
		}
	}
	if victim != nil {
		m.remove(victim)
		m.evicted.Add(1)
	}
}

// newID derives the stable ID from the partition and the masked form of the
// first template; on a collision with a live cluster the hash is chained
// with a counter until free, which is deterministic for a given history.
func (m *Miner) newID(c *Cluster) string {
	h := fnvString(fnvOffset, m.partition)
	h = fnvByte(h, 0)
	for i := range c.toks {
		if i > 0 {
			h = fnvByte(h, ' ')
		}
		h = fnvString(h, c.toks[i].masked)
	}
	for k := 0; ; k++ {
		id := fmt.Sprintf("%016x", h)
		if _, taken := m.byID[id]; !taken {
			return id
		}
		h = fnvString(fnvByte(h, 0), strconv.Itoa(k))
	}
}

// generalise widens every position of c where the line differs.
func (m *Miner) generalise(c *Cluster, sc *scratch) {
	line := sc.line
	for i := range c.toks {
		t := &c.toks[i]
		lt := &sc.toks[i]
		raw := line[lt.start:lt.end]
		switch {
		case t.wild:
			if !t.fits(raw) {
				t.shrinkAffixes(raw)
			}
		case t.hash != lt.hash:
			t.prefix, t.suffix = commonAffixes(t.masked, maskedText(sc, i))
			t.prefix, t.suffix = strings.Clone(t.prefix), strings.Clone(t.suffix)
			t.wild = true
		}
	}
	if k := c.treeKey(); k != c.key {
		m.remove(c)
		c.key = k
		m.insert(c)
	}
	c.render(m.cfg.TypedPlaceholders, m.tk.masks)
}

// params returns the values behind the variables of c for the line.
func params(c *Cluster, sc *scratch) []string {
	var out []string
	for i := range c.toks {
		t := &c.toks[i]
		lt := &sc.toks[i]
		if t.wild {
			raw := sc.line[lt.start:lt.end]
			out = append(out, raw[len(t.prefix):len(raw)-len(t.suffix)])
			continue
		}
		if !lt.vars {
			continue
		}
		for _, p := range sc.parts[lt.p0:lt.p1] {
			if p.kind != KindNone {
				out = append(out, sc.line[p.start:p.end])
			}
		}
	}
	return out
}

// Clusters returns a copy of the live clusters' IDs and templates.
func (m *Miner) Clusters() []ClusterInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]ClusterInfo, 0, len(m.byID))
	for _, c := range m.byID {
		out = append(out, ClusterInfo{ID: c.id, Template: c.template, Size: c.size.Load()})
	}
	return out
}

// ClusterInfo is a read-only view of a cluster.
type ClusterInfo struct {
	ID       string
	Template string
	Size     int64
}

// Template returns the current template text of the cluster with the given
// ID, if it is live.
func (m *Miner) Template(id string) (string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.byID[id]
	if !ok {
		return "", false
	}
	return c.template, true
}

var errCorrupt = errors.New("drain: corrupt snapshot")

var defaultSim = 0.7
