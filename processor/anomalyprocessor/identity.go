package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"math"

	"github.com/cespare/xxhash/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Series identity is a 64-bit key: a base hash of everything shared by the
// points of one metric signal (resource, scope, metric name, signal,
// quantile), computed once per metric, combined with a hash of the point's
// attributes. Hashing attributes is the per-point cost that matters, so it
// is done here without sorting or allocating: each key/value pair is hashed
// on its own and the pair hashes are summed, which makes the key independent
// of attribute order (as identity must be) in one pass. Keys are persisted
// in snapshots, so the hash is fixed (xxhash), never seeded per process.

// mix64 is a 64-bit finaliser (from SplitMix64): it spreads every input bit
// over the output so that sums of pair hashes do not cancel structurally.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Value type tags keep equal bits of different types apart (1 vs "1").
const (
	tagStr uint64 = iota + 1
	tagInt
	tagDouble
	tagBool
	tagOther
)

func valueHash(v pcommon.Value) uint64 {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return xxhash.Sum64String(v.Str()) ^ tagStr
	case pcommon.ValueTypeInt:
		return mix64(uint64(v.Int())) ^ tagInt<<56
	case pcommon.ValueTypeDouble:
		return mix64(math.Float64bits(v.Double())) ^ tagDouble<<56
	case pcommon.ValueTypeBool:
		if v.Bool() {
			return tagBool<<56 | 1
		}
		return tagBool << 56
	}
	// Maps, slices, bytes and empty values are rare as metric attributes:
	// their canonical string form is good enough (and allocates).
	return xxhash.Sum64String(v.AsString()) ^ tagOther<<56 ^ uint64(v.Type())
}

// attrsHash is the order-independent hash of a point's attributes.
func attrsHash(m pcommon.Map) uint64 {
	sum := uint64(m.Len())
	for k, v := range m.All() {
		sum += mix64(xxhash.Sum64String(k)*0x9e3779b97f4a7c15 + valueHash(v))
	}
	return sum
}

// baseHash hashes the parts of identity shared by a metric's points.
func baseHash(d *xxhash.Digest, resource [16]byte, scopeName, scopeVersion, metric, signal string, quantile float64) uint64 {
	d.Reset()
	_, _ = d.Write(resource[:])
	for _, s := range []string{scopeName, scopeVersion, metric, signal} {
		_, _ = d.WriteString(s)
		_, _ = d.Write([]byte{0})
	}
	var q [8]byte
	bits := math.Float64bits(quantile)
	for i := range q {
		q[i] = byte(bits >> (8 * i))
	}
	_, _ = d.Write(q[:])
	return d.Sum64()
}

// seriesKey combines the base hash and the attributes' hash (attrsHash).
func seriesKey(base, attrs uint64) uint64 {
	return mix64(base ^ attrs)
}

// pointAttrs is a point's attributes with their hash, taken once for all
// the signals of the point.
type pointAttrs struct {
	m    pcommon.Map
	hash uint64
}

func attrsOf(m pcommon.Map) pointAttrs { return pointAttrs{m: m, hash: attrsHash(m)} }
