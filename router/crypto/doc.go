// Package crypto holds the cryptographic primitives that I2P's transports,
// tunnels and garlic layers share, with I2P's exact conventions:
//
//   - X25519 key pairs and Diffie-Hellman that rejects the all-zero result;
//   - ChaCha20-Poly1305 with I2P's nonce layout (4 zero bytes then a 64-bit
//     little-endian counter) and raw ChaCha20 (initial block counter 1, as
//     i2pd and Java I2P use it for SSU2 header protection);
//   - HKDF-SHA256 (RFC 5869) and the Noise two- and three-output HKDF;
//   - SipHash-2-4 length masks for NTCP2 data-phase frames;
//   - the AES-256 tunnel layer (double IV encryption) and the AES-256-CBC
//     state that obfuscates NTCP2 handshake ephemeral keys;
//   - Elligator2 representatives for ECIES-X25519 ephemeral keys.
//
// It leaves protocol state machines to others: Noise handshakes live in
// router/crypto/noise, and which key or IV is used where is decided by the
// transport, tunnel and garlic packages. Nothing here logs or keeps
// package-level mutable state; randomness always comes from an injected
// io.Reader (nil means crypto/rand).
package crypto
