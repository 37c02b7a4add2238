package detector

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const minute = int64(time.Minute)

// Hand-worked: score = 1 - p^(1/10).
func TestScoreOfHandWorked(t *testing.T) {
	assert.InDelta(t, 1-math.Pow(1e-3, 0.1), scoreOf(math.Log(1e-3), 1), 1e-9)
	assert.InDelta(t, 0.49881276, scoreOf(math.Log(1e-3), 1), 1e-8)
	assert.InDelta(t, 0.9, scoreOf(math.Log(1e-10), 1), 1e-9)
	assert.Equal(t, 0.0, scoreOf(0, 1))
}

// Hand-worked scale: residuals 1,-1,1,-1 give a MAD of 1, sigma sqrt(pi/2).
func TestScaleHandWorked(t *testing.T) {
	var s scale
	for _, r := range []float64{1, -1, 1, -1} {
		s.update(r, 1)
	}
	assert.InDelta(t, 1.2533141373155003, s.sigma(0), 1e-12)
	// A quantised series: steps of 0.5 floor the scale at 0.25.
	var q scale
	q.observeStep(0.5)
	q.observeStep(1)
	assert.Equal(t, 0.25, q.sigma(10))
	// A constant series keeps a tiny positive relative floor.
	var c scale
	assert.InDelta(t, 1e-9*100+1e-12, c.sigma(100), 1e-15)
}

// Hand-worked rank p-value: 4 samples in the history (memory huge, so no
// decay), a value below all of them has p = 1, one above the highest occupied
// bin has p = (0 + 1*tail)/(4+1).
func TestRankHandWorked(t *testing.T) {
	h := newRankHist(1<<30, make([]float32, rankBins))
	for _, z := range []float64{1, 1, 1, 1} {
		h.add(z)
	}
	assert.InDelta(t, 0.0, h.logP(0), 1e-6)
	// z=1 falls in bin 8 (log2(2)*8 = 8, frac 0): all 4 at or above.
	assert.InDelta(t, math.Log(5.0/5), h.logP(1), 1e-6)
	// Upper edge of bin 8 is 2^(9/8)-1 = 1.18102; z=3: tail =
	// (2.18102/4)^4 = 0.088381, p = 0.088381/5 = 0.0176763, ln p = -4.03545.
	assert.InDelta(t, -4.035453, h.logP(3), 1e-5)
}

func TestSpikeScoresHigh(t *testing.T) {
	d := New(DefaultConfig())
	rng := rand.New(rand.NewPCG(1, 2))
	var spike Result
	for i := 0; i < 2000; i++ {
		v := 10 + rng.NormFloat64()
		if i == 1500 {
			v = 30
		}
		r, err := d.Update(int64(i)*minute, v)
		require.NoError(t, err)
		if i == 1500 {
			spike = r
		} else if i > 200 {
			assert.Less(t, r.Score, 0.6, "point %d", i)
		}
	}
	assert.Greater(t, spike.Score, DefaultThreshold+0.2) // a 20-sigma spike is far past the threshold
	assert.InDelta(t, 10, spike.Expected, 1)
}

func TestBadInput(t *testing.T) {
	d := New(DefaultConfig())
	_, err := d.Update(1, math.NaN())
	assert.ErrorIs(t, err, ErrNotFinite)
	_, err = d.Update(1, math.Inf(1))
	assert.ErrorIs(t, err, ErrNotFinite)
	_, err = d.Update(10, 1)
	require.NoError(t, err)
	_, err = d.Update(10, 1)
	assert.ErrorIs(t, err, ErrOutOfOrder)
	_, err = d.Update(5, 1)
	assert.ErrorIs(t, err, ErrOutOfOrder)
	_, err = d.Update(11, 1e300)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = d.Update(11, -MaxMagnitude*1.01)
	assert.ErrorIs(t, err, ErrOutOfRange)
	r, err := d.Update(11, MaxMagnitude)
	require.NoError(t, err)
	assert.False(t, math.IsNaN(r.Score))
}

