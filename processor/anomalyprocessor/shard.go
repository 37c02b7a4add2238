package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"context"
	"sync"
)

// Series are split over shards, each a table with its own lock, so that
// concurrent ConsumeMetrics calls (several receivers, several senders)
// score on several cores: a call locks the shard of one point at a time.
// max_series bounds the total (admit): once it is reached, a new series
// evicts the least recently updated series of its own shard, so eviction
// is LRU within each shard, exactly LRU with one shard. (Per-shard shares
// of the limit instead would thrash: the fullest of 16 shards overflows
// when the series are 97% of the limit, and a shard over its share that
// sees its series in turn evicts each one just before its next point.)
// Small limits keep one shard, so that their LRU stays exact. With one
// shard a call takes its lock once, not per point (a lock per point costs
// a single caller about 4%), so on one core (GOMAXPROCS=1), where there is
// nothing to gain, there is one shard.
const (
	maxShards      = 16
	minShardSeries = 4096
)

type shard struct {
	mu    sync.Mutex
	table *table
	_     [64 - 16]byte // its own cache line: cores locking other shards do not contend for it
}

// shardCount is the number of shards for a series limit on procs cores: a
// power of two, at most maxShards, with the limit at least minShardSeries
// per shard; one on one core.
func shardCount(maxSeries, procs int) int {
	n := 1
	for procs > 1 && n < maxShards && maxSeries/(2*n) >= minShardSeries {
		n *= 2
	}
	return n
}

// newShards returns empty shards for maxSeries series on procs cores.
func newShards(maxSeries, procs int) []shard {
	shards := make([]shard, shardCount(maxSeries, procs))
	for i := range shards {
		shards[i].table = newTable()
	}
	return shards
}

// admit adds a new series s to shard sh, which must be locked, as its most
// recently used; past max_series it first makes room by evicting the least
// recently updated series of sh, and reports whether it did. A shard with
// no series to evict admits anyway: the total exceeds the limit by at most
// one series per shard.
func (p *anomalyProcessor) admit(sh *shard, s *series, now int64) (evicted bool) {
	if p.live.Add(1) > int64(p.cfg.MaxSeries) && sh.table.evict() {
		p.live.Add(-1)
		evicted = true
	}
	sh.table.add(s, now)
	return evicted
}

// sharded reports whether points lock their shard (else a call locks the
// only one).
func (p *anomalyProcessor) sharded() bool { return len(p.shards) > 1 }

// shardOf returns the shard holding the series of key (a hash).
func (p *anomalyProcessor) shardOf(key uint64) *shard {
	return &p.shards[key&uint64(len(p.shards)-1)]
}

// lockAll locks every shard, in order, for the snapshot restore.
func (p *anomalyProcessor) lockAll() {
	for i := range p.shards {
		p.shards[i].mu.Lock()
	}
}

func (p *anomalyProcessor) unlockAll() {
	for i := range p.shards {
		p.shards[i].mu.Unlock()
	}
}

// expire drops, shard by shard, the series not updated since cutoff.
func (p *anomalyProcessor) expire(ctx context.Context, cutoff int64) {
	n := 0
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		n += sh.table.expire(cutoff)
		sh.mu.Unlock()
	}
	p.live.Add(-int64(n))
	if n > 0 {
		p.tel.AnomalySeriesEvicted.Add(ctx, int64(n), p.reasons["stale"])
		p.tel.AnomalySeriesActive.Add(ctx, -int64(n))
	}
}
