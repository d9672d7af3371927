package httpproxy

import (
	"bufio"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func readRequest(t *testing.T, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("ReadRequest(%q): %v", raw, err)
	}
	return r
}

func TestClassify(t *testing.T) {
	dest := testDest(1)
	tests := []struct {
		line     string
		kind     routeKind
		name     string
		hostport string
		url      string
		err      error
	}{
		{"GET http://site.i2p/ HTTP/1.1", routeI2P, "site.i2p", "site.i2p:80", "http://site.i2p/", nil},
		{"GET HTTP://SITE.I2P:80/a?b HTTP/1.1", routeI2P, "site.i2p", "site.i2p:80", "http://site.i2p/a?b", nil},
		{"POST http://site.i2p:8080/x HTTP/1.1", routeI2P, "site.i2p", "site.i2p:8080", "http://site.i2p:8080/x", nil},
		{"GET http://site.i2p./ HTTP/1.1", routeI2P, "site.i2p", "site.i2p:80", "http://site.i2p/", nil},
		{"GET http://example.com/ HTTP/1.1", routeClearnet, "", "example.com:80", "http://example.com/", nil},
		{"GET http://10.0.0.1:81/ HTTP/1.1", routeClearnet, "", "10.0.0.1:81", "http://10.0.0.1:81/", nil},
		{"GET http://[::1]/ HTTP/1.1", routeClearnet, "", "[::1]:80", "http://[::1]/", nil},
		{"GET http://i2p/ HTTP/1.1", routeClearnet, "", "i2p:80", "http://i2p/", nil},
		{"CONNECT site.i2p:443 HTTP/1.1", routeConnectI2P, "site.i2p", "site.i2p:443", "", nil},
		{"CONNECT example.com:443 HTTP/1.1", routeConnectClearnet, "", "example.com:443", "", nil},
		{"CONNECT [2001:db8::1]:443 HTTP/1.1", routeConnectClearnet, "", "[2001:db8::1]:443", "", nil},
		{"GET http://site.i2p/p?a=1&i2paddresshelper=" + dest + "&b=2 HTTP/1.1", routeHelper, "site.i2p",
			"site.i2p:80", "http://site.i2p/p?a=1&b=2", nil},
		{"GET http://site.i2p/?I2PAddressHelper=" + dest + " HTTP/1.1", routeHelper, "site.i2p", "site.i2p:80",
			"http://site.i2p/", nil},
		{"GET http://site.i2p/?i2paddresshelper=bad HTTP/1.1", 0, "", "", "", errBadHelper},
		{"GET / HTTP/1.1", 0, "", "", "", errNotProxyRequest},
		{"GET https://site.i2p/ HTTP/1.1", 0, "", "", "", errScheme},
		{"GET ftp://site.i2p/ HTTP/1.1", 0, "", "", "", errScheme},
		{"GET http://user:pw@site.i2p/ HTTP/1.1", 0, "", "", "", errBadHost},
		{"GET http://site.i2p:0/ HTTP/1.1", 0, "", "", "", errBadHost},
		{"CONNECT site.i2p HTTP/1.1", 0, "", "", "", errBadHost},
		{"CONNECT site.i2p:99999 HTTP/1.1", 0, "", "", "", errBadHost},
	}
	for _, tt := range tests {
		host := "x"
		r := readRequest(t, tt.line+"\r\nHost: "+host+"\r\n\r\n")
		if r.Method == http.MethodConnect {
			r.Host = strings.Fields(tt.line)[1]
		}
		rt, err := classify(r)
		if err != tt.err {
			t.Errorf("%s: err %v, want %v", tt.line, err, tt.err)
			continue
		}
		if err != nil {
			continue
		}
		u := ""
		if rt.url != nil {
			u = rt.url.String()
		}
		if rt.kind != tt.kind || rt.name != tt.name || rt.hostport != tt.hostport || u != tt.url {
			t.Errorf("%s: %+v url %s", tt.line, rt, u)
		}
		if rt.kind == routeHelper && rt.helper != dest {
			t.Errorf("%s: helper %q", tt.line, rt.helper)
		}
	}
}

