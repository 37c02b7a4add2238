package anomalyprocessor

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// mix64 is SplitMix64's finaliser: its first output for seed 0 is the
// finaliser of the golden-ratio increment, 0xe220a8397b1dcdaf.
func TestMix64KnownValue(t *testing.T) {
	assert.Equal(t, uint64(0xe220a8397b1dcdaf), mix64(0x9e3779b97f4a7c15))
	assert.Equal(t, uint64(0), mix64(0))
}

type attr struct {
	k string
	v any
}

func buildMap(as []attr) pcommon.Map {
	m := pcommon.NewMap()
	for _, a := range as {
		switch v := a.v.(type) {
		case string:
			m.PutStr(a.k, v)
		case int64:
			m.PutInt(a.k, v)
		case float64:
			m.PutDouble(a.k, v)
		case bool:
			m.PutBool(a.k, v)
		}
	}
	return m
}

// Property (seeded): the key ignores attribute order, and changing any one
// value, its type, or dropping a pair changes it.
func TestAttrsHashProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for round := 0; round < 500; round++ {
		n := 1 + rng.IntN(6)
		as := make([]attr, n)
		for i := range as {
			k := fmt.Sprintf("k%d", i)
			switch rng.IntN(4) {
			case 0:
				as[i] = attr{k, fmt.Sprintf("v%d", rng.IntN(1000))}
			case 1:
				as[i] = attr{k, int64(rng.IntN(1000))}
			case 2:
				as[i] = attr{k, rng.Float64()}
			default:
				as[i] = attr{k, rng.IntN(2) == 0}
			}
		}
		h := attrsHash(buildMap(as))
		shuffled := append([]attr(nil), as...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		assert.Equal(t, h, attrsHash(buildMap(shuffled)), "round %d", round)

		i := rng.IntN(n)
		changed := append([]attr(nil), as...)
		switch v := as[i].v.(type) {
		case string:
			changed[i].v = v + "x"
		case int64:
			changed[i].v = fmt.Sprint(v) // same text, other type
		case float64:
			changed[i].v = v + 1
		case bool:
			changed[i].v = !v
		}
		assert.NotEqual(t, h, attrsHash(buildMap(changed)), "round %d change %v", round, as[i])
		assert.NotEqual(t, h, attrsHash(buildMap(as[:n-1])), "round %d drop", round)
	}
}

// Identity: resource, scope, metric, signal and quantile all separate keys.
func TestBaseHashSeparates(t *testing.T) {
	var d xxhash.Digest
	attrs := pcommon.NewMap()
	ref := seriesKey(baseHash(&d, [16]byte{1}, "s", "1", "m", signalValue, 0), attrsHash(attrs))
	for i, k := range []uint64{
		seriesKey(baseHash(&d, [16]byte{2}, "s", "1", "m", signalValue, 0), attrsHash(attrs)),
		seriesKey(baseHash(&d, [16]byte{1}, "t", "1", "m", signalValue, 0), attrsHash(attrs)),
		seriesKey(baseHash(&d, [16]byte{1}, "s", "2", "m", signalValue, 0), attrsHash(attrs)),
		seriesKey(baseHash(&d, [16]byte{1}, "s", "1", "n", signalValue, 0), attrsHash(attrs)),
		seriesKey(baseHash(&d, [16]byte{1}, "s", "1", "m", signalRate, 0), attrsHash(attrs)),
		seriesKey(baseHash(&d, [16]byte{1}, "s", "1", "m", signalValue, 0.5), attrsHash(attrs)),
		seriesKey(baseHash(&d, [16]byte{1}, "s1", "", "m", signalValue, 0), attrsHash(attrs)), // no concatenation clash
	} {
		assert.NotEqual(t, ref, k, "variant %d", i)
	}
	assert.Equal(t, ref, seriesKey(baseHash(&d, [16]byte{1}, "s", "1", "m", signalValue, 0), attrsHash(attrs)))
}
