package httpproxy

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// testDest is a syntactically valid destination (391 bytes: with a key
// certificate), I2P base64.
func testDest(seed byte) string {
	b := make([]byte, 391)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return i2pBase64.EncodeToString(b)
}

var (
	tokenRe  = regexp.MustCompile(`name="i2pgate_token" value="([^"]+)"`)
	actionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hrefRe   = regexp.MustCompile(`<a href="([^"]+)">`)
)

func helperURL(name, dest string) string {
	return "http://" + name + "/page?x=1&" + helperParam + "=" + url.QueryEscape(dest) + "&y=2"
}

func TestAddressHelperSave(t *testing.T) {
	f := newFakeI2P(t, "site")
	book := &fakeBook{}
	s := start(t, Config{Dialer: f, AddressBook: book})
	c := client(t, s, "127.0.0.1")
	dest := testDest(1)
	b32, ok := destB32(dest)
	if !ok || len(b32) != 60 {
		t.Fatalf("destB32 %q", b32)
	}

	resp, body := get(t, c, helperURL("NewSite.i2p", dest))
	if resp.StatusCode != 200 || !strings.Contains(body, "<code>newsite.i2p</code>") || !strings.Contains(body, b32) {
		t.Fatalf("helper page %d:\n%s", resp.StatusCode, body)
	}
	token := tokenRe.FindStringSubmatch(body)
	action := actionRe.FindStringSubmatch(body)
	if token == nil || action == nil {
		t.Fatalf("no form in:\n%s", body)
	}
	hrefs := hrefRe.FindAllStringSubmatch(body, -1)
	if len(hrefs) != 2 || html.UnescapeString(hrefs[0][1]) != "http://"+b32+"/page?x=1&y=2" ||
		html.UnescapeString(hrefs[1][1]) != "http://newsite.i2p/page?x=1&y=2" {
		t.Errorf("links %v", hrefs)
	}
	target := html.UnescapeString(action[1])

	// A forged or missing token saves nothing.
	for _, tok := range []string{"", "AAAAAAAAAAAAAAAAAAAAAA", token[1] + "x"} {
		resp, _ := do(t, c, postForm(target, tok))
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("token %q: %d", tok, resp.StatusCode)
		}
	}
	// The token is bound to the client.
	if resp, _ := do(t, client(t, s, "127.0.0.2"), postForm(target, token[1])); resp.StatusCode != http.StatusForbidden {
		t.Errorf("token from another client: %d", resp.StatusCode)
	}
	// The token is bound to the destination.
	other := strings.Replace(target, url.QueryEscape(dest), url.QueryEscape(testDest(2)), 1)
	if resp, _ := do(t, c, postForm(other, token[1])); resp.StatusCode != http.StatusForbidden {
		t.Errorf("token for another destination: %d", resp.StatusCode)
	}
	if len(book.added) != 0 {
		t.Fatalf("saved %v", book.added)
	}

	resp, _ = do(t, c, postForm(target, token[1]))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "http://newsite.i2p/page?x=1&y=2" {
		t.Errorf("save: %d %v", resp.StatusCode, resp.Header)
	}
	if got := book.get("newsite.i2p"); got != dest {
		t.Errorf("book has %q", got)
	}
	if d := f.dialed(); len(d) != 0 {
		t.Errorf("helper dialed %v", d)
	}
	if st := s.Stats(); st.Helper != 1 || st.HelperSaved != 1 || st.HelperRejected != 5 {
		t.Errorf("stats %+v", st)
	}

	book.fail = true
	if resp, body := do(t, c, postForm(target, token[1])); resp.StatusCode != 500 ||
		!strings.Contains(body, "http://"+b32+"/page?x=1&amp;y=2") {
		t.Errorf("failed save: %d %s", resp.StatusCode, body)
	}
}

func postForm(target, token string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(url.Values{tokenField: {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func TestAddressHelperVariants(t *testing.T) {
	f := newFakeI2P(t, "site")
	s := start(t, Config{Dialer: f}) // no address book: nothing can be saved
	c := client(t, s, "127.0.0.1")
	dest := testDest(3)
	b32, _ := destB32(dest)

	resp, body := get(t, c, helperURL("newsite.i2p", dest))
	if resp.StatusCode != 200 || strings.Contains(body, "<form") || !strings.Contains(body, b32) {
		t.Errorf("without book: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := do(t, c, postForm(helperURL("newsite.i2p", dest), "x")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without book: %d", resp.StatusCode)
	}

	// A helper naming a b32 address: continue there.
	other := strings.Repeat("b", 52) + ".b32.i2p"
	resp, body = get(t, c, helperURL("newsite.i2p", other))
	if resp.StatusCode != 200 || !strings.Contains(body, `href="http://`+other+`/page?x=1&amp;y=2"`) {
		t.Errorf("b32 helper: %d\n%s", resp.StatusCode, body)
	}

	// On a b32 host the helper is just removed.
	host := strings.Repeat("c", 52) + ".b32.i2p"
	resp, _ = get(t, c, helperURL(host, dest))
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://"+host+"/page?x=1&y=2" {
		t.Errorf("b32 host: %d %v", resp.StatusCode, resp.Header)
	}

	for _, bad := range []string{"", "notbase64!", testDest(1)[:100], "short.b32.i2p", "<script>"} {
		resp, body := get(t, c, helperURL("newsite.i2p", bad))
		if resp.StatusCode != 400 || strings.Contains(body, "<script>") {
			t.Errorf("helper %q: %d", bad, resp.StatusCode)
		}
	}
	if d := f.dialed(); len(d) != 0 {
		t.Errorf("helper dialed %v", d)
	}
}
