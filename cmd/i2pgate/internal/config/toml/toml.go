// Package toml reads TOML (v1.0, and the v1.1 additions: newlines and a
// trailing comma in inline tables, \e and \xHH escapes, times without
// seconds) into the configuration structs of cmd/i2pgate through their
// `toml:"name"` struct tags. It is small on purpose: it parses text into a
// tree and lays that tree over a struct, and nothing else. Encoding TOML,
// Unmarshaler hooks, case-insensitive key matching and date-time fields are
// left out (the configuration has none); what the values mean is left to
// the config package.
//
// Input is bounded: at most MaxSize bytes and MaxDepth levels of nested
// tables and arrays. Every problem names its line: an *Error, or an
// *UnknownKeyError for each key no struct field takes.
package toml

import (
	"errors"
	"fmt"
)

// MaxSize is the largest text Decode reads: configuration files are small.
const MaxSize = 1 << 20

// MaxDepth bounds the nesting of tables, arrays and inline tables (counted
// together along a path from the root).
const MaxDepth = 64

// Error is a problem in the text: a syntax error, a key or table defined
// twice, or a value of the wrong type for its field.
type Error struct {
	Line int    // 1-based; 0 when the problem has no line (the input is too large)
	Key  string // the dotted key concerned, when there is one
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// ErrUnknownKey is wrapped by the errors about keys that no struct field
// takes.
var ErrUnknownKey = errors.New("unknown key")

// UnknownKeyError is a key in the text that no struct field takes.
type UnknownKeyError struct {
	Line int
	Key  string
}

func (e *UnknownKeyError) Error() string {
	return fmt.Sprintf("line %d: unknown key %q", e.Line, e.Key)
}

// Unwrap makes errors.Is(err, ErrUnknownKey) true.
func (e *UnknownKeyError) Unwrap() error { return ErrUnknownKey }
