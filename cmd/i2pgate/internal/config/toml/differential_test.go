package toml

import (
	"bytes"
	"strings"
	"testing"
	"time"

	bstoml "github.com/BurntSushi/toml"
)

// burntSushi parses text with github.com/BurntSushi/toml into the plain
// values toAny makes.
func burntSushi(text []byte) (map[string]any, error) {
	var m map[string]any
	if err := bstoml.Unmarshal(text, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return normalizeBS(m).(map[string]any), nil
}

func normalizeBS(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = normalizeBS(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalizeBS(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalizeBS(e)
		}
		return out
	case time.Time:
		d := datetime{Year: v.Year(), Month: int(v.Month()), Day: v.Day(),
			Hour: v.Hour(), Minute: v.Minute(), Second: v.Second(), Nanos: v.Nanosecond()}
		switch name, off := v.Zone(); name {
		case "datetime-local":
			d.HasDate, d.HasTime = true, true
		case "date-local":
			d.HasDate, d.Hour, d.Minute, d.Second, d.Nanos = true, 0, 0, 0, 0
		case "time-local":
			d.HasTime, d.Year, d.Month, d.Day = true, 0, 0, 0
		default:
			d.HasDate, d.HasTime, d.HasOffset, d.OffsetMinutes = true, true, true, off/60
		}
		return d
	}
	return v
}

// bsKnownLenient is where BurntSushi/toml v1.6 accepts documents we
// refuse, on purpose:
//   - adding to a table with dotted keys or a [header] after it was
//     defined, and keys defined twice through such tables: TOML refuses
//     them, BurntSushi's own test suite skips these toml-test cases;
//   - offsets of 24 hours or more (RFC 3339 stops at 23:59), which Go's
//     time.Parse lets through;
//   - a UTF-16 byte order mark (see utf16BOM);
//   - nesting deeper than MaxDepth or keys of more than MaxDepth parts,
//     which BurntSushi does not bound.
func bsKnownLenient(err error) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	for _, m := range []string{"cannot be added to", "is defined twice", "already defined by dotted keys",
		"cannot be defined again", "not a table a dotted key can add to", "not an array of tables",
		"nested more than", "parts"} {
		if strings.Contains(e.Msg, m) {
			return true
		}
	}
	if tok, ok := strings.CutPrefix(e.Msg, "invalid date-time "); ok && len(tok) > 8 {
		off := tok[len(tok)-7 : len(tok)-1] // +HH:MM inside the quotes
		if (off[0] == '+' || off[0] == '-') && off[3] == ':' && (off[1:3] > "23" || off[4:6] > "59") {
			if _, ok := parseDatetime(tok[1:len(tok)-7] + "Z"); ok {
				return true
			}
		}
	}
	return false
}

// utf16BOM reports text starting with a UTF-16 byte order mark, which
// BurntSushi skips (and then reads the rest as UTF-8); we refuse the
// invalid UTF-8.
func utf16BOM(text []byte) bool {
	return bytes.HasPrefix(text, []byte("\xff\xfe")) || bytes.HasPrefix(text, []byte("\xfe\xff"))
}

// differ parses text with both readers and reports how they disagree.
func differ(t *testing.T, text []byte) {
	t.Helper()
	ours, oerr := parseAny(text)
	theirs, berr := burntSushi(text)
	switch {
	case oerr != nil && berr != nil:
	case oerr == nil && berr == nil:
		if err := sameTree(ours, theirs, "root"); err != nil {
			t.Errorf("values differ: %v\ninput: %q", err, text)
		}
	case oerr != nil && (bsKnownLenient(oerr) || utf16BOM(text)):
	case oerr != nil:
		t.Errorf("only we refuse: %v\ninput: %q", oerr, text)
	default:
		t.Errorf("only BurntSushi refuses: %v\ninput: %q", berr, text)
	}
}

func TestDifferential(t *testing.T) {
	for _, c := range validCases {
		differ(t, []byte(c.text))
	}
	for _, c := range invalidCases {
		differ(t, []byte(c.text))
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c.text))
	}
	for _, c := range invalidCases {
		f.Add([]byte(c.text))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		differ(t, text)
	})
}
