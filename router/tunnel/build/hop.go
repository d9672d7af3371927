package build

import (
	"bytes"
	"fmt"

	"i2pgate/router/crypto"
	"i2pgate/router/data"
	"i2pgate/router/i2np"
)

// Identity is what a hop needs to find and open its record: its router
// hash (the first 16 bytes mark its record) and its X25519 encryption key.
type Identity struct {
	Hash data.Hash
	Key  crypto.X25519KeyPair
}

// NewIdentity returns the Identity of a router with hash and X25519
// private key priv.
func NewIdentity(hash data.Hash, priv crypto.X25519PrivateKey) *Identity {
	return &Identity{Hash: hash, Key: crypto.X25519KeyPair{Private: priv, Public: priv.PublicKey()}}
}

// ShortHop is a ShortTunnelBuild as one hop opened it: its request, its
// keys, and what it needs to answer.
type ShortHop struct {
	Request ShortRequest
	Keys    Keys
	// Index is the position of our record in the message.
	Index   int
	h       [32]byte
	records []i2np.ShortBuildRecord
}

// OpenShort finds the record of id in msg, decrypts it and derives the
// hop's keys. It fails with ErrNotFound, ErrDecrypt, ErrInvalid or
// ErrUnsupported (a layer encryption other than AES), and rejects a
// non-OBEP request whose next router is id itself. msg is not modified.
func OpenShort(id *Identity, msg i2np.ShortTunnelBuild) (*ShortHop, error) {
	i := findRecord(id, len(msg.Records), func(i int) []byte { return msg.Records[i][:] })
	if i < 0 {
		return nil, fmt.Errorf("build: short: %w", ErrNotFound)
	}
	var buf [ShortRequestSize]byte
	plain, st, err := openRecord(buf[:0], msg.Records[i][:], id)
	if err != nil {
		return nil, fmt.Errorf("build: short record %d: %w", i, err)
	}
	req, err := ParseShortRequest(plain)
	if err != nil {
		return nil, err
	}
	if req.LayerEncryption != LayerAES {
		return nil, fmt.Errorf("build: short: layer encryption %d: %w", req.LayerEncryption, ErrUnsupported)
	}
	if err := checkNext(id, &req.Request); err != nil {
		return nil, err
	}
	return &ShortHop{
		Request: req,
		Keys:    shortKeys(st.ck, req.Flags&FlagOBEP != 0),
		Index:   i,
		h:       st.h,
		records: append([]i2np.ShortBuildRecord(nil), msg.Records...),
	}, nil
}

// Reply writes our reply record (AEAD with the reply key, nonce = our
// position, ad = h) and ChaCha20-encrypts every other record. It returns
// the message to send on: a ShortTunnelBuild to Request.NextRouter with
// ID Request.NextMessageID, or, at the OBEP, an OutboundTunnelBuildReply
// for the reply tunnel (to garlic-encrypt with Keys.GarlicKey and
// Keys.GarlicTag). It may be called more than once.
func (s *ShortHop) Reply(status Status, options data.Mapping) (i2np.Payload, error) {
	reply := Reply{Status: status, Options: options}
	var buf [ShortReplySize]byte
	plain, err := reply.AppendShort(buf[:0])
	if err != nil {
		return nil, err
	}
	out := append([]i2np.ShortBuildRecord(nil), s.records...)
	for j := range out {
		if j == s.Index {
			crypto.Seal(&s.Keys.Reply, uint64(j), out[j][:0], plain, s.h[:])
			continue
		}
		shortStream(&s.Keys.Reply, j, out[j][:])
	}
	if s.Request.Flags&FlagOBEP != 0 {
		return i2np.OutboundTunnelBuildReply{Records: out}, nil
	}
	return i2np.ShortTunnelBuild{Records: out}, nil
}

// LongHop is a VariableTunnelBuild as one hop opened it.
type LongHop struct {
	Request LongRequest
	// Keys holds the layer, IV and reply keys of the request.
	Keys Keys
	// Index is the position of our record in the message.
	Index   int
	ck, h   [32]byte
	records []i2np.BuildRecord
}

// OpenLong finds the record of id in msg, decrypts it and reads the keys
// it carries. Errors are as for OpenShort. msg is not modified.
func OpenLong(id *Identity, msg i2np.VariableTunnelBuild) (*LongHop, error) {
	i := findRecord(id, len(msg.Records), func(i int) []byte { return msg.Records[i][:] })
	if i < 0 {
		return nil, fmt.Errorf("build: long: %w", ErrNotFound)
	}
	var buf [LongRequestSize]byte
	plain, st, err := openRecord(buf[:0], msg.Records[i][:], id)
	if err != nil {
		return nil, fmt.Errorf("build: long record %d: %w", i, err)
	}
	req, err := ParseLongRequest(plain)
	if err != nil {
		return nil, err
	}
	if err := checkNext(id, &req.Request); err != nil {
		return nil, err
	}
	return &LongHop{
		Request: req,
		Keys:    longKeys(&req),
		Index:   i,
		ck:      st.ck,
		h:       st.h,
		records: append([]i2np.BuildRecord(nil), msg.Records...),
	}, nil
}

// Reply writes our reply record (AEAD keyed with the request's chaining
// key, nonce 0, ad = h) and AES-256-CBC encrypts every other record with
// the request's reply key and IV, each record on its own. It returns a
// VariableTunnelBuild for the next hop, or at the OBEP a
// VariableTunnelBuildReply for the reply tunnel.
func (l *LongHop) Reply(status Status, options data.Mapping) (i2np.Payload, error) {
	reply := Reply{Status: status, Options: options}
	var buf [LongReplySize]byte
	plain, err := reply.AppendLong(buf[:0])
	if err != nil {
		return nil, err
	}
	out := append([]i2np.BuildRecord(nil), l.records...)
	for j := range out {
		if j == l.Index {
			crypto.Seal(&l.ck, 0, out[j][:0], plain, l.h[:])
			continue
		}
		if err := crypto.EncryptCBC(&l.Keys.Reply, &l.Keys.ReplyIV, out[j][:], out[j][:]); err != nil {
			return nil, fmt.Errorf("build: long reply: %w", err)
		}
	}
	if l.Request.Flags&FlagOBEP != 0 {
		return i2np.VariableTunnelBuildReply{Records: out}, nil
	}
	return i2np.VariableTunnelBuild{Records: out}, nil
}

func longKeys(r *LongRequest) Keys {
	return Keys{Layer: r.LayerKey, IV: r.IVKey, Reply: r.ReplyKey, ReplyIV: r.ReplyIV}
}

// findRecord returns the first record whose to-peer prefix is ours, or -1.
func findRecord(id *Identity, n int, rec func(int) []byte) int {
	for i := range n {
		if bytes.Equal(rec(i)[:toPeerSize], id.Hash[:toPeerSize]) {
			return i
		}
	}
	return -1
}

// checkNext refuses to forward a build message to ourselves, as i2pd does;
// an OBEP may name itself as the reply gateway.
func checkNext(id *Identity, r *Request) error {
	if r.Flags&FlagOBEP == 0 && r.NextRouter == id.Hash {
		return fmt.Errorf("build: next router is this router: %w", ErrInvalid)
	}
	return nil
}
