package console

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testDest is a syntactically valid destination: 516 base64 characters.
var testDest = strings.Repeat("AbC-~0", 86)

func TestParseAddForm(t *testing.T) {
	wrapped := testDest[:200] + "\r\n " + testDest[200:400] + "\n\t" + testDest[400:]
	tests := []struct {
		name   string
		form   url.Values
		want   addRequest
		errIs  error
		errAny bool
	}{
		{"fields", url.Values{"name": {"Example.I2P"}, "dest": {testDest}}, addRequest{"example.i2p", testDest}, nil, false},
		{"wrapped dest", url.Values{"name": {" forum.i2p "}, "dest": {wrapped}}, addRequest{"forum.i2p", testDest}, nil, false},
		{"line", url.Values{"line": {"  git.idk.i2p=" + testDest + "  "}}, addRequest{"git.idk.i2p", testDest}, nil, false},
		{"line with spaces", url.Values{"line": {"a.i2p = " + testDest}}, addRequest{"a.i2p", testDest}, nil, false},
		{"empty", url.Values{}, addRequest{}, errNoName, false},
		{"no dest", url.Values{"name": {"a.i2p"}}, addRequest{}, errNoName, false},
		{"line without =", url.Values{"line": {"a.i2p"}}, addRequest{}, errNoName, false},
		{"both", url.Values{"line": {"a.i2p=" + testDest}, "name": {"b.i2p"}}, addRequest{}, errTooManyArgs, false},
		{"not .i2p", url.Values{"name": {"example.com"}, "dest": {testDest}}, addRequest{}, errNameSyntax, false},
		{"only tld", url.Values{"name": {".i2p"}, "dest": {testDest}}, addRequest{}, errNameSyntax, false},
		{"leading dash", url.Values{"name": {"-a.i2p"}, "dest": {testDest}}, addRequest{}, errNameSyntax, false},
		{"markup", url.Values{"name": {"<script>.i2p"}, "dest": {testDest}}, addRequest{}, errNameSyntax, false},
		{"unicode", url.Values{"name": {"bücher.i2p"}, "dest": {testDest}}, addRequest{}, errNameSyntax, false},
		{"long name", url.Values{"name": {strings.Repeat("a", 64) + ".i2p"}, "dest": {testDest}}, addRequest{}, errNameLength, false},
		{"short dest", url.Values{"name": {"a.i2p"}, "dest": {testDest[:515]}}, addRequest{}, errDestLength, false},
		{"long dest", url.Values{"name": {"a.i2p"}, "dest": {testDest + strings.Repeat("A", 101)}}, addRequest{}, errDestLength, false},
		{"std base64", url.Values{"name": {"a.i2p"}, "dest": {"+/" + testDest[2:]}}, addRequest{}, errDestSyntax, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAddForm(tt.form)
			if err != tt.errIs {
				t.Fatalf("err %v, want %v", err, tt.errIs)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseListQuery(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	tests := []struct {
		raw  string
		want listQuery
	}{
		{"", listQuery{"", 1}},
		{"q=+forum+&page=3", listQuery{"forum", 3}},
		{"page=0", listQuery{"", 1}},
		{"page=-4", listQuery{"", 1}},
		{"page=abc", listQuery{"", 1}},
		{"page=99999999999999999999", listQuery{"", 1}},
		{"page=20000", listQuery{"", maxPage}},
		{"q=%ff%fea", listQuery{"a", 1}},
		{"q=" + url.QueryEscape(long), listQuery{strings.Repeat("é", 33), 1}},
		{"q=" + url.QueryEscape(strings.Repeat("a", 66)+" b"), listQuery{strings.Repeat("a", 66), 1}},
	}
	for _, tt := range tests {
		v, _ := url.ParseQuery(tt.raw)
		if got := parseListQuery(v); got != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.raw, got, tt.want)
		}
	}
	if got := (listQuery{Page: 3}).offset(50); got != 100 {
		t.Errorf("offset %d", got)
	}
}

// FuzzBookForm feeds arbitrary query strings to the address book's query and
// add-form parsers: no panic, results within their bounds, and what they
// accept parses again to the same.
func FuzzBookForm(f *testing.F) {
	f.Add("q=forum&page=2")
	f.Add("name=a.i2p&dest=" + testDest)
	f.Add("line=a.i2p%3D" + testDest)
	f.Add("line=%3D&name=&dest=%20")
	f.Add("q=%ff%00&page=-1&name=A.I2P&dest=" + testDest[:100] + "%0A" + testDest[100:])
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		q := parseListQuery(v)
		if q.Page < 1 || q.Page > maxPage || len(q.Query) > maxQueryLen || !utf8.ValidString(q.Query) ||
			q.Query != strings.TrimSpace(q.Query) {
			t.Fatalf("query %+v", q)
		}
		if again := parseListQuery(url.Values{"q": {q.Query}, "page": {strconv.Itoa(q.Page)}}); again != q {
			t.Fatalf("query %+v parses again as %+v", q, again)
		}
		if q.offset(bookPerPage) < 0 {
			t.Fatalf("offset %d", q.offset(bookPerPage))
		}
		req, err := parseAddForm(v)
		if err != nil {
			if req != (addRequest{}) {
				t.Fatalf("error %v with %+v", err, req)
			}
			return
		}
		if checkName(req.Name) != nil || checkDest(req.Dest) != nil {
			t.Fatalf("accepted %+v", req)
		}
		if again, err := parseAddForm(url.Values{"name": {req.Name}, "dest": {req.Dest}}); err != nil || again != req {
			t.Fatalf("%+v parses again as %+v, %v", req, again, err)
		}
		if again, err := parseAddForm(url.Values{"line": {req.Name + "=" + req.Dest}}); err != nil || again != req {
			t.Fatalf("%+v as a line parses as %+v, %v", req, again, err)
		}
	})
}

