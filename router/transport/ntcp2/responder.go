package ntcp2

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"i2pgate/router/clock"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/data"
	"i2pgate/router/transport"
)

// ResponderConfig sets up Bob's side of a handshake.
type ResponderConfig struct {
	NetID uint8
	// Static is our NTCP2 static key pair; RouterHash and IV are our
	// router hash and published "i", the AES key and IV of X and Y.
	Static     noise.KeyPair
	RouterHash data.Hash
	IV         [16]byte
	// MaxPadding bounds message 2 padding (0 means DefaultMaxPadding).
	MaxPadding int
	Clock      clock.Clock // nil means the system clock
	Rand       io.Reader   // nil means crypto/rand
	// Replay, if set, refuses a replayed X (ntcp2.rst "Replay prevention").
	Replay *ReplayCache
}

// Responder is Bob's handshake state machine over byte slices: call
// ConsumeSessionRequest with the first 64 bytes of message 1,
// ConsumePadding with the PadLen bytes that follow, CreateSessionCreated,
// and ConsumeSessionConfirmed with the ConfirmedPart1Size and M3P2Len bytes
// of message 3; then Keys. Any error is final.
type Responder struct {
	handshake
	ourHash data.Hash
	m3p2Len int
}

// Responder steps.
const (
	rStart      = iota
	rGotRequest // padding pending
	rReady      // may send message 2
	rSentCreated
	rDone
)

// NewResponder returns a Responder for cfg.
func NewResponder(cfg ResponderConfig) (*Responder, error) {
	r := &Responder{ourHash: cfg.RouterHash}
	r.init(cfg.Clock, cfg.Rand, cfg.Replay, cfg.NetID, cfg.MaxPadding)
	key, iv := [32]byte(cfg.RouterHash), cfg.IV
	hs, err := noise.NewHandshakeState(noise.Config{
		Pattern: noise.PatternXK, ProtocolName: noise.ProtocolNTCP2,
		Static: &cfg.Static, Rand: r.rand, Encoder: newObfuscator(&key, &iv),
	})
	if err != nil {
		return nil, fmt.Errorf("ntcp2: responder: %w", err)
	}
	r.hs = hs
	return r, nil
}

// ConsumeSessionRequest processes the first SessionRequestSize bytes of
// message 1 and returns the length of the padding that follows. An
// ErrAEAD failure is what a probe looks like: the caller must not answer.
func (r *Responder) ConsumeSessionRequest(msg []byte) (int, error) {
	if r.step != rStart {
		return 0, ErrOrder
	}
	if len(msg) != SessionRequestSize {
		return 0, hsErr(transport.ReasonMessage1Error, fmt.Errorf("%w: message 1 of %d bytes", ErrSize, len(msg)))
	}
	var pb [OptionsSize]byte
	payload, err := r.hs.ReadMessage(pb[:0], msg)
	if err != nil {
		return 0, hsErr(transport.ReasonMessage1Error, fmt.Errorf("%w: message 1: %w", ErrAEAD, err))
	}
	r.step = -1
	if x, ok := r.hs.PeerEphemeral(); ok {
		if err := r.checkReplay(x); err != nil {
			return 0, hsErr(transport.ReasonMessage1Error, err)
		}
	}
	opts, err := ParseRequestOptions(payload)
	if err != nil {
		return 0, hsErr(transport.ReasonMessage1Error, err)
	}
	if err := r.checkRequest(opts); err != nil {
		return 0, err
	}
	if err := r.checkTime(opts.Timestamp); err != nil {
		return 0, err
	}
	r.padLen, r.m3p2Len = int(opts.PadLen), int(opts.M3P2Len)
	r.step = rGotRequest
	return r.padLen, nil
}

func (r *Responder) checkRequest(o RequestOptions) error {
	// Like i2pd, a zero network ID (routers before 0.9.42) is accepted;
	// message 3's RouterInfo netId is checked anyway.
	if o.NetID != 0 && o.NetID != r.netID {
		return hsErr(transport.ReasonMessage1Error, fmt.Errorf("%w: %d", ErrNetID, o.NetID))
	}
	if o.Version != Version {
		return hsErr(transport.ReasonIncompatibleOpts, fmt.Errorf("%w: %d", ErrVersion, o.Version))
	}
	if int(o.M3P2Len) < MinM3P2Size || int(o.M3P2Len) > MaxM3P2Size {
		return hsErr(transport.ReasonMessage1Error, fmt.Errorf("%w: m3p2len %d", ErrSize, o.M3P2Len))
	}
	if int(o.PadLen) > MaxHandshakePadding {
		return hsErr(transport.ReasonMessage1Error, fmt.Errorf("%w: padding %d", ErrSize, o.PadLen))
	}
	return nil
}

// ConsumePadding takes message 1's cleartext padding (PadLen bytes).
func (r *Responder) ConsumePadding(pad []byte) error { return r.consumePadding(pad, rGotRequest) }

