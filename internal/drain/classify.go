package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

// The classifier decides, in one pass over a token and without regular
// expressions, which parts of it are variable. A chain of regexes is the
// throughput bottleneck of Drain deployments (see doc.go); every check here
// is a hand-written scanner that stops at the first byte that cannot match.

// part is a span of a token: a literal (kind == KindNone) or a variable.
// Offsets are into the (possibly truncated) line.
type part struct {
	kind       Kind
	start, end int32
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// isWordByte reports bytes that belong to identifiers. Bytes >= 0x80 are
// parts of UTF-8 letters, so they join words too.
func isWordByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c >= 0x80 }

// Wrapping punctuation is stripped before whole-token checks so that
// "[10.0.0.1]" or "(0x1f)," are still recognised as an address or a number.
func isOpenWrap(c byte) bool {
	return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' || c == '\''
}

func isCloseWrap(c byte) bool {
	switch c {
	case ')', ']', '}', '>', '"', '\'', ',', ';', '.', ':', '!', '?':
		return true
	}
	return false
}

// digitsAt returns the end of the run of decimal digits starting at i.
func digitsAt(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// numberEnd returns the end of a decimal number (optional sign, fraction and
// exponent) starting at i, or i when there is none.
func numberEnd(s string, i int) int {
	j := i
	if j < len(s) && (s[j] == '-' || s[j] == '+') {
		j++
	}
	k := digitsAt(s, j)
	if k == j {
		return i
	}
	if k+1 < len(s) && s[k] == '.' && isDigit(s[k+1]) {
		k = digitsAt(s, k+1)
	}
	if k+1 < len(s) && (s[k] == 'e' || s[k] == 'E') {
		m := k + 1
		if s[m] == '-' || s[m] == '+' {
			m++
		}
		if e := digitsAt(s, m); e > m {
			k = e
		}
	}
	return k
}

func isNumber(s string) bool { return len(s) > 0 && numberEnd(s, 0) == len(s) }

// isIPv4 reports a dotted quad of octets <= 255.
func isIPv4(s string) bool {
	i := 0
	for octet := 0; octet < 4; octet++ {
		if octet > 0 {
			if i >= len(s) || s[i] != '.' {
				return false
			}
			i++
		}
		j := digitsAt(s, i)
		if j == i || j-i > 3 {
			return false
		}
		v := 0
		for _, c := range []byte(s[i:j]) {
			v = v*10 + int(c-'0')
		}
		if v > 255 {
			return false
		}
		i = j
	}
	return i == len(s)
}

// isIPv6 accepts colon-separated groups of 1-4 hex digits: either with "::"
// or with at least six groups (which also covers MAC addresses), optionally
// ending in an embedded IPv4 address.
func isIPv6(s string) bool {
	if len(s) < 2 {
		return false
	}
	groups, double, i := 0, false, 0
	for i < len(s) {
		if s[i] == ':' {
			if i+1 < len(s) && s[i+1] == ':' {
				if double {
					return false
				}
				double = true
				i += 2
				continue
			}
			if i == 0 {
				return false
			}
			i++
			continue
		}
		j := i
		for j < len(s) && isHexDigit(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' && isIPv4(s[i:]) {
			groups += 2
			break
		}
		if j == i || j-i > 4 || (j < len(s) && s[j] != ':') {
			return false
		}
		groups++
		i = j
	}
	return (double && groups <= 7) || (!double && groups >= 6 && groups <= 8)
}

// isTime accepts h:mm, hh:mm:ss with an optional fraction (. or ,) and zone Z.
func isTime(s string) bool {
	j := digitsAt(s, 0)
	if j == 0 || j > 2 || j >= len(s) || s[j] != ':' {
		return false
	}
	k := digitsAt(s, j+1)
	if k-j-1 != 2 {
		return false
	}
	if k < len(s) && s[k] == ':' {
		m := digitsAt(s, k+1)
		if m-k-1 != 2 {
			return false
		}
		k = m
	}
	if k+1 < len(s) && (s[k] == '.' || s[k] == ',') && isDigit(s[k+1]) {
		k = digitsAt(s, k+1)
	}
	if k < len(s) && s[k] == 'Z' {
		k++
	}
	return k == len(s)
}

// isDate accepts yyyy-mm-dd (also / and .), dd/mm/yy[yy] and the same dates
// followed by a time in any of the usual separators (ISO-8601, log4j, BGL's
// 2005-06-03-15.42.50.675872).
func isDate(s string) bool {
	j := digitsAt(s, 0)
	var end int
	switch {
	case j == 4 && j < len(s) && (s[j] == '-' || s[j] == '/' || s[j] == '.'):
		sep := s[j]
		k := digitsAt(s, j+1)
		if k-j-1 < 1 || k-j-1 > 2 || k >= len(s) || s[k] != sep {
			return false
		}
		m := digitsAt(s, k+1)
		if m-k-1 < 1 || m-k-1 > 2 {
			return false
		}
		end = m
	case (j == 1 || j == 2) && j < len(s) && s[j] == '/':
		k := digitsAt(s, j+1)
		if k-j-1 < 1 || k-j-1 > 2 || k >= len(s) || s[k] != '/' {
			return false
		}
		m := digitsAt(s, k+1)
		if m-k-1 != 2 && m-k-1 != 4 {
			return false
		}
		end = m
	default:
		return false
	}
	if end == len(s) {
		return true
	}
	// A time part: separator then only digits and time punctuation.
	if c := s[end]; c != 'T' && c != '-' && c != '_' && c != ':' {
		return false
	}
	if end+1 >= len(s) || !isDigit(s[end+1]) {
		return false
	}
	for i := end + 1; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && c != ':' && c != '.' && c != ',' && c != 'Z' && c != '+' && c != '-' {
			return false
		}
	}
	return true
}

