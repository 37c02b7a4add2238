package drain

import (
	"strings"
	"testing"
)

// maskLine renders the masked form of every token of line, with <KIND>
// placeholders, for readable expectations.
func maskLine(t *testing.T, line string) string {
	t.Helper()
	tk := newTokenizer("", nil, 0, 0)
	sc := &scratch{}
	tk.split(sc, line)
	var out []string
	for i := range sc.toks {
		var b strings.Builder
		renderMasked(&b, maskedText(sc, i), true, nil)
		out = append(out, b.String())
	}
	return strings.Join(out, " ")
}

func TestClassify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"42 -3.5 1e9 +7", "<NUM> <NUM> <NUM> <NUM>"},
		{"0x1f 0Xdeadbeef ffffffff 003a90fc add beef", "<HEX> <HEX> <HEX> <HEX> add beef"},
		{"10.0.0.1 10.0.0.1:80 /10.0.0.1:2181 host-1/10.1.2.3:8030 300.1.1.1", "<IP> <IP> <IP> <IP> <NUM>"},
		{"fe80::1 FF:F2:9F:16:E2:23 ::1", "<IPV6> <IPV6> <IPV6>"},
		{"123e4567-e89b-12d3-a456-426614174000", "<UUID>"},
		{"12:30 12:30:45.123 2016-09-28 2016/9/27 17/06/09 2015-10-18T18:01:47.978Z", "<TIME> <TIME> <DATE> <DATE> <DATE> <DATE>"},
		{"12ms 1h2m3.5s 10KB 1.5GiB", "<DURATION> <DURATION> <SIZE> <SIZE>"},
		{"/var/log/x C:\\Windows\\x ~/a ./b", "<PATH> <PATH> <PATH> <PATH>"},
		{"https://a.b/c?d=1 user@example.com ns.example.com host.corp.microsoft.com:54883", "<URL> <EMAIL> <HOST> <HOST>"},
		{"true FALSE null nil", "<BOOL> <BOOL> <NULL> <NULL>"},
		{"node-246 core.2275 blk_-123456 attempt_1445_0001 ssh2 jk2_init() x86_64", "node-<NUM> core.<NUM> <ID> <ID> ssh2 jk2_init() x86_64"},
		{"uid=0, name=com.android.systemui, tty=ssh (HWID=1973) [10.0.0.1]", "uid=<NUM>, name=<VALUE>, tty=ssh (HWID=<NUM>) [<IP>]"},
		{"jetty-6.1.26 i-fetch......0 org.apache.hadoop.Foo", "jetty-<NUM> i-fetch......<NUM> org.apache.hadoop.Foo"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := maskLine(t, tt.in); got != tt.want {
			t.Errorf("mask(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenizerKeepsSpacingAndLimits(t *testing.T) {
	tk := newTokenizer(",", nil, 12, 3)
	sc := &scratch{}
	tk.split(sc, "a  b,c d e f g h")
	// 12 bytes: "a  b,c d e f"; 3 tokens, the tail joins the last one.
	if sc.line != "a  b,c d e f" {
		t.Fatalf("line %q", sc.line)
	}
	var toks []string
	for _, tok := range sc.toks {
		toks = append(toks, sc.line[tok.start:tok.end])
	}
	if got := strings.Join(toks, "|"); got != "a|b|c d e f" {
		t.Fatalf("tokens %q", got)
	}
}

func TestUserMask(t *testing.T) {
	m, err := New("", Config{Masks: []MaskConfig{{Name: "TICKET", Pattern: `[A-Z]+-\d+`}}, TypedPlaceholders: true})
	if err != nil {
		t.Fatal(err)
	}
	r := m.Process("closed OPS-12 by bob", true)
	if r.Template != "closed <TICKET> by bob" {
		t.Fatalf("template %q", r.Template)
	}
	if len(r.Params) != 1 || r.Params[0] != "OPS-12" {
		t.Fatalf("params %q", r.Params)
	}
}
