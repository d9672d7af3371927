package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
)

// AES-256 sizes.
const (
	AESKeySize   = 32
	AESBlockSize = aes.BlockSize // 16
)

// Tunnel message body layout (tunnel-message.rst "Tunnel Message
// (Encrypted)"): after the 4-byte tunnel ID come a 16-byte IV and 1008
// bytes of encrypted data.
const (
	TunnelBodySize   = 1024
	TunnelIVOffset   = 0
	TunnelIVSize     = 16
	TunnelDataOffset = TunnelIVOffset + TunnelIVSize
	TunnelDataSize   = TunnelBodySize - TunnelDataOffset // 1008
)

func newAES256(key *[AESKeySize]byte) cipher.Block {
	b, err := aes.NewCipher(key[:])
	if err != nil {
		// Fails only for a wrong key length, which the array excludes.
		panic("crypto: aes: " + err.Error())
	}
	return b
}

// TunnelLayer is one hop's AES-256 tunnel layer (docs/tunnels/
// implementation "Participant Processing"): an IV key used in ECB mode on
// the 16-byte IV, before and after use, and a layer key used in CBC mode on
// the 1008 data bytes.
//
// Encrypt is what every participant does in the forward direction
// (inbound and outbound alike), and what the inbound gateway does once.
// Decrypt is its inverse: the outbound gateway (tunnel creator) applies
// Decrypt for every hop from last to first so that the outbound endpoint
// sees plaintext, and the inbound endpoint (creator) applies Decrypt for
// every hop from last to first to undo the layers. Both work in place,
// do not allocate and are safe for concurrent use.
type TunnelLayer struct {
	ivBlock    cipher.Block
	layerBlock cipher.Block
}

// NewTunnelLayer returns the layer for a hop's layer key and IV key, as
// given in its build request record.
func NewTunnelLayer(layerKey, ivKey *[AESKeySize]byte) *TunnelLayer {
	return &TunnelLayer{ivBlock: newAES256(ivKey), layerBlock: newAES256(layerKey)}
}

// Encrypt applies this layer: IV = ECB(ivKey, IV); data = CBC(layerKey,
// IV, data); IV = ECB(ivKey, IV).
func (l *TunnelLayer) Encrypt(msg *[TunnelBodySize]byte) {
	iv := msg[TunnelIVOffset : TunnelIVOffset+TunnelIVSize]
	l.ivBlock.Encrypt(iv, iv)
	// CBC in place: each block is XORed with the ciphertext just before it;
	// for the first data block that is the IV, which sits right before it.
	for off := TunnelDataOffset; off < TunnelBodySize; off += AESBlockSize {
		blk := msg[off : off+AESBlockSize]
		subtle.XORBytes(blk, blk, msg[off-AESBlockSize:off])
		l.layerBlock.Encrypt(blk, blk)
	}
	l.ivBlock.Encrypt(iv, iv)
}

// Decrypt removes this layer, the exact inverse of Encrypt.
func (l *TunnelLayer) Decrypt(msg *[TunnelBodySize]byte) {
	iv := msg[TunnelIVOffset : TunnelIVOffset+TunnelIVSize]
	l.ivBlock.Decrypt(iv, iv)
	// CBC decryption in place, last block first, so that the previous
	// ciphertext block is still intact when it is needed.
	for off := TunnelBodySize - AESBlockSize; off >= TunnelDataOffset; off -= AESBlockSize {
		blk := msg[off : off+AESBlockSize]
		l.layerBlock.Decrypt(blk, blk)
		subtle.XORBytes(blk, blk, msg[off-AESBlockSize:off])
	}
	l.ivBlock.Decrypt(iv, iv)
}

