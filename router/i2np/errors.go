package i2np

import "errors"

// Errors returned, wrapped with context, by the parsers and encoders.
var (
	// ErrTruncated means the input ended before the structure did.
	ErrTruncated = errors.New("truncated input")
	// ErrTrailingData means bytes remained after a structure that must
	// end its input.
	ErrTrailingData = errors.New("trailing data")
	// ErrInvalid means a field holds a value the specification forbids or
	// a value is inconsistent with the flags that describe it.
	ErrInvalid = errors.New("invalid value")
	// ErrChecksum means a standard header's checksum does not match its
	// payload.
	ErrChecksum = errors.New("bad checksum")
	// ErrTooLarge means a length exceeds a limit of the format or of the
	// caller.
	ErrTooLarge = errors.New("too large")
)
