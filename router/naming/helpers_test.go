package naming

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"i2pgate/router/clock/clocktest"
	"i2pgate/router/data"
	"i2pgate/router/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// key is a test destination with its signer and base64 form.
type key struct {
	keys   *data.PrivateKeys
	dest   *data.Destination
	b64    string
	signer data.Signer
}

// newKey makes a deterministic Ed25519/X25519 destination from seed.
func newKey(t testing.TB, seed uint64) key {
	t.Helper()
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 0x42})
	k, err := data.GenerateDestinationKeys(r, data.CryptoX25519)
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	d := k.Destination()
	return key{keys: k, dest: d, b64: data.EncodeBase64(d.Bytes()), signer: s}
}

// withProp returns l with key=value added, properties kept sorted.
func withProp(l Line, k, v string) Line {
	l.Props = append(slices.Clone(l.Props), Prop{Key: k, Value: v})
	slices.SortFunc(l.Props, func(a, b Prop) int { return strings.Compare(a.Key, b.Key) })
	return l
}

// signLine adds the "sig" property made with k (the outer signature, or the
// signature of a command-only line).
func signLine(t testing.TB, l Line, k key) Line {
	t.Helper()
	sig, err := k.signer.Sign(l.SignedText(false))
	if err != nil {
		t.Fatal(err)
	}
	return withProp(l, KeySig, data.EncodeBase64(sig))
}

// signInner adds the "oldsig" property made with old.
func signInner(t testing.TB, l Line, old key) Line {
	t.Helper()
	sig, err := old.signer.Sign(l.SignedText(true))
	if err != nil {
		t.Fatal(err)
	}
	return withProp(l, KeyOldSig, data.EncodeBase64(sig))
}

var testStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newBook(t testing.TB) (*Book, *store.Memory, *clocktest.Fake) {
	t.Helper()
	st := store.NewMemory()
	t.Cleanup(func() { st.Close() })
	clk := clocktest.New(testStart)
	b, err := Open(Config{Store: st, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return b, st, clk
}

func hostsText(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(lines, "\n") + "\n")
}
