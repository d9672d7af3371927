package tunnel

import "errors"

// Errors returned, wrapped with context, by this package.
var (
	// ErrTruncated means the input ended before the structure did.
	ErrTruncated = errors.New("truncated input")
	// ErrInvalid means a field holds a value the specification forbids.
	ErrInvalid = errors.New("invalid value")
	// ErrTooLarge means a message exceeds what a tunnel carries.
	ErrTooLarge = errors.New("too large")
	// ErrChecksum means a tunnel message body fails its checksum.
	ErrChecksum = errors.New("bad checksum")
	// ErrDuplicate means a tunnel message body was seen before (its IV
	// and first block replay an earlier one).
	ErrDuplicate = errors.New("duplicate tunnel message")
)
