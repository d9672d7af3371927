package console_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"i2pgate/gateway/console"
)

var everyPath = []string{"/", "/peers", "/tunnels", "/transit", "/destinations", "/addressbook", "/automap",
	"/subscriptions", "/api/status", "/metrics"}

func withStatus(c *console.Config) {
	c.Status = statusFunc(func() any { return map[string]int{"netid": 2} })
}

func TestPassword(t *testing.T) {
	e := newEnv(t, func(c *console.Config) {
		withStatus(c)
		c.Password = "s3cret pässword"
	})
	for _, p := range everyPath {
		for _, tt := range []struct {
			name, user, pw string
			want           int
		}{
			{"none", "", "", http.StatusUnauthorized},
			{"wrong", "admin", "s3cret", http.StatusUnauthorized},
			{"longer", "admin", "s3cret pässword!", http.StatusUnauthorized},
			{"right", "admin", "s3cret pässword", http.StatusOK},
			{"any user", "whoever", "s3cret pässword", http.StatusOK},
		} {
			resp, body := e.do(request{target: p, user: tt.user, password: tt.pw})
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s: %d, want %d", p, tt.name, resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusUnauthorized {
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic realm=") {
					t.Errorf("%s %s: WWW-Authenticate %q", p, tt.name, resp.Header.Get("WWW-Authenticate"))
				}
				if strings.Contains(body, "netid") || strings.Contains(body, "i2pgate_") {
					t.Errorf("%s %s: data leaked", p, tt.name)
				}
			}
		}
	}
	// The add form needs the password too, before its token is looked at.
	if resp, _ := e.do(request{method: "POST", target: "/addressbook"}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without password: %d", resp.StatusCode)
	}
}

func TestAllow(t *testing.T) {
	lan := netip.MustParsePrefix("192.168.1.0/24")
	e := newEnv(t, func(c *console.Config) {
		withStatus(c)
		c.Password = "pw"
		c.Allow = lan.Contains
	})
	tests := []struct {
		remote string
		want   int
	}{
		{"192.168.1.5:40000", http.StatusOK},
		{"[::ffff:192.168.1.5]:40000", http.StatusOK},
		{"192.168.2.5:40000", http.StatusForbidden},
		{"[fe80::1%eth0]:40000", http.StatusForbidden},
		{"127.0.0.1:40000", http.StatusForbidden},
		{"not an address", http.StatusForbidden},
	}
	for _, tt := range tests {
		for _, p := range everyPath {
			resp, body := e.do(request{target: p, remote: tt.remote, user: "u", password: "pw"})
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s: %d, want %d", tt.remote, p, resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusForbidden && !strings.Contains(body, "lan.allow") {
				t.Errorf("%s %s: %q", tt.remote, p, body)
			}
		}
	}
	// A refused address learns nothing, not even that a password is set.
	resp, _ := e.do(request{target: "/", remote: "10.0.0.1:1"})
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("WWW-Authenticate") != "" {
		t.Errorf("refused client: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp, _ := e.do(request{method: "POST", target: "/addressbook", remote: "10.0.0.1:1"}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST from a refused client: %d", resp.StatusCode)
	}
}

func TestOpenByDefault(t *testing.T) {
	e := newEnv(t, withStatus)
	for _, p := range everyPath {
		if resp, _ := e.do(request{target: p, remote: "203.0.113.9:1"}); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}
