package data

import (
	"encoding/base64"
	"fmt"
)

// base64Alphabet is the I2P alphabet: standard base64 with '-' for '+' and
// '~' for '/'.
const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~"

// i2pBase64 is read-only after initialisation.
var i2pBase64 = base64.NewEncoding(base64Alphabet)

// EncodeBase64 returns b in I2P base64 with '=' padding, as i2pd and Java
// I2P write it.
func EncodeBase64(b []byte) string {
	return i2pBase64.EncodeToString(b)
}

// DecodeBase64 decodes I2P base64. Padded input (what i2pd and Java I2P
// write) and unpadded input are both accepted; characters outside the I2P
// alphabet, including '+' and '/', are rejected.
func DecodeBase64(s string) ([]byte, error) {
	enc := i2pBase64
	if len(s)%4 != 0 {
		enc = i2pBase64.WithPadding(base64.NoPadding)
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("data: base64: %w", err)
	}
	return b, nil
}
