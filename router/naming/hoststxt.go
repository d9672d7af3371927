package naming

import (
	"fmt"
	"slices"
	"strings"

	"i2pgate/router/data"
	"sort"
)

// Limits of the hosts.txt parser.
const (
	// MaxLineLen bounds one hosts.txt line: a destination (at most
	// MaxDestLen), an old destination and two signatures fit easily.
	MaxLineLen = 4096
	// MaxProps bounds the key=value pairs after "#!".
	MaxProps = 16
	// MinDestLen and MaxDestLen bound a base64 destination: 516 characters
	// is 387 bytes (a NULL certificate), 616 allows certificates of up to
	// 100 bytes (naming.html "Naming Rules").
	MinDestLen = 516
	MaxDestLen = 616
)

// Keys and actions of the extended hosts.txt format (subscription.rst
// "Common keys", "Commands").
const (
	KeyAction  = "action"
	KeySig     = "sig"
	KeyOldSig  = "oldsig"
	KeyName    = "name"
	KeyDest    = "dest"
	KeyOldName = "oldname"
	KeyOldDest = "olddest"

	ActionAddName      = "addname"
	ActionAddSubdomain = "addsubdomain"
	ActionAddDest      = "adddest"
	ActionChangeName   = "changename"
	ActionChangeDest   = "changedest"
	ActionUpdate       = "update"
	ActionRemove       = "remove"
	ActionRemoveAll    = "removeall"
)

const (
	propsSeparator = "#!"
	propSeparator  = '#'
	kvSeparator    = '='
)

// Prop is one key=value pair of the "#!" part of a line.
type Prop struct {
	Key, Value string
}

// Line is one entry of a hosts.txt file (subscription.rst "New line
// types"): "name=dest", optionally followed by "#!key=value#key=value...",
// or a command-only line "#!key=value#..." with an empty Name and Dest.
type Line struct {
	// Name is the host name, lower-cased (ASCII); empty for a command-only
	// line. It is not checked against the naming rules: see ValidName.
	Name string
	// Dest is the base64 destination exactly as written (signatures cover
	// this text); empty for a command-only line.
	Dest string
	// Props are the "#!" pairs sorted by key, the order signatures use;
	// nil when the line has none.
	Props []Prop
}

// ParseLine parses one hosts.txt line. ok is false for blank lines and
// comments (lines starting with '#' other than a command "#!...", or with
// ';'); a comment after the destination is dropped. Keys must be unique,
// and keys and values may not start or end with white space. ParseLine only
// checks the syntax: names, destinations and signatures are checked by
// ValidName, DecodeDest and the Verify methods.
func ParseLine(s string) (l Line, ok bool, err error) {
	if len(s) > MaxLineLen {
		return Line{}, false, fmt.Errorf("%w: line of %d bytes", ErrTooLarge, len(s))
	}
	s = strings.TrimSpace(s)
	if s == "" || s[0] == ';' {
		return Line{}, false, nil
	}
	kv, props, hasProps := s, "", false
	if hash := strings.IndexByte(s, propSeparator); hash >= 0 {
		kv = s[:hash]
		if strings.HasPrefix(s[hash:], propsSeparator) && len(s) > hash+len(propsSeparator) {
			props, hasProps = s[hash+len(propsSeparator):], true
		}
		if hash == 0 && !hasProps {
			return Line{}, false, nil
		}
	}
	if hasProps {
		if l.Props, err = parseProps(props); err != nil {
			return Line{}, false, err
		}
	}
	if kv == "" {
		// A command-only line; "#!" with nothing after it is a comment.
		return l, l.Props != nil, nil
	}
	eq := strings.IndexByte(kv, kvSeparator)
	if eq < 0 {
		return Line{}, false, fmt.Errorf("%w: no '='", ErrInvalidLine)
	}
	l.Name = asciiLower(strings.TrimSpace(kv[:eq]))
	l.Dest = strings.TrimSpace(kv[eq+1:])
	if l.Name == "" || l.Dest == "" {
		return Line{}, false, fmt.Errorf("%w: empty name or destination", ErrInvalidLine)
	}
	return l, true, nil
}

func parseProps(s string) ([]Prop, error) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, string(propSeparator))
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > MaxProps {
		return nil, fmt.Errorf("%w: more than %d properties", ErrInvalidLine, MaxProps)
	}
	props := make([]Prop, 0, len(parts))
	for _, kv := range parts {
		eq := strings.IndexByte(kv, kvSeparator)
		if eq <= 0 || eq == len(kv)-1 {
			return nil, fmt.Errorf("%w: property without key or value", ErrInvalidLine)
		}
		p := Prop{Key: kv[:eq], Value: kv[eq+1:]}
		if strings.TrimSpace(p.Key) != p.Key || strings.TrimSpace(p.Value) != p.Value {
			return nil, fmt.Errorf("%w: white space around a property", ErrInvalidLine)
		}
		props = append(props, p)
	}
	if len(props) == 0 {
		return nil, nil
	}
	sort.Slice(props, func(i, j int) bool { return props[i].Key < props[j].Key })
	for i := 1; i < len(props); i++ {
		if props[i].Key == props[i-1].Key {
			return nil, fmt.Errorf("%w: duplicate key", ErrInvalidLine)
		}
	}
	return props, nil
}

