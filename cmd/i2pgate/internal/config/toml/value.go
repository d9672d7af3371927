package toml

import "fmt"

// kind is the TOML type of a value.
type kind uint8

const (
	kindString kind = iota
	kindInteger
	kindFloat
	kindBool
	kindDatetime
	kindArray
	kindTable
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindInteger:
		return "an integer"
	case kindFloat:
		return "a float"
	case kindBool:
		return "a boolean"
	case kindDatetime:
		return "a date-time"
	case kindArray:
		return "an array"
	}
	return "a table"
}

// value is one parsed TOML value with the line it starts on.
type value struct {
	kind  kind
	line  int
	depth int // nesting levels of arrays and tables inside, 0 for a scalar
	str   string
	num   int64
	flt   float64
	dt    datetime
	arr   []*value
	tab   *table
	// aot marks an array made by [[headers]]; only those take more
	// elements, and their elements are tables.
	aot bool
}

// origin says how a table came to be, which decides what may still add to
// it (TOML v1.0 "Table" and "Inline Table").
type origin uint8

const (
	// implicit: named on the way to a [header] (the a of [a.b]); a later
	// [a] header may still define it.
	implicit origin = iota
	// header: defined by a [header] or as an element of [[headers]].
	header
	// dotted: defined by a dotted key (a.b = 1 defines a); later dotted
	// keys in the same section may add to it, headers may only add
	// sub-tables.
	dotted
	// inline: written as { ... }; nothing may add to it.
	inline
)

// table is a TOML table: keys in the order written and their values.
type table struct {
	keys   []string
	vals   map[string]*value
	origin origin
	depth  int // tables and arrays above it, 0 for the root
}

func newTable(o origin, depth int) *table {
	return &table{vals: make(map[string]*value), origin: o, depth: depth}
}

func (t *table) set(k string, v *value) {
	t.keys = append(t.keys, k)
	t.vals[k] = v
}

// freeze marks t and the tables under it as inline: complete.
func (t *table) freeze() {
	t.origin = inline
	for _, v := range t.vals {
		if v.kind == kindTable {
			v.tab.freeze()
		}
	}
}

// datetime is a TOML offset date-time, local date-time, local date or
// local time; which one is said by HasDate, HasTime and HasOffset.
type datetime struct {
	Year, Month, Day            int
	Hour, Minute, Second, Nanos int
	OffsetMinutes               int // east of UTC
	HasDate, HasTime, HasOffset bool
}

// String formats d as RFC 3339 (with a T, full seconds and the fraction
// without trailing zeros).
func (d datetime) String() string {
	s := ""
	if d.HasDate {
		s = fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	if d.HasTime {
		if d.HasDate {
			s += "T"
		}
		s += fmt.Sprintf("%02d:%02d:%02d", d.Hour, d.Minute, d.Second)
		if d.Nanos != 0 {
			f := fmt.Sprintf(".%09d", d.Nanos)
			for f[len(f)-1] == '0' {
				f = f[:len(f)-1]
			}
			s += f
		}
	}
	if d.HasOffset {
		if d.OffsetMinutes == 0 {
			s += "Z"
		} else {
			o, sign := d.OffsetMinutes, '+'
			if o < 0 {
				o, sign = -o, '-'
			}
			s += fmt.Sprintf("%c%02d:%02d", sign, o/60, o%60)
		}
	}
	return s
}
