package noise

// Pattern names a Noise handshake pattern (Noise spec 7.4).
type Pattern uint8

// The patterns I2P uses.
const (
	// PatternN: <- s; ... -> e, es. Router garlic and tunnel build records.
	PatternN Pattern = iota + 1
	// PatternXK: <- s; ... -> e, es; <- e, ee; -> s, se. NTCP2 and SSU2.
	PatternXK
	// PatternIK: <- s; ... -> e, es, s, ss; <- e, ee, se. The ratchet.
	PatternIK
)

// token is one step of a message pattern.
type token uint8

const (
	tokE token = iota + 1
	tokS
	tokEE
	tokES
	tokSE
	tokSS
)

// String returns the pattern's name as it appears in protocol names.
func (p Pattern) String() string {
	switch p {
	case PatternN:
		return "N"
	case PatternXK:
		return "XK"
	case PatternIK:
		return "IK"
	}
	return "unknown"
}

// messages returns the pattern's message token lists. All three patterns
// have exactly one pre-message, the responder's static key, so that is
// implied rather than listed.
func (p Pattern) messages() [][]token {
	switch p {
	case PatternN:
		return [][]token{{tokE, tokES}}
	case PatternXK:
		return [][]token{{tokE, tokES}, {tokE, tokEE}, {tokS, tokSE}}
	case PatternIK:
		return [][]token{{tokE, tokES, tokS, tokSS}, {tokE, tokEE, tokSE}}
	}
	return nil
}

// initiatorHasStatic reports whether the initiator sends a static key.
func (p Pattern) initiatorHasStatic() bool { return p == PatternXK || p == PatternIK }
