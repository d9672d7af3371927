package naming

import (
	"fmt"
	"strings"

	"i2pgate/router/data"
)

const (
	// TLD ends every name in the address book.
	TLD = ".i2p"
	// MaxNameLen is the longest host name, ".i2p" included (naming.html
	// "Naming Rules": 67 characters).
	MaxNameLen = 67
	// b32NameLen is the length of a name that looks like a base32 hash
	// followed by ".i2p" (52 + 4), which the rules forbid as a spoof.
	b32NameLen = 56
	// b32HashChars is the number of base32 characters of a hash.
	b32HashChars = 52
)

// reservedNames are kept for local configuration (naming.html "Naming
// Rules"); their subdomains are reserved as well.
var reservedNames = [...]string{"proxy.i2p", "router.i2p", "console.i2p", "b32.i2p"}

// Normalize lower-cases name and removes one trailing dot (the DNS root), the
// form in which names are stored and looked up.
func Normalize(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}

// IsB32 reports whether name (normalized) is under .b32.i2p, the suffix of
// b32 and b33 addresses.
func IsB32(name string) bool {
	return strings.HasSuffix(name, data.B32Suffix)
}

// ValidName checks a normalized host name against the rules of naming.html
// "Naming Rules", as the Java addressbook applies them: only [a-z0-9.-],
// ending in ".i2p", at most MaxNameLen characters, no leading '.' or '-',
// no "..", ".-" or "-.", "--" only in IDN labels starting "xn--", no
// base32-looking names or .b32.i2p names, and none of the reserved names
// proxy.i2p, router.i2p, console.i2p or their subdomains.
func ValidName(name string) error {
	if err := checkNameSyntax(name); err != nil {
		return fmt.Errorf("%w: %q: %s", ErrInvalidName, clip(name), err.Error())
	}
	return nil
}

// nameError is a reason without allocation-heavy formatting.
type nameError string

func (e nameError) Error() string { return string(e) }

func checkNameSyntax(name string) error {
	switch {
	case len(name) <= len(TLD) || !strings.HasSuffix(name, TLD):
		return nameError("must end in .i2p")
	case len(name) > MaxNameLen:
		return nameError("too long")
	case name[0] == '.' || name[0] == '-':
		return nameError("must not start with '.' or '-'")
	case strings.Contains(name, ".."), strings.Contains(name, ".-"), strings.Contains(name, "-."):
		return nameError("empty label or label starting or ending with '-'")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return nameError("character outside [a-z0-9.-]")
		}
	}
	for label := range strings.SplitSeq(name, ".") {
		if strings.Contains(label, "--") && !strings.HasPrefix(label, "xn--") {
			return nameError("'--' outside an xn-- label")
		}
	}
	if len(name) == b32NameLen && isBase32(name[:b32HashChars]) {
		return nameError("looks like a base32 address")
	}
	for _, r := range reservedNames {
		if name == r || strings.HasSuffix(name, "."+r) {
			return nameError("reserved name")
		}
	}
	return nil
}

func isBase32(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// clip bounds a name quoted in an error message.
func clip(s string) string {
	const max = MaxNameLen + 8
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
