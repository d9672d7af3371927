package streaming

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"i2pgate/router/data"
)

// Packet flags (streaming.rst "Flags and Option Data Fields"); bit 0 is the
// least significant.
const (
	FlagSynchronize           uint16 = 1 << 0
	FlagClose                 uint16 = 1 << 1
	FlagReset                 uint16 = 1 << 2
	FlagSignatureIncluded     uint16 = 1 << 3
	FlagSignatureRequested    uint16 = 1 << 4
	FlagFromIncluded          uint16 = 1 << 5
	FlagDelayRequested        uint16 = 1 << 6
	FlagMaxPacketSizeIncluded uint16 = 1 << 7
	FlagProfileInteractive    uint16 = 1 << 8
	FlagEcho                  uint16 = 1 << 9
	FlagNoAck                 uint16 = 1 << 10
	FlagOfflineSignature      uint16 = 1 << 11
)

// Wire sizes.
const (
	// HeaderSize is the smallest packet: stream IDs, sequence number,
	// ackThrough, NACK count, resend delay, flags and option size.
	HeaderSize = 22
	// MaxNACKs is the most NACKs one packet carries (a 1-byte count).
	MaxNACKs = 255
	// SynNACKs is the NACK count of a SYN that carries the hash of the
	// destination it is meant for (8 NACKs = 32 bytes), as i2pd and Java
	// I2P write since 2.x / 0.9.x against replays to another destination.
	SynNACKs = data.HashSize / 4

	nackCountOffset = 16
	offlineHeader   = 6 // expires (4) and transient signature type (2)
	// ChokeDelay is a DELAY_REQUESTED value that means "choked": above the
	// spec's 60000, and not one of the values i2pd reads specially (61000
	// marks Java, 65535 its own choke).
	ChokeDelay = 60001
)

// OfflineSignature is the OFFLINE_SIGNATURE option (common-structures
// "OfflineSignature"): a transient signing key, its expiry and the
// destination's signature over both. The transient key signs the packet.
type OfflineSignature struct {
	// Expires is in seconds since the epoch.
	Expires uint32
	// Transient is the key that signs packets.
	Transient data.SigningPublicKey
	// Signature is by the destination's signing key.
	Signature []byte
}

// OfflineFrom converts an offline signature of our keys for use in packets.
func OfflineFrom(o *data.OfflineSignature) *OfflineSignature {
	if o == nil {
		return nil
	}
	return &OfflineSignature{
		Expires:   uint32(o.Expires().Unix()),
		Transient: o.TransientKey(),
		Signature: o.Signature(),
	}
}

func (o *OfflineSignature) len() int {
	return offlineHeader + len(o.Transient.Bytes()) + len(o.Signature)
}

func (o *OfflineSignature) append(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, o.Expires)
	b = binary.BigEndian.AppendUint16(b, uint16(o.Transient.Type()))
	b = append(b, o.Transient.Bytes()...)
	return append(b, o.Signature...)
}

// Verify checks the block with the destination's signing key and its
// expiry against now.
func (o *OfflineSignature) Verify(dest data.SigningPublicKey, now time.Time) error {
	if int64(o.Expires) < now.Unix() {
		return fmt.Errorf("streaming: offline signature expired: %w", ErrBadSignature)
	}
	signed := o.append(nil)
	if err := dest.Verify(signed[:len(signed)-len(o.Signature)], o.Signature); err != nil {
		return fmt.Errorf("streaming: offline signature: %w: %w", ErrBadSignature, err)
	}
	return nil
}

// Packet is one streaming packet (streaming.rst "Packet Format"). Flags
// decides which options are present; the option fields are valid only
// under their flag.
type Packet struct {
	SendStreamID    uint32
	ReceiveStreamID uint32
	Seq             uint32
	AckThrough      uint32
	NACKs           []uint32
	ResendDelay     uint8
	Flags           uint16

	Delay         uint16            // FlagDelayRequested, milliseconds
	From          *data.Destination // FlagFromIncluded
	MaxPacketSize uint16            // FlagMaxPacketSizeIncluded
	Offline       *OfflineSignature // FlagOfflineSignature
	Signature     []byte            // FlagSignatureIncluded

	Payload []byte

	raw    []byte // the parsed packet, for signature verification
	sigOff int    // offset of Signature in raw
}

