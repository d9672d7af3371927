package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestFetchStatus(t *testing.T) {
	var gone atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/status" || gone.Load() {
			http.Error(w, "not here", http.StatusNotFound)
			return
		}
		w.Write([]byte(`{"router_hash":"abc"}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	body, err := fetchStatus(addr)
	if err != nil || string(body) != `{"router_hash":"abc"}` {
		t.Fatalf("%q %v", body, err)
	}
	gone.Store(true)
	if _, err := fetchStatus(addr); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
	srv.Close()
	if _, err := fetchStatus(addr); err == nil || !strings.Contains(err.Error(), "is the router running") {
		t.Fatalf("closed: %v", err)
	}
}
