package data

import "errors"

// Errors returned (wrapped, with context) by the parsers and verifiers.
var (
	// ErrTruncated means the input ended before the structure did.
	ErrTruncated = errors.New("truncated input")
	// ErrTrailingData means bytes remained after a structure that must end
	// its input.
	ErrTrailingData = errors.New("trailing data")
	// ErrInvalid means a field holds a value the specification forbids.
	ErrInvalid = errors.New("invalid value")
	// ErrDuplicateKey means a Mapping holds a key twice.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrUnsupportedSigType means the signature type is unknown, or known
	// but not implemented for the requested operation.
	ErrUnsupportedSigType = errors.New("unsupported signature type")
	// ErrUnsupportedCryptoType means the crypto (encryption) type is
	// unknown or not implemented for the requested operation.
	ErrUnsupportedCryptoType = errors.New("unsupported crypto type")
	// ErrBadSignature means a signature did not verify.
	ErrBadSignature = errors.New("signature verification failed")
	// ErrKeyMismatch means a signer or private key does not belong to the
	// public key it is used with.
	ErrKeyMismatch = errors.New("key mismatch")
	// ErrB33NotSupported means a name is a b33 (encrypted LeaseSet)
	// address, which this package does not decode.
	ErrB33NotSupported = errors.New("b33 addresses are not supported")
)
