package console

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fakeStatus struct{ v any }

func (f fakeStatus) Status() any { return f.v }

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestStatusAPI(t *testing.T) {
	st := map[string]any{"router_hash": "abc~", "netid": 99, "sessions": map[string]int{"ntcp2_in": 1}}
	s, err := New(Config{Address: "127.0.0.1:0", Status: fakeStatus{st}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := "http://" + s.Addr().String()

	resp, body := get(t, base+"/api/status")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got["router_hash"] != "abc~" || got["netid"] != float64(99) {
		t.Errorf("got %v", got)
	}

	resp, body = get(t, base+"/")
	if resp.StatusCode != 200 || !strings.Contains(body, "router_hash") || !strings.Contains(body, "abc~") {
		t.Errorf("index: %d %s", resp.StatusCode, body)
	}
	resp, _ = get(t, base+"/nosuch")
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNoStatus(t *testing.T) {
	s, err := New(Config{Address: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, body := get(t, "http://"+s.Addr().String()+"/api/status")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "not available") {
		t.Errorf("status without source: %d %q", resp.StatusCode, body)
	}
}

func TestListenError(t *testing.T) {
	s, _ := New(Config{Address: "256.0.0.1:1", Status: fakeStatus{map[string]int{}}})
	if err := s.Start(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "console:") {
		t.Errorf("err %v", err)
	}
	s.Close()
}
