package garlic

import (
	cryptorand "crypto/rand"
	"crypto/subtle"
	"fmt"
	"io"

	"i2pgate/router/crypto"
	"i2pgate/router/i2np"
)

// One-time reply layout (i2np.rst "DatabaseLookup", "Reply format"; the
// Existing Session message of ecies.rst "1h"): the 8-byte reply tag in the
// clear, then the payload encrypted with the 32-byte reply key, nonce 0 and
// the tag as associated data.
const (
	ReplyTagSize = i2np.RatchetTagSize
	// ReplyNonce is the AEAD nonce of a one-time reply.
	ReplyNonce = 0
	// MinReplySize is the smallest reply: the tag and the MAC.
	MinReplySize = ReplyTagSize + MACSize
)

// ReplyKey is the key and tag a DatabaseLookup with the ECIES flag carries
// (i2np.DatabaseLookup ReplyKey and RatchetTags[0]) so that the floodfill
// can encrypt its answer to an anonymous requester.
type ReplyKey struct {
	Key [KeySize]byte
	Tag i2np.RatchetTag
}

// NewReplyKey draws a fresh key and tag from rand (nil means crypto/rand),
// as "reply_key :: CSRNG(32)", "reply_tags :: CSRNG(8)".
func NewReplyKey(rand io.Reader) (ReplyKey, error) {
	var k ReplyKey
	r := randOr(rand)
	if _, err := io.ReadFull(r, k.Key[:]); err != nil {
		return ReplyKey{}, fmt.Errorf("garlic: reply key: %w", err)
	}
	if _, err := io.ReadFull(r, k.Tag[:]); err != nil {
		return ReplyKey{}, fmt.Errorf("garlic: reply key: %w", err)
	}
	return k, nil
}

func randOr(r io.Reader) io.Reader {
	if r == nil {
		return cryptorand.Reader
	}
	return r
}

// SealReply encrypts blocks as the one-time reply under key and tag and
// returns the Garlic message data: tag, ciphertext, MAC. This is the
// floodfill's side. blocks must obey the Existing Session rules and start
// with a Garlic Clove: i2pd reads only a leading clove from such a reply
// (SymmetricKeyTagSet::HandleNextMessage), and Java I2P sends cloves then
// padding too.
func SealReply(key *[KeySize]byte, tag i2np.RatchetTag, blocks []Block) ([]byte, error) {
	return AppendSealReply(make([]byte, 0, ReplyTagSize+BlocksLen(blocks)+MACSize), key, tag, blocks)
}

// AppendSealReply is SealReply appending to dst; with enough capacity in
// dst the message is built in place.
func AppendSealReply(dst []byte, key *[KeySize]byte, tag i2np.RatchetTag, blocks []Block) ([]byte, error) {
	if err := CheckOrder(ExistingSession, blocks); err != nil {
		return dst, err
	}
	if len(blocks) == 0 || blocks[0].Type() != BlockGarlicClove {
		return dst, fmt.Errorf("garlic: reply: first block is not a clove: %w", ErrOrder)
	}
	start := len(dst)
	out := append(dst, tag[:]...)
	body := len(out)
	out, err := AppendBlocks(out, blocks)
	if err != nil {
		return dst[:start], err
	}
	return crypto.Seal(key, ReplyNonce, out[:body], out[body:], tag[:]), nil
}

// OpenReply decrypts a one-time reply under key and tag and returns its
// blocks, which must obey the Existing Session rules; they alias a fresh
// buffer, not body. A body that does not start with tag, or does not
// authenticate, is ErrDecrypt.
func OpenReply(key *[KeySize]byte, tag i2np.RatchetTag, body []byte) ([]Block, error) {
	if len(body) < MinReplySize {
		return nil, fmt.Errorf("garlic: reply: %d bytes: %w", len(body), ErrTruncated)
	}
	if subtle.ConstantTimeCompare(body[:ReplyTagSize], tag[:]) != 1 {
		return nil, fmt.Errorf("garlic: reply: tag mismatch: %w", ErrDecrypt)
	}
	ct := body[ReplyTagSize:]
	pt, err := crypto.Open(key, ReplyNonce, make([]byte, 0, len(ct)-MACSize), ct, tag[:])
	if err != nil {
		return nil, fmt.Errorf("garlic: reply: %w", ErrDecrypt)
	}
	return parseChecked(ExistingSession, pt)
}

// WrapReply encrypts one I2NP message (the DatabaseStore or
// DatabaseSearchReply answering a lookup) for LOCAL delivery as the
// one-time reply under k, with a clove and 0-MaxPadding bytes of padding as
// i2pd's WrapECIESX25519Message does. rand sizes the padding (nil means
// crypto/rand).
func WrapReply(rand io.Reader, k *ReplyKey, m i2np.Message) ([]byte, error) {
	pad, err := randomPadding(rand)
	if err != nil {
		return nil, err
	}
	return SealReply(&k.Key, k.Tag, []Block{Clove{Message: m}, pad})
}

// ReplyTag returns the first ReplyTagSize bytes of a Garlic message's data,
// where a one-time reply carries its tag, and whether there are enough.
func ReplyTag(body []byte) (i2np.RatchetTag, bool) {
	var t i2np.RatchetTag
	if len(body) < ReplyTagSize {
		return t, false
	}
	copy(t[:], body)
	return t, true
}