// Property: for any seeded random walk with outliers, scores stay in [0, 1],
// warm-up scores are 0, and a snapshot round trip continues identically.
func TestPropertiesSeeded(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		cfg := DefaultConfig()
		cfg.Seasonality = Seasonality(rng.IntN(4))
		cfg.Direction = Direction(rng.IntN(3))
		a := New(cfg)
		level := rng.Float64() * 1000
		var b *Series
		for i := 0; i < 3000; i++ {
			level += rng.NormFloat64()
			v := level + rng.NormFloat64()*rng.Float64()*10
			if rng.IntN(100) == 0 {
				v *= 5
			}
			if rng.IntN(7) == 0 {
				v = math.Round(v)
			}
			ts := int64(i) * 5 * minute
			ra, err := a.Update(ts, v)
			require.NoError(t, err)
			require.True(t, ra.Score >= 0 && ra.Score <= 1, "seed %d point %d score %v", seed, i, ra.Score)
			if i < cfg.WarmUp-1 {
				require.Zero(t, ra.Score)
			}
			if i == 2000 {
				snap, err := a.MarshalBinary()
				require.NoError(t, err)
				b, err = Restore(cfg, snap)
				require.NoError(t, err)
				continue
			}
			if b != nil {
				rb, err := b.Update(ts, v)
				require.NoError(t, err)
				require.Equal(t, ra, rb, "seed %d point %d", seed, i)
			}
		}
	}
}

func TestSeasonalityLearnt(t *testing.T) {
	d := New(DefaultConfig())
	rng := rand.New(rand.NewPCG(3, 4))
	var last Result
	for i := 0; i < 288*5; i++ {
		ts := int64(i) * 5 * minute
		v := 100 + 50*math.Sin(2*math.Pi*float64(i)/288) + rng.NormFloat64()
		r, err := d.Update(ts, v)
		require.NoError(t, err)
		last = r
	}
	assert.True(t, d.base.useSeason())
	i := 288 * 5
	want := 100 + 50*math.Sin(2*math.Pi*float64(i)/288)
	r, _ := d.Update(int64(i)*5*minute, want)
	assert.InDelta(t, want, r.Expected, 3)
	_ = last
}

func TestRestoreRejectsCorrupt(t *testing.T) {
	d := New(DefaultConfig())
	for i := 0; i < 500; i++ {
		_, _ = d.Update(int64(i)*5*minute, float64(i%7))
	}
	snap, _ := d.MarshalBinary()
	for _, bad := range [][]byte{nil, []byte("XYZ\x01"), snap[:len(snap)-1], append(append([]byte{}, snap...), 0)} {
		_, err := Restore(DefaultConfig(), bad)
		assert.ErrorIs(t, err, ErrCorruptSnapshot)
	}
	v := append([]byte{}, snap...)
	v[3] = 9
	_, err := Restore(DefaultConfig(), v)
	assert.ErrorIs(t, err, ErrCorruptSnapshot)
}

// restoreOldSnapshot restores testdata/snapshot_v<version>.bin, a snapshot
// an earlier version made of 3000 points of a daily sine, and returns it
// with a fresh series that has seen the same points.
func restoreOldSnapshot(t *testing.T, version byte) (old, fresh *Series) {
	data, err := os.ReadFile(fmt.Sprintf("testdata/snapshot_v%d.bin", version))
	require.NoError(t, err)
	require.Equal(t, version, data[3])
	old, err = Restore(DefaultConfig(), data)
	require.NoError(t, err)
	fresh = New(DefaultConfig())
	for i := 0; i < 3000; i++ {
		v := 100 + 20*math.Sin(2*math.Pi*float64(i)/288) + float64(i%7)
		_, _ = fresh.Update(int64(i)*5*minute, v)
	}
	return old, fresh
}

func FuzzRestore(f *testing.F) {
	d := New(DefaultConfig())
	for i := 0; i < 300; i++ {
		_, _ = d.Update(int64(i)*5*minute, float64(i%11))
	}
	snap, _ := d.MarshalBinary()
	f.Add(snap)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Restore(DefaultConfig(), b)
		if err != nil {
			return
		}
		for i := 0; i < 50; i++ {
			r, err := s.Update(int64(1e18)+int64(i)*minute, float64(i))
			if err == nil && (r.Score < 0 || r.Score > 1 || math.IsNaN(r.Score)) {
				t.Fatalf("score %v after restore", r.Score)
			}
		}
	})
}

