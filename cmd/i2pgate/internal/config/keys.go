package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Set assigns the text value to the dotted key ("netid", "ntcp2.port"). hasValue
// false means a bare flag, allowed for booleans only. Lists take comma-separated
// values; an empty value makes an empty list.
func (c *Config) Set(key, value string, hasValue bool) error {
	f, err := field(reflect.ValueOf(c).Elem(), key)
	if err != nil {
		return err
	}
	switch f.Kind() {
	case reflect.Bool:
		if !hasValue {
			f.SetBool(true)
			return nil
		}
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("config: %s: %q is not a boolean (true or false)", key, value)
		}
		f.SetBool(b)
	case reflect.Int:
		if !hasValue {
			return fmt.Errorf("config: %s: needs a value (--%s=N)", key, key)
		}
		n, err := strconv.ParseInt(value, 10, 32)
		if err != nil {
			return fmt.Errorf("config: %s: %q is not an integer", key, value)
		}
		f.SetInt(n)
	case reflect.String:
		if !hasValue {
			return fmt.Errorf("config: %s: needs a value (--%s=VALUE)", key, key)
		}
		f.SetString(value)
	case reflect.Slice:
		if !hasValue {
			return fmt.Errorf("config: %s: needs a value (--%s=A,B)", key, key)
		}
		list := []string{}
		for _, v := range strings.Split(value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				list = append(list, v)
			}
		}
		f.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("config: %s: is a section, not a key", key)
	}
	return nil
}

// field finds the struct field for a dotted key by its toml tags.
func field(v reflect.Value, key string) (reflect.Value, error) {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("config: unknown key %q", key)
		}
		next, ok := fieldByTag(v, p)
		if !ok {
			return reflect.Value{}, fmt.Errorf("config: unknown key %q", key)
		}
		v = next
		if i == len(parts)-1 && v.Kind() == reflect.Struct {
			return reflect.Value{}, fmt.Errorf("config: %q is a section, not a key", key)
		}
	}
	return v, nil
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if tagName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// Keys lists every settable dotted key, sorted; used for help text and tests.
func Keys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := prefix + tagName(f)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, name+".")
				continue
			}
			if f.Type.Kind() == reflect.Map {
				continue // [tunnels.NAME]: file only
			}
			out = append(out, name)
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	sort.Strings(out)
	return out
}

// TakesValue reports whether key is a known key that needs a value (not a
// boolean), so that "--key value" can be read as "--key=value", as i2pd's
// command line allows.
func TakesValue(key string) bool {
	var c Config
	f, err := field(reflect.ValueOf(&c).Elem(), key)
	return err == nil && f.Kind() != reflect.Bool
}
