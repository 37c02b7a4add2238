package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

import "regexp"

// token is one whitespace-delimited unit of a line together with the result
// of classifying it. Spans are byte offsets into the line being processed.
type token struct {
	start, end int32  // raw text
	p0, p1     int32  // parts[p0:p1] of the scratch
	hash       uint64 // hash of the masked form (literals + typed placeholders)
	vars       bool   // at least one variable part
	upper      bool   // an upper-case word such as a state name (RUNNING, FAIL_TASK)
	word       bool   // letters only, once wrapping punctuation is stripped
}

// userMask is a user-supplied pattern matched against whole token cores.
type userMask struct {
	name string
	re   *regexp.Regexp
}

// tokenizer splits lines and classifies tokens. It is read-only after
// construction and shared by all goroutines.
type tokenizer struct {
	sep          [256]bool
	masks        []userMask
	maxLineBytes int
	maxTokens    int
}

func newTokenizer(extraDelims string, masks []userMask, maxLineBytes, maxTokens int) *tokenizer {
	t := &tokenizer{masks: masks, maxLineBytes: maxLineBytes, maxTokens: maxTokens}
	for _, c := range []byte(" \t\r\n\v\f") {
		t.sep[c] = true
	}
	// The placeholder mark must never appear inside a token.
	t.sep[placeholderMark] = true
	for i := 0; i < len(extraDelims); i++ {
		t.sep[extraDelims[i]] = true
	}
	return t
}

// scratch holds the per-line working state; it is pooled so that matching a
// known template allocates nothing.
type scratch struct {
	line  string
	toks  []token
	parts []part
}

// FNV-1a, inlined: token hashes only need to be stable within a process
// and across snapshot restore (they are recomputed from text on decode).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvByte(h uint64, b byte) uint64 {
	h ^= uint64(b)
	return h * fnvPrime
}

