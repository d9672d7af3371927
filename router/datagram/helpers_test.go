package datagram

import (
	"crypto/dsa" //nolint:staticcheck // I2P's legacy DSA_SHA1 must still be tested.
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"math/big"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"i2pgate/router/data"
	"i2pgate/router/i2cp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// seeded is a deterministic io.Reader: SHA-256 of a seed and a counter.
type seeded struct {
	seed byte
	n    uint64
	buf  []byte
}

func newSeeded(seed byte) *seeded { return &seeded{seed: seed} }

func (s *seeded) Read(p []byte) (int, error) {
	for i := range p {
		if len(s.buf) == 0 {
			var in [9]byte
			in[0] = s.seed
			binary.BigEndian.PutUint64(in[1:], s.n)
			s.n++
			h := sha256.Sum256(in[:])
			s.buf = h[:]
		}
		p[i] = s.buf[0]
		s.buf = s.buf[1:]
	}
	return len(p), nil
}

func testKeys(t testing.TB, seed byte) *data.PrivateKeys {
	t.Helper()
	k, err := data.GenerateDestinationKeys(newSeeded(seed), data.CryptoX25519)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testSigner(t testing.TB, k *data.PrivateKeys) data.Signer {
	t.Helper()
	s, err := k.Signer()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// i2p's DSA group (common-structures "SigningPublicKey", DSA_SHA1).
const (
	dsaPHex = "9c05b2aa960d9b97b8931963c9cc9e8c3026e9b8ed92fad0a69cc886d5bf8015fcadae31a0ad18fab3f01b00a358de237655c4964afaa2b337e96ad316b9fb1cc564b5aec5b69a9ff6c3e4548707fef8503d91dd8602e867e6d35d2235c1869ce2479c3b9d5401de04e0727fb33d6511285d4cf29538d9e3b6051f5b22cc1c93"
	dsaQHex = "a5dfc28fef4ca1e286744cd8eed9d29d684046b7"
	dsaGHex = "0c1f4d27d40093b429e962d7223824e0bbc47e7c832a39236fc683af84889581075ff9082ed32353d4374d7301cda1d23c431f4698599dda02451824ff369752593647cc3ddc197de985e43d136cdcfc6bd5409cd2f450821142a5e6f8eb1c3ab5d0484b8129fcf17bce4f7f33321c3cb3dbb14a905e7b2b3e93be4708cbcc82"
)

func bigHex(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return v
}

// dsaSigner is a DSA_SHA1 data.Signer: the DSA signature (r||s, 20 bytes
// each) of the SHA-1 of the message, as i2pd and Java I2P sign.
type dsaSigner struct {
	priv *dsa.PrivateKey
	pub  data.SigningPublicKey
}

func newDSASigner(t testing.TB) *dsaSigner {
	t.Helper()
	priv := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsa.Parameters{
		P: bigHex(dsaPHex), Q: bigHex(dsaQHex), G: bigHex(dsaGHex)}}}
	if err := dsa.GenerateKey(priv, rand.Reader); err != nil {
		t.Fatal(err)
	}
	pub, err := data.NewSigningPublicKey(data.SigDSASHA1, priv.Y.FillBytes(make([]byte, 128)))
	if err != nil {
		t.Fatal(err)
	}
	return &dsaSigner{priv: priv, pub: pub}
}

func (s *dsaSigner) Type() data.SigType            { return data.SigDSASHA1 }
func (s *dsaSigner) Public() data.SigningPublicKey { return s.pub }
func (s *dsaSigner) Sign(msg []byte) ([]byte, error) {
	h := sha1.Sum(msg)
	r, ss, err := dsa.Sign(rand.Reader, s.priv, h[:])
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 40)
	r.FillBytes(sig[:20])
	ss.FillBytes(sig[20:])
	return sig, nil
}

// ecdsaSigner is an ECDSA data.Signer (raw r||s, the curve's hash).
type ecdsaSigner struct {
	typ  data.SigType
	priv *ecdsa.PrivateKey
	pub  data.SigningPublicKey
}

