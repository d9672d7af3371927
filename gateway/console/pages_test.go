package console_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/gateway/console"
	"i2pgate/gateway/console/consoletest"
)

// t0 is the fake time of the tests.
var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// env is a console with the sample sources, served in process.
type env struct {
	t    *testing.T
	h    http.Handler
	data *consoletest.Data
	book *consoletest.Book
	now  atomic.Int64 // unix nanoseconds
}

// newEnv wires the sample data; mod may change the config (or drop sources).
func newEnv(t *testing.T, mod func(*console.Config)) *env {
	t.Helper()
	e := &env{t: t, data: consoletest.Sample(t0), book: consoletest.SampleBook(t0)}
	e.now.Store(t0.UnixNano())
	e.book.Now = e.clock
	cfg := console.Config{Now: e.clock}
	e.data.Wire(&cfg, e.book)
	if mod != nil {
		mod(&cfg)
	}
	s, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.h = s.Handler()
	return e
}

func (e *env) clock() time.Time { return time.Unix(0, e.now.Load()).UTC() }

func (e *env) advance(d time.Duration) { e.now.Add(int64(d)) }

// request is one request to the console; the client is 192.0.2.1 unless
// remote says otherwise.
type request struct {
	method, target string
	form           url.Values
	remote         string
	header         http.Header
	user, password string
}

func (e *env) do(r request) (*http.Response, string) {
	e.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	req := httptest.NewRequest(r.method, r.target, body)
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.remote != "" {
		req.RemoteAddr = r.remote
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if r.user != "" || r.password != "" {
		req.SetBasicAuth(r.user, r.password)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	resp := rec.Result()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *env) get(target string) (*http.Response, string) {
	e.t.Helper()
	return e.do(request{target: target})
}

func short(h string) string { return h[:6] }

func TestPages(t *testing.T) {
	e := newEnv(t, nil)
	d := e.data
	tests := []struct {
		path   string
		want   []string
		reject []string
	}{
		{"/", []string{"<title>Overview · i2pgate</title>", `class="on" aria-current="page">Overview`,
			">ok<", "0.9.66", d.Overview.RouterHash, "3h 25m", "1.250 s ahead", "2480 (312 floodfills)",
			"Sessions NTCP2 in</th><td>14", "Tunnels client out</th><td>4", "Transit tunnels</th><td>120",
			"47.2 KiB/s (612.0 MiB total)", "50.7 KiB/s (655.0 MiB total)"}, nil},
		{"/peers", []string{"130 routers, 33 connected.", short(d.Peers[0].Hash), `title="` + d.Peers[0].Hash + `"`,
			"XfR", "0.9.62", "NTCP2 out", short(d.Peers[99].Hash), `href="/peers?page=2"`, "page 1"},
			[]string{short(d.Peers[100].Hash), "previous"}},
		{"/peers?page=2", []string{short(d.Peers[100].Hash), short(d.Peers[129].Hash), `href="/peers"`, "previous"},
			[]string{short(d.Peers[99].Hash), "next"}},
		{"/peers?connected=1", []string{short(d.Peers[0].Hash), short(d.Peers[128].Hash), "Show all"},
			[]string{short(d.Peers[1].Hash), "page 1"}},
		{"/peers?page=9", []string{"none", "previous"}, []string{short(d.Peers[0].Hash)}},
		{"/tunnels", []string{"78%", "412 (97 failed)", "In progress</th><td>3", "Tests failed</th><td>6",
			"Our tunnels (5)", "exploratory", "gateway-http", "&lt;b&gt;eepsite&lt;/b&gt;", "inbound", "outbound",
			short(d.Tunnels.Tunnels[1].Hops[0]) + "</span> &rarr; <span", short(d.Tunnels.Tunnels[1].Hops[2]),
			"in 3m 0s", "in 7m 0s", ">8919<"}, nil},
		{"/transit", []string{"120 transit tunnels, 60 participant, 30 inbound gateway, 30 outbound endpoint.",
			"65536", "expired", "in 1m 39s", "36.1 KiB", `href="/transit?page=2"`}, nil},
		{"/destinations", []string{"gateway-http", `<a href="http://` + d.Destinations[0].B32 + `/">` + d.Destinations[0].B32,
			d.Destinations[1].B32, "&lt;b&gt;eepsite&lt;/b&gt;", ">5<"}, nil},
		{"/addressbook", []string{"site0.i2p", `<a href="http://forum1.i2p/">forum1.i2p</a>`, consoletest.B32("forum1.i2p"),
			"http://reg.i2p/hosts.txt", "2026-04-30", `href="/addressbook?page=2"`, `name="token" value="`},
			[]string{"paste52.i2p"}},
		{"/automap", []string{"reg.i2p", "10.192.0.2", "fd00:1:2::2", "&lt;img src=x&gt;.i2p", "17m 0s ago"}, nil},
		{"/subscriptions", []string{"http://reg.i2p/hosts.txt", "2h 0m ago", ">ok<", ">not modified<", ">41<",
			"error</span>: &lt;i&gt;timeout&lt;/i&gt; after 120 s", "never", "not yet fetched"}, nil},
	}
	hostile := []string{"<script", "<img", "<b>eepsite", "<i>timeout"}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := e.get(tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("CSP %q", csp)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q", w)
				}
			}
			for _, w := range append(tt.reject, hostile...) {
				if strings.Contains(body, w) {
					t.Errorf("has %q", w)
				}
			}
			if strings.Contains(body, "Not available") || strings.Contains(body, "<link") {
				t.Errorf("page not available or loads something")
			}
		})
	}
}