// CBCState is AES-256-CBC whose chaining value carries over between calls.
// NTCP2 obfuscates the ephemeral keys with it (ntcp2.rst "1) SessionRequest"
// and "2) SessionCreated"): key = Bob's router hash, IV = Bob's published
// "i"; X in message 1 is encrypted from that IV, and Y in message 2
// continues from the state message 1 left (its last ciphertext block).
// Alice encrypts X then decrypts Y with one CBCState; Bob decrypts X then
// encrypts Y with another. It is not safe for concurrent use.
type CBCState struct {
	block cipher.Block
	iv    [AESBlockSize]byte
	prev  [AESBlockSize]byte // scratch for in-place decryption
}

// NewCBCState returns a CBC state for key starting at iv.
func NewCBCState(key *[AESKeySize]byte, iv *[AESBlockSize]byte) *CBCState {
	return &CBCState{block: newAES256(key), iv: *iv}
}

// IV returns the current chaining value (the last ciphertext block).
func (s *CBCState) IV() [AESBlockSize]byte { return s.iv }

func checkBlocks(op string, dst, src []byte) error {
	if len(src)%AESBlockSize != 0 {
		return fmt.Errorf("crypto: aes: %s: input length %d is not a multiple of %d", op, len(src), AESBlockSize)
	}
	if len(dst) < len(src) {
		return fmt.Errorf("crypto: aes: %s: output length %d shorter than input %d", op, len(dst), len(src))
	}
	return nil
}

// Encrypt CBC-encrypts src into dst (which may alias src exactly) and
// carries the chaining value forward.
func (s *CBCState) Encrypt(dst, src []byte) error {
	if err := checkBlocks("cbc encrypt", dst, src); err != nil {
		return err
	}
	for off := 0; off < len(src); off += AESBlockSize {
		out := dst[off : off+AESBlockSize]
		subtle.XORBytes(out, src[off:off+AESBlockSize], s.iv[:])
		s.block.Encrypt(out, out)
		copy(s.iv[:], out)
	}
	return nil
}

// Decrypt CBC-decrypts src into dst (which may alias src exactly) and
// carries the chaining value forward.
func (s *CBCState) Decrypt(dst, src []byte) error {
	if err := checkBlocks("cbc decrypt", dst, src); err != nil {
		return err
	}
	for off := 0; off < len(src); off += AESBlockSize {
		copy(s.prev[:], src[off:off+AESBlockSize])
		out := dst[off : off+AESBlockSize]
		s.block.Decrypt(out, s.prev[:])
		subtle.XORBytes(out, out, s.iv[:])
		s.iv = s.prev
	}
	return nil
}

// EncryptCBC is one-shot AES-256-CBC encryption without padding.
func EncryptCBC(key *[AESKeySize]byte, iv *[AESBlockSize]byte, dst, src []byte) error {
	return NewCBCState(key, iv).Encrypt(dst, src)
}

// DecryptCBC is one-shot AES-256-CBC decryption without padding.
func DecryptCBC(key *[AESKeySize]byte, iv *[AESBlockSize]byte, dst, src []byte) error {
	return NewCBCState(key, iv).Decrypt(dst, src)
}

// EncryptECB encrypts each 16-byte block of src independently with
// AES-256 into dst (which may alias src exactly).
func EncryptECB(key *[AESKeySize]byte, dst, src []byte) error {
	if err := checkBlocks("ecb encrypt", dst, src); err != nil {
		return err
	}
	b := newAES256(key)
	for off := 0; off < len(src); off += AESBlockSize {
		b.Encrypt(dst[off:off+AESBlockSize], src[off:off+AESBlockSize])
	}
	return nil
}

// DecryptECB is the inverse of EncryptECB.
func DecryptECB(key *[AESKeySize]byte, dst, src []byte) error {
	if err := checkBlocks("ecb decrypt", dst, src); err != nil {
		return err
	}
	b := newAES256(key)
	for off := 0; off < len(src); off += AESBlockSize {
		b.Decrypt(dst[off:off+AESBlockSize], src[off:off+AESBlockSize])
	}
	return nil
}
