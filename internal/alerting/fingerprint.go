package alerting // import "github.com/otelcol-aiops/otelcol-aiops/internal/alerting"

import "strconv"

// Fingerprint identifies an alert by its label set. It is bit-for-bit the
// value of prometheus/common model.LabelSet.Fingerprint(), which is what
// Alertmanager uses as alert identity and prints in webhook payloads.
type Fingerprint uint64

// String renders the fingerprint as Alertmanager does: 16 lowercase hex digits.
func (f Fingerprint) String() string {
	s := strconv.FormatUint(uint64(f), 16)
	if len(s) < 16 {
		s = "0000000000000000"[len(s):] + s
	}
	return s
}

// FNV-1a 64 parameters and the separator byte Prometheus writes after every
// name and every value (0xff cannot occur in valid UTF-8, so "ab"+"c" and
// "a"+"bc" hash differently).
const (
	fnvOffset64   = 14695981039346656037
	fnvPrime64    = 1099511628211
	separatorByte = 255
)

func fingerprint(ls Labels) Fingerprint {
	h := uint64(fnvOffset64)
	for _, l := range ls {
		for i := 0; i < len(l.Name); i++ {
			h ^= uint64(l.Name[i])
			h *= fnvPrime64
		}
		h ^= separatorByte
		h *= fnvPrime64
		for i := 0; i < len(l.Value); i++ {
			h ^= uint64(l.Value[i])
			h *= fnvPrime64
		}
		h ^= separatorByte
		h *= fnvPrime64
	}
	return Fingerprint(h)
}
