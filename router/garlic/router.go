package garlic

import (
	"crypto/subtle"
	"fmt"
	"io"
	"time"

	"i2pgate/router/crypto"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/i2np"
)

// Router message layout (ecies-routers.rst "KDF for Message"): the sender's
// ephemeral X25519 public key in the clear, then the ChaCha20-Poly1305
// encryption of the payload blocks.
const (
	EphemeralSize = crypto.X25519KeySize
	MACSize       = crypto.AEADTagSize
	// MinRouterMessageSize is the smallest valid router message: the
	// ephemeral key, a DateTime block and the MAC.
	MinRouterMessageSize = EphemeralSize + BlockHeaderSize + DateTimeSize + MACSize
	// MaxPadding bounds the random padding of WrapForRouter and WrapReply
	// (ecies.rst "Padding": the default is 0-15 bytes).
	MaxPadding = 15
)

// SealForRouter encrypts blocks to the router whose X25519 static public
// key is to, as the one-shot Noise_N message of ecies-routers.rst, and
// returns the Garlic message data (i2np.Garlic.Data): ephemeral key,
// ciphertext, MAC. blocks must obey the New Session rules (CheckOrder): a
// DateTime block first. rand supplies the ephemeral key (nil means
// crypto/rand).
func SealForRouter(rand io.Reader, to *crypto.X25519PublicKey, blocks []Block) ([]byte, error) {
	return AppendSealForRouter(make([]byte, 0, EphemeralSize+BlocksLen(blocks)+MACSize), rand, to, blocks)
}

// AppendSealForRouter is SealForRouter appending to dst; with enough
// capacity in dst the message is built in place.
func AppendSealForRouter(dst []byte, rand io.Reader, to *crypto.X25519PublicKey, blocks []Block) ([]byte, error) {
	if err := CheckOrder(NewSession, blocks); err != nil {
		return dst, err
	}
	e, err := crypto.GenerateX25519(rand)
	if err != nil {
		return dst, fmt.Errorf("garlic: router message: ephemeral key: %w", err)
	}
	shared, err := crypto.X25519(&e.Private, to)
	if err != nil {
		return dst, fmt.Errorf("garlic: router message: %w", err)
	}
	var ss noise.SymmetricState
	initRouterState(&ss, to)
	start := len(dst)
	out := append(dst, e.Public[:]...)
	ss.MixHash(e.Public[:])
	ss.MixKey(shared[:])
	body := len(out)
	if out, err = AppendBlocks(out, blocks); err != nil {
		return dst[:start], err
	}
	if out, err = ss.EncryptAndHash(out[:body], out[body:]); err != nil {
		return dst[:start], fmt.Errorf("garlic: router message: %w", err)
	}
	return out, nil
}

// initRouterState performs "KDF for Initial ck and h" and MixHash(hepk)
// for the router static key hepk.
func initRouterState(ss *noise.SymmetricState, hepk *crypto.X25519PublicKey) {
	ss.Init([]byte(noise.ProtocolN))
	ss.MixHash(nil) // null prologue
	ss.MixHash(hepk[:])
}

// OpenForRouter decrypts a Noise_N message sent to our router key (the
// Garlic message data, ephemeral key first) and returns its blocks, which
// must obey the New Session rules. The blocks alias a fresh buffer, not
// body. Every authentication failure is ErrDecrypt. DateTime freshness and
// replays are left to the caller (see Decrypter).
func OpenForRouter(key *crypto.X25519KeyPair, body []byte) ([]Block, error) {
	pt, err := openForRouter(key, body)
	if err != nil {
		return nil, err
	}
	return parseChecked(NewSession, pt)
}

func openForRouter(key *crypto.X25519KeyPair, body []byte) ([]byte, error) {
	if len(body) < MinRouterMessageSize {
		return nil, fmt.Errorf("garlic: router message: %d bytes: %w", len(body), ErrTruncated)
	}
	var epk crypto.X25519PublicKey
	copy(epk[:], body[:EphemeralSize])
	// Reject our own key early, before the DH: an old i2pd bug sent it
	// (ecies-routers.rst "Implementation Notes").
	if subtle.ConstantTimeCompare(epk[:], key.Public[:]) == 1 {
		return nil, fmt.Errorf("garlic: router message: our own key as ephemeral: %w", ErrDecrypt)
	}
	shared, err := crypto.X25519(&key.Private, &epk)
	if err != nil {
		return nil, fmt.Errorf("garlic: router message: %w: %w", ErrDecrypt, err)
	}
	var ss noise.SymmetricState
	initRouterState(&ss, &key.Public)
	ss.MixHash(epk[:])
	ss.MixKey(shared[:])
	ct := body[EphemeralSize:]
	pt, err := ss.DecryptAndHash(make([]byte, 0, len(ct)-MACSize), ct)
	if err != nil {
		return nil, fmt.Errorf("garlic: router message: %w", ErrDecrypt)
	}
	return pt, nil
}

func parseChecked(k Kind, pt []byte) ([]Block, error) {
	blocks, err := ParseBlocks(pt)
	if err != nil {
		return nil, err
	}
	if err := CheckOrder(k, blocks); err != nil {
		return nil, err
	}
	return blocks, nil
}

// WrapForRouter garlic-wraps one I2NP message for LOCAL delivery at the
// router with static key to, as i2pd's WrapECIESX25519MessageForRouter
// does: DateTime(now), the clove, then 0-MaxPadding bytes of padding.
func WrapForRouter(rand io.Reader, to *crypto.X25519PublicKey, now time.Time, m i2np.Message) ([]byte, error) {
	pad, err := randomPadding(rand)
	if err != nil {
		return nil, err
	}
	blocks := []Block{NewDateTime(now), Clove{Message: m}, pad}
	return SealForRouter(rand, to, blocks)
}

// randomPadding returns a Padding block of 0 to MaxPadding bytes.
func randomPadding(rand io.Reader) (Padding, error) {
	var b [1]byte
	if _, err := io.ReadFull(randOr(rand), b[:]); err != nil {
		return Padding{}, fmt.Errorf("garlic: padding: %w", err)
	}
	return Padding{Size: int(b[0]) % (MaxPadding + 1)}, nil
}