// isUUID accepts the canonical 8-4-4-4-12 form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return false
			}
		} else if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}

// isHex accepts 0x-prefixed hex, and bare hex that is either long (8+) or
// mixes digits and letters (4+): pure digits are numbers, and short
// letter-only strings such as "add" or "beef" are words.
func isHex(s string) bool {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for i := 2; i < len(s); i++ {
			if !isHexDigit(s[i]) {
				return false
			}
		}
		return true
	}
	if len(s) < 4 {
		return false
	}
	digits, letters := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case isHexDigit(c):
			letters++
		default:
			return false
		}
	}
	return len(s) >= 8 || (digits > 0 && letters > 0)
}

func isURL(s string) bool {
	i := 0
	for i < len(s) && (isLetter(s[i]) || (i > 0 && (isDigit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))) {
		i++
	}
	return i > 0 && i+3 < len(s) && s[i] == ':' && s[i+1] == '/' && s[i+2] == '/'
}

func isEmail(s string) bool {
	at := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '@':
			if at >= 0 {
				return false
			}
			at = i
		case isWordByte(c) || c == '.' || c == '-' || c == '+':
		default:
			return false
		}
	}
	return at > 0 && isHostName(s[at+1:], false)
}

// isPath accepts absolute Unix paths, ./ ../ ~/ relative ones, Windows drive
// paths and UNC paths.
func isPath(s string) bool {
	switch {
	case len(s) >= 2 && s[0] == '/':
		return s[1] != '/' || len(s) > 2
	case len(s) >= 3 && s[0] == '~' && s[1] == '/':
		return true
	case len(s) >= 3 && s[0] == '.' && s[1] == '/':
		return true
	case len(s) >= 4 && s[0] == '.' && s[1] == '.' && s[2] == '/':
		return true
	case len(s) >= 3 && isLetter(s[0]) && s[1] == ':' && s[2] == '\\':
		return true
	case len(s) >= 3 && s[0] == '\\' && s[1] == '\\':
		return true
	}
	return false
}

// topLevelDomains that make a dotted name a host name rather than, say, a
// Java class name (org.apache.Foo) or a file name (wcp.dll).
var topLevelDomains = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "mil": true,
	"int": true, "io": true, "local": true, "localdomain": true, "internal": true,
	"lan": true, "corp": true, "home": true, "arpa": true, "info": true, "biz": true,
	"cn": true, "hk": true, "uk": true, "de": true, "jp": true, "ru": true, "fr": true,
	"us": true, "eu": true, "in": true, "br": true, "au": true, "ca": true, "kr": true,
	"tw": true, "nl": true, "it": true, "es": true, "ch": true, "se": true, "cloud": true,
}

// isHostName accepts dot-separated labels whose last label is a known
// top-level domain, optionally followed by :port when port is true.
func isHostName(s string, port bool) bool {
	if port {
		if c := lastByte(s, ':'); c > 0 {
			if digitsAt(s, c+1) != len(s) || c+1 == len(s) {
				return false
			}
			s = s[:c]
		}
	}
	dots, lastDot := 0, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if i == 0 || i == lastDot+1 {
				return false
			}
			dots++
			lastDot = i
		case isLetter(c) || isDigit(c) || c == '-':
		default:
			return false
		}
	}
	if dots == 0 || lastDot == len(s)-1 {
		return false
	}
	tld := s[lastDot+1:]
	var buf [16]byte
	if len(tld) > len(buf) {
		return false
	}
	for i := 0; i < len(tld); i++ {
		buf[i] = tld[i] | 0x20
	}
	return topLevelDomains[string(buf[:len(tld)])]
}

