package console

// The page templates: one layout (header, navigation, inline style) and one
// "content" template per page, each rendered with html/template's escaping.
// Pages have no scripts and load nothing else.

const layoutHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}} · i2pgate</title>
<style>
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
</style></head><body>
<header><b>i2pgate</b><nav>{{range .Nav}}<a href="{{.Path}}"{{if .Active}} class="on" aria-current="page"{{end}}>{{.Label}}</a>{{end}}</nav></header>
<main><h1>{{.Title}}</h1>
{{if .NotAvailable}}<p class="na">Not available: the router does not provide this information to the console.</p>
{{else}}{{template "content" .}}{{end}}
</main>
<footer>Rendered {{.Now.UTC.Format "2006-01-02 15:04:05"}} UTC · <a href="/api/status">/api/status</a> · <a href="/metrics">/metrics</a></footer>
</body></html>
`

const pagerHTML = `{{define "pager"}}{{if or .Prev .Next}}<p class="pager">{{if .Prev}}<a href="{{.Prev}}">&larr; previous</a>{{end}}<span class="dim">page {{.Page}}</span> {{if .Next}}<a href="{{.Next}}">next &rarr;</a>{{end}}</p>{{end}}{{end}}`

const overviewHTML = `{{define "content"}}{{with .Data}}
{{if .Overview}}{{with .Overview}}
<table class="kv">
<tr><th>Network</th><td class="{{statusClass .NetworkStatus}}">{{or .NetworkStatus "unknown"}}</td></tr>
<tr><th>Version</th><td>{{.Version}}</td></tr>
<tr><th>Uptime</th><td>{{dur .Uptime}}</td></tr>
<tr><th>Router hash</th><td class="mono">{{or .RouterHash "(none yet)"}}</td></tr>
<tr><th>Network ID</th><td>{{.NetID}}</td></tr>
<tr><th>Clock skew</th><td>{{skew .ClockSkew}}</td></tr>
<tr><th>RouterInfo published</th><td>{{yesno .Published}}</td></tr>
<tr><th>Known routers</th><td>{{.KnownRouters}} ({{.Floodfills}} floodfills)</td></tr>
{{range .Sessions}}<tr><th>Sessions {{.Name}}</th><td>{{.N}}</td></tr>
{{end}}{{range .Tunnels}}<tr><th>Tunnels {{.Name}}</th><td>{{.N}}</td></tr>
{{end}}<tr><th>Transit tunnels</th><td>{{.TransitTunnels}}</td></tr>
{{with .Bandwidth}}<tr><th>Bandwidth in</th><td>{{rate .InRate}} ({{bytes .InTotal}} total)</td></tr>
<tr><th>Bandwidth out</th><td>{{rate .OutRate}} ({{bytes .OutTotal}} total)</td></tr>
{{end}}</table>
{{end}}{{else}}
<table class="kv">{{range .Rows}}<tr><th>{{.Key}}</th><td class="mono">{{.Value}}</td></tr>
{{end}}</table>
{{end}}{{end}}{{end}}`

const peersHTML = `{{define "content"}}{{with .Data}}
<p>{{.Known}} routers, {{.Connected}} connected.
{{if .ConnectedOnly}}<a href="/peers">Show all</a>{{else}}<a href="/peers?connected=1">Show connected only</a>{{end}}</p>
<table><tr><th>Router</th><th>Caps</th><th>Version</th><th>Connected</th></tr>
{{range .Rows}}<tr><td class="mono" title="{{.Hash}}">{{short .Hash}}</td><td class="mono">{{.Caps}}</td><td>{{.Version}}</td><td>{{if .Connected}}<span class="ok">yes</span>{{with .Transport}} ({{.}}){{end}}{{else}}<span class="dim">no</span>{{end}}</td></tr>
{{else}}<tr><td colspan="4" class="dim">none</td></tr>
{{end}}</table>
{{template "pager" .Pager}}{{end}}{{end}}`

const tunnelsHTML = `{{define "content"}}{{with .Data}}
<h2>Builds</h2>
<table class="kv">
<tr><th>Success rate (recent)</th><td>{{pct .Builds.SuccessRate}}</td></tr>
<tr><th>Completed</th><td>{{.Builds.Total}} ({{.Builds.Failed}} failed)</td></tr>
<tr><th>In progress</th><td>{{.Builds.InProgress}}</td></tr>
<tr><th>Tests failed</th><td>{{.Builds.TestsFailed}}</td></tr>
</table>
<h2>Our tunnels ({{len .Tunnels}})</h2>
<table><tr><th>Pool</th><th>Direction</th><th>ID</th><th>Hops</th><th>Expires</th><th>Tested</th></tr>
{{range .Tunnels}}<tr><td>{{.Pool}}</td><td>{{.Direction}}</td><td class="n">{{if .ID}}{{.ID}}{{end}}</td>
<td class="mono">{{range $i, $h := .Hops}}{{if $i}} &rarr; {{end}}<span title="{{$h}}">{{short $h}}</span>{{else}}<span class="dim">zero-hop</span>{{end}}</td>
<td>{{until $.Now .Expires}}</td><td>{{if .Tested}}<span class="ok">yes</span>{{else}}<span class="dim">no</span>{{end}}</td></tr>
{{else}}<tr><td colspan="6" class="dim">none</td></tr>
{{end}}</table>{{end}}{{end}}`

const transitHTML = `{{define "content"}}{{with .Data}}
<p>{{.Total}} transit tunnels{{range .Roles}}, {{.N}} {{.Name}}{{end}}.</p>
<table><tr><th>Role</th><th>Receive ID</th><th>Expires</th><th>Bytes</th></tr>
{{range .Rows}}<tr><td>{{.Role}}</td><td class="n">{{.ReceiveID}}</td><td>{{until $.Now .Expires}}</td><td class="n">{{bytes .Bytes}}</td></tr>
{{else}}<tr><td colspan="4" class="dim">none</td></tr>
{{end}}</table>
{{template "pager" .Pager}}{{end}}{{end}}`

const destinationsHTML = `{{define "content"}}{{with .Data}}
<table><tr><th>Name</th><th>Address</th><th>LeaseSet published</th><th>Streams</th></tr>
{{range .}}<tr><td>{{.Name}}</td><td class="mono">{{$u := siteURL .B32}}{{if $u}}<a href="{{$u}}">{{.B32}}</a>{{else}}{{.B32}}{{end}}</td>
<td>{{if .LeaseSetPublished}}<span class="ok">yes</span>{{else}}<span class="bad">no</span>{{end}}</td><td class="n">{{.Streams}}</td></tr>
{{else}}<tr><td colspan="4" class="dim">none</td></tr>
{{end}}</table>{{end}}{{end}}`

const bookHTML = `{{define "content"}}{{with .Data}}
{{with .Added}}<p class="msg">Added {{.}} to the local address book.</p>{{end}}
{{with .Err}}<p class="err">{{.}}</p>{{end}}
<form method="get" action="/addressbook"><input type="text" name="q" value="{{.Query}}" placeholder="part of a name" maxlength="67"> <button type="submit">Search</button>{{if .Query}} <a href="/addressbook">all names</a>{{end}}</form>
<table><tr><th>Name</th><th>Address</th><th>Source</th><th>Added</th></tr>
{{range .Rows}}<tr><td>{{$u := siteURL .Name}}{{if $u}}<a href="{{$u}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td><td class="mono">{{.B32}}</td><td>{{if .Local}}local{{else}}{{.Source}}{{end}}</td><td>{{date .Added}}</td></tr>
{{else}}<tr><td colspan="4" class="dim">{{if .Query}}no name contains “{{.Query}}”{{else}}the address book is empty{{end}}</td></tr>
{{end}}</table>
{{template "pager" .Pager}}
<h2>Add a name</h2>
<form method="post" action="/addressbook">
<input type="hidden" name="token" value="{{.Token}}">
<p><label>Name <input type="text" name="name" value="{{.Name}}" placeholder="example.i2p" maxlength="67" size="30"></label></p>
<p><label>Destination (base64)<br><textarea name="dest" rows="4" cols="80">{{.Dest}}</textarea></label></p>
<p><label>or a hosts.txt line (name=destination)<br><textarea name="line" rows="2" cols="80"></textarea></label></p>
<p><button type="submit">Add</button></p>
</form>{{end}}{{end}}`

const automapHTML = `{{define "content"}}{{with .Data}}
<table><tr><th>Name</th><th>IPv4</th><th>IPv6</th><th>Last use</th></tr>
{{range .}}<tr><td>{{.Name}}</td><td class="mono">{{.IP}}</td><td class="mono">{{if .IP6.IsValid}}{{.IP6}}{{end}}</td><td>{{ago $.Now .LastUse}}</td></tr>
{{else}}<tr><td colspan="4" class="dim">no names mapped</td></tr>
{{end}}</table>{{end}}{{end}}`

const subscriptionsHTML = `{{define "content"}}{{with .Data}}
<table><tr><th>URL</th><th>Last fetch</th><th>Result</th><th>Names added</th></tr>
{{range .}}<tr><td class="mono">{{.URL}}</td><td>{{ago $.Now .LastFetch}}</td>
<td>{{if eq .Result "error"}}<span class="bad">error</span>{{with .Err}}: {{.}}{{end}}{{else if .Result}}<span class="ok">{{.Result}}</span>{{else}}<span class="dim">not yet fetched</span>{{end}}</td><td class="n">{{.Added}}</td></tr>
{{else}}<tr><td colspan="4" class="dim">no subscriptions</td></tr>
{{end}}</table>{{end}}{{end}}`
