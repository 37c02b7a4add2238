package drain // import "github.com/otelcol-aiops/otelcol-aiops/internal/drain"

// Kind is the type of a masked variable. Masked values are replaced by a
// typed placeholder rather than by the wildcard itself, so the masked form of
// a line is a fixed point: the line always matches the cluster it created.
type Kind uint8

// Built-in kinds. User mask patterns get kinds from KindUser upwards, in the
// order they are configured.
const (
	KindNone     Kind = iota
	KindNum           // integer or float, optional sign and exponent
	KindHex           // 0x-prefixed, or long/mixed hexadecimal
	KindIP            // IPv4 endpoint: address, optional :port, optional host/ before it
	KindIPv6          // IPv6 address or colon-separated hex bytes (MAC)
	KindUUID          // 8-4-4-4-12 hex
	KindTime          // hh:mm[:ss[.frac]]
	KindDate          // yyyy-mm-dd, yyyy/m/d, dd/mm/yy and ISO-8601 date-times
	KindDuration      // number with a time unit: 12ms, 1.5s, 3m20s
	KindSize          // number with a size unit: 12KB, 1.5GiB
	KindPath          // absolute or home-relative file path, Windows path
	KindURL           // scheme://...
	KindEmail         // local@domain.tld
	KindHost          // host name ending in a well-known top-level domain, optional :port
	KindBool          // true/false (any case)
	KindNull          // null/nil (any case)
	KindID            // identifier carrying a run of 3+ digits (blk_123, attempt_1_0001)
	KindValue         // structured value of key=value (dotted or slashed)
	KindWild          // generalised by the miner: any text
	KindUser          // first user-defined mask
)

var kindNames = [...]string{
	KindNone: "", KindNum: "NUM", KindHex: "HEX", KindIP: "IP", KindIPv6: "IPV6",
	KindUUID: "UUID", KindTime: "TIME", KindDate: "DATE", KindDuration: "DURATION",
	KindSize: "SIZE", KindPath: "PATH", KindURL: "URL", KindEmail: "EMAIL",
	KindHost: "HOST", KindBool: "BOOL", KindNull: "NULL", KindID: "ID",
	KindValue: "VALUE", KindWild: "*",
}

// String returns the placeholder name of the kind (NUM, IP, ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "USER"
}

// placeholderMark starts a placeholder in the internal masked form of a token:
// the mark byte is followed by kindByte(kind). Control byte 0x01 does not occur
// in text logs; if it does, the tokeniser treats it as whitespace.
const placeholderMark = 0x01

// kindByte encodes a kind after placeholderMark. The high bit keeps it apart
// from the mark and from punctuation, so that affix scans never split a
// placeholder.
func kindByte(k Kind) byte { return byte(k) | 0x80 }

// maxKind is the largest kind kindByte can encode.
const maxKind = 127
