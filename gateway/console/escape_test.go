package console_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"i2pgate/gateway/console"
	"i2pgate/gateway/console/consoletest"
)

// hostile is what every string from a source is set to in TestEscaping.
const hostile = `<script>alert('x')</script>"&+`

// hostileEscaped is hostile as the pages must show it.
const hostileEscaped = `&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#34;&amp;&#43;`

// poison sets every string reachable from v (fields, slice elements,
// pointers), named string types included, to hostile.
func poison(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(hostile)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			poison(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			poison(v.Field(i))
		}
	case reflect.Slice:
		for i := range v.Len() {
			poison(v.Index(i))
		}
	}
}

// TestEscaping fills every source with markup and checks that every page
// shows it, escaped, and never as markup.
func TestEscaping(t *testing.T) {
	e := newEnv(t, func(c *console.Config) {
		c.AddressBook = consoletest.NewBook(
			console.BookEntry{Name: hostile, B32: hostile, Source: hostile},
			console.BookEntry{Name: "ok.i2p", B32: hostile, Local: true})
	})
	poison(reflect.ValueOf(e.data).Elem())
	e.data.Subscriptions[0].Result = "error" // shows Err too
	check := func(t *testing.T, body string) {
		t.Helper()
		if strings.Contains(body, "<script") || strings.Contains(body, "alert('x')") {
			t.Errorf("markup not escaped:\n%s", body)
		}
		if !strings.Contains(body, hostileEscaped) {
			t.Errorf("escaped value missing:\n%s", body)
		}
	}
	for _, p := range []string{"/", "/peers", "/peers?connected=1", "/tunnels", "/transit", "/destinations",
		"/addressbook", "/addressbook?q=" + url.QueryEscape(hostile), "/automap", "/subscriptions"} {
		t.Run(p, func(t *testing.T) {
			_, body := e.get(p)
			check(t, body)
		})
	}
	t.Run("add form", func(t *testing.T) {
		form := url.Values{"token": {e.token("192.0.2.1:1")}, "name": {hostile}, "dest": {hostile}}
		_, body := e.do(request{method: "POST", target: "/addressbook", form: form})
		check(t, body)
		if n := strings.Count(body, hostileEscaped); n < 2 {
			t.Errorf("entered values shown %d times, want 2 (name and destination)", n)
		}
	})
	t.Run("status fallback", func(t *testing.T) {
		e := newEnv(t, func(c *console.Config) {
			c.Overview = nil
			c.Status = statusFunc(func() any { return map[string]any{hostile: 1} })
		})
		_, body := e.get("/")
		check(t, body)
	})
}

func TestEmptyLists(t *testing.T) {
	e := newEnv(t, func(c *console.Config) {
		c.Peers = console.PeersFunc(func() []console.Peer { return nil })
		c.Tunnels = console.TunnelsFunc(func() console.TunnelsInfo { return console.TunnelsInfo{} })
		c.Transit = console.TransitFunc(func() []console.TransitTunnel { return nil })
		c.Destinations = console.DestinationsFunc(func() []console.Destination { return nil })
		c.AddressBook = consoletest.NewBook()
		c.Automap = console.AutomapFunc(func() []console.AutomapEntry { return nil })
		c.Subscriptions = console.SubscriptionsFunc(func() []console.Subscription { return nil })
	})
	for _, tt := range []struct{ path, want string }{
		{"/peers", "none"}, {"/tunnels", "none"}, {"/transit", "none"}, {"/destinations", "none"},
		{"/addressbook", "the address book is empty"}, {"/automap", "no names mapped"}, {"/subscriptions", "no subscriptions"},
	} {
		_, body := e.get(tt.path)
		if !strings.Contains(body, `<td colspan=`) || !strings.Contains(body, `class="dim">`+tt.want+`</td>`) {
			t.Errorf("%s: no %q row:\n%s", tt.path, tt.want, body)
		}
	}
}
