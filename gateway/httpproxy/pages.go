package httpproxy

import (
	"i2pgate/gateway/internal/markup"
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

// pageData fills a page; fields unused by its kind stay empty.
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

const pageHead = `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%v · i2pgate</title>
<style>
body{font:100%%/1.5 sans-serif;margin:0;padding:1.5em;background:#fafafa;color:#103456;max-width:46em}
h1{font-size:1.5em;color:#894c84}code{word-break:break-all}
button{font-size:1em;padding:.3em 1em}
</style></head>
<body><h1>%v</h1>`

// renderPage writes the page of d.Kind; every value in it is escaped.
func renderPage(b *markup.Buf, d pageData) {
	b.F(pageHead, d.Title, d.Title)
	switch d.Kind {
	case pageUnknownName:
		b.F("\n<p>The name <code>%v</code> is not in the router's address book.</p>", d.Host)
		if len(d.Jumps) > 0 {
			b.F("\n<p>A jump service may know it; it answers with a link that offers to add it:</p>\n<ul>")
			for _, j := range d.Jumps {
				b.F(`<li><a href="%v">%v</a></li>`, markup.AttrURL(j.URL), j.Label)
			}
			b.F("</ul>")
		}
	case pageNotFound:
		b.F("\n<p>The destination of <code>%v</code> could not be found in the network database. The site may be\n"+
			"offline, or may not have published its address recently. Try again in a few minutes.</p>", d.Host)
	case pageTimeout:
		b.F("\n<p><code>%v</code> did not answer in time. The site may be down or the network slow. Try again.</p>", d.Host)
	case pageNoTunnels:
		b.F("\n<p>The router has no tunnels to reach <code>%v</code> yet. If it has just started, wait a minute or two\nand reload.</p>", d.Host)
	case pageNotAllowed:
		b.F("\n<p><code>%v</code> is not an I2P address, and this proxy has no outproxy: it only reaches\n"+
			"<code>.i2p</code> sites. Nothing was sent anywhere.</p>", d.Host)
	case pageRefused:
		b.F("\n<p><code>%v</code> refused the connection: the destination is up but serves nothing on that port.</p>", d.Host)
	case pageFailed:
		b.F("\n<p><code>%v</code> could not be reached. Try again later.</p>", d.Host)
	case pageBadRequest:
		b.F("\n<p>%v</p>\n<p>This is i2pgate's HTTP proxy: set it as your browser's HTTP proxy and visit <code>.i2p</code> sites.</p>", d.Reason)
	case pageHelper:
		b.F("\n<p>The link you followed says that <code>%v</code> is the destination\n<code>%v</code>.</p>", d.Name, d.B32)
		if d.CanSave {
			b.F("\n<p>Only save it if you trust where the link came from: the name will lead to that destination from now on.</p>\n"+
				`<form method="post" action="%v"><input type="hidden" name="i2pgate_token" value="%v">`+
				"\n<button type=\"submit\">Save %v and continue</button></form>", markup.AttrURL(d.Action), d.Token, d.Name)
		}
		b.F("\n<p><a href=\"%v\">Continue without saving</a> (to the b32 address) ·\n<a href=\"%v\">Cancel</a></p>",
			markup.AttrURL(d.ContinueURL), markup.AttrURL(d.CancelURL))
	case pageHelperB32:
		b.F("\n<p>The link you followed says that <code>%v</code> is <code>%v</code>. Only full destinations\n"+
			"can be saved in the address book.</p>\n<p><a href=\"%v\">Continue to %v</a> · <a href=\"%v\">Cancel</a></p>",
			d.Name, d.B32, markup.AttrURL(d.ContinueURL), d.B32, markup.AttrURL(d.CancelURL))
	case pageBadToken:
		b.F("\n<p>The request to save <code>%v</code> did not come from this proxy's page. Nothing was saved.</p>", d.Name)
	case pageSaveFailed:
		b.F("\n<p>The address book could not save <code>%v</code>. <a href=\"%v\">Continue without saving</a></p>",
			d.Name, markup.AttrURL(d.ContinueURL))
	}
	b.F("\n</body></html>\n")
}

// writePage sends a page. The page stands in for the site's answer under the
// site's origin, so it forbids scripts and caching.
func writePage(w http.ResponseWriter, status int, d pageData) {
	d.Title = pageTitles[d.Kind]
	var b markup.Buf
	renderPage(&b, d)
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