// Has reports whether all of flags are set.
func (p *Packet) Has(flags uint16) bool { return p.Flags&flags == flags }

// IsPlainACK reports whether p is an ACK that carries no sequence number.
func (p *Packet) IsPlainACK() bool { return p.Seq == 0 && p.Flags&FlagSynchronize == 0 }

// TargetHash returns the destination hash a SYN carries in its NACK field,
// if it does.
func (p *Packet) TargetHash() (data.Hash, bool) {
	var h data.Hash
	if !p.Has(FlagSynchronize) || len(p.NACKs) != SynNACKs {
		return h, false
	}
	for i, n := range p.NACKs {
		binary.BigEndian.PutUint32(h[4*i:], n)
	}
	return h, true
}

// SetTargetHash stores h in the NACK field, as the first SYN of a
// connection carries it.
func (p *Packet) SetTargetHash(h data.Hash) {
	p.NACKs = make([]uint32, SynNACKs)
	for i := range p.NACKs {
		p.NACKs[i] = binary.BigEndian.Uint32(h[4*i:])
	}
}

// Parse decodes a packet. The returned packet aliases b (Payload,
// Signature and the bytes kept for Verify): copy what outlives b.
//
// Signature lengths come from the packet itself: the transient key's type
// under OFFLINE_SIGNATURE, else the FROM destination's type, else
// everything left in the option area (spec "Variable Length Signature
// Notes"); Verify checks it against the key.
func Parse(b []byte) (*Packet, error) {
	if len(b) < HeaderSize {
		return nil, fmt.Errorf("streaming: packet of %d bytes: %w", len(b), ErrTruncated)
	}
	p := &Packet{
		SendStreamID:    binary.BigEndian.Uint32(b[0:]),
		ReceiveStreamID: binary.BigEndian.Uint32(b[4:]),
		Seq:             binary.BigEndian.Uint32(b[8:]),
		AckThrough:      binary.BigEndian.Uint32(b[12:]),
		raw:             b,
	}
	n := int(b[nackCountOffset])
	off := nackCountOffset + 1
	if len(b) < HeaderSize+4*n {
		return nil, fmt.Errorf("streaming: %d NACKs: %w", n, ErrTruncated)
	}
	if n > 0 {
		p.NACKs = make([]uint32, n)
		for i := range p.NACKs {
			p.NACKs[i] = binary.BigEndian.Uint32(b[off:])
			off += 4
		}
	}
	p.ResendDelay = b[off]
	p.Flags = binary.BigEndian.Uint16(b[off+1:])
	optLen := int(binary.BigEndian.Uint16(b[off+3:]))
	off += 5
	if len(b)-off < optLen {
		return nil, fmt.Errorf("streaming: option size %d: %w", optLen, ErrTruncated)
	}
	if err := p.parseOptions(b, off, off+optLen); err != nil {
		return nil, err
	}
	p.Payload = b[off+optLen:]
	return p, nil
}

