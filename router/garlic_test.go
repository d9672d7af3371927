package router

import (
	"crypto/rand"
	"testing"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/garlic"
	"i2pgate/router/i2np"
)

// A DatabaseStore garlic-wrapped to our router key (as i2pd sends netdb
// messages and tunnel builds) reaches the netdb; a forged or replayed garlic
// message is dropped and counted.
func TestGarlicToRouterIsUnwrapped(t *testing.T) {
	r := startRouter(t, testConfig(t, t.TempDir()))
	defer r.Close()

	other := startRouter(t, testConfig(t, t.TempDir()))
	ri := other.RouterInfo()
	other.Close()
	gz, err := i2np.CompressRouterInfo(ri.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	now := r.clk.Now()
	store, err := i2np.NewMessage(i2np.DatabaseStore{Key: ri.Hash(), StoreType: i2np.StoreRouterInfo, Data: gz}, 77, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var pub crypto.X25519PublicKey
	copy(pub[:], r.RouterInfo().Identity().EncryptionPublicKey())
	body, err := garlic.WrapForRouter(rand.Reader, &pub, now, store)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := i2np.NewMessage(i2np.Garlic{Data: body}, 78, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	d := (*dispatcher)(r)
	d.HandleMessage(data.Hash{1}, msg)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := r.netdb.RouterInfo(ri.Hash()); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the RouterInfo in the garlic clove did not reach the netdb")
		}
		time.Sleep(10 * time.Millisecond)
	}

	bad := msg
	bad.ID = 79
	bad.Payload = append([]byte(nil), msg.Payload...)
	bad.Payload[len(bad.Payload)-1] ^= 1
	d.HandleMessage(data.Hash{1}, bad)
	replay := msg
	replay.ID = 80 // a new I2NP id around the same garlic: the ephemeral key repeats
	d.HandleMessage(data.Hash{1}, replay)
	if n := r.counters.badGarlic.Load(); n != 2 {
		t.Errorf("bad garlic counted %d times, want 2", n)
	}
}
