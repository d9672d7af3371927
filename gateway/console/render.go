package console

import (
	"errors"
	"i2pgate/gateway/internal/markup"
	"strconv"
	"time"
)

// The pages: one layout (header, navigation, inline style) around one content
// writer per page. Pages have no scripts and load nothing else.

const pageStyle = `<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f4f5f7}
header{background:#23303d;color:#fff;padding:.6em 1.2em;display:flex;flex-wrap:wrap;align-items:center;gap:1.2em}
header b{font-size:1.2em;letter-spacing:.04em}
nav a{color:#c9d6e3;text-decoration:none;margin-right:1em;padding:.2em 0}
nav a.on{color:#fff;border-bottom:2px solid #6cb6ff}
main{padding:.5em 1.2em 2em;max-width:1200px}
h1{font-size:1.35em;margin:.6em 0}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;margin:.4em 0;box-shadow:0 1px 2px #0002}
th,td{padding:4px 10px;text-align:left;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef1f4;font-weight:600}
table.kv th{background:none;width:14em}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,monospace;font-size:.95em}
.ok{color:#1a7f37}.bad{color:#b42318}.dim{color:#6a737d}
.na{padding:1em;background:#fff8e1;border:1px solid #f0d68a}
.msg{padding:.5em 1em;background:#e6f4ea;border:1px solid #9fd3ad}
.err{padding:.5em 1em;background:#fdecea;border:1px solid #f3b2ab}
form{margin:.5em 0}input[type=text],textarea{font:inherit;padding:3px 6px}
textarea{width:100%;max-width:60em;font-family:ui-monospace,monospace}
.pager a{margin-right:1em}
footer{color:#6a737d;padding:0 1.2em 1em;font-size:.9em}
</style>`

var errNoRenderer = errors.New("console: no renderer for the page's data")

