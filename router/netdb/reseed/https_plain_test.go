package reseed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestHTTPSPlain serves the SU3 over plain HTTP, allowed only by AllowHTTP.
func TestHTTPSPlain(t *testing.T) {
	su3 := testSU3(t, testZip(t, testRouterInfos(t, 1, time.Now())))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(su3) }))
	t.Cleanup(srv.Close)
	r, err := New(Config{URLs: []string{srv.URL}, NetID: testNetID, Certs: testCerts(t), AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Reseed(context.Background()); err != nil || len(got) != 1 {
		t.Fatalf("%d, %v", len(got), err)
	}
}

func TestSU3URL(t *testing.T) {
	for _, tc := range []struct {
		base, want string
		netID      int
		allowHTTP  bool
	}{
		{"https://reseed.i2pgit.org/", "https://reseed.i2pgit.org/i2pseeds.su3?netid=2", 2, false},
		{"https://reseed.i2pgit.org", "https://reseed.i2pgit.org/i2pseeds.su3?netid=2", 2, false},
		{"https://r.example:8443/i2p", "https://r.example:8443/i2p/i2pseeds.su3?netid=99", 99, false},
		{"https://r.example/x/seeds.SU3", "https://r.example/x/seeds.SU3?netid=2", 2, false},
		{"https://r.example/?key=v", "https://r.example/i2pseeds.su3?key=v&netid=2", 2, false},
		{"https://r.example/?netid=5", "https://r.example/i2pseeds.su3?netid=2", 2, false},
		{"https://r.example/#frag", "https://r.example/i2pseeds.su3?netid=2", 2, false},
		{"http://r.example/", "http://r.example/i2pseeds.su3?netid=2", 2, true},
		{"http://r.example/", "", 2, false},
		{"ftp://r.example/", "", 2, true},
		{"https:///path", "", 2, false},
		{"://bad", "", 2, false},
	} {
		got, err := SU3URL(tc.base, tc.netID, tc.allowHTTP)
		if (err != nil) != (tc.want == "") || got != tc.want {
			t.Errorf("SU3URL(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
	}
}
