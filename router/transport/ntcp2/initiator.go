package ntcp2

import (
	"fmt"
	"io"

	"i2pgate/router/clock"
	"i2pgate/router/crypto/noise"
	"i2pgate/router/data"
	"i2pgate/router/transport"
)

// InitiatorConfig sets up Alice's side of a handshake.
type InitiatorConfig struct {
	NetID uint8
	// Static is our NTCP2 static key pair.
	Static noise.KeyPair
	// RouterInfo is our signed RouterInfo, sent in message 3.
	RouterInfo []byte
	// PeerHash, PeerStatic and PeerIV come from Bob's RouterInfo: his
	// router hash and his NTCP2 address's "s" and "i".
	PeerHash   data.Hash
	PeerStatic [noise.DHSize]byte
	PeerIV     [16]byte
	// MaxPadding bounds message 1 padding (0 means DefaultMaxPadding).
	MaxPadding int
	// NoPadding sends message 1 without padding: i2pd 2.45.1 answers a
	// SessionRequest whose time is off with a SessionCreated keyed
	// without reading the padding, which only an unpadded Alice can
	// decrypt (to learn Bob's time).
	NoPadding bool
	Clock     clock.Clock // nil means the system clock
	Rand      io.Reader   // nil means crypto/rand
	// Replay, if set, refuses a replayed Y.
	Replay *ReplayCache
}

// Initiator is Alice's handshake state machine (ntcp2.rst "1)
// SessionRequest" to "3) SessionConfirmed"), over byte slices: call
// CreateSessionRequest, ConsumeSessionCreated with the first 64 bytes of
// message 2, ConsumePadding with the PadLen bytes that follow, and
// CreateSessionConfirmed; then Keys. Any error is final.
type Initiator struct {
	handshake
	ri      []byte
	m3p2    []byte // message 3 part 2 plaintext, fixed by message 1
	m3p2Len int
	noPad   bool
}

// Initiator steps.
const (
	iStart = iota
	iSentRequest
	iGotCreated // padding pending
	iReady      // may send message 3
	iDone
)

// NewInitiator returns an Initiator for cfg.
func NewInitiator(cfg InitiatorConfig) (*Initiator, error) {
	if len(cfg.RouterInfo) == 0 {
		return nil, fmt.Errorf("ntcp2: initiator: no routerinfo")
	}
	i := &Initiator{ri: cfg.RouterInfo}
	i.init(cfg.Clock, cfg.Rand, cfg.Replay, cfg.NetID, cfg.MaxPadding)
	i.noPad = cfg.NoPadding
	key, iv := [32]byte(cfg.PeerHash), cfg.PeerIV
	peer := cfg.PeerStatic
	hs, err := noise.NewHandshakeState(noise.Config{
		Pattern: noise.PatternXK, Initiator: true, ProtocolName: noise.ProtocolNTCP2,
		Static: &cfg.Static, PeerStatic: &peer, Rand: i.rand,
		Encoder: newObfuscator(&key, &iv),
	})
	if err != nil {
		return nil, fmt.Errorf("ntcp2: initiator: %w", err)
	}
	i.hs = hs
	return i, nil
}

// CreateSessionRequest returns message 1: obfuscated X, the encrypted
// options block and random cleartext padding. It also fixes the content of
// message 3 part 2 (our RouterInfo and a padding block), whose length
// message 1 announces.
func (i *Initiator) CreateSessionRequest() ([]byte, error) {
	if i.step != iStart {
		return nil, ErrOrder
	}
	if err := i.buildPart2(); err != nil {
		return nil, err
	}
	padLen, err := i.randN(i.maxPad + 1)
	if err != nil {
		return nil, err
	}
	if i.noPad {
		padLen = 0
	}
	opts := RequestOptions{
		NetID: i.netID, Version: Version, PadLen: uint16(padLen),
		M3P2Len: uint16(i.m3p2Len), Timestamp: Timestamp(i.clock.Now()),
	}
	var ob [OptionsSize]byte
	msg, err := i.hs.WriteMessage(make([]byte, 0, SessionRequestSize+padLen), opts.Append(ob[:0]))
	if err != nil {
		return nil, fmt.Errorf("ntcp2: session request: %w", err)
	}
	msg, err = i.appendPadding(msg, padLen)
	if err != nil {
		return nil, err
	}
	if padLen > 0 {
		i.hs.MixHash(msg[SessionRequestSize:])
	}
	i.step = iSentRequest
	return msg, nil
}