func FuzzUpdate(f *testing.F) {
	f.Add(int64(0), 1.0, int64(60), 2.0, int64(30), 3.0)
	f.Fuzz(func(t *testing.T, t1 int64, v1 float64, t2 int64, v2 float64, dt int64, v3 float64) {
		d := New(DefaultConfig())
		ts := t1
		for i := 0; i < 300; i++ {
			v := []float64{v1, v2, v3}[i%3] * float64(i%5)
			ts += []int64{t2, dt, 1}[i%3]
			d.Prefetch(ts) // any timestamp, as the processor may pass
			r, err := d.Update(ts, v)
			if err == nil && (r.Score < 0 || r.Score > 1 || math.IsNaN(r.Score)) {
				t.Fatalf("score %v for %v", r.Score, v)
			}
		}
		if d.lastT < math.MaxInt64-100*minute {
			ordinaryAfter(t, d, 0)
		}
	})
}

// FuzzUpdateStep feeds counted events (UpdateStep) whose values and step
// come from the fuzzer: scores stay in [0, 1] and the series keeps scoring
// ordinary points afterwards.
func FuzzUpdateStep(f *testing.F) {
	f.Add(1.0, 3.0, 0.2)
	f.Add(1.7976931348623157e+308, -1.7976931348623157e+308, 1e300)
	f.Fuzz(func(t *testing.T, v1, v2, step float64) {
		// A short warm-up, so that the coarse view judges blocks (from
		// the 5th, 80 points) and scores them (from the 10th) within the
		// input.
		cfg := DefaultConfig()
		cfg.WarmUp = 10
		d := New(cfg)
		check := func(i int, v, step float64) {
			r, err := d.UpdateStep(int64(i+1)*minute, v, step)
			if err == nil && !(r.Score >= 0 && r.Score <= 1) {
				t.Fatalf("score %v for %v (step %v) at %d", r.Score, v, step, i)
			}
		}
		for i := 0; i < 200; i++ {
			check(i, []float64{v1, v2}[i%2]*float64(i%3), step)
		}
		for i := 200; i < 260; i++ {
			check(i, float64(i%4), 1)
		}
		ordinaryAfter(t, d, 260)
	})
}

