package jsonx

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strconv"
)

// decoder reads one JSON text from data into Go values.
type decoder struct {
	data   []byte
	pos    int                      // next byte to read
	depth  int                      // arrays and objects open around pos
	fields map[reflect.Type][]field // struct members by type
}

func (d *decoder) syntax(msg string) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, d.pos, msg)
}

func (d *decoder) mismatch(what string, t reflect.Type) error {
	return fmt.Errorf("%w: %s into %s at offset %d", ErrType, what, t, d.pos)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) && isSpace(d.data[d.pos]) {
		d.pos++
	}
}

// consume skips c if it is the next byte.
func (d *decoder) consume(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// end checks that only white space follows the value.
func (d *decoder) end() error {
	d.skipSpace()
	if d.pos != len(d.data) {
		return d.syntax("data after the value")
	}
	return nil
}

// peek returns the first byte of the next value.
func (d *decoder) peek() (byte, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0, d.syntax("unexpected end of input")
	}
	return d.data[d.pos], nil
}

// value decodes the next value into v.
func (d *decoder) value(v reflect.Value) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c == 'n' {
		if err := d.literal("null"); err != nil {
			return err
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
			v.SetZero()
		}
		return nil
	}
	// Follow pointers, allocating the nil ones; a bound stops a type
	// that points to itself.
	for n := 0; v.Kind() == reflect.Pointer; n++ {
		if n > maxEncodeDepth {
			return fmt.Errorf("%w: pointer type %s", ErrUnsupported, v.Type())
		}
		if err := checkMethods(v.Type(), true); err != nil {
			return err
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if err := checkMethods(v.Type(), true); err != nil {
		return err
	}
	if v.Kind() == reflect.Interface {
		if v.NumMethod() != 0 {
			return d.mismatch("a value", v.Type())
		}
		x, err := d.anyValue()
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(&x).Elem())
		return nil
	}
	switch {
	case c == '{':
		return d.object(v)
	case c == '[':
		return d.array(v)
	case c == '"':
		return d.stringValue(v)
	case c == 't' || c == 'f':
		b, err := d.boolean()
		if err != nil {
			return err
		}
		if v.Kind() != reflect.Bool {
			return d.mismatch("a boolean", v.Type())
		}
		v.SetBool(b)
		return nil
	case c == '-' || c >= '0' && c <= '9':
		return d.numberValue(v)
	}
	return d.syntax("want a value")
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.syntax("want " + word)
	}
	d.pos += len(word)
	return nil
}

func (d *decoder) boolean() (bool, error) {
	if d.data[d.pos] == 't' {
		return true, d.literal("true")
	}
	return false, d.literal("false")
}

// members reads the members of an object whose '{' is consumed, calling fn
// with each name when the value is next.
func (d *decoder) members(fn func(name string) error) error {
	if d.depth++; d.depth > maxDepth {
		return fmt.Errorf("%w at offset %d", ErrDepth, d.pos)
	}
	d.skipSpace()
	if d.consume('}') {
		d.depth--
		return nil
	}
	for {
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return d.syntax("want a member name")
		}
		name, err := d.str()
		if err != nil {
			return err
		}
		d.skipSpace()
		if !d.consume(':') {
			return d.syntax("want ':'")
		}
		d.skipSpace()
		if err := fn(name); err != nil {
			return err
		}
		d.skipSpace()
		if d.consume(',') {
			continue
		}
		if d.consume('}') {
			d.depth--
			return nil
		}
		return d.syntax("want ',' or '}'")
	}
}

// elements reads the elements of an array whose '[' is consumed, calling
// fn with each index when the element is next.
func (d *decoder) elements(fn func(i int) error) error {
	if d.depth++; d.depth > maxDepth {
		return fmt.Errorf("%w at offset %d", ErrDepth, d.pos)
	}
	d.skipSpace()
	if d.consume(']') {
		d.depth--
		return nil
	}
	for i := 0; ; i++ {
		if err := fn(i); err != nil {
			return err
		}
		d.skipSpace()
		if d.consume(',') {
			continue
		}
		if d.consume(']') {
			d.depth--
			return nil
		}
		return d.syntax("want ',' or ']'")
	}
}

// skipValue checks and skips the next value.
func (d *decoder) skipValue() error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '{':
		d.pos++
		return d.members(func(string) error { return d.skipValue() })
	case c == '[':
		d.pos++
		return d.elements(func(int) error { return d.skipValue() })
	case c == '"':
		_, err := d.str()
		return err
	case c == 't' || c == 'f':
		_, err := d.boolean()
		return err
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	}
	return d.syntax("want a value")
}

