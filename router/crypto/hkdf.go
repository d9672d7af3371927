package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
)

// HashSize is the size of SHA-256 and HMAC-SHA256 outputs.
const HashSize = sha256.Size

// hkdfMaxOutput is RFC 5869's limit of 255 blocks of output.
const hkdfMaxOutput = 255 * HashSize

// HMACSHA256 returns HMAC-SHA256(key, data[0] || data[1] || ...).
func HMACSHA256(key []byte, data ...[]byte) [HashSize]byte {
	m := hmac.New(sha256.New, key)
	for _, d := range data {
		m.Write(d)
	}
	var out [HashSize]byte
	m.Sum(out[:0])
	return out
}

// HKDF is HKDF-SHA256 from RFC 5869 as the I2P specifications use it,
// HKDF(salt, ikm, info, n): extract with salt (the chaining key in Noise
// KDFs), expand with info to n bytes. An empty ikm ("ZEROLEN" in the specs)
// extracts HMAC-SHA256(salt, "") exactly as i2pd does. n must be at most
// 255*32.
func HKDF(salt, ikm []byte, info string, n int) ([]byte, error) {
	if n < 0 || n > hkdfMaxOutput {
		return nil, fmt.Errorf("crypto: hkdf: output length %d out of range 0..%d", n, hkdfMaxOutput)
	}
	out := make([]byte, 0, n+HashSize)
	prk := HMACSHA256(salt, ikm)
	m := hmac.New(sha256.New, prk[:])
	var t []byte
	var counter [1]byte
	for len(out) < n {
		counter[0]++
		m.Reset()
		m.Write(t)
		m.Write([]byte(info))
		m.Write(counter[:])
		start := len(out)
		out = m.Sum(out)
		t = out[start:]
	}
	return out[:n], nil
}

// HKDF32 returns the first 32 bytes of HKDF(salt, ikm, info, 32).
func HKDF32(salt, ikm []byte, info string) [HashSize]byte {
	prk := HMACSHA256(salt, ikm)
	return HMACSHA256(prk[:], []byte(info), []byte{1})
}

// HKDF64 returns HKDF(salt, ikm, info, 64) split into its two 32-byte
// halves, the "keydata[0:31], keydata[32:63]" pattern of the specs.
func HKDF64(salt, ikm []byte, info string) (first, second [HashSize]byte) {
	prk := HMACSHA256(salt, ikm)
	first = HMACSHA256(prk[:], []byte(info), []byte{1})
	second = HMACSHA256(prk[:], first[:], []byte(info), []byte{2})
	return first, second
}

// HKDF2 is the Noise specification's HKDF(chaining_key, input_key_material,
// 2): temp = HMAC(ck, ikm), out1 = HMAC(temp, 0x01), out2 = HMAC(temp,
// out1 || 0x02). It equals HKDF64(ck, ikm, "").
func HKDF2(ck, ikm []byte) (out1, out2 [HashSize]byte) {
	return HKDF64(ck, ikm, "")
}

// HKDF3 is the Noise specification's HKDF(chaining_key,
// input_key_material, 3), adding out3 = HMAC(temp, out2 || 0x03).
func HKDF3(ck, ikm []byte) (out1, out2, out3 [HashSize]byte) {
	temp := HMACSHA256(ck, ikm)
	out1 = HMACSHA256(temp[:], []byte{1})
	out2 = HMACSHA256(temp[:], out1[:], []byte{2})
	out3 = HMACSHA256(temp[:], out2[:], []byte{3})
	return out1, out2, out3
}
