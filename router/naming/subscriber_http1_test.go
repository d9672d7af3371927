package naming

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"i2pgate/router/netx/http1"
)

// TestFetchHTTP1 fetches over a loopback socket with the client the router
// uses: the conditional GET, 304 and a gzip-encoded answer.
func TestFetchHTTP1(t *testing.T) {
	b, _, clk := newBook(t)
	k := newKey(t, 1)
	f := newFeed()
	f.set("reg.i2p/hosts.txt", "a.i2p="+k.b64+"\n", 0)
	f.set("gz.i2p/hosts.txt", "b.i2p="+k.b64+"\n", 0)
	srv := httptest.NewServer(f)
	defer srv.Close()
	// Every name dials the test server, as the I2P dialer would resolve it.
	client := &http1.Client{Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	s := newSubscriber(t, b, clk, f, func(c *SubscriberConfig) { c.Client = client })
	ctx := context.Background()
	if st := s.Fetch(ctx, "http://reg.i2p/hosts.txt"); st.Result != ResultOK || st.Added != 1 || st.ETag != `"v1"` {
		t.Fatalf("first fetch %+v", st)
	}
	req := f.last()
	if req.Host != "reg.i2p" || req.UserAgent() != UserAgent || !req.Close {
		t.Fatalf("request host %q agent %q close %v", req.Host, req.UserAgent(), req.Close)
	}
	if st := s.Fetch(ctx, "http://reg.i2p/hosts.txt"); st.Result != ResultNotModified {
		t.Fatalf("second fetch %+v", st)
	}
	if req := f.last(); req.Header.Get("If-None-Match") != `"v1"` {
		t.Fatalf("conditional headers %v", req.Header)
	}
	f.mu.Lock()
	f.gzip = true
	f.mu.Unlock()
	if st := s.Fetch(ctx, "http://gz.i2p/hosts.txt"); st.Result != ResultOK || st.Added != 1 {
		t.Fatalf("gzip fetch %+v", st)
	}
	if _, err := b.Lookup("b.i2p"); err != nil {
		t.Fatal(err)
	}
	f.set("reg.i2p/hosts.txt", "", http.StatusBadGateway)
	if st := s.Fetch(ctx, "http://reg.i2p/hosts.txt"); st.Result != ResultError {
		t.Fatalf("error fetch %+v", st)
	}
}
