package loghub // import "github.com/otelcol-aiops/otelcol-aiops/internal/loghub"

import (
	"fmt"
	"regexp"
	"strings"
)

// HeaderRegexp turns a Loghub log_format such as
// "<Date> <Time> <Level> \[<Process>\] <Component>: <Content>" into an
// anchored regexp: every <Field> becomes a lazy named group, runs of spaces
// in the literal text match \s+, and the remaining literal text is taken as
// written (the formats escape brackets themselves, as the Loghub benchmark
// expects). It is applied to the stripped line.
func HeaderRegexp(format string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	rest := format
	fields := 0
	for len(rest) > 0 {
		open := strings.IndexByte(rest, '<')
		closeAt := -1
		if open >= 0 {
			closeAt = strings.IndexByte(rest[open:], '>')
		}
		if open < 0 || closeAt < 0 {
			writeLiteral(&b, rest)
			break
		}
		closeAt += open
		writeLiteral(&b, rest[:open])
		name := rest[open+1 : closeAt]
		if !validFieldName(name) {
			return nil, fmt.Errorf("log_format %q: invalid field name %q", format, name)
		}
		fmt.Fprintf(&b, "(?P<%s>.*?)", name)
		fields++
		rest = rest[closeAt+1:]
	}
	b.WriteString("$")
	if fields == 0 {
		return nil, fmt.Errorf("log_format %q: no <Field>", format)
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("log_format %q: %w", format, err)
	}
	if re.SubexpIndex("Content") < 0 {
		return nil, fmt.Errorf("log_format %q: no <Content> field", format)
	}
	return re, nil
}

func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// writeLiteral copies literal format text, turning each run of spaces into
// \s+. Other characters are regexp text already (the formats escape their
// own brackets, for example "\[<Process>\]").
func writeLiteral(b *strings.Builder, lit string) {
	inSpace := false
	for _, c := range lit {
		if c == ' ' {
			if !inSpace {
				b.WriteString(`\s+`)
			}
			inSpace = true
			continue
		}
		inSpace = false
		b.WriteRune(c)
	}
}

// SplitContent returns the <Content> part of a raw line, or false when the
// header does not match.
func SplitContent(re *regexp.Regexp, line string) (string, bool) {
	m := re.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", false
	}
	return m[re.SubexpIndex("Content")], true
}
