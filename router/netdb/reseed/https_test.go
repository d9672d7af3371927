//go:build !notls

package reseed

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/netx"
)

// countingNetwork is the OS network, counting dials, to show the injected
// Network is the one used.
type countingNetwork struct {
	netx.OSNetwork
	dials atomic.Int32
}

func (c *countingNetwork) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	c.dials.Add(1)
	return c.OSNetwork.Dial(ctx, network, address)
}

// reseedServer serves body at /i2pseeds.su3 on 127.0.0.1 over TLS and
// records the requests.
type reseedServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
}

func newReseedServer(t *testing.T, body []byte) *reseedServer {
	t.Helper()
	s := &reseedServer{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(context.Background()))
		s.mu.Unlock()
		if r.URL.Path != "/"+SU3Name {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// reqs returns the requests so far.
func (s *reseedServer) reqs() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

// trust returns a TLS config trusting only the server's certificate.
func (s *reseedServer) trust() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return &tls.Config{RootCAs: pool}
}

func TestHTTPSReseed(t *testing.T) {
	ris := testRouterInfos(t, 30, time.Now())
	srv := newReseedServer(t, testSU3(t, testZip(t, ris)))
	nw := &countingNetwork{}
	r, err := New(Config{
		URLs: []string{srv.URL + "/"}, NetID: testNetID, Certs: testCerts(t),
		Network: nw, TLSConfig: srv.trust(),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Reseed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ris) {
		t.Fatalf("%d RouterInfos, want %d", len(got), len(ris))
	}
	for i := range ris {
		if !bytes.Equal(got[i], ris[i].Bytes()) {
			t.Fatalf("RouterInfo %d differs", i)
		}
	}
	reqs := srv.reqs()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	req := reqs[0]
	if req.URL.Path != "/i2pseeds.su3" || req.URL.Query().Get("netid") != "99" || req.UserAgent() != UserAgent {
		t.Fatalf("request %s, user agent %q", req.URL, req.UserAgent())
	}
	if nw.dials.Load() != 1 {
		t.Fatalf("%d dials through the injected network", nw.dials.Load())
	}
}

func TestHTTPSFailures(t *testing.T) {
	ris := testRouterInfos(t, 2, time.Now())
	su3 := testSU3(t, testZip(t, ris))
	good := newReseedServer(t, su3)
	otherSigner := SignerCerts{"someone@mail.i2p": testCerts(t)[testSignerID]}
	big := newReseedServer(t, make([]byte, MaxSU3Size+1))
	redirect := httptest.NewTLSServer(http.RedirectHandler("http://127.0.0.1:1/i2pseeds.su3", http.StatusFound))
	t.Cleanup(redirect.Close)
	for _, tc := range []struct {
		name  string
		url   string
		certs SignerCerts
		tls   *tls.Config
		want  string
	}{
		{"untrusted server certificate", good.URL, testCerts(t), nil, "certificate"},
		{"unknown signer", good.URL, otherSigner, good.trust(), ErrUnknownSigner.Error()},
		{"not found", good.URL + "/other/", testCerts(t), good.trust(), "404"},
		{"too large", big.URL, testCerts(t), big.trust(), "more than"},
		{"redirect to http", redirect.URL, testCerts(t), nil, ErrInsecureURL.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.tls
			if tc.name == "redirect to http" {
				pool := x509.NewCertPool()
				pool.AddCert(redirect.Certificate())
				cfg = &tls.Config{RootCAs: pool}
			}
			h := &HTTPS{URL: tc.url, NetID: testNetID, Certs: tc.certs, Client: NewHTTPClient(nil, cfg, false), Timeout: 10 * time.Second}
			_, err := h.Fetch(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Fetch = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{URLs: []string{"http://reseed.example/"}}); !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("http URL: %v", err)
	}
}

// Server certificates are checked against the reseeder's clock (which the
// router corrects), not the system's: at a time past the test certificate's
// validity the download fails.
func TestHTTPSCertificateTimeFromClock(t *testing.T) {
	ris := testRouterInfos(t, 30, time.Now())
	srv := newReseedServer(t, testSU3(t, testZip(t, ris)))
	late := clocktest.New(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := New(Config{
		URLs: []string{srv.URL + "/"}, NetID: testNetID, Certs: testCerts(t),
		TLSConfig: srv.trust(), Clock: late,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Reseed(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err %v, want a certificate validity error", err)
	}
}
