package drain

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

func mustNew(t testing.TB, partition string, cfg Config) *Miner {
	t.Helper()
	m, err := New(partition, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestStableIDWhileGeneralising(t *testing.T) {
	m := mustNew(t, "svc", DefaultConfig())
	first := m.Process("Invalid user webmaster from 173.234.31.186", false)
	if !first.Created || first.Template != "Invalid user webmaster from <*>" {
		t.Fatalf("first %+v", first)
	}
	second := m.Process("Invalid user test from 10.0.0.1", true)
	if second.Created || second.ID != first.ID {
		t.Fatalf("second %+v, want ID %s", second, first.ID)
	}
	if second.Template != "Invalid user <*> from <*>" {
		t.Fatalf("template %q", second.Template)
	}
	if fmt.Sprint(second.Params) != "[test 10.0.0.1]" {
		t.Fatalf("params %q", second.Params)
	}
	// Another replica with the same partition agrees on the ID.
	other := mustNew(t, "svc", DefaultConfig())
	if r := other.Process("Invalid user webmaster from 1.2.3.4", false); r.ID != first.ID {
		t.Fatalf("replica ID %s, want %s", r.ID, first.ID)
	}
	// Another partition does not.
	if r := mustNew(t, "other", DefaultConfig()).Process("Invalid user webmaster from 1.2.3.4", false); r.ID == first.ID {
		t.Fatal("partitions share an ID")
	}
}

func TestStatesDoNotMerge(t *testing.T) {
	m := mustNew(t, "", DefaultConfig())
	a := m.Process("task_1 Task Transitioned from NEW to SCHEDULED", false)
	b := m.Process("task_2 Task Transitioned from SCHEDULED to RUNNING", false)
	if a.ID == b.ID {
		t.Fatalf("state change lines merged: %q", b.Template)
	}
}

func TestLeadingIdentifierGeneralises(t *testing.T) {
	m := mustNew(t, "", DefaultConfig())
	a := m.Process("chrome.exe - proxy.example.com:5070 open through proxy", false)
	b := m.Process("firefox.exe - proxy.example.com:5070 open through proxy", false)
	if a.ID != b.ID || b.Template != "<*>.exe - <*> open through proxy" {
		t.Fatalf("a %+v b %+v", a, b)
	}
	// Plain leading words are verbs: no merge.
	c := m.Process("Accepted password for bob from 1.2.3.4 port 22 ssh2", false)
	d := m.Process("Failed password for bob from 1.2.3.4 port 22 ssh2", false)
	if c.ID == d.ID {
		t.Fatal("verbs merged")
	}
}

func TestLineMatchesOwnCluster(t *testing.T) {
	lines := []string{
		"x=1 y=<*> z=\x01\x81 <*>",
		"[[[ ]]] ((( ))) ::: ...",
		"a=b=c=1,2,3 /x/y:1 0x 0x0",
	}
	for _, l := range lines {
		m := mustNew(t, "", DefaultConfig())
		a := m.Process(l, false)
		b := m.Process(l, false)
		if !a.Created || b.Created || a.ID != b.ID || a.Template != b.Template {
			t.Fatalf("%q: %+v then %+v", l, a, b)
		}
	}
}

func TestLRUEviction(t *testing.T) {
	m := mustNew(t, "", Config{MaxClusters: 2})
	a := m.Process("alpha one", false)
	m.Process("beta one", false)
	m.Process("alpha one", false) // alpha is now more recent than beta
	m.Process("gamma one", false) // evicts beta
	if m.Len() != 2 || m.Evicted() != 1 {
		t.Fatalf("len %d evicted %d", m.Len(), m.Evicted())
	}
	if _, ok := m.Template(a.ID); !ok {
		t.Fatal("recently used cluster evicted")
	}
	if r := m.Process("beta one", false); !r.Created {
		t.Fatal("evicted cluster still matched")
	}
}

func TestTruncationNeverDrops(t *testing.T) {
	m := mustNew(t, "", Config{MaxLineBytes: 10})
	a := m.Process("aaaa bbbb cccc dddd", false)
	b := m.Process("aaaa bbbb zzzz yyyy", false)
	if a.ID != b.ID || a.Template != "aaaa bbbb " && a.Template != "aaaa bbbb" {
		t.Fatalf("a %+v b %+v", a, b)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{SimThreshold: 1.5},
		{SimThreshold: -1},
		{MaxLineBytes: -1},
		{Masks: []MaskConfig{{Name: "", Pattern: "x"}}},
		{Masks: []MaskConfig{{Name: "A", Pattern: "("}}},
	}
	for _, c := range bad {
		if _, err := New("", c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	m := mustNew(t, "p", DefaultConfig())
	var ids []string
	for i := 0; i < 50; i++ {
		ids = append(ids, m.Process(fmt.Sprintf("event%d user u%d logged in from 10.0.0.%d", i%5, i%3, i), false).ID)
	}
	snap := m.Snapshot(nil)
	r := mustNew(t, "p", DefaultConfig())
	if err := r.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if r.Len() != m.Len() {
		t.Fatalf("restored %d clusters, want %d", r.Len(), m.Len())
	}
	for i := 0; i < 50; i++ {
		res := r.Process(fmt.Sprintf("event%d user u%d logged in from 10.9.9.%d", i%5, i%3, i), false)
		if res.Created || res.ID != ids[i] {
			t.Fatalf("line %d: %+v, want ID %s", i, res, ids[i])
		}
	}
	// Every truncation and every single-byte corruption is an error or a
	// valid state, never a panic.
	for i := 0; i < len(snap); i++ {
		_ = mustNew(t, "p", DefaultConfig()).Restore(snap[:i])
		c := append([]byte(nil), snap...)
		c[i] ^= 0xff
		_ = mustNew(t, "p", DefaultConfig()).Restore(c)
	}
	if err := mustNew(t, "p", DefaultConfig()).Restore(snap[:len(snap)-1]); err == nil {
		t.Fatal("truncated snapshot accepted")
	}
	if err := mustNew(t, "q", DefaultConfig()).Restore(snap); !errors.Is(err, ErrIncompatible) {
		t.Fatalf("other partition: %v", err)
	}
	masked := mustNew(t, "p", Config{Masks: []MaskConfig{{Name: "X", Pattern: "x"}}})
	if err := masked.Restore(snap); !errors.Is(err, ErrIncompatible) {
		t.Fatalf("other masks: %v", err)
	}
}

func TestConcurrentProcess(t *testing.T) {
	m := mustNew(t, "", DefaultConfig())
	var wg sync.WaitGroup
	ids := make([][]string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				ids[g] = append(ids[g], m.Process(fmt.Sprintf("request %d served in %dms by worker-%d", i, i%7, g), false).ID)
			}
		}(g)
	}
	wg.Wait()
	for g := range ids {
		for _, id := range ids[g] {
			if id != ids[0][0] {
				t.Fatalf("concurrent lines of one template got IDs %s and %s", ids[0][0], id)
			}
		}
	}
}
