package jsonx

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"unicode/utf8"
)

// encoder appends the compact JSON of values to buf.
type encoder struct {
	buf    []byte
	fields map[reflect.Type][]field // struct members by type
}

// value appends v, nested depth deep.
func (e *encoder) value(v reflect.Value, depth int) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if depth > maxEncodeDepth {
		return fmt.Errorf("%w: a value of type %s (a cycle?)", ErrDepth, v.Type())
	}
	if err := checkMethods(v.Type(), false); err != nil {
		return err
	}
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float(), v.Type().Bits())
	case reflect.String:
		e.buf = appendString(e.buf, v.String())
	case reflect.Struct:
		return e.structValue(v, depth)
	case reflect.Map:
		return e.mapValue(v, depth)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if err := checkMethods(v.Type().Elem(), false); err != nil {
				return err
			}
			e.bytes(v.Bytes())
			return nil
		}
		return e.array(v, depth)
	case reflect.Array:
		return e.array(v, depth)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem(), depth+1)
	default:
		return fmt.Errorf("%w: type %s", ErrUnsupported, v.Type())
	}
	return nil
}

// float appends f as encoding/json does: the shortest decimal that reads
// back as f, in exponent form below 1e-6 and from 1e21, with a one-digit
// negative exponent not padded to two.
func (e *encoder) float(f float64, bits int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("%w: float value %v", ErrUnsupported, f)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		// A float32 is compared in float32: float32(1e-6) is below 1e-6.
		if bits == 64 && (a < 1e-6 || a >= 1e21) || bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	start := len(e.buf)
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		// strconv writes e-07; JSON readers expect nothing else, but
		// encoding/json writes e-7.
		b := e.buf[start:]
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			e.buf = e.buf[:len(e.buf)-1]
		}
	}
	return nil
}

func (e *encoder) bytes(b []byte) {
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
}

func (e *encoder) array(v reflect.Value, depth int) error {
	e.buf = append(e.buf, '[')
	for i := range v.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

func (e *encoder) structValue(v reflect.Value, depth int) error {
	fs, err := structFields(e.fields, v.Type())
	if err != nil {
		return err
	}
	e.buf = append(e.buf, '{')
	first := true
	for i := range fs {
		f := &fs[i]
		fv, ok := fieldByIndex(v, f.index)
		if !ok || f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = appendString(e.buf, f.name)
		e.buf = append(e.buf, ':')
		if err := e.value(fv, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// fieldByIndex follows index through v's embedded structs; false when an
// embedded pointer on the way is nil.
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// isEmpty is omitempty's test: false, 0, a nil pointer or interface, an
// empty string, array, slice or map.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// zeroer is a type that says itself when it is zero, which omitzero asks.
type zeroer interface{ IsZero() bool }

// isZero is omitzero's test: the value's IsZero method if it has one (and
// is not a nil pointer), otherwise the zero value of its type.
func isZero(v reflect.Value) bool {
	if v.Type().Implements(reflect.TypeFor[zeroer]()) {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return true
		}
		if v.Kind() == reflect.Interface && v.IsNil() {
			return true
		}
		return v.Interface().(zeroer).IsZero()
	}
	if v.CanAddr() && reflect.PointerTo(v.Type()).Implements(reflect.TypeFor[zeroer]()) {
		return v.Addr().Interface().(zeroer).IsZero()
	}
	return v.IsZero()
}

// mapKey is one member of a map with its key as JSON writes it.
type mapKey struct {
	name string
	v    reflect.Value
}

func (e *encoder) mapValue(v reflect.Value, depth int) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	kt := v.Type().Key()
	keys := make([]mapKey, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		k := it.Key()
		var name string
		switch kt.Kind() {
		case reflect.String:
			name = k.String()
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			name = strconv.FormatInt(k.Int(), 10)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			name = strconv.FormatUint(k.Uint(), 10)
		default:
			return fmt.Errorf("%w: map key type %s", ErrUnsupported, kt)
		}
		keys = append(keys, mapKey{name, it.Value()})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].name < keys[j].name })
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k.name)
		e.buf = append(e.buf, ':')
		if err := e.value(k.v, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, '}')
	return nil
}

// The methods encoding/json calls instead of looking at a value's structure.
type (
	jsonMarshaler   interface{ MarshalJSON() ([]byte, error) }
	textMarshaler   interface{ MarshalText() ([]byte, error) }
	jsonUnmarshaler interface{ UnmarshalJSON([]byte) error }
	textUnmarshaler interface{ UnmarshalText([]byte) error }
)

// checkMethods fails for a type whose values or pointers have one of the
// methods encoding/json would call instead of looking at the structure:
// jsonx does not call them, so it refuses rather than write or read
// something else. decoding selects the Unmarshal methods.
func checkMethods(t reflect.Type, decoding bool) error {
	if t.Kind() == reflect.Interface {
		return nil // the dynamic value is checked
	}
	// Type.Method is not used: it would make the linker keep every
	// exported method of every type in the binary.
	json, text, names := reflect.TypeFor[jsonMarshaler](), reflect.TypeFor[textMarshaler](), "MarshalJSON or MarshalText"
	if decoding {
		json, text, names = reflect.TypeFor[jsonUnmarshaler](), reflect.TypeFor[textUnmarshaler](), "UnmarshalJSON or UnmarshalText"
	}
	pt := reflect.PointerTo(t)
	if t.Implements(json) || t.Implements(text) || pt.Implements(json) || pt.Implements(text) {
		return fmt.Errorf("%w: type %s has a %s method", ErrUnsupported, t, names)
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s quoted the way encoding/json does: HTML-special
// characters, U+2028 and U+2029 escaped so the output is safe in a script
// or page, control characters escaped, invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is yet to be copied
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