// parseOptions reads the option area b[off:end] in the spec's order.
func (p *Packet) parseOptions(b []byte, off, end int) error {
	need := func(k int, what string) error {
		if end-off < k {
			return fmt.Errorf("streaming: %s option: %w", what, ErrTruncated)
		}
		return nil
	}
	if p.Flags&FlagDelayRequested != 0 {
		if err := need(2, "delay"); err != nil {
			return err
		}
		p.Delay = binary.BigEndian.Uint16(b[off:])
		off += 2
	}
	if p.Flags&FlagFromIncluded != 0 {
		d, rest, err := data.ParseDestination(b[off:end])
		if err != nil {
			return fmt.Errorf("streaming: from option: %w: %w", ErrInvalid, err)
		}
		p.From = d
		off = end - len(rest)
	}
	if p.Flags&FlagMaxPacketSizeIncluded != 0 {
		if err := need(2, "max packet size"); err != nil {
			return err
		}
		p.MaxPacketSize = binary.BigEndian.Uint16(b[off:])
		off += 2
	}
	if p.Flags&FlagOfflineSignature != 0 {
		o, n, err := p.parseOffline(b[off:end])
		if err != nil {
			return err
		}
		p.Offline = o
		off += n
	}
	if p.Flags&FlagSignatureIncluded != 0 {
		sigLen := end - off
		if k := p.signatureLen(); k > 0 {
			sigLen = k
		}
		if err := need(sigLen, "signature"); err != nil {
			return err
		}
		p.Signature = b[off : off+sigLen]
		p.sigOff = off
		off += sigLen
	}
	if off != end {
		return fmt.Errorf("streaming: %d unknown option bytes: %w", end-off, ErrInvalid)
	}
	return nil
}

// signatureLen is the length the packet's own keys imply, or 0 when it
// must be inferred from the option size.
func (p *Packet) signatureLen() int {
	switch {
	case p.Offline != nil:
		return p.Offline.Transient.SignatureLen()
	case p.From != nil:
		return p.From.SignatureLen()
	}
	return 0
}

// parseOffline reads an OFFLINE_SIGNATURE option from the start of b and
// returns its length. Without FROM, the destination's signature takes what
// the packet signature (by the transient key, whose length is known) leaves.
func (p *Packet) parseOffline(b []byte) (*OfflineSignature, int, error) {
	if len(b) < offlineHeader {
		return nil, 0, fmt.Errorf("streaming: offline signature: %w", ErrTruncated)
	}
	o := &OfflineSignature{Expires: binary.BigEndian.Uint32(b)}
	t := data.SigType(binary.BigEndian.Uint16(b[4:]))
	if !t.Known() {
		return nil, 0, fmt.Errorf("streaming: offline signature: %v: %w", t, ErrInvalid)
	}
	keyLen := t.PublicKeyLen()
	var sigLen int
	switch {
	case p.From != nil:
		sigLen = p.From.SignatureLen()
	case p.Flags&FlagSignatureIncluded != 0:
		sigLen = len(b) - offlineHeader - keyLen - t.SignatureLen()
	default:
		sigLen = len(b) - offlineHeader - keyLen
	}
	if sigLen <= 0 || len(b) < offlineHeader+keyLen+sigLen {
		return nil, 0, fmt.Errorf("streaming: offline signature: %w", ErrTruncated)
	}
	key, err := data.NewSigningPublicKey(t, b[offlineHeader:offlineHeader+keyLen])
	if err != nil {
		return nil, 0, fmt.Errorf("streaming: offline signature: %w: %w", ErrInvalid, err)
	}
	o.Transient = key
	n := offlineHeader + keyLen + sigLen
	o.Signature = bytes.Clone(b[offlineHeader+keyLen : n])
	return o, n, nil
}

// Verify checks the packet's signature with key: the signature covers the
// whole packet with the signature bytes zeroed. It works on parsed packets
// only.
func (p *Packet) Verify(key data.SigningPublicKey) error {
	if p.Flags&FlagSignatureIncluded == 0 || p.raw == nil {
		return fmt.Errorf("streaming: packet not signed: %w", ErrBadSignature)
	}
	if len(p.Signature) != key.SignatureLen() {
		return fmt.Errorf("streaming: %d-byte signature for %v: %w", len(p.Signature), key.Type(), ErrBadSignature)
	}
	msg := bytes.Clone(p.raw)
	clear(msg[p.sigOff : p.sigOff+len(p.Signature)])
	if err := key.Verify(msg, p.Signature); err != nil {
		return fmt.Errorf("streaming: %w: %w", ErrBadSignature, err)
	}
	return nil
}

