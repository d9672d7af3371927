package reseed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
)

// fakeSource returns fixed RouterInfos or an error, counting calls.
type fakeSource struct {
	name  string
	ris   [][]byte
	err   error
	calls atomic.Int32
	// failures makes the first calls fail.
	failures int32
}

func (f *fakeSource) Name() string { return f.name }

func (f *fakeSource) Fetch(ctx context.Context) ([][]byte, error) {
	n := f.calls.Add(1)
	if n <= f.failures {
		return nil, fmt.Errorf("attempt %d: network unreachable", n)
	}
	return f.ris, f.err
}

func rawOf(ris []*data.RouterInfo) [][]byte {
	out := make([][]byte, len(ris))
	for i, ri := range ris {
		out[i] = ri.Bytes()
	}
	return out
}

func TestReseedChecks(t *testing.T) {
	now := time.Now()
	good := testRouterInfos(t, 4, now)
	badSig := bytes.Clone(good[0].Bytes())
	badSig[len(badSig)-1] ^= 1
	mainNet := testRouterInfo(t, 2, now)
	stale := testRouterInfo(t, testNetID, now.Add(-StaleAge-time.Hour))
	src := &fakeSource{name: "mixed", ris: append(rawOf(good),
		badSig, []byte("garbage"), mainNet.Bytes(), good[1].Bytes(), stale.Bytes())}
	r, err := New(Config{Sources: []Source{src}, NetID: testNetID, Clock: clocktest.New(now)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.ReseedResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := SourceResult{Name: "mixed", Fetched: 9, Accepted: 5, Invalid: 2, WrongNet: 1, Stale: 1, Duplicate: 1}
	if len(res.Sources) != 1 || res.Sources[0] != want {
		t.Fatalf("sources %+v, want %+v", res.Sources, want)
	}
	if len(res.RouterInfos) != 5 {
		t.Fatalf("%d RouterInfos", len(res.RouterInfos))
	}
}

func TestReseedStaleSource(t *testing.T) {
	now := time.Now()
	old := testRouterInfos(t, 3, now.Add(-StaleAge-time.Hour))
	fresh := testRouterInfos(t, 2, now)
	stale := &fakeSource{name: "stale", ris: append(rawOf(old), rawOf(fresh)...)}
	ok := &fakeSource{name: "ok", ris: rawOf(fresh)}
	r, _ := New(Config{Sources: []Source{stale, ok}, NetID: testNetID, Clock: clocktest.New(now)})
	res, err := r.ReseedResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Sources[0].Err == nil || res.Sources[0].Accepted != 0 || res.Sources[1].Accepted != 2 || len(res.RouterInfos) != 2 {
		t.Fatalf("%+v", res.Sources)
	}
}

func TestReseedStopsAtMinRouters(t *testing.T) {
	now := time.Now()
	var srcs []Source
	var fakes []*fakeSource
	for i := range 3 {
		f := &fakeSource{name: fmt.Sprint("s", i), ris: rawOf(testRouterInfos(t, 10, now))}
		srcs, fakes = append(srcs, f), append(fakes, f)
	}
	r, _ := New(Config{Sources: srcs, NetID: testNetID, MinRouters: 15})
	got, err := r.Reseed(context.Background())
	if err != nil || len(got) != 20 {
		t.Fatalf("%d, %v", len(got), err)
	}
	if fakes[2].calls.Load() != 0 {
		t.Fatal("third source tried after enough RouterInfos")
	}
	// Duplicates across sources count once.
	r, _ = New(Config{Sources: []Source{fakes[0], fakes[0], fakes[1]}, NetID: testNetID})
	res, err := r.ReseedResult(context.Background())
	if err != nil || len(res.RouterInfos) != 20 || res.Sources[1].Err == nil || res.Sources[1].Duplicate != 10 {
		t.Fatalf("%+v, %v", res.Sources, err)
	}
}

func TestReseedAllFail(t *testing.T) {
	srcs := []Source{
		&fakeSource{name: "down", err: errors.New("connection refused")},
		&fakeSource{name: "empty"},
		&fakeSource{name: "junk", ris: [][]byte{[]byte("junk")}},
	}
	r, _ := New(Config{Sources: srcs, URLs: []string{"https://127.0.0.1:1/"}, NetID: testNetID, Timeout: 5 * time.Second})
	_, err := r.Reseed(context.Background())
	if !errors.Is(err, ErrNoRouters) {
		t.Fatalf("Reseed = %v", err)
	}
	for _, s := range []string{"down: ", "connection refused", "empty: ", "junk: ", "1 invalid", "https://127.0.0.1:1/: "} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not mention %q: %v", s, err)
		}
	}
	r, _ = New(Config{})
	if _, err := r.Reseed(context.Background()); !errors.Is(err, ErrNoRouters) {
		t.Fatalf("no sources: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ = New(Config{Sources: srcs, NetID: testNetID})
	if _, err := r.Reseed(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}

// TestReseedURLOrder checks every URL is tried and the order depends on Rand.
func TestReseedURLOrder(t *testing.T) {
	urls := []string{"https://a.example/", "https://b.example/", "https://c.example/", "https://d.example/"}
	orders := map[string]bool{}
	for seed := range byte(8) {
		r, _ := New(Config{URLs: urls, Rand: bytes.NewReader(bytes.Repeat([]byte{seed}, 32))})
		srcs, err := r.sources()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range srcs {
			names = append(names, s.Name())
		}
		if len(names) != len(urls) {
			t.Fatalf("sources %v", names)
		}
		orders[strings.Join(names, " ")] = true
	}
	if len(orders) < 2 {
		t.Fatalf("one order for 8 seeds: %v", orders)
	}
	r, _ := New(Config{URLs: urls, Rand: bytes.NewReader(nil)})
	if _, err := r.Reseed(context.Background()); err == nil || errors.Is(err, ErrNoRouters) {
		t.Fatalf("failing Rand: %v", err)
	}
}

// The netdb's interface, declared there; asserted here without importing it.
var _ interface {
	Reseed(ctx context.Context) ([][]byte, error)
} = (*Reseeder)(nil)
