package console

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Page paths and their navigation labels, in navigation order.
var navPages = [...]struct{ Path, Label string }{
	{"/", "Overview"},
	{"/peers", "Peers"},
	{"/tunnels", "Tunnels"},
	{"/transit", "Transit"},
	{"/destinations", "Destinations"},
	{"/addressbook", "Address book"},
	{"/automap", "Automap"},
	{"/subscriptions", "Subscriptions"},
}

// pager links a paged list's neighbours; "" when there is none.
type pager struct {
	Page       int
	Prev, Next string
}

// newPager links the pages before and after page of path, keeping the other
// query parameters.
func newPager(path string, params url.Values, page int, more bool) pager {
	p := pager{Page: page}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range params {
			if k != "page" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if more && page < maxPage {
		p.Next = link(page + 1)
	}
	return p
}

// render writes the page at path with data; data == nil says the page's
// source is not available.
func (s *Server) render(w http.ResponseWriter, status int, path string, data any) {
	var buf htmlBuf
	if err := writePage(&buf, path, s.now(), data); err != nil {
		s.log.Error("render", "page", path, "err", err)
		http.Error(w, "console: page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeError answers with a plain-text error.
func (s *Server) writeError(w http.ResponseWriter, status int, msg string) {
	http.Error(w, "console: "+msg, status)
}

// shortHashLen is how much of a base64 router hash the tables show.
const shortHashLen = 6

func shortHash(h string) string {
	n := 0
	for i := range h {
		if n == shortHashLen {
			return h[:i]
		}
		n++
	}
	return h
}

// formatDuration writes d in its two largest units: "2d 3h", "4m 5s", "7s".
func formatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + formatDuration(-d)
	}
	d = d.Round(time.Second)
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, d := d/time.Hour, d%time.Hour
	mins, secs := d/time.Minute, (d%time.Minute)/time.Second
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm %ds", mins, secs)
	}
	return fmt.Sprintf("%ds", secs)
}

func formatSkew(d time.Duration) string {
	switch {
	case d == 0:
		return "none"
	case d > 0:
		return fmt.Sprintf("%.3f s ahead", d.Seconds())
	}
	return fmt.Sprintf("%.3f s behind", -d.Seconds())
}

func until(now, t time.Time) string {
	switch {
	case t.IsZero():
		return "-"
	case !t.After(now):
		return "expired"
	}
	return "in " + formatDuration(t.Sub(now))
}

func ago(now, t time.Time) string {
	switch {
	case t.IsZero():
		return "never"
	case t.After(now):
		return "just now"
	}
	return formatDuration(now.Sub(t)) + " ago"
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	f, i := float64(n)/unit, 0
	for f >= unit && i < 4 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTP"[i])
}

func formatRate(bps float64) string {
	if bps < 0 || bps != bps {
		return "-"
	}
	return formatBytes(uint64(bps)) + "/s"
}

func formatPercent(f float64) string {
	if f != f {
		return "-"
	}
	return strconv.FormatFloat(f*100, 'f', 0, 64) + "%"
}

func yesno(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// statusClass colours the network status.
func statusClass(s string) string {
	switch s {
	case "ok":
		return "ok"
	case "no_peers", "clock_skew", "error", "firewalled":
		return "bad"
	}
	return ""
}

// siteURL links an .i2p or .b32.i2p name to its site through the user's I2P
// proxy; "" for anything that is not a plain name.
func siteURL(name string) string {
	if checkName(name) != nil {
		return ""
	}
	return "http://" + name + "/"
}