// split tokenises line into sc, truncating it to the configured limits. The
// truncated line is what the miner clusters; callers keep the full record.
func (t *tokenizer) split(sc *scratch, line string) {
	if t.maxLineBytes > 0 && len(line) > t.maxLineBytes {
		line = line[:t.maxLineBytes]
	}
	sc.line = line
	sc.toks = sc.toks[:0]
	sc.parts = sc.parts[:0]
	i := 0
	for i < len(line) {
		for i < len(line) && t.sep[line[i]] {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && !t.sep[line[j]] {
			j++
		}
		if t.maxTokens > 0 && len(sc.toks) == t.maxTokens-1 {
			// The rest of the line becomes one final token so that nothing is
			// lost for rendering or parameters.
			// The placeholder mark never enters a token, even this one.
			j = i
			for j < len(line) && line[j] != placeholderMark {
				j++
			}
			for j > i && t.sep[line[j-1]] {
				j--
			}
			t.classify(sc, i, j)
			sc.line = line[:j]
			return
		}
		t.classify(sc, i, j)
		i = j
	}
}

func (sc *scratch) emit(k Kind, start, end int) {
	if start >= end {
		return
	}
	if k == KindNone && len(sc.parts) > 0 {
		if p := &sc.parts[len(sc.parts)-1]; p.kind == KindNone && int(p.end) == start {
			p.end = int32(end)
			return
		}
	}
	sc.parts = append(sc.parts, part{kind: k, start: int32(start), end: int32(end)})
}

// classify appends the token line[start:end] and its parts to sc.
func (t *tokenizer) classify(sc *scratch, start, end int) {
	line := sc.line
	tok := token{start: int32(start), end: int32(end), p0: int32(len(sc.parts))}
	a, b := start, end
	for a < b && isOpenWrap(line[a]) {
		a++
	}
	for b > a && isCloseWrap(line[b-1]) {
		b--
	}
	core := line[a:b]
	k := KindNone
	for i := range t.masks {
		if t.masks[i].re.MatchString(core) {
			k = KindUser + Kind(i)
			break
		}
	}
	if k == KindNone && len(core) > 0 && core[0] != '/' {
		k = wholeKind(core)
	}
	switch {
	case k != KindNone:
		sc.emit(KindNone, start, a)
		sc.emit(k, a, b)
		sc.emit(KindNone, b, end)
	case t.ipPort(sc, start, a, b, end):
	case len(core) > 0 && core[0] == '/' && isPath(core):
		sc.emit(KindNone, start, a)
		sc.emit(KindPath, a, b)
		sc.emit(KindNone, b, end)
	default:
		sc.emit(KindNone, start, a)
		t.segments(sc, a, b)
		sc.emit(KindNone, b, end)
	}
	tok.p1 = int32(len(sc.parts))
	h := uint64(fnvOffset)
	letters, upper := 0, true
	for _, p := range sc.parts[tok.p0:tok.p1] {
		if p.kind != KindNone {
			tok.vars = true
			h = fnvByte(fnvByte(h, placeholderMark), byte(p.kind))
			continue
		}
		h = fnvString(h, line[p.start:p.end])
	}
	if !tok.vars {
		tok.word = b > a
		for i := a; i < b; i++ {
			if !isLetter(line[i]) {
				tok.word = false
			}
		}
		for i := a; i < b; i++ {
			c := line[i]
			if c >= 'A' && c <= 'Z' {
				letters++
			} else if c != '_' {
				upper = false
				break
			}
		}
		tok.upper = upper && letters >= 2
	}
	tok.hash = h
	sc.toks = append(sc.toks, tok)
}

// ipPort recognises a network endpoint and emits it as one variable: an
// IPv4 address with an optional port, optionally after a host name and a
// slash as Java prints socket addresses ("/10.0.0.1:2181",
// "host-1/10.0.0.1:8030"). One endpoint is one parameter.
func (t *tokenizer) ipPort(sc *scratch, start, a, b, end int) bool {
	core := sc.line[a:b]
	lead := 0
	if s := lastByte(core, '/'); s >= 0 {
		for i := 0; i < s; i++ {
			if c := core[i]; !isLetter(c) && !isDigit(c) && c != '-' && c != '.' {
				return false
			}
		}
		lead = s + 1
	}
	addr := core[lead:]
	if c := lastByte(addr, ':'); c > 0 {
		if c+1 == len(addr) || digitsAt(addr, c+1) != len(addr) {
			return false
		}
		addr = addr[:c]
	}
	if !isIPv4(addr) {
		return false
	}
	sc.emit(KindNone, start, a)
	sc.emit(KindIP, a, b)
	sc.emit(KindNone, b, end)
	return true
}

// segments classifies the inside of a token that is not one variable as a
// whole: identifier runs are classified one by one, and the value of
// key=value is classified as a whole first.
func (t *tokenizer) segments(sc *scratch, a, b int) {
	line := sc.line
	i := a
	for i < b {
		c := line[i]
		if c == '=' && i > a && isWordByte(line[i-1]) {
			j := i + 1
			for j < b && !isValueStop(line[j]) {
				j++
			}
			if v := line[i+1 : j]; len(v) > 0 {
				k := wholeKind(v)
				if k == KindNone && structured(v) {
					k = KindValue
				}
				if k != KindNone {
					sc.emit(KindNone, i, i+1)
					sc.emit(k, i+1, j)
					i = j
					continue
				}
			}
			sc.emit(KindNone, i, i+1)
			i++
			continue
		}
		sign := c == '-' && i+1 < b && isDigit(line[i+1]) && (i == a || !isWordByte(line[i-1]))
		if !isWordByte(c) && !sign {
			sc.emit(KindNone, i, i+1)
			i++
			continue
		}
		j := t.wordEnd(line, i+1, b)
		hasDigit := false
		for k := i; k < j; k++ {
			if isDigit(line[k]) {
				hasDigit = true
				break
			}
		}
		// Dotted numbers (versions, addresses, floats) stay one segment.
		for hasDigit && j+1 < b && line[j] == '.' && isDigit(line[j+1]) {
			j = t.wordEnd(line, j+1, b)
		}
		sc.emit(wordKind(line[i:j]), i, j)
		i = j
	}
}

// wordEnd scans identifier bytes from i; a '-' between '_' and a digit is a
// sign inside the identifier (blk_-1608999687919862906).
func (t *tokenizer) wordEnd(line string, i, b int) int {
	for i < b {
		c := line[i]
		if isWordByte(c) || (c == '-' && line[i-1] == '_' && i+1 < b && isDigit(line[i+1])) {
			i++
			continue
		}
		break
	}
	return i
}
