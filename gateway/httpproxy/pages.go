package httpproxy

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
)

// Page kinds: one small self-contained HTML page each (inline style, no
// external assets, no script).
const (
	pageUnknownName = "unknown"
	pageNotFound    = "notfound"
	pageTimeout     = "timeout"
	pageNoTunnels   = "notunnels"
	pageNotAllowed  = "notallowed"
	pageRefused     = "refused"
	pageFailed      = "failed"
	pageBadRequest  = "bad"
	pageHelper      = "helper"
	pageHelperB32   = "helperb32"
	pageBadToken    = "badtoken"
	pageSaveFailed  = "savefailed"
)

// pageTitles are the pages' headings.
var pageTitles = map[string]string{
	pageUnknownName: "Unknown I2P name",
	pageNotFound:    "I2P site not found",
	pageTimeout:     "I2P site timed out",
	pageNoTunnels:   "No tunnels yet",
	pageNotAllowed:  "Not an I2P address",
	pageRefused:     "Connection refused",
	pageFailed:      "Could not reach the I2P site",
	pageBadRequest:  "Bad request",
	pageHelper:      "Save address?",
	pageHelperB32:   "Address helper",
	pageBadToken:    "Address not saved",
	pageSaveFailed:  "Address not saved",
}

type jumpLink struct {
	Label string
	URL   string
}

// pageData fills the page template; fields unused by a kind stay empty.
type pageData struct {
	Kind, Title string
	Host        string     // the name or host:port asked for
	Jumps       []jumpLink // unknown name: jump services
	Reason      string     // bad request
	// Address helper.
	Name        string // the name to save
	B32         string // the destination's b32 address
	Action      string // the form's URL (the helper URL itself)
	Token       string
	CanSave     bool
	ContinueURL string // the page on its b32 address, without saving
	CancelURL   string // the page as asked, without the helper
}

const pageTemplate = `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · i2pgate</title>
<style>
body{font:100%/1.5 sans-serif;margin:0;padding:1.5em;background:#fafafa;color:#103456;max-width:46em}
h1{font-size:1.5em;color:#894c84}code{word-break:break-all}
button{font-size:1em;padding:.3em 1em}
</style></head>
<body><h1>{{.Title}}</h1>
{{- if eq .Kind "unknown"}}
<p>The name <code>{{.Host}}</code> is not in the router's address book.</p>
{{- if .Jumps}}
<p>A jump service may know it; it answers with a link that offers to add it:</p>
<ul>{{range .Jumps}}<li><a href="{{.URL}}">{{.Label}}</a></li>{{end}}</ul>
{{- end}}
{{- else if eq .Kind "notfound"}}
<p>The destination of <code>{{.Host}}</code> could not be found in the network database. The site may be
offline, or may not have published its address recently. Try again in a few minutes.</p>
{{- else if eq .Kind "timeout"}}
<p><code>{{.Host}}</code> did not answer in time. The site may be down or the network slow. Try again.</p>
{{- else if eq .Kind "notunnels"}}
<p>The router has no tunnels to reach <code>{{.Host}}</code> yet. If it has just started, wait a minute or two
and reload.</p>
{{- else if eq .Kind "notallowed"}}
<p><code>{{.Host}}</code> is not an I2P address, and this proxy has no outproxy: it only reaches
<code>.i2p</code> sites. Nothing was sent anywhere.</p>
{{- else if eq .Kind "refused"}}
<p><code>{{.Host}}</code> refused the connection: the destination is up but serves nothing on that port.</p>
{{- else if eq .Kind "failed"}}
<p><code>{{.Host}}</code> could not be reached. Try again later.</p>
{{- else if eq .Kind "bad"}}
<p>{{.Reason}}</p>
<p>This is i2pgate's HTTP proxy: set it as your browser's HTTP proxy and visit <code>.i2p</code> sites.</p>
{{- else if eq .Kind "helper"}}
<p>The link you followed says that <code>{{.Name}}</code> is the destination
<code>{{.B32}}</code>.</p>
{{- if .CanSave}}
<p>Only save it if you trust where the link came from: the name will lead to that destination from now on.</p>
<form method="post" action="{{.Action}}"><input type="hidden" name="i2pgate_token" value="{{.Token}}">
<button type="submit">Save {{.Name}} and continue</button></form>
{{- end}}
<p><a href="{{.ContinueURL}}">Continue without saving</a> (to the b32 address) ·
<a href="{{.CancelURL}}">Cancel</a></p>
{{- else if eq .Kind "helperb32"}}
<p>The link you followed says that <code>{{.Name}}</code> is <code>{{.B32}}</code>. Only full destinations
can be saved in the address book.</p>
<p><a href="{{.ContinueURL}}">Continue to {{.B32}}</a> · <a href="{{.CancelURL}}">Cancel</a></p>
{{- else if eq .Kind "badtoken"}}
<p>The request to save <code>{{.Name}}</code> did not come from this proxy's page. Nothing was saved.</p>
{{- else if eq .Kind "savefailed"}}
<p>The address book could not save <code>{{.Name}}</code>. <a href="{{.ContinueURL}}">Continue without saving</a></p>
{{- end}}
</body></html>
`

var pageTmpl = template.Must(template.New("page").Parse(pageTemplate))

// writePage sends a page. The page stands in for the site's answer under the
// site's origin, so it forbids scripts and caching.
func writePage(w http.ResponseWriter, status int, d pageData) {
	d.Title = pageTitles[d.Kind]
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, d); err != nil {
		http.Error(w, d.Title, status)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// jumpLinks builds the jump services' links for name.
func jumpLinks(prefixes []string, name string) []jumpLink {
	links := make([]jumpLink, 0, len(prefixes))
	for _, p := range prefixes {
		label := p
		if u, err := url.Parse(p); err == nil && u.Host != "" {
			label = u.Host
		}
		links = append(links, jumpLink{Label: label, URL: p + url.QueryEscape(name)})
	}
	return links
}
