package detector // import "github.com/otelcol-aiops/otelcol-aiops/internal/detector"

import "math"

// Prefetch reads one value from each cache line of the state that a point
// at ts will use in arrays outside the Series itself: its bucket of the
// daily profile and of the weekly correction, every line of the three
// rank histories and the coarse view's block (with its histories at a
// block's last point). It is for callers that cycle through more series than
// the CPU's caches hold (the processor): there each series' state has left
// the caches by its next point, and each stage reading its own lines when
// it runs waits for memory once per stage; read at once, the lines are
// fetched in parallel (BenchmarkConsume's steady state: about 15% more
// points per second). Against state already in cache it costs a dozen
// loads, about 5 ns, so UpdateStep does not call it. The loads are
// combined by OR into a field of the series (a package variable would be
// raced on by concurrent series) so that the compiler keeps them.
func (s *Series) Prefetch(ts int64) {
	var acc uint32
	if i := s.base.bucket(ts); i >= 0 {
		acc |= math.Float32bits(s.base.profile[i])
	}
	if w := s.base.week; w != nil {
		acc |= math.Float32bits(w.corr[w.bucket(ts)])
	}
	for _, c := range [...][]float32{s.cal.point.counts, s.cal.avg.counts, s.cal.driftRanks.counts} {
		for i := 0; i < len(c); i += cacheLineFloats {
			acc |= math.Float32bits(c[i])
		}
	}
	// The coarse view's block, and its histories when the point completes
	// the block.
	c := s.coarse
	acc |= uint32(c.n)
	if c.n == coarseBlock-1 {
		for i := 0; i < len(c.store); i += cacheLineFloats {
			acc |= math.Float32bits(c.store[i])
		}
	}
	s.prefetched = acc
}

// cacheLineFloats is the number of float32 in a 64-byte cache line.
const cacheLineFloats = 16