func TestCutHelper(t *testing.T) {
	tests := []struct{ query, helper, rest string }{
		{"i2paddresshelper=abc", "abc", ""},
		{"a=1&i2paddresshelper=abc", "abc", "a=1"},
		{"i2paddresshelper=abc&a=1", "abc", "a=1"},
		{"a=%20&i2paddresshelper=a%7Eb&b=&&c", "a~b", "a=%20&b=&c"},
		{"i2paddresshelper=one&i2paddresshelper=two", "one", ""},
		{"i2p%61ddresshelper=x", "x", ""},
	}
	for _, tt := range tests {
		h, rest, found := cutHelper(tt.query)
		if !found || h != tt.helper || rest != tt.rest {
			t.Errorf("cutHelper(%q) = %q %q %v", tt.query, h, rest, found)
		}
	}
	if _, rest, found := cutHelper("a=1&b=i2paddresshelper"); found || rest != "a=1&b=i2paddresshelper" {
		t.Errorf("value named like the helper: %v %q", found, rest)
	}
}

func TestSanitizeHeader(t *testing.T) {
	target, _ := url.Parse("http://site.i2p/page")
	h := http.Header{
		"User-Agent":          {"Mozilla/5.0 Firefox"},
		"Accept":              {"image/avif,image/webp,*/*"},
		"Accept-Language":     {"fr"},
		"Accept-Charset":      {"utf-8"},
		"Accept-Encoding":     {"gzip, deflate"},
		"Via":                 {"1.1 x"},
		"From":                {"a@b"},
		"Forwarded":           {"for=1.2.3.4"},
		"Dnt":                 {"1"},
		"X-Forwarded-For":     {"1.2.3.4"},
		"X-Forwarded-Proto":   {"http"},
		"X-Real-Ip":           {"1.2.3.4"},
		"Proxy-Authorization": {"Basic x"},
		"Proxy-Connection":    {"keep-alive"},
		"Sec-Ch-Ua":           {`"Chromium";v="130"`},
		"Sec-Ch-Ua-Platform":  {"Windows"},
		"X-Requested-With":    {"com.example.app"},
		"Authorization":       {"NTLM TlRMTVNTUAAB"},
		"Referer":             {"http://site.i2p:80/other"},
		"Cookie":              {"k=v"},
		"Content-Type":        {"text/plain"},
	}
	sanitizeHeader(h, target, false)
	want := http.Header{
		"User-Agent":      {userAgentI2P},
		"Accept":          {acceptImage},
		"Accept-Encoding": {"gzip, deflate"},
		"Referer":         {"http://site.i2p:80/other"},
		"Cookie":          {"k=v"},
		"Content-Type":    {"text/plain"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("sanitized\n%v\nwant\n%v", h, want)
	}

	h = http.Header{"X-Requested-With": {"XMLHttpRequest"}, "Accept": {"application/json"},
		"Authorization": {"Basic dTpw"}, "Referer": {"https://site.i2p/"}}
	sanitizeHeader(h, target, true)
	want = http.Header{"X-Requested-With": {"XMLHttpRequest"}, "Accept": {"application/json"},
		"Authorization": {"Basic dTpw"}, "User-Agent": {userAgentClearnet}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("sanitized\n%v\nwant\n%v", h, want)
	}

	for ref, keep := range map[string]bool{
		"http://site.i2p/":        true,
		"http://SITE.i2p:80/x":    true,
		"http://site.i2p:81/":     false,
		"https://site.i2p/":       false,
		"http://evil.i2p/":        false,
		"/relative":               false,
		"http://site.i2p.evil/":   false,
		"::not a url":             false,
		"http://user@site.i2p/ok": true,
	} {
		if got := sameOrigin(ref, target); got != keep {
			t.Errorf("sameOrigin(%q) = %v", ref, got)
		}
	}
}

func TestNormalizeAccept(t *testing.T) {
	for in, want := range map[string]string{
		"text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
		"text/html,application/xhtml+xml;q=0.9,*/*;q=0.8":                                       acceptHTML,
		"image/avif,image/webp,*/*":                                                             acceptImage,
		"text/css,*/*;q=0.1":                                                                    acceptCSS,
		"application/json":                                                                      "application/json",
	} {
		if got := normalizeAccept(in); got != want {
			t.Errorf("normalizeAccept(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDestB32(t *testing.T) {
	// base32(sha256(391 zero bytes)), computed with Python's hashlib and
	// base64.b32encode.
	zero := i2pBase64.EncodeToString(make([]byte, 391))
	got, ok := destB32(zero)
	if want := "3nxwbfysjxeovos4g33e7xa6hzccag3mb475nii7xk2lhbsxvvvq.b32.i2p"; !ok || got != want {
		t.Fatalf("destB32 = %q %v, want %s", got, ok, want)
	}
	if _, ok := destB32(zero[:500]); ok {
		t.Error("short destination accepted")
	}
	if _, ok := destB32(strings.Replace(zero, "A", "+", 1)); ok {
		t.Error("standard base64 character accepted")
	}
}