// writePage writes the page at path: the layout around data's content, or
// the not-available notice when data is nil.
func writePage(b *htmlBuf, path string, now time.Time, data any) error {
	title := ""
	for _, p := range navPages {
		if p.Path == path {
			title = p.Label
		}
	}
	b.F(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>%v · i2pgate</title>
%v</head><body>
<header><b>i2pgate</b><nav>`, title, markup.Raw(pageStyle))
	for _, p := range navPages {
		on := markup.Raw("")
		if p.Path == path {
			on = ` class="on" aria-current="page"`
		}
		b.F(`<a href="%v"%v>%v</a>`, markup.AttrURL(p.Path), on, p.Label)
	}
	b.F("</nav></header>\n<main><h1>%v</h1>\n", title)
	if data == nil {
		b.F("<p class=\"na\">Not available: the router does not provide this information to the console.</p>\n")
	} else if err := writeContent(b, now, data); err != nil {
		return err
	}
	b.F("\n</main>\n<footer>Rendered %v UTC · <a href=\"/api/status\">/api/status</a> · <a href=\"/metrics\">/metrics</a></footer>\n</body></html>\n",
		now.UTC().Format("2006-01-02 15:04:05"))
	return nil
}

func writeContent(b *htmlBuf, now time.Time, data any) error {
	switch d := data.(type) {
	case overviewData:
		writeOverview(b, d)
	case peersData:
		writePeers(b, d)
	case tunnelsData:
		writeTunnels(b, now, d)
	case transitData:
		writeTransit(b, now, d)
	case []Destination:
		writeDestinations(b, d)
	case bookData:
		writeBook(b, d)
	case []AutomapEntry:
		writeAutomap(b, now, d)
	case []Subscription:
		writeSubscriptions(b, now, d)
	default:
		return errNoRenderer
	}
	return nil
}

func (b *htmlBuf) pager(p pager) {
	if p.Prev == "" && p.Next == "" {
		return
	}
	b.F(`<p class="pager">`)
	if p.Prev != "" {
		b.F(`<a href="%v">&larr; previous</a>`, markup.AttrURL(p.Prev))
	}
	b.F(`<span class="dim">page %v</span> `, p.Page)
	if p.Next != "" {
		b.F(`<a href="%v">next &rarr;</a>`, markup.AttrURL(p.Next))
	}
	b.F(`</p>`)
}

// noneRow is the row of an empty table.
func (b *htmlBuf) noneRow(cols int, text string) {
	b.F("<tr><td colspan=\"%v\" class=\"dim\">%v</td></tr>\n", cols, text)
}

// yesSpan is a coloured yes or a dimmed (or, with bad, red) no.
func yesSpan(v, bad bool) markup.Raw {
	switch {
	case v:
		return `<span class="ok">yes</span>`
	case bad:
		return `<span class="bad">no</span>`
	}
	return `<span class="dim">no</span>`
}

// link is s as a link to its site when it is an I2P name, else s.
func (b *htmlBuf) nameLink(s string) {
	if u := siteURL(s); u != "" {
		b.F(`<a href="%v">%v</a>`, markup.AttrURL(u), s)
		return
	}
	b.F("%v", s)
}

func writeOverview(b *htmlBuf, d overviewData) {
	if d.Overview == nil {
		b.F("\n\n<table class=\"kv\">")
		for _, r := range d.Rows {
			b.F("<tr><th>%v</th><td class=\"mono\">%v</td></tr>\n", r.Key, r.Value)
		}
		b.F("</table>\n")
		return
	}
	o := d.Overview
	b.F("\n\n<table class=\"kv\">\n<tr><th>Network</th><td class=\"%v\">%v</td></tr>\n",
		statusClass(o.NetworkStatus), cmpOr(o.NetworkStatus, "unknown"))
	b.F("<tr><th>Version</th><td>%v</td></tr>\n<tr><th>Uptime</th><td>%v</td></tr>\n", o.Version, formatDuration(o.Uptime))
	b.F("<tr><th>Router hash</th><td class=\"mono\">%v</td></tr>\n<tr><th>Network ID</th><td>%v</td></tr>\n",
		cmpOr(o.RouterHash, "(none yet)"), o.NetID)
	b.F("<tr><th>Clock skew</th><td>%v</td></tr>\n<tr><th>RouterInfo published</th><td>%v</td></tr>\n",
		formatSkew(o.ClockSkew), yesno(o.Published))
	b.F("<tr><th>Known routers</th><td>%v (%v floodfills)</td></tr>\n", o.KnownRouters, o.Floodfills)
	for _, c := range o.Sessions {
		b.F("<tr><th>Sessions %v</th><td>%v</td></tr>\n", c.Name, c.N)
	}
	for _, c := range o.Tunnels {
		b.F("<tr><th>Tunnels %v</th><td>%v</td></tr>\n", c.Name, c.N)
	}
	b.F("<tr><th>Transit tunnels</th><td>%v</td></tr>\n", o.TransitTunnels)
	if bw := o.Bandwidth; bw != nil {
		b.F("<tr><th>Bandwidth in</th><td>%v (%v total)</td></tr>\n", formatRate(bw.InRate), formatBytes(bw.InTotal))
		b.F("<tr><th>Bandwidth out</th><td>%v (%v total)</td></tr>\n", formatRate(bw.OutRate), formatBytes(bw.OutTotal))
	}
	b.F("</table>\n")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func writePeers(b *htmlBuf, d peersData) {
	b.F("\n<p>%v routers, %v connected.\n", d.Known, d.Connected)
	if d.ConnectedOnly {
		b.F(`<a href="/peers">Show all</a>`)
	} else {
		b.F(`<a href="/peers?connected=1">Show connected only</a>`)
	}
	b.F("</p>\n<table><tr><th>Router</th><th>Caps</th><th>Version</th><th>Connected</th></tr>\n")
	for _, p := range d.Rows {
		b.F(`<tr><td class="mono" title="%v">%v</td><td class="mono">%v</td><td>%v</td><td>%v`,
			p.Hash, shortHash(p.Hash), p.Caps, p.Version, yesSpan(p.Connected, false))
		if p.Connected && p.Transport != "" {
			b.F(" (%v)", p.Transport)
		}
		b.F("</td></tr>\n")
	}
	if len(d.Rows) == 0 {
		b.noneRow(4, "none")
	}
	b.F("</table>\n")
	b.pager(d.Pager)
}

func writeTunnels(b *htmlBuf, now time.Time, d tunnelsData) {
	b.F("\n<h2>Builds</h2>\n<table class=\"kv\">\n<tr><th>Success rate (recent)</th><td>%v</td></tr>\n", formatPercent(d.Builds.SuccessRate))
	b.F("<tr><th>Completed</th><td>%v (%v failed)</td></tr>\n<tr><th>In progress</th><td>%v</td></tr>\n",
		d.Builds.Total, d.Builds.Failed, d.Builds.InProgress)
	b.F("<tr><th>Tests failed</th><td>%v</td></tr>\n</table>\n", d.Builds.TestsFailed)
	b.F("<h2>Our tunnels (%v)</h2>\n<table><tr><th>Pool</th><th>Direction</th><th>ID</th><th>Hops</th><th>Expires</th><th>Tested</th></tr>\n",
		len(d.Tunnels))
	for _, t := range d.Tunnels {
		id := ""
		if t.ID != 0 {
			id = strconv.FormatUint(uint64(t.ID), 10)
		}
		b.F("<tr><td>%v</td><td>%v</td><td class=\"n\">%v</td>\n<td class=\"mono\">", t.Pool, t.Direction, id)
		for i, h := range t.Hops {
			if i > 0 {
				b.F(" &rarr; ")
			}
			b.F(`<span title="%v">%v</span>`, h, shortHash(h))
		}
		if len(t.Hops) == 0 {
			b.F(`<span class="dim">zero-hop</span>`)
		}
		b.F("</td>\n<td>%v</td><td>%v</td></tr>\n", until(now, t.Expires), yesSpan(t.Tested, false))
	}
	if len(d.Tunnels) == 0 {
		b.noneRow(6, "none")
	}
	b.F("</table>")
}

func writeTransit(b *htmlBuf, now time.Time, d transitData) {
	b.F("\n<p>%v transit tunnels", d.Total)
	for _, r := range d.Roles {
		b.F(", %v %v", r.N, r.Name)
	}
	b.F(".</p>\n<table><tr><th>Role</th><th>Receive ID</th><th>Expires</th><th>Bytes</th></tr>\n")
	for _, t := range d.Rows {
		b.F("<tr><td>%v</td><td class=\"n\">%v</td><td>%v</td><td class=\"n\">%v</td></tr>\n",
			t.Role, t.ReceiveID, until(now, t.Expires), formatBytes(t.Bytes))
	}
	if len(d.Rows) == 0 {
		b.noneRow(4, "none")
	}
	b.F("</table>\n")
	b.pager(d.Pager)
}

func writeDestinations(b *htmlBuf, ds []Destination) {
	b.F("\n<table><tr><th>Name</th><th>Address</th><th>LeaseSet published</th><th>Streams</th></tr>\n")
	for _, d := range ds {
		b.F(`<tr><td>%v</td><td class="mono">`, d.Name)
		b.nameLink(d.B32)
		b.F("</td>\n<td>%v</td><td class=\"n\">%v</td></tr>\n", yesSpan(d.LeaseSetPublished, true), d.Streams)
	}
	if len(ds) == 0 {
		b.noneRow(4, "none")
	}
	b.F("</table>")
}

func writeBook(b *htmlBuf, d bookData) {
	b.F("\n")
	if d.Added != "" {
		b.F(`<p class="msg">Added %v to the local address book.</p>`, d.Added)
	}
	b.F("\n")
	if d.Err != "" {
		b.F(`<p class="err">%v</p>`, d.Err)
	}
	b.F("\n"+`<form method="get" action="/addressbook"><input type="text" name="q" value="%v" placeholder="part of a name" maxlength="67"> <button type="submit">Search</button>`, d.Query)
	if d.Query != "" {
		b.F(` <a href="/addressbook">all names</a>`)
	}
	b.F("</form>\n<table><tr><th>Name</th><th>Address</th><th>Source</th><th>Added</th></tr>\n")
	for _, e := range d.Rows {
		b.F("<tr><td>")
		b.nameLink(e.Name)
		source := e.Source
		if e.Local {
			source = "local"
		}
		b.F(`</td><td class="mono">%v</td><td>%v</td><td>%v</td></tr>`+"\n", e.B32, source, formatDate(e.Added))
	}
	switch {
	case len(d.Rows) > 0:
	case d.Query != "":
		b.noneRow(4, "no name contains “"+d.Query+"”")
	default:
		b.noneRow(4, "the address book is empty")
	}
	b.F("</table>\n")
	b.pager(d.Pager)
	b.F(`
<h2>Add a name</h2>
<form method="post" action="/addressbook">
<input type="hidden" name="token" value="%v">
<p><label>Name <input type="text" name="name" value="%v" placeholder="example.i2p" maxlength="67" size="30"></label></p>
<p><label>Destination (base64)<br><textarea name="dest" rows="4" cols="80">%v</textarea></label></p>
<p><label>or a hosts.txt line (name=destination)<br><textarea name="line" rows="2" cols="80"></textarea></label></p>
<p><button type="submit">Add</button></p>
</form>`, d.Token, d.Name, d.Dest)
}

func writeAutomap(b *htmlBuf, now time.Time, es []AutomapEntry) {
	b.F("\n<table><tr><th>Name</th><th>IPv4</th><th>IPv6</th><th>Last use</th></tr>\n")
	for _, e := range es {
		ip6 := ""
		if e.IP6.IsValid() {
			ip6 = e.IP6.String()
		}
		b.F("<tr><td>%v</td><td class=\"mono\">%v</td><td class=\"mono\">%v</td><td>%v</td></tr>\n",
			e.Name, e.IP.String(), ip6, ago(now, e.LastUse))
	}
	if len(es) == 0 {
		b.noneRow(4, "no names mapped")
	}
	b.F("</table>")
}

func writeSubscriptions(b *htmlBuf, now time.Time, ss []Subscription) {
	b.F("\n<table><tr><th>URL</th><th>Last fetch</th><th>Result</th><th>Names added</th></tr>\n")
	for _, s := range ss {
		b.F("<tr><td class=\"mono\">%v</td><td>%v</td>\n<td>", s.URL, ago(now, s.LastFetch))
		switch {
		case s.Result == "error":
			b.F(`<span class="bad">error</span>`)
			if s.Err != "" {
				b.F(": %v", s.Err)
			}
		case s.Result != "":
			b.F(`<span class="ok">%v</span>`, s.Result)
		default:
			b.F(`<span class="dim">not yet fetched</span>`)
		}
		b.F("</td><td class=\"n\">%v</td></tr>\n", s.Added)
	}
	if len(ss) == 0 {
		b.noneRow(4, "no subscriptions")
	}
	b.F("</table>")
}

// htmlBuf is a console page being written: markup.Buf with the console's
// own pieces (rows, pager, links).
type htmlBuf struct{ markup.Buf }