// CreateSessionCreated returns message 2: obfuscated Y, the encrypted
// options block and random cleartext padding.
func (r *Responder) CreateSessionCreated() ([]byte, error) {
	if r.step != rReady {
		return nil, ErrOrder
	}
	padLen, err := r.randN(r.maxPad + 1)
	if err != nil {
		return nil, err
	}
	opts := CreatedOptions{PadLen: uint16(padLen), Timestamp: Timestamp(r.clock.Now())}
	var ob [OptionsSize]byte
	msg, err := r.hs.WriteMessage(make([]byte, 0, SessionCreatedSize+padLen), opts.Append(ob[:0]))
	if err != nil {
		r.step = -1
		return nil, fmt.Errorf("ntcp2: session created: %w", err)
	}
	if msg, err = r.appendPadding(msg, padLen); err != nil {
		r.step = -1
		return nil, err
	}
	if padLen > 0 {
		r.hs.MixHash(msg[SessionCreatedSize:])
	}
	r.step = rSentCreated
	return msg, nil
}

// M3P2Len returns the length of message 3 part 2 that message 1 announced.
func (r *Responder) M3P2Len() int { return r.m3p2Len }

// Confirmed is what message 3 part 2 carried (ntcp2.rst "3)
// SessionConfirmed").
type Confirmed struct {
	RouterInfo *data.RouterInfo
	Flood      bool
	Options    *PaddingOptions
}

// ConsumeSessionConfirmed processes message 3, authenticates Alice's static
// key and validates her RouterInfo: signature, network ID, age, and an
// NTCP2 address whose "s" is the key just authenticated. The data-phase
// keys are available (Keys) as soon as both AEAD frames authenticate, so
// that the caller can send a Termination block for RouterInfo errors.
func (r *Responder) ConsumeSessionConfirmed(part1, part2 []byte) (*Confirmed, error) {
	if r.step != rSentCreated {
		return nil, ErrOrder
	}
	if len(part1) != ConfirmedPart1Size || len(part2) != r.m3p2Len {
		return nil, hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: message 3 of %d+%d bytes", ErrSize, len(part1), len(part2)))
	}
	msg := make([]byte, 0, len(part1)+len(part2))
	msg = append(append(msg, part1...), part2...)
	payload, err := r.hs.ReadMessage(make([]byte, 0, len(part2)), msg)
	if err != nil {
		return nil, hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: message 3: %w", ErrAEAD, err))
	}
	r.step = -1
	r.finish(false)
	rs, _ := r.hs.PeerStatic()
	c, err := r.parsePart2(payload, rs)
	if err != nil {
		return nil, err
	}
	r.step = rDone
	return c, nil
}

func (r *Responder) parsePart2(payload []byte, rs [32]byte) (*Confirmed, error) {
	blocks, err := ParseBlocks(payload)
	if err != nil || len(blocks) == 0 || blocks[0].Type != BlockRouterInfo {
		return nil, hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: no routerinfo block", ErrPeerRI))
	}
	c := &Confirmed{}
	for i, b := range blocks[1:] {
		switch {
		case b.Type == BlockOptions && i == 0:
			o, _ := b.Options()
			c.Options = &o
		case b.Type == BlockPadding:
		default:
			return nil, hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: block type %d not allowed", ErrPeerRI, b.Type))
		}
	}
	raw, flood, _ := blocks[0].RouterInfo()
	ri, err := data.ParseRouterInfo(raw)
	if err != nil {
		return nil, hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: %w", ErrPeerRI, err))
	}
	if err := r.checkPeerRI(ri, rs); err != nil {
		return nil, err
	}
	c.RouterInfo, c.Flood = ri, flood
	return c, nil
}

func (r *Responder) checkPeerRI(ri *data.RouterInfo, rs [32]byte) error {
	if err := ri.Verify(); err != nil {
		return hsErr(transport.ReasonBadRISignature, fmt.Errorf("%w: %w", ErrPeerRI, err))
	}
	if id, ok := ri.NetID(); !ok || id != int(r.netID) {
		return hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: %w", ErrPeerRI, ErrNetID))
	}
	if ri.Hash() == r.ourHash {
		return hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: our own routerinfo", ErrPeerRI))
	}
	now := r.clock.Now()
	if age := now.Sub(ri.Published()); age > MaxRouterInfoAge || age < -MaxRouterInfoFuture {
		return hsErr(transport.ReasonMessage3Error, fmt.Errorf("%w: published %v ago", ErrPeerRI, age))
	}
	if !HasStaticKey(ri, rs) {
		return hsErr(transport.ReasonBadStaticKey, fmt.Errorf("%w: no NTCP2 address with the authenticated static key", ErrPeerRI))
	}
	return nil
}

// HasStaticKey reports whether ri has an NTCP2 address (published or not,
// styled "NTCP2" or "NTCP") of version 2 whose "s" is s.
func HasStaticKey(ri *data.RouterInfo, s [32]byte) bool {
	for _, a := range ri.Addresses() {
		if a.Transport != data.TransportNTCP2 && a.Transport != "NTCP" {
			continue
		}
		if !supportsV2(a.Version()) {
			continue
		}
		if k, ok := a.StaticKey(); ok && bytes.Equal(k[:], s[:]) {
			return true
		}
	}
	return false
}

func supportsV2(v string) bool {
	for _, f := range strings.Split(v, ",") {
		if strings.TrimSpace(f) == "2" {
			return true
		}
	}
	return false
}