func lastByte(s string, b byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

func boolOrNull(s string) Kind {
	switch len(s) {
	case 3:
		if equalFoldASCII(s, "nil") {
			return KindNull
		}
	case 4:
		if equalFoldASCII(s, "true") {
			return KindBool
		}
		if equalFoldASCII(s, "null") {
			return KindNull
		}
	case 5:
		if equalFoldASCII(s, "false") {
			return KindBool
		}
	}
	return KindNone
}

// unitKind recognises a number followed by a unit: a Go-style duration
// (1h2m3.5s, 250ms, 10us) or a size (12KB, 1.5GiB, 512M).
func unitKind(s string) Kind {
	i := 0
	units := 0
	for i < len(s) {
		j := numberEnd(s, i)
		if j == i || s[i] == '-' || s[i] == '+' {
			return KindNone
		}
		k := j
		for k < len(s) && (isLetter(s[k]) || s[k] == 0xc2 || s[k] == 0xb5) {
			k++
		}
		if k == j {
			return KindNone
		}
		u := s[j:k]
		switch {
		case isDurationUnit(u):
			units++
		case units == 0 && k == len(s) && isSizeUnit(u):
			return KindSize
		default:
			return KindNone
		}
		i = k
	}
	if units > 0 {
		return KindDuration
	}
	return KindNone
}

func isDurationUnit(u string) bool {
	switch u {
	case "ns", "us", "\xc2\xb5s", "ms", "s", "m", "h", "d", "sec", "secs", "min", "mins":
		return true
	}
	return false
}

func isSizeUnit(u string) bool {
	switch u {
	case "B", "b", "K", "k", "KB", "kB", "kb", "KiB", "M", "MB", "mb", "MiB", "G", "GB", "gb", "GiB", "T", "TB", "TiB", "PB", "PiB":
		return true
	}
	return false
}

// wholeKind classifies a complete token core; KindNone when it is not one
// variable as a whole. The order puts the cheapest and most frequent checks
// first and resolves ambiguities (a time looks like an IPv6 address).
func wholeKind(s string) Kind {
	if len(s) == 0 {
		return KindNone
	}
	c := s[0]
	if isDigit(c) || c == '-' || c == '+' {
		switch {
		case isNumber(s):
			return KindNum
		case isTime(s):
			return KindTime
		case isDate(s):
			return KindDate
		case isUUID(s):
			return KindUUID
		case isHex(s):
			return KindHex
		case isIPv6(s):
			return KindIPv6
		}
		if k := unitKind(s); k != KindNone {
			return k
		}
		if isHostName(s, true) {
			return KindHost
		}
		return KindNone
	}
	switch {
	case c == '/' || c == '~' || c == '.' || c == '\\':
		if isPath(s) {
			return KindPath
		}
		return KindNone
	case isHexDigit(c) || c == ':':
		if isUUID(s) {
			return KindUUID
		}
		if isHex(s) {
			return KindHex
		}
		if isIPv6(s) {
			return KindIPv6
		}
	}
	if k := boolOrNull(s); k != KindNone {
		return k
	}
	if isURL(s) {
		return KindURL
	}
	if isPath(s) {
		return KindPath
	}
	if isEmail(s) {
		return KindEmail
	}
	if isHostName(s, true) {
		return KindHost
	}
	return KindNone
}

// wordKind classifies one identifier-like segment inside a token that is not
// a variable as a whole.
func wordKind(w string) Kind {
	digits, run, maxRun := 0, 0, 0
	for i := 0; i < len(w); i++ {
		if isDigit(w[i]) {
			digits++
			run++
			if run > maxRun {
				maxRun = run
			}
		} else {
			run = 0
		}
	}
	if digits == 0 {
		return boolOrNull(w)
	}
	switch {
	case isNumber(w), isDottedNumber(w):
		return KindNum
	case isIPv4(w):
		return KindIP
	case isHex(w):
		return KindHex
	}
	if k := unitKind(w); k != KindNone {
		return k
	}
	// Identifiers with a long digit run (blk_123, attempt_1445_0001) are
	// generated; short ones (ssh2, jk2_init, x86_64) are names.
	if maxRun >= 3 || digits == len(w)-1 && w[0] == '-' {
		return KindID
	}
	return KindNone
}

// kvStop ends the value of key=value inside a token.
func isValueStop(c byte) bool {
	switch c {
	case ',', ';', '&', ')', ']', '}', '"', '\'', '|':
		return true
	}
	return false
}

// structured reports a value that is a dotted or slashed name (a package, a
// class, a relative path): such values are parameters of key=value.
func structured(v string) bool {
	for i := 1; i+1 < len(v); i++ {
		if (v[i] == '.' || v[i] == '/') && isWordByte(v[i-1]) && (isWordByte(v[i+1]) || v[i+1] == '.') {
			return true
		}
	}
	return false
}

// isDottedNumber accepts version-like runs of digits and dots (6.1.26).
func isDottedNumber(w string) bool {
	if len(w) == 0 || !isDigit(w[0]) || !isDigit(w[len(w)-1]) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) && w[i] != '.' {
			return false
		}
	}
	return true
}
