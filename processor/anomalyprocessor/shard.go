package anomalyprocessor // import "github.com/otelcol-aiops/otelcol-aiops/processor/anomalyprocessor"

import (
	"context"
	"sync"
)

// Series are split over shards, each a table with its own lock, so that
// concurrent ConsumeMetrics calls (several receivers, several senders)
// score on several cores: a call locks the shard of one point at a time.
// Each shard holds an equal share of max_series with its own LRU eviction,
// so eviction starts when the fullest shard is full: series keys are
// hashes, and with at least minShardSeries per shard the shares fill
// within a few percent of each other. Below that, one shard keeps the
// limit exact. With one shard a call takes its lock once, not per point
// (a lock per point costs a single core about 5%), so on one core
// (GOMAXPROCS=1), where there is nothing to gain, there is one shard.
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
// power of two, at most maxShards, each shard allowed at least
// minShardSeries series; one on one core.
func shardCount(maxSeries, procs int) int {
	n := 1
	for procs > 1 && n < maxShards && maxSeries/(2*n) >= minShardSeries {
		n *= 2
	}
	return n
}

// newShards returns empty shards sharing maxSeries on procs cores.
func newShards(maxSeries, procs int) []shard {
	n := shardCount(maxSeries, procs)
	shards := make([]shard, n)
	for i := range shards {
		shards[i].table = newTable((maxSeries + n - 1) / n)
	}
	return shards
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

// seriesCount is the number of series with state.
func (p *anomalyProcessor) seriesCount() int {
	n := 0
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		n += sh.table.len()
		sh.mu.Unlock()
	}
	return n
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
	if n > 0 {
		p.tel.AnomalySeriesEvicted.Add(ctx, int64(n), p.reasons["stale"])
		p.tel.AnomalySeriesActive.Add(ctx, -int64(n))
	}
}
