package noise

import (
	"errors"
	"fmt"
)

// WriteMessage appends the next handshake message, carrying payload, to
// dst. dst's spare capacity must not overlap payload.
func (hs *HandshakeState) WriteMessage(dst, payload []byte) ([]byte, error) {
	if hs.Complete() {
		return nil, errors.New("noise: write after the handshake is complete")
	}
	if !hs.myTurn() {
		return nil, fmt.Errorf("noise: message %d is the peer's to write", hs.msgIndex+1)
	}
	saved := *hs
	out, err := hs.writeTokens(dst)
	if err == nil {
		out, err = hs.ss.EncryptAndHash(out, payload)
	}
	if err != nil {
		*hs = saved
		return nil, err
	}
	hs.msgIndex++
	return out, nil
}

func (hs *HandshakeState) writeTokens(out []byte) ([]byte, error) {
	var err error
	for _, t := range hs.messages[hs.msgIndex] {
		switch t {
		case tokE:
			out, err = hs.writeE(out)
		case tokS:
			out, err = hs.ss.EncryptAndHash(out, hs.s.Public[:])
		default:
			err = hs.mixDH(t)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// writeE picks the ephemeral key (the preset one, else generated until the
// encoder accepts one), writes its wire form and mixes the plain key into
// h. A rejected preset key is an error: the caller chose it.
func (hs *HandshakeState) writeE(out []byte) ([]byte, error) {
	for try := 0; ; try++ {
		generated := hs.presetE == nil
		if !generated {
			hs.e, hs.presetE = *hs.presetE, nil
		} else {
			kp, err := GenerateKeyPair(hs.rand)
			if err != nil {
				return nil, err
			}
			hs.e = kp
		}
		if hs.encoder == nil {
			out = append(out, hs.e.Public[:]...)
			break
		}
		enc, err := hs.encoder.EncodeEphemeral(out, &hs.e.Public)
		if errors.Is(err, ErrEphemeralNotEncodable) && generated && try+1 < maxEphemeralTries {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("noise: encoding ephemeral key: %w", err)
		}
		if len(enc) != len(out)+DHSize {
			return nil, fmt.Errorf("noise: ephemeral encoder wrote %d bytes, want %d", len(enc)-len(out), DHSize)
		}
		out = enc
		break
	}
	hs.ss.MixHash(hs.e.Public[:])
	return out, nil
}

// mixDH performs the DH of a ee/es/se/ss token and mixes it into ck.
func (hs *HandshakeState) mixDH(t token) error {
	var priv, pub *[DHSize]byte
	switch {
	case t == tokEE:
		priv, pub = &hs.e.Private, &hs.re
	case t == tokSS:
		priv, pub = &hs.s.Private, &hs.rs
	case (t == tokES) == hs.initiator: // es as initiator, se as responder
		priv, pub = &hs.e.Private, &hs.rs
	default: // es as responder, se as initiator
		priv, pub = &hs.s.Private, &hs.re
	}
	shared, err := hs.ss.suite.DH(priv[:], pub[:])
	if err != nil {
		return fmt.Errorf("noise: dh: %w", err)
	}
	hs.ss.MixKey(shared)
	return nil
}

// ReadMessage processes the next handshake message and appends its
// payload to dst. dst's spare capacity must not overlap msg.
func (hs *HandshakeState) ReadMessage(dst, msg []byte) ([]byte, error) {
	if hs.Complete() {
		return nil, errors.New("noise: read after the handshake is complete")
	}
	if hs.myTurn() {
		return nil, fmt.Errorf("noise: message %d is ours to write", hs.msgIndex+1)
	}
	saved := *hs
	rest, err := hs.readTokens(msg)
	var out []byte
	if err == nil {
		out, err = hs.ss.DecryptAndHash(dst, rest)
	}
	if err != nil {
		*hs = saved
		return nil, err
	}
	hs.msgIndex++
	return out, nil
}

func (hs *HandshakeState) readTokens(msg []byte) ([]byte, error) {
	var err error
	for _, t := range hs.messages[hs.msgIndex] {
		switch t {
		case tokE:
			msg, err = hs.readE(msg)
		case tokS:
			msg, err = hs.readS(msg)
		default:
			err = hs.mixDH(t)
		}
		if err != nil {
			return nil, err
		}
	}
	return msg, nil
}

func (hs *HandshakeState) readE(msg []byte) ([]byte, error) {
	if len(msg) < DHSize {
		return nil, fmt.Errorf("noise: message of %d bytes too short for an ephemeral key", len(msg))
	}
	var wire [DHSize]byte
	copy(wire[:], msg[:DHSize])
	if hs.encoder != nil {
		re, err := hs.encoder.DecodeEphemeral(&wire)
		if err != nil {
			return nil, fmt.Errorf("noise: decoding ephemeral key: %w", err)
		}
		wire = re
	}
	hs.re, hs.hasRE = wire, true
	hs.ss.MixHash(hs.re[:])
	return msg[DHSize:], nil
}

func (hs *HandshakeState) readS(msg []byte) ([]byte, error) {
	n := DHSize
	if hs.ss.HasKey() {
		n += TagSize
	}
	if len(msg) < n {
		return nil, fmt.Errorf("noise: message of %d bytes too short for a static key", len(msg))
	}
	var rs [DHSize]byte
	if _, err := hs.ss.DecryptAndHash(rs[:0], msg[:n]); err != nil {
		return nil, fmt.Errorf("noise: static key: %w", err)
	}
	hs.rs, hs.hasRS = rs, true
	return msg[n:], nil
}
