package loghub

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScore(t *testing.T) {
	truth := []string{"A <*>", "A <*>", "B", "B", "C <*>", ""}
	// Group g1 is exactly A; g2 mixes B with C; g3 holds the other B.
	group := []string{"g1", "g1", "g2", "g3", "g2", "g9"}
	tmpl := []string{"A  <*>", "A <*>", "B", "B", "B", "x"}
	s := Score(truth, group, tmpl)
	if s.Lines != 5 {
		t.Fatalf("lines %d", s.Lines)
	}
	// Only A's two lines are correctly grouped.
	if !near(s.GA, 2.0/5) {
		t.Errorf("GA %v", s.GA)
	}
	// 1 correct group; 3 predicted, 3 truth groups: P = R = 1/3.
	if !near(s.FGA, 1.0/3) {
		t.Errorf("FGA %v", s.FGA)
	}
	// Template text right for lines 0,1 (whitespace normalised), 2, 3.
	if !near(s.PA, 4.0/5) {
		t.Errorf("PA %v", s.PA)
	}
	// g1 (pure, right text) and g3 (pure, right text, incomplete) count.
	if !near(s.FTA, 2.0/3) {
		t.Errorf("FTA %v", s.FTA)
	}
	avg := Average([]Scores{s, {Lines: 1, GA: 1, FGA: 1, PA: 1, FTA: 1}})
	if avg.Lines != 6 || !near(avg.GA, (0.4+1)/2) {
		t.Errorf("average %+v", avg)
	}
}

func TestHeaderRegexp(t *testing.T) {
	re, err := HeaderRegexp(`<Date> <Time> - <Level>  \[<Node>:<Component>@<Id>\] - <Content>`)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := SplitContent(re, "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200 \r")
	if !ok || c != "Notification time out: 3200" {
		t.Fatalf("content %q %v", c, ok)
	}
	if _, ok := SplitContent(re, "garbage"); ok {
		t.Fatal("garbage matched")
	}
	for _, bad := range []string{"", "<Date> no content", "<Bad-Name> <Content>"} {
		if _, err := HeaderRegexp(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
