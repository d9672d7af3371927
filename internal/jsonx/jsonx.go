// Package jsonx encodes and decodes the JSON the gateway serves and reads
// (the console's /api/status and `i2pgate status`), without encoding/json,
// whose reflection and generic sorts cost about 150 KB of the mipsle binary.
//
// Marshal and MarshalIndent write exactly the bytes encoding/json writes for
// the types they support: booleans, integers, floats, strings (HTML-safe
// escapes, invalid UTF-8 as U+FFFD), []byte as base64, arrays, slices, maps
// with string or integer keys (sorted), pointers, interfaces and structs with
// `json:"name,omitempty,omitzero"` tags, "-" and embedded structs. A type with a
// MarshalJSON or MarshalText method, a channel, a function, a complex number,
// NaN or an infinity is an error, never a different encoding.
//
// Unmarshal is a strict parser with bounded nesting (maxDepth) for input
// from the network; how much input to read is the caller's. It fills the
// same kinds of values. Unlike encoding/json it matches struct fields by
// their exact JSON name only (no case-insensitive fallback), stops at the
// first value of the wrong type, replaces what an interface holds instead of
// decoding into it, and leaves UnmarshalJSON/UnmarshalText
// methods, json.Number and the ",string" tag option to others (an error).
// Fields lists the members of an object as compact JSON.
package jsonx

import (
	"errors"
	"reflect"
)

// maxDepth bounds the nesting of arrays and objects Unmarshal and Fields
// accept; maxEncodeDepth bounds the nesting Marshal follows, which also
// stops pointer cycles.
const (
	maxDepth       = 64
	maxEncodeDepth = 256
)

// Errors, wrapped with the details.
var (
	// ErrSyntax is input that is not JSON.
	ErrSyntax = errors.New("jsonx: syntax error")
	// ErrDepth is input nested deeper than maxDepth, or a value to encode
	// nested deeper than maxEncodeDepth (a cycle).
	ErrDepth = errors.New("jsonx: nested too deeply")
	// ErrType is a JSON value that does not fit the Go value it is decoded
	// into, or a number that overflows it.
	ErrType = errors.New("jsonx: value does not fit")
	// ErrUnsupported is a Go type or value jsonx does not encode or decode.
	ErrUnsupported = errors.New("jsonx: unsupported")
)

// Marshal returns the JSON encoding of v, as encoding/json.Marshal would.
func Marshal(v any) ([]byte, error) {
	e := encoder{fields: make(map[reflect.Type][]field)}
	if err := e.value(reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// MarshalIndent is Marshal with each array element and object member on a
// new line starting with prefix and indent repeated for the nesting, as
// encoding/json.MarshalIndent would write it.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	return appendIndent(make([]byte, 0, 2*len(b)), b, prefix, indent), nil
}

// Unmarshal parses data into the value v points to.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("jsonx: Unmarshal needs a non-nil pointer")
	}
	d := decoder{data: data, fields: make(map[reflect.Type][]field)}
	if err := d.value(rv.Elem()); err != nil {
		return err
	}
	return d.end()
}

// Fields returns the members of the object data holds, each value as compact
// JSON; of repeated names the last counts. null has no members (a nil map).
func Fields(data []byte) (map[string][]byte, error) {
	d := decoder{data: data}
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == 'n' {
		if err := d.literal("null"); err != nil {
			return nil, err
		}
		return nil, d.end()
	}
	if !d.consume('{') {
		return nil, d.syntax("want an object")
	}
	out := make(map[string][]byte)
	err := d.members(func(name string) error {
		start := d.pos
		if err := d.skipValue(); err != nil {
			return err
		}
		out[name] = appendCompact(nil, d.data[start:d.pos])
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, d.end()
}