func newECDSASigner(t testing.TB, typ data.SigType) *ecdsaSigner {
	t.Helper()
	curves := map[data.SigType]elliptic.Curve{
		data.SigECDSAP256: elliptic.P256(), data.SigECDSAP384: elliptic.P384(), data.SigECDSAP521: elliptic.P521(),
	}
	priv, err := ecdsa.GenerateKey(curves[typ], rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := priv.PublicKey.Bytes() // 04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	pub, err := data.NewSigningPublicKey(typ, raw[1:])
	if err != nil {
		t.Fatal(err)
	}
	return &ecdsaSigner{typ: typ, priv: priv, pub: pub}
}

func (s *ecdsaSigner) Type() data.SigType            { return s.typ }
func (s *ecdsaSigner) Public() data.SigningPublicKey { return s.pub }
func (s *ecdsaSigner) Sign(msg []byte) ([]byte, error) {
	var digest []byte
	switch s.typ {
	case data.SigECDSAP256:
		h := sha256.Sum256(msg)
		digest = h[:]
	case data.SigECDSAP384:
		h := sha512.Sum384(msg)
		digest = h[:]
	default:
		h := sha512.Sum512(msg)
		digest = h[:]
	}
	r, ss, err := ecdsa.Sign(rand.Reader, s.priv, digest)
	if err != nil {
		return nil, err
	}
	half := s.typ.SignatureLen() / 2
	sig := make([]byte, 2*half)
	r.FillBytes(sig[:half])
	ss.FillBytes(sig[half:])
	return sig, nil
}

// destFor returns a destination holding signer's public key (ElGamal
// filler as crypto key, i2pd-style repeated padding).
func destFor(t testing.TB, signer data.Signer) *data.Destination {
	t.Helper()
	crypto := make([]byte, 256)
	newSeeded(99).Read(crypto)
	var pad []byte
	if space := data.SigningAreaSize - signer.Public().Type().PublicKeyLen(); space > 0 {
		pad = make([]byte, data.PaddingBlockSize)
		newSeeded(98).Read(pad)
	}
	d, err := data.NewDestination(data.CryptoElGamal, crypto, signer.Public(), pad)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// network is an in-memory link between Managers: SendDatagram frames the
// datagram as an I2CP payload, decodes it as the router would and hands
// it to the target's HandlePayload on the caller's goroutine.
type network struct {
	mu    sync.Mutex
	peers map[data.Hash]*Manager
	drop  bool // lose everything
	sent  int
}

func newNetwork() *network { return &network{peers: map[data.Hash]*Manager{}} }

func (n *network) attach(h data.Hash, m *Manager) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.peers[h] = m
}

func (n *network) SendDatagram(to data.Hash, proto uint8, srcPort, dstPort uint16, datagram []byte) error {
	payload, err := i2cp.EncodePayload(proto, srcPort, dstPort, datagram, proto == ProtoDatagram)
	if err != nil {
		return err
	}
	n.mu.Lock()
	m, drop := n.peers[to], n.drop
	n.sent++
	n.mu.Unlock()
	if m == nil || drop {
		return nil
	}
	p, err := i2cp.DecodePayload(payload)
	if err != nil {
		return err
	}
	m.HandlePayload(p.Proto, p.SrcPort, p.DstPort, p.Data)
	return nil
}

// peer is one Manager on a network.
type peer struct {
	keys *data.PrivateKeys
	m    *Manager
}

func newPeer(t testing.TB, n *network, seed byte, cfg Config) *peer {
	t.Helper()
	k := testKeys(t, seed)
	cfg.Local = k.Destination()
	if cfg.Signer == nil {
		cfg.Signer = testSigner(t, k)
	}
	cfg.Sender = n
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	n.attach(k.Destination().Hash(), m)
	return &peer{keys: k, m: m}
}

func listen(t testing.TB, m *Manager, lc ListenConfig) *Conn {
	t.Helper()
	c, err := m.ListenWith(lc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
