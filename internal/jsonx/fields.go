package jsonx

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// field is one JSON member of a struct type: its name, where it sits (the
// index path through embedded structs) and its options.
type field struct {
	name      string
	index     []int
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	tagged    bool // the name came from the tag
}

// structFields returns the JSON members of struct type t in the order
// encoding/json writes them, caching the answer in cache.
func structFields(cache map[reflect.Type][]field, t reflect.Type) ([]field, error) {
	if fs, ok := cache[t]; ok {
		return fs, nil
	}
	var all []field
	if err := collectFields(&all, t, nil, []reflect.Type{t}); err != nil {
		return nil, err
	}
	fs := dominantFields(all)
	cache[t] = fs
	return fs, nil
}

// collectFields appends the fields of t, and those promoted from its
// untagged embedded structs, under the index path at, in declaration order
// (which is the order of the index paths). outer are the struct types being
// collected: a type embedded in itself adds only fields its outer copy
// hides.
func collectFields(out *[]field, t reflect.Type, at []int, outer []reflect.Type) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		ft := sf.Type
		if sf.Anonymous {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !sf.IsExported() && ft.Kind() != reflect.Struct {
				continue
			}
		} else if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validName(name) {
			name = ""
		}
		index := append(append([]int(nil), at...), i)
		if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
			if slices.Contains(outer, ft) {
				continue
			}
			if err := collectFields(out, ft, index, append(outer, ft)); err != nil {
				return err
			}
			continue
		}
		f := field{name: name, index: index, typ: sf.Type, tagged: name != ""}
		if f.name == "" {
			f.name = sf.Name
		}
		for opts != "" {
			var o string
			o, opts, _ = strings.Cut(opts, ",")
			switch o {
			case "omitempty":
				f.omitEmpty = true
			case "omitzero":
				f.omitZero = true
			case "string":
				return fmt.Errorf("%w: option ,string of field %s.%s", ErrUnsupported, t, sf.Name)
			}
		}
		*out = append(*out, f)
	}
	return nil
}

// dominantFields keeps, of the fields sharing a name, the one Go's rules for
// promoted fields select (the shallowest; of equally shallow ones the only
// tagged one), drops names that stay ambiguous, and keeps declaration order.
func dominantFields(all []field) []field {
	win := make(map[string]int) // name -> index in all of the winner, or -1
	for i, f := range all {
		j, seen := win[f.name]
		if seen {
			continue
		}
		win[f.name] = -1
		depth, n, tagged := len(f.index), 0, 0
		for k := i; k < len(all); k++ {
			g := all[k]
			if g.name != f.name || len(g.index) > depth {
				continue
			}
			if len(g.index) < depth {
				depth, n, tagged, j = len(g.index), 0, 0, -1
			}
			n++
			if g.tagged {
				tagged++
			}
			if n == 1 || (g.tagged && tagged == 1) {
				j = k
			}
		}
		if n == 1 || tagged == 1 {
			win[f.name] = j
		}
	}
	out := make([]field, 0, len(win))
	for i, f := range all {
		if win[f.name] == i {
			out = append(out, f)
		}
	}
	return out
}

// validName reports whether a tag's name is used as the JSON name
// (encoding/json's rule: letters, digits and some punctuation).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