// asciiLower lower-cases ASCII letters only, as valid names are ASCII;
// anything else is left for ValidName to refuse.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Get returns the value of key among the properties.
func (l Line) Get(key string) (string, bool) {
	for _, p := range l.Props {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Action returns the "action" property; empty for a plain add.
func (l Line) Action() string {
	a, _ := l.Get(KeyAction)
	return a
}

// String returns the line in hosts.txt form, properties sorted by key.
func (l Line) String() string {
	var b strings.Builder
	if l.Name != "" {
		b.WriteString(l.Name)
		b.WriteByte(kvSeparator)
		b.WriteString(l.Dest)
	}
	l.writeProps(&b)
	return b.String()
}

// writeProps appends "#!k=v#k=v" without the keys in omit; nothing when no
// key remains.
func (l Line) writeProps(b *strings.Builder, omit ...string) {
	started := false
	for _, p := range l.Props {
		if slices.Contains(omit, p.Key) {
			continue
		}
		if started {
			b.WriteByte(propSeparator)
		} else {
			b.WriteString(propsSeparator)
			started = true
		}
		b.WriteString(p.Key)
		b.WriteByte(kvSeparator)
		b.WriteString(p.Value)
	}
}

// signedText is the input of the "sig" (outer) or, with inner, the
// "oldsig" signature: subscription.rst "Input for signatures".
func (l Line) signedText(inner bool) string {
	var b strings.Builder
	b.Grow(len(l.Name) + len(l.Dest) + 256)
	b.WriteString(l.Name)
	b.WriteByte(kvSeparator)
	b.WriteString(l.Dest)
	if inner {
		l.writeProps(&b, KeySig, KeyOldSig)
	} else {
		l.writeProps(&b, KeySig)
	}
	return b.String()
}

// removeText is the signed input of a command-only line.
func (l Line) removeText() string {
	var b strings.Builder
	l.writeProps(&b, KeySig, KeyOldSig)
	return b.String()
}

// SignedText returns the bytes the "sig" signature of l covers; with inner,
// those the "oldsig" signature covers. Signers use it to produce lines.
func (l Line) SignedText(inner bool) []byte {
	if l.Name == "" {
		return []byte(l.removeText())
	}
	return []byte(l.signedText(inner))
}

// VerifySig checks the "sig" property with the line's destination: the
// outer signature of an add or change command.
func (l Line) VerifySig() error {
	if l.Name == "" {
		return fmt.Errorf("%w: command-only line", ErrBadSignature)
	}
	return verifyWith(l.Dest, l, KeySig, l.signedText(false))
}

// VerifyInnerSig checks the "oldsig" property with the "olddest" property's
// destination: the inner signature of adddest, changedest and addsubdomain.
func (l Line) VerifyInnerSig() error {
	old, ok := l.Get(KeyOldDest)
	if !ok || l.Name == "" {
		return fmt.Errorf("%w: no olddest", ErrBadSignature)
	}
	return verifyWith(old, l, KeyOldSig, l.signedText(true))
}

// VerifyRemoveSig checks the "sig" property of a command-only line
// (remove, removeall) with the "dest" property's destination.
func (l Line) VerifyRemoveSig() error {
	d, ok := l.Get(KeyDest)
	if !ok || l.Name != "" {
		return fmt.Errorf("%w: no dest", ErrBadSignature)
	}
	return verifyWith(d, l, KeySig, l.removeText())
}

func verifyWith(dest string, l Line, sigKey, text string) error {
	sig64, ok := l.Get(sigKey)
	if !ok {
		return fmt.Errorf("%w: no %s", ErrBadSignature, sigKey)
	}
	d, err := DecodeDest(dest)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	sig, err := data.DecodeBase64(sig64)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadSignature, sigKey, err)
	}
	if err := d.Verify([]byte(text), sig); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return nil
}

// DecodeDest decodes a base64 destination of a hosts.txt line; the whole
// input must be one Destination of MinDestLen..MaxDestLen characters.
func DecodeDest(s string) (*data.Destination, error) {
	if len(s) < MinDestLen || len(s) > MaxDestLen {
		return nil, fmt.Errorf("%w: %d base64 characters", ErrInvalidDestination, len(s))
	}
	b, err := data.DecodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDestination, err)
	}
	d, rest, err := data.ParseDestination(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDestination, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrInvalidDestination, len(rest))
	}
	return d, nil
}
