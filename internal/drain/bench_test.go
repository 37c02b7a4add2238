package drain

import "testing"

// BenchmarkMiner runs all the shared Loghub-2k Content, repeated to at least
// 1M lines, through one miner per dataset with the default configuration.
// lines/s is reported as a metric; the data is read at run time.
func BenchmarkMiner(b *testing.B) {
	sets := loadLoghub(b)
	var lines []string
	var part []int
	for len(lines) < 1_000_000 {
		for i, d := range sets {
			lines = append(lines, d.Content...)
			for range d.Content {
				part = append(part, i)
			}
		}
	}
	miners := make([]*Miner, len(sets))
	for i := range miners {
		miners[i] = mustNew(b, "", DefaultConfig())
	}
	// Warm up: learn the templates once so the timed loop measures steady state.
	for i, l := range lines[:len(lines)/50] {
		miners[part[i]].Process(l, false)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		j := n % len(lines)
		miners[part[j]].Process(lines[j], false)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
