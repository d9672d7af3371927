package console

import (
	"net/http"
	"strings"
)

// router dispatches on the exact method and path: the console has a dozen
// fixed pages, so net/http's ServeMux with its pattern language (and the
// code behind it, some 40 KB of a mipsle binary) is more than it needs. A
// GET route also answers HEAD; a known path with another method gets 405
// and an Allow header; anything else 404.
type router struct {
	routes   map[string]map[string]http.HandlerFunc // path -> method -> handler
	notFound func(http.ResponseWriter, *http.Request)
}

func newRouter(notFound func(http.ResponseWriter, *http.Request)) *router {
	return &router{routes: map[string]map[string]http.HandlerFunc{}, notFound: notFound}
}

// handle registers h for method and the exact path.
func (rt *router) handle(method, path string, h http.HandlerFunc) {
	m := rt.routes[path]
	if m == nil {
		m = map[string]http.HandlerFunc{}
		rt.routes[path] = m
	}
	m[method] = h
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := rt.routes[r.URL.Path]
	if m == nil {
		rt.notFound(w, r)
		return
	}
	method := r.Method
	if method == http.MethodHead && m[http.MethodHead] == nil {
		method = http.MethodGet
	}
	if h := m[method]; h != nil {
		h(w, r)
		return
	}
	w.Header().Set("Allow", strings.Join(allowed(m), ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
}

// allowed lists the methods of a path in a fixed order.
func allowed(m map[string]http.HandlerFunc) []string {
	var out []string
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		if m[method] != nil || (method == http.MethodHead && m[http.MethodGet] != nil) {
			out = append(out, method)
		}
	}
	return out
}

// crossSite reports whether r is a state-changing request a browser sent on
// behalf of another site: what net/http's CrossOriginProtection refuses,
// without its bypass patterns (which link ServeMux). Safe methods pass;
// Sec-Fetch-Site same-origin or none passes, any other value is refused;
// without it, a request with no Origin (not from a browser, or an old one on
// the same origin) passes, and an Origin passes only when its host is the
// Host the request was sent to.
func crossSite(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "":
	case "same-origin", "none":
		return false
	default:
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return true
	}
	return rest != r.Host
}
