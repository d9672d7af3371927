// Package data implements the I2P common structures of
// i2p2www/spec/common-structures.rst: the I2P base64 and base32 encodings
// and .b32.i2p names, Hash, Date, String, Mapping, Certificate, the
// signature and crypto type tables, KeysAndCert (RouterIdentity and
// Destination), the i2pd private keys file, RouterAddress, RouterInfo,
// Lease, Lease2, LeaseSet and LeaseSet2 with offline signatures, and the
// cleartext outer layer of EncryptedLeaseSet.
//
// Parsers are pure: they check every length before reading, never log and
// never panic; structures covered by a signature keep their original bytes,
// so Bytes returns exactly what was parsed and Verify checks the signature
// over those bytes. Builders (NewRouterInfo, NewLeaseSet2, ...) serialize
// and sign in one step and return the same immutable types.
//
// Signature verification covers DSA-SHA1, ECDSA P-256/P-384/P-521, Ed25519
// and RedDSA (verified as Ed25519); signing is Ed25519 only. RSA, GOST and
// Ed25519ph keys are parsed but not verified. Meta lease sets (type 7),
// blinding and decryption of encrypted lease sets, b33 names, ElGamal
// arithmetic, expiry and clock-skew policy, and all transport, tunnel and
// netdb logic are left to other packages.
package data