// anyValue reads the next value as encoding/json does into an empty
// interface: map[string]any, []any, string, float64, bool or nil.
func (d *decoder) anyValue() (any, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case c == '{':
		d.pos++
		m := make(map[string]any)
		err := d.members(func(name string) error {
			x, err := d.anyValue()
			m[name] = x
			return err
		})
		return m, err
	case c == '[':
		d.pos++
		a := []any{}
		err := d.elements(func(int) error {
			x, err := d.anyValue()
			a = append(a, x)
			return err
		})
		return a, err
	case c == '"':
		return d.str()
	case c == 't' || c == 'f':
		return d.boolean()
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		s, err := d.number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: number %s at offset %d", ErrType, s, d.pos)
		}
		return f, nil
	}
	return nil, d.syntax("want a value")
}

func (d *decoder) object(v reflect.Value) error {
	d.pos++ // '{'
	switch v.Kind() {
	case reflect.Struct:
		fs, err := structFields(d.fields, v.Type())
		if err != nil {
			return err
		}
		return d.members(func(name string) error {
			for i := range fs {
				if fs[i].name == name {
					fv, err := settableField(v, fs[i].index)
					if err != nil {
						return err
					}
					return d.value(fv)
				}
			}
			return d.skipValue()
		})
	case reflect.Map:
		t := v.Type()
		if err := checkMethods(t.Key(), true); err != nil {
			return err
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		return d.members(func(name string) error {
			k, err := d.mapKey(name, t.Key())
			if err != nil {
				return err
			}
			e := reflect.New(t.Elem()).Elem()
			if err := d.value(e); err != nil {
				return err
			}
			v.SetMapIndex(k, e)
			return nil
		})
	}
	return d.mismatch("an object", v.Type())
}

// settableField follows index through v's embedded structs, allocating nil
// embedded pointers.
func settableField(v reflect.Value, index []int) (reflect.Value, error) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("%w: nil pointer to the unexported embedded struct %s", ErrUnsupported, v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, nil
}

// mapKey converts an object member's name to a key of type t.
func (d *decoder) mapKey(name string, t reflect.Type) (reflect.Value, error) {
	k := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.String:
		k.SetString(name)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(name, 10, 64)
		if err != nil || k.OverflowInt(n) {
			return k, d.mismatch("the name "+strconv.Quote(name), t)
		}
		k.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(name, 10, 64)
		if err != nil || k.OverflowUint(n) {
			return k, d.mismatch("the name "+strconv.Quote(name), t)
		}
		k.SetUint(n)
	default:
		return k, fmt.Errorf("%w: map key type %s", ErrUnsupported, t)
	}
	return k, nil
}

func (d *decoder) array(v reflect.Value) error {
	d.pos++ // '['
	switch v.Kind() {
	case reflect.Slice:
		if !v.IsNil() {
			v.SetLen(0)
		}
		err := d.elements(func(i int) error {
			v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
			return d.value(v.Index(i))
		})
		if err == nil && v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return err
	case reflect.Array:
		n := 0
		err := d.elements(func(i int) error {
			if i >= v.Len() {
				return d.skipValue()
			}
			n = i + 1
			return d.value(v.Index(i))
		})
		for i := n; i < v.Len(); i++ {
			v.Index(i).SetZero()
		}
		return err
	}
	return d.mismatch("an array", v.Type())
}

func (d *decoder) stringValue(v reflect.Value) error {
	s, err := d.str()
	if err != nil {
		return err
	}
	switch {
	case v.Kind() == reflect.String:
		v.SetString(s)
		return nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return fmt.Errorf("%w: base64 into %s at offset %d: %w", ErrType, v.Type(), d.pos, err)
		}
		v.SetBytes(b)
		return nil
	}
	return d.mismatch("a string", v.Type())
}

func (d *decoder) numberValue(v reflect.Value) error {
	s, err := d.number()
	if err != nil {
		return err
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return d.mismatch("the number "+s, v.Type())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return d.mismatch("the number "+s, v.Type())
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil || v.OverflowFloat(f) {
			return d.mismatch("the number "+s, v.Type())
		}
		v.SetFloat(f)
	default:
		return d.mismatch("a number", v.Type())
	}
	return nil
}
