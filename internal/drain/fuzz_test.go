package drain

import "testing"

func FuzzTokenizer(f *testing.F) {
	for _, s := range []string{"", "a b", "uid=0, x=[1.2.3.4:5]", "\x01\x81", "0x 1e 1e+ --1 /", "a=b=c=,;&"} {
		f.Add(s)
	}
	tk := newTokenizer(",;", nil, 256, 16)
	f.Fuzz(func(t *testing.T, line string) {
		sc := &scratch{}
		tk.split(sc, line)
		if len(sc.toks) > 16 || len(sc.line) > 256 {
			t.Fatalf("limits exceeded: %d tokens, %d bytes", len(sc.toks), len(sc.line))
		}
		for _, tok := range sc.toks {
			prev := tok.start
			for _, p := range sc.parts[tok.p0:tok.p1] {
				if p.start != prev || p.end <= p.start {
					t.Fatalf("parts do not tile token %q", sc.line[tok.start:tok.end])
				}
				prev = p.end
			}
			if prev != tok.end {
				t.Fatalf("parts do not cover token %q", sc.line[tok.start:tok.end])
			}
		}
	})
}

func FuzzMiner(f *testing.F) {
	f.Add("a b c", "a x c", "q")
	f.Add("user=1 x", "user=abc x", "[1] y")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		m, _ := New("p", Config{MaxClusters: 4, MaxLineBytes: 128, MaxTokens: 8})
		for _, l := range []string{a, b, c, a, b, c} {
			m.Process(l, true)
		}
		// Every line matches its own cluster after learning.
		for _, l := range []string{a, b, c} {
			r1 := m.Process(l, true)
			if r2 := m.Process(l, true); r2.Created || r2.ID != r1.ID {
				t.Fatalf("%q moved from %s to %s", l, r1.ID, r2.ID)
			}
		}
		if m.Len() > 4 {
			t.Fatalf("%d clusters over the bound", m.Len())
		}
		r, _ := New("p", Config{MaxClusters: 4, MaxLineBytes: 128, MaxTokens: 8})
		if err := r.Restore(m.Snapshot(nil)); err != nil {
			t.Fatalf("restore own snapshot: %v", err)
		}
		_ = r.Restore([]byte(a))
	})
}
