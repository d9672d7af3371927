//go:build interop

package ntcp2

// The interop test dials a real i2pd 2.45.1 router of the private testnet
// (scripts/testnet). Run it inside the testnet's namespace:
//
//	scripts/testnet/testnet.sh up
//	go test -c -tags interop -o /tmp/ntcp2.test ./router/transport/ntcp2/
//	ip netns exec i2pgate-tn /tmp/ntcp2.test -test.run Interop -test.v
//
// (with TESTNET_DIR and the namespace of the env file if they are not the
// defaults).
//	scripts/testnet/testnet.sh down

import (
	"bufio"
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
	"i2pgate/router/netx"
	"i2pgate/router/transport"
)

func readEnv(t *testing.T) map[string]string {
	t.Helper()
	dir := os.Getenv("TESTNET_DIR")
	if dir == "" {
		dir = "/tmp/i2pgate-testnet"
	}
	f, err := os.Open(filepath.Join(dir, "testnet.env"))
	if err != nil {
		t.Skipf("no testnet: %v", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			env[k] = strings.Trim(strings.ReplaceAll(v, `\ `, " "), `"'`)
		}
	}
	return env
}

// sampler records skew samples.
type sampler struct {
	mu sync.Mutex
	n  int
}

func (s *sampler) AddPeerSample(string, time.Time, time.Time) { s.mu.Lock(); s.n++; s.mu.Unlock() }

// interopIdentity builds a throwaway router: Ed25519/X25519 identity,
// netId 99, router.version 0.9.58, caps LU, and an unpublished NTCP2
// address (s and v only).
func interopIdentity(t *testing.T) (*data.RouterInfo, crypto.X25519KeyPair) {
	keys, err := data.GenerateRouterKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	static, err := crypto.GenerateX25519(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := &data.RouterAddress{Transport: data.TransportNTCP2, Cost: 14}
	var opts data.Mapping
	for _, kv := range [][3]string{
		{"a", "s", data.EncodeBase64(static.Public[:])}, {"a", "v", "2"},
		{"o", "caps", "LU"}, {"o", "netId", "99"}, {"o", "router.version", "0.9.58"},
	} {
		m := &opts
		if kv[0] == "a" {
			m = &a.Options
		}
		if err := m.Set(kv[1], kv[2]); err != nil {
			t.Fatal(err)
		}
	}
	signer, err := keys.Signer()
	if err != nil {
		t.Fatal(err)
	}
	ri, err := data.NewRouterInfo(keys.RouterIdentity(), time.Now(), []*data.RouterAddress{a}, opts, signer)
	if err != nil {
		t.Fatal(err)
	}
	return ri, static
}

func TestInteropI2pd(t *testing.T) {
	env := readEnv(t)
	peerRI := loadRouterInfo(t, env["TESTNET_ROUTER1_DATADIR"])
	target := loadRouterInfo(t, env["TESTNET_ROUTER2_DATADIR"])
	ri, static := interopIdentity(t)
	local := env["TESTNET_I2PGATE_ADDR4"]
	if local == "" {
		local = "198.18.0.104"
	}
	samples := &sampler{}
	tr, err := New(Config{
		Network: &netx.OSNetwork{Dialer: net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}},
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
		NetID:   99, StaticKey: static.Private, RouterHash: ri.Hash(),
		LocalRouterInfo: func() *data.RouterInfo { return ri },
		Filter:          transport.AddrFilter{AllowReserved: true},
		Skew:            samples,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	if err := tr.Start(rec); err != nil {
		t.Fatal(err)
	}
	defer tr.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := tr.Dial(ctx, peerRI)
	if err != nil {
		t.Fatalf("dial i2pd %s: %v", peerRI.Hash(), err)
	}
	t.Logf("established with %s", s.Peer())

	lookup := i2np.DatabaseLookup{Key: target.Hash(), From: ri.Hash(), Flags: i2np.LookupFlags(0).WithLookupType(i2np.LookupRouterInfo)}
	msg, err := i2np.NewMessage(lookup, 0x12345678, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(msg); err != nil {
		t.Fatal(err)
	}

	var gotOwnRI, gotAnswer bool
	deadline := time.After(15 * time.Second)
loop:
	for {
		select {
		case m := <-rec.msgs:
			t.Logf("received %v id %d, %d bytes", m.Type, m.ID, len(m.Payload))
			switch m.Type {
			case i2np.TypeDatabaseStore:
				ds, err := i2np.ParseDatabaseStore(m.Payload)
				if err != nil {
					t.Errorf("DatabaseStore: %v", err)
					continue
				}
				if ds.StoreType == i2np.StoreRouterInfo {
					b, err := ds.RouterInfo(i2np.MaxRouterInfoSize * 4)
					if err != nil {
						t.Errorf("DatabaseStore RouterInfo: %v", err)
						continue
					}
					got, err := data.ParseRouterInfo(b)
					if err != nil || got.Verify() != nil {
						t.Errorf("stored RouterInfo: %v", err)
						continue
					}
					gotOwnRI = gotOwnRI || got.Hash() == peerRI.Hash()
					gotAnswer = gotAnswer || got.Hash() == target.Hash()
				}
			case i2np.TypeDatabaseSearchReply:
				r, err := i2np.ParseDatabaseSearchReply(m.Payload)
				if err != nil {
					t.Errorf("DatabaseSearchReply: %v", err)
					continue
				}
				gotAnswer = gotAnswer || r.Key == target.Hash()
			}
		case e := <-rec.events:
			if e.ev == transport.EventClosed {
				t.Fatalf("i2pd closed the session: %v", e.err)
			}
		case <-deadline:
			break loop
		}
	}
	select {
	case <-s.Done():
		t.Fatalf("session ended: %v", s.Err())
	default:
	}
	if !gotOwnRI {
		t.Error("no DatabaseStore of the peer's RouterInfo")
	}
	if !gotAnswer {
		t.Error("no answer to the DatabaseLookup")
	}
	samples.mu.Lock()
	t.Logf("skew samples: %d", samples.n)
	samples.mu.Unlock()
	if err := s.Close(transport.ReasonNormal); err != nil {
		t.Error(err)
	}
}

func loadRouterInfo(t *testing.T, dir string) *data.RouterInfo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "router.info"))
	if err != nil {
		t.Skipf("no router.info: %v", err)
	}
	ri, err := data.ParseRouterInfo(b)
	if err != nil {
		t.Fatal(err)
	}
	if a := ri.Address(data.TransportNTCP2); a != nil {
		if ap, ok := a.AddrPort(); ok {
			t.Logf("router %s at %v", ri.Hash().String()[:8], ap)
		}
	}
	return ri
}