func (i *Initiator) buildPart2() error {
	pad, err := i.randN(msg3PaddingMax)
	if err != nil {
		return err
	}
	p, err := AppendRouterInfo(make([]byte, 0, BlockHeaderSize+1+len(i.ri)+BlockHeaderSize+pad), i.ri, false)
	if err != nil {
		return fmt.Errorf("ntcp2: session confirmed: %w", err)
	}
	p = AppendPadding(p, pad)
	if len(p)+MACSize > MaxM3P2Size {
		return fmt.Errorf("ntcp2: session confirmed: routerinfo of %d bytes too large", len(i.ri))
	}
	i.m3p2, i.m3p2Len = p, len(p)+MACSize
	return nil
}

// ConsumeSessionCreated processes the first SessionCreatedSize bytes of
// message 2 and returns the length of the padding that follows, which the
// caller reads and passes to ConsumePadding (even when it is 0).
func (i *Initiator) ConsumeSessionCreated(msg []byte) (int, error) {
	if i.step != iSentRequest {
		return 0, ErrOrder
	}
	if len(msg) != SessionCreatedSize {
		return 0, hsErr(transport.ReasonMessage2Error, fmt.Errorf("%w: message 2 of %d bytes", ErrSize, len(msg)))
	}
	var pb [OptionsSize]byte
	payload, err := i.hs.ReadMessage(pb[:0], msg)
	if err != nil {
		return 0, hsErr(transport.ReasonMessage2Error, fmt.Errorf("%w: message 2: %w", ErrAEAD, err))
	}
	i.step = -1 // any failure from here on is final
	if y, ok := i.hs.PeerEphemeral(); ok {
		if err := i.checkReplay(y); err != nil {
			return 0, hsErr(transport.ReasonMessage2Error, err)
		}
	}
	opts, err := ParseCreatedOptions(payload)
	if err != nil {
		return 0, hsErr(transport.ReasonMessage2Error, err)
	}
	if err := i.checkTime(opts.Timestamp); err != nil {
		return 0, err
	}
	if int(opts.PadLen) > MaxHandshakePadding {
		return 0, hsErr(transport.ReasonMessage2Error, fmt.Errorf("%w: padding %d", ErrSize, opts.PadLen))
	}
	i.padLen = int(opts.PadLen)
	i.step = iGotCreated
	return i.padLen, nil
}

// ConsumePadding takes message 2's cleartext padding (PadLen bytes).
func (i *Initiator) ConsumePadding(pad []byte) error { return i.consumePadding(pad, iGotCreated) }

// CreateSessionConfirmed returns message 3 (part 1, our encrypted static
// key, and part 2, our RouterInfo) and completes the handshake.
func (i *Initiator) CreateSessionConfirmed() ([]byte, error) {
	if i.step != iReady {
		return nil, ErrOrder
	}
	msg, err := i.hs.WriteMessage(make([]byte, 0, ConfirmedPart1Size+i.m3p2Len), i.m3p2)
	if err != nil {
		i.step = -1
		return nil, fmt.Errorf("ntcp2: session confirmed: %w", err)
	}
	i.finish(true)
	i.step = iDone
	return msg, nil
}

// M3P2Len returns the announced length of message 3 part 2.
func (i *Initiator) M3P2Len() int { return i.m3p2Len }
