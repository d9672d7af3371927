package console

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRouter(t *testing.T) {
	rt := newRouter(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", http.StatusNotFound) })
	ok := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(name)) }
	}
	rt.handle("GET", "/", ok("root"))
	rt.handle("GET", "/book", ok("book"))
	rt.handle("POST", "/book", ok("add"))
	rt.handle("POST", "/only-post", ok("post"))
	for _, c := range []struct {
		method, path string
		code         int
		body, allow  string
	}{
		{"GET", "/", 200, "root", ""},
		{"HEAD", "/", 200, "root", ""},
		{"GET", "/book", 200, "book", ""},
		{"POST", "/book", 200, "add", ""},
		{"PUT", "/book", 405, "", "GET, HEAD, POST"},
		{"GET", "/only-post", 405, "", "POST"},
		{"HEAD", "/only-post", 405, "", "POST"},
		{"GET", "/book/", 404, "", ""},
		{"GET", "/nothing", 404, "", ""},
		{"GET", "//book", 404, "", ""},
	} {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != c.code || (c.body != "" && w.Body.String() != c.body) || w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: %d %q Allow %q, want %d %q Allow %q", c.method, c.path, w.Code, w.Body.String(), w.Header().Get("Allow"), c.code, c.body, c.allow)
		}
	}
}

func TestCrossSite(t *testing.T) {
	for _, c := range []struct {
		method string
		header map[string]string
		cross  bool
	}{
		{"GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
		{"HEAD", map[string]string{"Origin": "http://evil.example"}, false},
		{"POST", nil, false}, // curl, scripts
		{"POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, false},
		{"POST", map[string]string{"Sec-Fetch-Site": "none"}, false}, // typed into the address bar
		{"POST", map[string]string{"Sec-Fetch-Site": "same-site"}, true},
		{"POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, true},
		{"POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://console.lan:7070"}, true},
		{"POST", map[string]string{"Origin": "http://console.lan:7070"}, false},
		{"POST", map[string]string{"Origin": "https://console.lan:7070"}, false},
		{"POST", map[string]string{"Origin": "http://console.lan"}, true},
		{"POST", map[string]string{"Origin": "http://evil.example"}, true},
		{"POST", map[string]string{"Origin": "null"}, true},
		{"DELETE", map[string]string{"Origin": "http://evil.example"}, true},
	} {
		r := httptest.NewRequest(c.method, "http://console.lan:7070/addressbook", nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if got := crossSite(r); got != c.cross {
			t.Errorf("%s %v: crossSite %v, want %v", c.method, c.header, got, c.cross)
		}
	}
}
