package naming

import "errors"

// Errors returned, wrapped with context, by this package; callers decide
// with errors.Is.
var (
	// ErrNotFound means the address book has no entry for the name or hash.
	ErrNotFound = errors.New("naming: name not found")
	// ErrB33Unsupported means the name is a b33 (encrypted LeaseSet)
	// address, which the router cannot resolve yet.
	ErrB33Unsupported = errors.New("naming: encrypted b33 addresses not supported yet")
	// ErrInvalidName means the name breaks the host name rules.
	ErrInvalidName = errors.New("naming: invalid host name")
	// ErrInvalidLine means a hosts.txt line is malformed.
	ErrInvalidLine = errors.New("naming: invalid hosts.txt line")
	// ErrInvalidDestination means a destination does not decode or is
	// outside the accepted sizes.
	ErrInvalidDestination = errors.New("naming: invalid destination")
	// ErrBadSignature means a signed hosts.txt line does not verify.
	ErrBadSignature = errors.New("naming: bad signature")
	// ErrTooLarge means an input exceeds a limit of this package.
	ErrTooLarge = errors.New("naming: input too large")
)