func TestFormToken(t *testing.T) {
	s, err := New(Config{Rand: strings.NewReader(strings.Repeat("k", tokenKeySize))})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New(Config{Rand: strings.NewReader(strings.Repeat("x", tokenKeySize))})
	client := netip.MustParseAddr("192.168.1.20")
	t0 := time.Unix(1_800_000_000, 0)
	tok := s.formToken(client, t0)
	tests := []struct {
		name   string
		srv    *Server
		token  string
		client string
		at     time.Time
		ok     bool
	}{
		{"fresh", s, tok, "192.168.1.20", t0, true},
		{"before expiry", s, tok, "192.168.1.20", t0.Add(tokenTTL), true},
		{"expired", s, tok, "192.168.1.20", t0.Add(tokenTTL + time.Second), false},
		{"clock stepped back a little", s, tok, "192.168.1.20", t0.Add(-tokenSkew), true},
		{"from the future", s, tok, "192.168.1.20", t0.Add(-tokenSkew - time.Second), false},
		{"other client", s, tok, "192.168.1.21", t0, false},
		{"other key", other, tok, "192.168.1.20", t0, false},
		{"empty", s, "", "192.168.1.20", t0, false},
		{"truncated", s, tok[:len(tok)-2], "192.168.1.20", t0, false},
		{"not base64", s, "!!" + tok[2:], "192.168.1.20", t0, false},
		{"flipped", s, flip(tok), "192.168.1.20", t0, false},
		{"before 1970", s, tok, "192.168.1.20", time.Unix(-5, 0), false},
	}
	for _, tt := range tests {
		if got := tt.srv.tokenOK(tt.token, netip.MustParseAddr(tt.client), tt.at); got != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.name, got, tt.ok)
		}
	}
	if _, err := New(Config{Rand: strings.NewReader("short")}); err == nil || !strings.HasPrefix(err.Error(), "console: ") {
		t.Errorf("short rand: %v", err)
	}
}

func flip(tok string) string {
	b := []byte(tok)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}

func TestFormatters(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct{ got, want string }{
		{formatDuration(0), "0s"},
		{formatDuration(59*time.Second + 600*time.Millisecond), "1m 0s"},
		{formatDuration(3*time.Hour + 25*time.Minute + 7*time.Second), "3h 25m"},
		{formatDuration(50 * time.Hour), "2d 2h"},
		{formatDuration(-90 * time.Second), "-1m 30s"},
		{formatSkew(0), "none"},
		{formatSkew(1250 * time.Millisecond), "1.250 s ahead"},
		{formatSkew(-2 * time.Second), "2.000 s behind"},
		{until(now, now.Add(90*time.Second)), "in 1m 30s"},
		{until(now, now), "expired"},
		{until(now, time.Time{}), "-"},
		{ago(now, now.Add(-2*time.Hour)), "2h 0m ago"},
		{ago(now, time.Time{}), "never"},
		{ago(now, now.Add(time.Minute)), "just now"},
		{formatBytes(0), "0 B"},
		{formatBytes(1023), "1023 B"},
		{formatBytes(1536), "1.5 KiB"},
		{formatBytes(612 << 20), "612.0 MiB"},
		{formatBytes(1 << 62), "4096.0 PiB"},
		{formatRate(48_300), "47.2 KiB/s"},
		{formatRate(-1), "-"},
		{formatPercent(0.781), "78%"},
		{shortHash("k9dh0boBfNDX0"), "k9dh0b"},
		{shortHash("äöü"), "äöü"},
		{shortHash("äöüäöüäöü"), "äöüäöü"},
		{siteURL("forum.i2p"), "http://forum.i2p/"},
		{siteURL("Forum.i2p"), ""},
		{siteURL("<b>.i2p"), ""},
		{siteURL("javascript:alert(1)//.i2p"), ""},
		{formatDate(time.Time{}), ""},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