// VerifyFrom checks a packet signed by dest: through the packet's offline
// signature when it has one (which must verify with dest's key and not be
// expired at now), else with dest's key. It returns the key that signed.
func (p *Packet) VerifyFrom(dest *data.Destination, now time.Time) (data.SigningPublicKey, error) {
	key := dest.SigningPublicKey()
	if p.Offline != nil {
		if err := p.Offline.Verify(key, now); err != nil {
			return data.SigningPublicKey{}, err
		}
		key = p.Offline.Transient
	}
	if err := p.Verify(key); err != nil {
		return data.SigningPublicKey{}, err
	}
	return key, nil
}

// optionsLen returns the size of the option area, with sigLen bytes of
// signature.
func (p *Packet) optionsLen(sigLen int) int {
	n := 0
	if p.Flags&FlagDelayRequested != 0 {
		n += 2
	}
	if p.Flags&FlagFromIncluded != 0 && p.From != nil {
		n += p.From.Len()
	}
	if p.Flags&FlagMaxPacketSizeIncluded != 0 {
		n += 2
	}
	if p.Flags&FlagOfflineSignature != 0 && p.Offline != nil {
		n += p.Offline.len()
	}
	if p.Flags&FlagSignatureIncluded != 0 {
		n += sigLen
	}
	return n
}

// Append serializes p onto dst. When FlagSignatureIncluded is set and
// signer is not nil, the packet is signed (and p.Signature set); with a nil
// signer p.Signature is written as is.
func (p *Packet) Append(dst []byte, signer data.Signer) ([]byte, error) {
	if len(p.NACKs) > MaxNACKs {
		return nil, fmt.Errorf("streaming: %d NACKs: %w", len(p.NACKs), ErrInvalid)
	}
	if (p.Flags&FlagFromIncluded != 0 && p.From == nil) || (p.Flags&FlagOfflineSignature != 0 && p.Offline == nil) {
		return nil, fmt.Errorf("streaming: flag without its option: %w", ErrInvalid)
	}
	sign := p.Flags&FlagSignatureIncluded != 0 && signer != nil
	sigLen := len(p.Signature)
	if sign {
		sigLen = signer.Type().SignatureLen()
	}
	optLen := p.optionsLen(sigLen)
	if optLen > 0xffff {
		return nil, fmt.Errorf("streaming: %d option bytes: %w", optLen, ErrInvalid)
	}
	start := len(dst)
	b := binary.BigEndian.AppendUint32(dst, p.SendStreamID)
	b = binary.BigEndian.AppendUint32(b, p.ReceiveStreamID)
	b = binary.BigEndian.AppendUint32(b, p.Seq)
	b = binary.BigEndian.AppendUint32(b, p.AckThrough)
	b = append(b, byte(len(p.NACKs)))
	for _, n := range p.NACKs {
		b = binary.BigEndian.AppendUint32(b, n)
	}
	b = append(b, p.ResendDelay)
	b = binary.BigEndian.AppendUint16(b, p.Flags)
	b = binary.BigEndian.AppendUint16(b, uint16(optLen))
	if p.Flags&FlagDelayRequested != 0 {
		b = binary.BigEndian.AppendUint16(b, p.Delay)
	}
	if p.Flags&FlagFromIncluded != 0 {
		b = append(b, p.From.Bytes()...)
	}
	if p.Flags&FlagMaxPacketSizeIncluded != 0 {
		b = binary.BigEndian.AppendUint16(b, p.MaxPacketSize)
	}
	if p.Flags&FlagOfflineSignature != 0 {
		b = p.Offline.append(b)
	}
	sigOff := len(b)
	if p.Flags&FlagSignatureIncluded != 0 {
		if sign {
			b = append(b, make([]byte, sigLen)...)
		} else {
			b = append(b, p.Signature...)
		}
	}
	b = append(b, p.Payload...)
	if sign {
		sig, err := signer.Sign(b[start:])
		if err != nil {
			return nil, fmt.Errorf("streaming: sign: %w", err)
		}
		if len(sig) != sigLen {
			return nil, fmt.Errorf("streaming: %d-byte signature from a %v signer: %w", len(sig), signer.Type(), ErrInvalid)
		}
		copy(b[sigOff:], sig)
		p.Signature = sig
	}
	return b, nil
}
