package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import (
	"sort"
	"strconv"
	"strings"
)

// Label is one name/value pair of an alert's identity.
type Label struct {
	Name, Value string
}

// Labels is a label set sorted by name with unique names and no empty values,
// the canonical form Alertmanager fingerprints (it drops empty-valued labels
// before hashing, so we must too or our IDs would differ).
type Labels []Label

// NewLabels builds the canonical label set from a map.
func NewLabels(m map[string]string) Labels {
	ls := make(Labels, 0, len(m))
	for n, v := range m {
		if n == "" || v == "" {
			continue
		}
		ls = append(ls, Label{Name: n, Value: v})
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	return ls
}

// Get returns the value of name, or "" if absent.
func (ls Labels) Get(name string) string {
	i := sort.Search(len(ls), func(i int) bool { return ls[i].Name >= name })
	if i < len(ls) && ls[i].Name == name {
		return ls[i].Value
	}
	return ""
}

// Has reports whether name is present.
func (ls Labels) Has(name string) bool {
	i := sort.Search(len(ls), func(i int) bool { return ls[i].Name >= name })
	return i < len(ls) && ls[i].Name == name
}

// Map returns the labels as a fresh map (for templates and JSON payloads).
func (ls Labels) Map() map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Name] = l.Value
	}
	return m
}

// String renders the set the way Alertmanager writes group keys:
// {a="1", b="2"}.
func (ls Labels) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range ls {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.Name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(l.Value))
	}
	b.WriteByte('}')
	return b.String()
}

// Fingerprint returns the Prometheus fingerprint of the set.
func (ls Labels) Fingerprint() Fingerprint { return fingerprint(ls) }

// Equal reports whether two canonical sets are identical.
func (ls Labels) Equal(o Labels) bool {
	if len(ls) != len(o) {
		return false
	}
	for i := range ls {
		if ls[i] != o[i] {
			return false
		}
	}
	return true
}

// SanitizeName maps a name to the classic Prometheus form
// [a-zA-Z_][a-zA-Z0-9_]*: every other byte becomes '_' and a leading digit
// gets a '_' prefix. Alertmanager 0.25/0.26 reject label and annotation
// names such as "service.name" with 400 "invalid label set".
func SanitizeName(name string) string {
	if name == "" {
		return ""
	}
	valid := true
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i], i == 0) {
			valid = false
			break
		}
	}
	if valid {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 1)
	if name[0] >= '0' && name[0] <= '9' {
		b.WriteByte('_')
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isNameByte(c, false) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}