// ordinaryAfter feeds a series ordinary points after whatever a fuzzer gave
// it: no input may leave its state unable to predict (NaN or infinite).
func ordinaryAfter(t *testing.T, d *Series, from int) {
	t.Helper()
	ts := d.lastT
	for i := range 50 {
		ts += minute
		r, err := d.Update(ts, float64(from+i%4))
		if err != nil || math.IsNaN(r.Expected) || math.IsInf(r.Expected, 0) || !(r.Score >= 0 && r.Score <= 1) {
			t.Fatalf("ordinary point %d after the input: %+v, %v", i, r, err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	d := New(DefaultConfig())
	rng := rand.New(rand.NewPCG(1, 1))
	vals := make([]float64, 4096)
	for i := range vals {
		vals[i] = 100 + 20*math.Sin(float64(i)/50) + rng.NormFloat64()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = d.Update(int64(i)*minute, vals[i&4095])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkUpdateCounted is BenchmarkUpdate for a rate of counted events
// (UpdateStep), which the count view judges too: about three events per
// 5 s point.
func BenchmarkUpdateCounted(b *testing.B) {
	d := New(DefaultConfig())
	rng := rand.New(rand.NewPCG(1, 1))
	vals := make([]float64, 4096)
	for i := range vals {
		vals[i] = poisson(rng, 3) / 5
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, _ = d.UpdateStep(int64(i)*5e9, vals[i&4095], 0.2)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkMemoryPerSeries(b *testing.B) {
	const n = 10000
	for i := 0; i < b.N; i++ {
		var before, after runtimeMem
		before.read()
		ds := make([]*Series, n)
		for j := range ds {
			ds[j] = New(DefaultConfig())
			for k := 0; k < 300; k++ { // past interval detection: profile allocated
				_, _ = ds[j].Update(int64(k)*5*minute, float64(k%13))
			}
		}
		after.read()
		b.ReportMetric(float64(after.heap-before.heap)/n, "bytes/series")
		keep(ds)
	}
}

// fastLog2 against math.Log2: exact at powers of two, within 2e-9 elsewhere.
func TestFastLog2(t *testing.T) {
	for _, x := range []float64{1, 2, 4, 1024} {
		assert.Equal(t, math.Log2(x), fastLog2(x))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := 0; i < 100000; i++ {
		x := 1 + math.Exp(rng.Float64()*20) - 1
		require.InDelta(t, math.Log2(x), fastLog2(x), 2e-9, "x=%v", x)
	}
	b, frac := binOf(math.NaN())
	assert.Equal(t, rankBins-1, b)
	assert.Equal(t, 1.0, frac)
}

// binOf against the log scale: the bin is floor(8 log2(1+z)) and the
// position within it is within 1.1% of the log-scale position; bin edges
// (z = 2^(k/8)-1) start a bin at position 0.
func TestBinOfMatchesLogScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		z := math.Exp(rng.Float64()*11) - 1
		f := math.Log2(1+z) * rankPerOctave
		b, frac := binOf(z)
		if math.Abs(f-math.Round(f)) < 1e-9 {
			continue // on an edge: either side is right
		}
		require.Equal(t, int(f), b, "z=%v", z)
		require.InDelta(t, f-math.Floor(f), frac, 0.011, "z=%v", z)
		require.True(t, frac >= 0 && frac < 1, "z=%v frac=%v", z, frac)
	}
	for k := 0; k < 40; k++ {
		b, frac := binOf(math.Exp2(float64(k)/rankPerOctave) - 1)
		assert.Equal(t, k, b)
		assert.InDelta(t, 0, frac, 1e-9)
	}
	b, frac := binOf(1e9) // past the last bin
	assert.Equal(t, rankBins-1, b)
	assert.Equal(t, 1.0, frac)
}

// fastLog2 also serves p-values in (0, 1].
func TestFastExp2(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		x := (rng.Float64() - 0.7) * 200
		assert.InEpsilon(t, math.Exp2(x), fastExp2(x), 1e-9, "x=%v", x)
	}
	for _, x := range []float64{0, 1, -1, 0.5, -0.5, -1021.5, 1022.5} {
		assert.InEpsilon(t, math.Exp2(x), fastExp2(x), 1e-9, "x=%v", x)
	}
	assert.Equal(t, 0.0, fastExp2(-1100))
	assert.True(t, math.IsInf(fastExp2(2000), 1))
	assert.True(t, math.IsInf(fastExp2(math.NaN()), 1))
}

func TestFastLog2BelowOne(t *testing.T) {
	for _, x := range []float64{1e-300, 1e-10, 0.003, 0.5, 0.999} {
		require.InDelta(t, math.Log2(x), fastLog2(x), 2e-9, "x=%v", x)
	}
}

// Hand-worked hold-off: alarm 0.45, horizon 3. The alarm at 0.5 damps the
// next three points (x0.2) whatever their score; the fourth is free again.
func TestSuppressHandWorked(t *testing.T) {
	s := newSuppressor(3, 0.45)
	in := []float64{0.3, 0.5, 0.9, 0.6, 0.3, 0.7, 0.2}
	want := []float64{0.3, 0.5, 0.18, 0.12, 0.06, 0.7, 0.04}
	wantFired := []bool{false, true, false, false, false, true, false}
	for i, v := range in {
		got, fired := s.apply(v)
		assert.InDelta(t, want[i], got, 1e-12, "point %d", i)
		assert.Equal(t, wantFired[i], fired, "point %d", i)
	}
	// Without a hold-off every point at the alarm level is an alarm.
	off := newSuppressor(0, 0.45)
	for _, v := range in {
		got, fired := off.apply(v)
		assert.Equal(t, v, got)
		assert.Equal(t, v >= 0.45, fired)
	}
}

// Property: on seeded random series with bursts of outliers, two reported
// scores at or above the threshold are always more than Suppress points
// apart, and the unsuppressed score is never below the reported one.
func TestSuppressionProperty(t *testing.T) {
	for seed := uint64(0); seed < 10; seed++ {
		rng := rand.New(rand.NewPCG(seed, 5))
		cfg := DefaultConfig()
		d := New(cfg)
		last := -1 << 30
		alarms := 0
		for i := 0; i < 4000; i++ {
			v := 100 + rng.NormFloat64()
			if rng.IntN(200) == 0 || (i > 2000 && i < 2050) {
				v += 20 + rng.Float64()*50
			}
			r, err := d.Update(int64(i)*minute, v)
			require.NoError(t, err)
			require.GreaterOrEqual(t, r.Unsuppressed, r.Score)
			if r.Score >= cfg.Threshold {
				require.Greater(t, i-last, cfg.Suppress, "seed %d: alarms at %d and %d", seed, last, i)
				last = i
				alarms++
			}
		}
		assert.Positive(t, alarms, "seed %d", seed)
	}
}

// Hand-worked calibration: four z = 1 in the history, then z = 3. The point
// p-value is 0.0176763 (as in TestRankHandWorked), its surprise -ln p =
// 4.03545 is under the cap, so the short average moves from 0 to 0.807091.
// Against an average history of four zeros (bin 0, upper edge 2^(1/8)-1 =
// 0.090508) that is beyond the record: tail (1.090508/1.807091)^4 = 0.132616,
// p_avg = 0.132616/5 = 0.0265232. The evidence is the smaller p: the point's.
func TestCalibratorHandWorked(t *testing.T) {
	c := newCalibrator(1 << 30)
	for i := 0; i < 4; i++ {
		assert.InDelta(t, 0, c.observe(1, 0), 1e-6) // never rarer than its own history
	}
	assert.InDelta(t, -4.035453, c.observe(3, 0), 1e-5)
	assert.InDelta(t, 0.8070906, c.short, 1e-6)
	// A point beyond the cap adds at most ln 100 / 10 to the average.
	c2 := newCalibrator(1 << 30)
	for i := 0; i < 4; i++ {
		c2.observe(1, 0)
	}
	c2.observe(1e6, 0)
	assert.InDelta(t, surpriseCap*shortAlpha, c2.short, 1e-6)
}

// Point scores the point's own deviation: after a lone spike the next
// normal point scores low by itself although the surprise average still
// remembers the spike, while the second point of a level shift deviates by
// itself as much as the first.
func TestPointScoreLeavesOutEchoes(t *testing.T) {
	run := func(shift bool) (first, next Result) {
		s := New(DefaultConfig())
		t0 := time.Unix(1700000000, 0)
		for i := 0; i < 302; i++ {
			v := 10.0 + float64(i%3)*0.1
			if i == 300 || (shift && i > 300) {
				v = 100
			}
			r, err := s.Update(t0.Add(time.Duration(i)*time.Minute).UnixNano(), v)
			require.NoError(t, err)
			switch i {
			case 300:
				first = r
			case 301:
				next = r
			}
		}
		return first, next
	}
	first, next := run(false)
	assert.Greater(t, first.Point, 0.9)
	assert.InDelta(t, first.Unsuppressed, first.Point, 1e-3, "a lone spike is its own deviation")
	assert.Greater(t, next.Unsuppressed, 0.27, "the surprise average echoes the spike")
	assert.Less(t, next.Point, 0.27, "the point after it does not deviate")
	_, next = run(true)
	// Ranked against a history that now holds the first point of the shift,
	// the second is less rare, but still rare (p < 0.043).
	assert.Greater(t, next.Point, 0.27, "a shift's second point deviates by itself")
}

// A count rate over jittering intervals takes values off any grid, so the
// step learnt from the values is tiny; with the step given (one event per
// interval), a lone event on a quiet series is judged as one event, and the
// zero after it, just below the expectation the event pulled up, is no
// deviation at all.
func TestUpdateStepCountRate(t *testing.T) {
	const n = 2000
	run := func(withStep bool) (lone, after Result) {
		s := New(DefaultConfig())
		ts := int64(0)
		for i := 0; i < n; i++ {
			dt := 5 + 0.01*float64(i%7) // seconds, jittering
			ts += int64(dt * 1e9)
			count := 0.0
			if i%97 == 0 || i == n-2 {
				count = 1
			}
			if i%97 == 1 && i > 1000 {
				count = 1 // now and then two intervals in a row
			}
			step := 0.0
			if withStep {
				step = 1 / dt
			}
			r, err := s.UpdateStep(ts, count/dt, step)
			require.NoError(t, err)
			switch i {
			case n - 2:
				lone = r
			case n - 1:
				after = r
			}
		}
		return lone, after
	}
	_, after := run(true)
	assert.Less(t, after.Point, 0.01, "the zero after a lone event is no deviation")
	_, after = run(false)
	assert.Greater(t, after.Point, 0.1, "without the step the jitter hides the grid: the zero after looks like a deviation")
}

// Values on a grid (whole numbers) around a fractional expectation: a
// residual under half a step counts as none.
func TestQuantisedResidualDeadband(t *testing.T) {
	s := New(DefaultConfig())
	var last Result
	for i := 0; i < 400; i++ {
		v := 10.0 // 11 now and then: the expectation sits a little above 10
		if i%10 == 0 {
			v = 11
		}
		r, err := s.Update(int64(i+1)*60e9, v)
		require.NoError(t, err)
		last = r
	}
	assert.Less(t, last.Point, 0.01)
	assert.Greater(t, last.Expected, 10.0)
}

// A young series (the demo learns for ten points) cannot rank any point
// below about 1/n; the second point of a step is judged without the first
// (its predecessor), so that it deviates by itself as much as the first did.
func TestPointScoreYoungStep(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WarmUp = 10
	s := New(cfg)
	r := rand.New(rand.NewPCG(1, 2))
	var res []Result
	for i := 0; i < 14; i++ {
		v := 20 * (1 + 0.1*r.NormFloat64())
		if i >= 12 {
			v *= 5
		}
		out, err := s.Update(time.Unix(int64(i*5), 0).UnixNano(), v)
		require.NoError(t, err)
		res = append(res, out)
	}
	assert.Greater(t, res[12].Score, 0.55, "the step")
	assert.Greater(t, res[13].Point, 0.27, "its second point, judged without the first")
}

// pValues' p-value without the point added last equals the p-value against
// a history built without it, whether that point was ordinary or the only
// one in the top bin (the record falls back), for queries below, inside and
// beyond the history (memory huge, so that both histories weigh alike).
func TestPValueWithoutLastProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 300; trial++ {
		with := newRankHist(1<<30, make([]float32, rankBins))
		without := newRankHist(1<<30, make([]float32, rankBins))
		n := 1 + rng.IntN(50)
		for i := 0; i < n; i++ {
			z := math.Abs(rng.NormFloat64()) * 3
			with.add(z)
			without.add(z)
		}
		last := math.Abs(rng.NormFloat64()) * 3
		if trial%3 == 0 {
			last = 200 + rng.Float64()*1000 // a record, alone in its bin
		}
		lb, _ := binOf(last)
		with.add(last)
		for _, q := range []float64{0, 0.5, 2, 5, last, 100, 5000} {
			_, _, pExcept := with.pValues(q, lb)
			assert.InEpsilon(t, without.pValue(q), pExcept, 1e-6, "trial %d, query %v, last %v", trial, q, last)
		}
	}
}

// The p-value sums the shorter side of the history: below the query (and
// takes the complement) when fewer bins lie below it than above. Both sums
// give the same p-value, on decaying histories with rescaling too.
func TestPValueComplementMatchesDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for trial := 0; trial < 200; trial++ {
		h := newRankHist(50+rng.IntN(3000), make([]float32, rankBins))
		n := 1 + rng.IntN(20000)
		for i := 0; i < n; i++ {
			h.add(math.Abs(rng.NormFloat64()) * math.Exp(rng.Float64()*4))
		}
		for _, q := range []float64{0, 0.1, 0.5, 1, 2, 5, 20, 100} {
			b, frac := binOf(q)
			top := int(h.top)
			direct := h.share(h.weightFrom(b, frac, top), h.total, q, top)
			require.InEpsilon(t, direct, h.pValue(q), 1e-5, "trial %d, query %v (bin %d, top %d)", trial, q, b, top)
		}
	}
}

// Prefetch is a hint: a series that is prefetched before every point
// scores and stores exactly what one that is not does, through the daily
// profile and weekly correction being allocated and used.
func TestPrefetchChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	plain, hinted := New(DefaultConfig()), New(DefaultConfig())
	for i := 0; i < 3*7*24*12; i++ { // three weeks at 5 minutes
		ts := int64(i) * 5 * minute
		v := 100 + 30*math.Sin(2*math.Pi*float64(i)/288) + 5*rng.NormFloat64()
		if i%1000 == 999 {
			v += 80 // an incident now and then
		}
		want, errWant := plain.Update(ts, v)
		hinted.Prefetch(ts)
		got, err := hinted.Update(ts, v)
		require.Equal(t, errWant, err)
		require.Equal(t, want, got, "point %d", i)
	}
	require.NotNil(t, hinted.base.week, "the weekly correction was allocated")
	a, err := plain.MarshalBinary()
	require.NoError(t, err)
	b, err := hinted.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, a, b)
}
