package garlic

import "errors"

// Errors returned, wrapped with context, by this package. Callers decide
// with errors.Is; every failure to decrypt is ErrDecrypt, whatever the cause,
// so that a probe learns nothing from the error.
var (
	// ErrTruncated means the input ended before the structure did.
	ErrTruncated = errors.New("truncated input")
	// ErrInvalid means a field holds a value the specification forbids.
	ErrInvalid = errors.New("invalid value")
	// ErrTooLarge means a length exceeds a limit of the format.
	ErrTooLarge = errors.New("too large")
	// ErrOrder means the blocks break the ordering rules of their message.
	ErrOrder = errors.New("block order")
	// ErrDecrypt means a message did not authenticate under any key we
	// hold, or its ephemeral key was unusable.
	ErrDecrypt = errors.New("decryption failed")
	// ErrReplay means a New Session message was seen before or its
	// DateTime lies outside the accepted window.
	ErrReplay = errors.New("stale or replayed message")
)