func TestStatusFallbackOverview(t *testing.T) {
	e := newEnv(t, func(c *console.Config) {
		c.Overview = nil
		c.Status = statusFunc(func() any { return map[string]any{"router_hash": "<abc>", "netid": 2} })
	})
	resp, body := e.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "router_hash") || !strings.Contains(body, `&#34;\u003cabc\u003e&#34;`) {
		t.Errorf("fallback overview: %d\n%s", resp.StatusCode, body)
	}
	e = newEnv(t, func(c *console.Config) {
		c.Overview = nil
		c.Status = statusFunc(func() any { return []int{1} })
	})
	if resp, _ := e.get("/"); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status not an object: %d", resp.StatusCode)
	}
}

type statusFunc func() any

func (f statusFunc) Status() any { return f() }

func TestNotAvailable(t *testing.T) {
	e := newEnv(t, func(c *console.Config) { *c = console.Config{Now: c.Now} })
	for _, p := range []string{"/", "/peers", "/tunnels", "/transit", "/destinations", "/addressbook", "/automap", "/subscriptions"} {
		resp, body := e.get(p)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Not available") {
			t.Errorf("%s: %d, not-available notice missing", p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/metrics", "/api/status"} {
		if resp, body := e.get(p); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not available") {
			t.Errorf("%s: %d %q", p, resp.StatusCode, body)
		}
	}
	if resp, _ := e.do(request{method: "POST", target: "/addressbook", form: url.Values{}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("add without a book: %d", resp.StatusCode)
	}
	for _, p := range []string{"/nosuch", "/peers/x", "/index.html"} {
		if resp, _ := e.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := e.do(request{method: "DELETE", target: "/addressbook"}); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
}

var rowName = regexp.MustCompile(`<tr><td>(?:<a href="[^"]*">)?([^<]*)(?:</a>)?</td><td class="mono">`)

// bookNames lists the names of an address book page in order.
func bookNames(body string) []string {
	var names []string
	for _, m := range rowName.FindAllStringSubmatch(body, -1) {
		names = append(names, m[1])
	}
	return names
}

func TestAddressBookSearchAndPaging(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		target      string
		first, last string
		n           int
		prev, next  string
	}{
		{"/addressbook", "site0.i2p", "forum49.i2p", 50, "", "/addressbook?page=2"},
		{"/addressbook?page=2", "wiki50.i2p", "git99.i2p", 50, "/addressbook", "/addressbook?page=3"},
		{"/addressbook?page=3", "paste100.i2p", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.i2p", 20, "/addressbook?page=2", ""},
		{"/addressbook?q=forum", "forum1.i2p", "forum115.i2p", 20, "", ""},
		{"/addressbook?q=+FORUM1+", "forum1.i2p", "forum115.i2p", 6, "", ""},
		{"/addressbook?q=i2p&page=3", "paste100.i2p", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.i2p", 20, "/addressbook?page=2&amp;q=i2p", ""},
		{"/addressbook?q=i2p&page=2", "wiki50.i2p", "git99.i2p", 50, "/addressbook?q=i2p", "/addressbook?page=3&amp;q=i2p"},
		{"/addressbook?q=%3Cscript", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;.i2p", "", 1, "", ""},
		{"/addressbook?q=nothing-like-it", "", "", 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := e.get(tt.target)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			names := bookNames(body)
			if len(names) != tt.n {
				t.Fatalf("%d names, want %d: %v", len(names), tt.n, names)
			}
			if tt.n > 0 && names[0] != tt.first || tt.last != "" && names[len(names)-1] != tt.last {
				t.Errorf("names %q .. %q", names[0], names[len(names)-1])
			}
			checkLink(t, body, "previous", tt.prev)
			checkLink(t, body, "next", tt.next)
			if tt.n == 0 && !strings.Contains(body, "no name contains “nothing-like-it”") {
				t.Error("no empty-result notice")
			}
		})
	}
}

// checkLink checks the pager link labelled label ("" href: no such link).
func checkLink(t *testing.T, body, label, href string) {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]*)">[^<]*` + label).FindStringSubmatch(body)
	switch {
	case href == "" && m != nil:
		t.Errorf("%s link %q", label, m[1])
	case href != "" && (m == nil || m[1] != href):
		t.Errorf("%s link %v, want %q", label, m, href)
	}
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

// token fetches the add form's token as the client at remote.
func (e *env) token(remote string) string {
	e.t.Helper()
	_, body := e.do(request{target: "/addressbook", remote: remote})
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatal("no token in the page")
	}
	return m[1]
}

func TestAddressBookAdd(t *testing.T) {
	const client = "192.168.1.20:50000"
	dest := consoletest.Dest("new")
	t.Run("ok", func(t *testing.T) {
		e := newEnv(t, nil)
		form := url.Values{"token": {e.token(client)}, "name": {"New-Site.i2p"}, "dest": {dest[:300] + "\r\n" + dest[300:]}}
		resp, _ := e.do(request{method: "POST", target: "/addressbook", form: form, remote: client})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/addressbook?added=new-site.i2p&q=new-site.i2p" {
			t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		got, ok := e.book.Get("new-site.i2p")
		if !ok || !got.Local || got.B32 != consoletest.B32(dest) || !got.Added.Equal(t0) {
			t.Fatalf("book has %+v %v", got, ok)
		}
		_, body := e.get(resp.Header.Get("Location"))
		if !strings.Contains(body, "Added new-site.i2p to the local address book.") || !strings.Contains(body, ">local<") {
			t.Error("no confirmation")
		}
		// The same token works again within its hour (one page, several adds).
		form.Set("name", "other.i2p")
		e.advance(59 * time.Minute)
		if resp, _ := e.do(request{method: "POST", target: "/addressbook", form: form, remote: client}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("second add: %d", resp.StatusCode)
		}
		// A hosts.txt line instead of the fields.
		line := url.Values{"token": {e.token(client)}, "line": {"line.i2p=" + dest}}
		if resp, _ := e.do(request{method: "POST", target: "/addressbook", form: line, remote: client}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("line add: %d", resp.StatusCode)
		}
		if e.book.Adds() != 3 {
			t.Errorf("%d adds", e.book.Adds())
		}
	})

	refused := []struct {
		name   string
		form   func(e *env) url.Values
		before func(e *env)
		remote string
		header http.Header
		status int
		msg    string
	}{
		{"no token", func(e *env) url.Values { return url.Values{"name": {"a.i2p"}, "dest": {dest}} }, nil, client, nil,
			http.StatusForbidden, "did not come from this console"},
		{"forged token", func(e *env) url.Values {
			return url.Values{"token": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "name": {"a.i2p"}, "dest": {dest}}
		}, nil, client, nil, http.StatusForbidden, "did not come from this console"},
		{"token of another client", func(e *env) url.Values {
			return url.Values{"token": {e.token("192.168.1.99:1")}, "name": {"a.i2p"}, "dest": {dest}}
		}, nil, client, nil, http.StatusForbidden, "did not come from this console"},
		{"expired token", func(e *env) url.Values {
			return url.Values{"token": {e.token(client)}, "name": {"a.i2p"}, "dest": {dest}}
		}, func(e *env) { e.advance(61 * time.Minute) }, client, nil, http.StatusForbidden, "too old"},
		{"cross-site browser request", func(e *env) url.Values {
			return url.Values{"token": {e.token(client)}, "name": {"a.i2p"}, "dest": {dest}}
		}, nil, client, http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden, "cross-site"},
		{"other origin", func(e *env) url.Values {
			return url.Values{"token": {e.token(client)}, "name": {"a.i2p"}, "dest": {dest}}
		}, nil, client, http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden, "cross-site"},
		{"bad name", func(e *env) url.Values {
			return url.Values{"token": {e.token(client)}, "name": {"<script>x</script>.i2p"}, "dest": {dest}}
		}, nil, client, nil, http.StatusBadRequest, "only a-z, 0-9"},
		{"bad destination", func(e *env) url.Values {
			return url.Values{"token": {e.token(client)}, "name": {"a.i2p"}, "dest": {"<b>" + dest}}
		}, nil, client, nil, http.StatusBadRequest, "must be base64"},
		{"book refuses", func(e *env) url.Values {
			return url.Values{"token": {e.token(client)}, "name": {"a.i2p"}, "dest": {dest}}
		}, func(e *env) { e.book.Max = 1 }, client, nil, http.StatusBadRequest, "consoletest: address book full"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			form := tt.form(e)
			if tt.before != nil {
				tt.before(e)
			}
			resp, body := e.do(request{method: "POST", target: "/addressbook", form: form, remote: tt.remote, header: tt.header})
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.msg) {
				t.Errorf("%d, want %d; message %q in\n%s", resp.StatusCode, tt.status, tt.msg, body)
			}
			if e.book.Adds() != 0 {
				t.Errorf("%d names added", e.book.Adds())
			}
			if strings.Contains(body, "<script>x") || strings.Contains(body, "<b>"+dest[:10]) {
				t.Error("entered values not escaped")
			}
			if tt.status == http.StatusBadRequest && tt.name != "book refuses" && !strings.Contains(body, "&lt;") {
				t.Error("entered values not shown again")
			}
		})
	}
}

func TestAddFormTooLarge(t *testing.T) {
	e := newEnv(t, nil)
	form := url.Values{"token": {e.token("192.0.2.1:1234")}, "dest": {strings.Repeat("A", 10<<10)}, "name": {"a.i2p"}}
	if resp, _ := e.do(request{method: "POST", target: "/addressbook", form: form}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d", resp.StatusCode)
	}
	if e.book.Adds() != 0 {
		t.Error("added")
	}
}

func ExampleConfig() {
	cfg := console.Config{
		Address: "127.0.0.1:7070",
		Peers: console.PeersFunc(func() []console.Peer {
			return []console.Peer{{Hash: "k9dh0boBfNDX0-6I0L1vIOlmmQvTlOuoU2B0WWSyEyg=", Caps: "XfR", Connected: true}}
		}),
	}
	s, err := console.New(cfg)
	fmt.Println(s != nil, err)
	// Output: true <nil>
}
