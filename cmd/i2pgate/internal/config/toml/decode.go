package toml

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Decode parses the TOML text and lays it over the struct v points to:
// each key goes into the field whose `toml:"name"` tag (or, untagged, whose
// Go name) is exactly the key; fields the text does not name keep their
// values. Sub-tables go into struct or map[string]T fields (a map entry
// is built from the zero T), arrays into slices (replaced whole), and the
// scalars into string, bool, integer and float fields of a matching type.
//
// A syntax or type error is returned as an *Error; keys that no field
// takes are all reported, each as an *UnknownKeyError, joined with
// errors.Join, after everything else is decoded.
func Decode(data []byte, v any) error {
	root, err := parse(data)
	if err != nil {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("toml: Decode needs a pointer to a struct, not %T", v)
	}
	var d decoder
	if err := d.structFields(root, rv.Elem(), nil); err != nil {
		return err
	}
	return errors.Join(d.unknown...)
}

type decoder struct {
	unknown []error
}

func (d *decoder) structFields(t *table, rv reflect.Value, path []string) error {
	for _, k := range t.keys {
		v := t.vals[k]
		key := append(path[:len(path):len(path)], k)
		f, ok := fieldByName(rv, k)
		if !ok {
			d.unknown = append(d.unknown, &UnknownKeyError{Line: v.line, Key: keyName(key)})
			continue
		}
		if err := d.into(v, f, key); err != nil {
			return err
		}
	}
	return nil
}

// fieldByName finds the settable field for key k.
func fieldByName(rv reflect.Value, k string) (reflect.Value, bool) {
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == k {
			return rv.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// into sets rv from v; key names v in errors.
func (d *decoder) into(v *value, rv reflect.Value, key []string) error {
	mismatch := func(want string) error {
		found := v.describe()
		name := keyName(key)
		return &Error{Line: v.line, Key: name, Msg: fmt.Sprintf("%s: expected %s, found %s", name, want, found)}
	}
	switch rv.Kind() {
	case reflect.String:
		if v.kind != kindString {
			return mismatch("a string")
		}
		rv.SetString(v.str)
	case reflect.Bool:
		if v.kind != kindBool {
			return mismatch("a boolean (true or false)")
		}
		rv.SetBool(v.num != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.kind != kindInteger {
			return mismatch("an integer")
		}
		if rv.OverflowInt(v.num) {
			return d.rangeErr(v, key, rv)
		}
		rv.SetInt(v.num)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if v.kind != kindInteger {
			return mismatch("an integer")
		}
		if v.num < 0 || rv.OverflowUint(uint64(v.num)) {
			return d.rangeErr(v, key, rv)
		}
		rv.SetUint(uint64(v.num))
	case reflect.Float32, reflect.Float64:
		f := v.flt
		switch {
		case v.kind == kindInteger && (v.num > 1<<53 || v.num < -(1<<53)):
			return d.rangeErr(v, key, rv)
		case v.kind == kindInteger:
			f = float64(v.num)
		case v.kind != kindFloat:
			return mismatch("a number")
		}
		if rv.OverflowFloat(f) {
			return d.rangeErr(v, key, rv)
		}
		rv.SetFloat(f)
	case reflect.Slice:
		if v.kind != kindArray {
			return mismatch("an array")
		}
		s := reflect.MakeSlice(rv.Type(), len(v.arr), len(v.arr))
		for i, e := range v.arr {
			if err := d.into(e, s.Index(i), key); err != nil {
				return err
			}
		}
		rv.Set(s)
	case reflect.Struct:
		if v.kind != kindTable {
			return mismatch("a table")
		}
		return d.structFields(v.tab, rv, key)
	case reflect.Map:
		if v.kind != kindTable {
			return mismatch("a table")
		}
		if rv.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("toml: %s: cannot decode into %s", keyName(key), rv.Type())
		}
		if rv.IsNil() {
			rv.Set(reflect.MakeMap(rv.Type()))
		}
		for _, k := range v.tab.keys {
			e := reflect.New(rv.Type().Elem()).Elem()
			if err := d.into(v.tab.vals[k], e, append(key[:len(key):len(key)], k)); err != nil {
				return err
			}
			rv.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), e)
		}
	default:
		return fmt.Errorf("toml: %s: cannot decode into %s", keyName(key), rv.Type())
	}
	return nil
}

func (d *decoder) rangeErr(v *value, key []string, rv reflect.Value) error {
	name := keyName(key)
	n := fmt.Sprint(v.num)
	if v.kind == kindFloat {
		n = fmt.Sprint(v.flt)
	}
	return &Error{Line: v.line, Key: name, Msg: fmt.Sprintf("%s: %s does not fit in %s", name, n, rv.Type())}
}
