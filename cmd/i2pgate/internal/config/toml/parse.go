package toml

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// parser reads one document. Its methods leave pos after what they read
// and keep line (1-based) in step with the line feeds passed.
type parser struct {
	s    []byte
	pos  int
	line int
	root *table
	cur  *table   // the table of the last [header]: where key/values go
	path []string // cur's key from the root
}

// parse reads a whole document into its root table.
func parse(data []byte) (*table, error) {
	if len(data) > MaxSize {
		return nil, &Error{Msg: fmt.Sprintf("the text is larger than %d bytes", MaxSize)}
	}
	if !utf8.Valid(data) {
		n := 0
		for n < len(data) {
			r, size := utf8.DecodeRune(data[n:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			n += size
		}
		return nil, &Error{Line: 1 + bytes.Count(data[:n], []byte{'\n'}), Msg: "invalid UTF-8"}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	p := &parser{s: data, line: 1, root: newTable(header, 0)}
	p.cur = p.root
	for p.pos < len(p.s) {
		if err := p.expression(); err != nil {
			return nil, err
		}
	}
	return p.root, nil
}

func (p *parser) errf(format string, args ...any) *Error {
	return &Error{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// peek is the next byte, or -1 at the end.
func (p *parser) peek() int {
	if p.pos >= len(p.s) {
		return -1
	}
	return int(p.s[p.pos])
}

func (p *parser) has(prefix string) bool {
	return bytes.HasPrefix(p.s[p.pos:], []byte(prefix))
}

// found describes the next character for an error message.
func (p *parser) found() string {
	switch c := p.peek(); c {
	case -1:
		return "the end of the text"
	case '\n', '\r':
		return "the end of the line"
	default:
		r, _ := utf8.DecodeRune(p.s[p.pos:])
		return strconv.QuoteRune(r)
	}
}

func (p *parser) skipWS() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// newline reads LF or CRLF; a lone CR is an error.
func (p *parser) newline() error {
	if p.s[p.pos] == '\r' {
		if p.pos+1 >= len(p.s) || p.s[p.pos+1] != '\n' {
			return p.errf("a carriage return must be followed by a line feed")
		}
		p.pos++
	}
	p.pos++
	p.line++
	return nil
}

// comment reads from '#' to the end of the line (not the newline itself).
func (p *parser) comment() error {
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '\n' || c == '\r' {
			return nil
		}
		if isControl(c) {
			return p.errf("control character %U in a comment", rune(c))
		}
		p.pos++
	}
	return nil
}

// isControl reports the control characters TOML refuses in comments and
// strings: all but tab (line ends are handled by the callers).
func isControl(c byte) bool {
	return (c < 0x20 && c != '\t') || c == 0x7f
}

// skipBlank reads whitespace, comments and newlines (inside arrays and
// inline tables).
func (p *parser) skipBlank() error {
	for {
		p.skipWS()
		switch p.peek() {
		case '#':
			if err := p.comment(); err != nil {
				return err
			}
		case '\n', '\r':
			if err := p.newline(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// endOfLine reads optional whitespace and a comment, then the newline or
// the end of the text.
func (p *parser) endOfLine(after string) error {
	p.skipWS()
	if p.peek() == '#' {
		if err := p.comment(); err != nil {
			return err
		}
	}
	switch p.peek() {
	case -1:
		return nil
	case '\n', '\r':
		return p.newline()
	}
	return p.errf("expected the end of the line after %s, found %s", after, p.found())
}

// expression reads one line: blank, a comment, a [header] or a key/value.
func (p *parser) expression() error {
	p.skipWS()
	switch p.peek() {
	case -1, '#', '\n', '\r':
		return p.endOfLine("whitespace")
	case '[':
		if err := p.header(); err != nil {
			return err
		}
		return p.endOfLine("the table header")
	}
	if err := p.keyval(p.cur, p.path); err != nil {
		return err
	}
	return p.endOfLine("the value")
}

// key reads a simple or dotted key and the whitespace after it.
func (p *parser) key() ([]string, error) {
	var parts []string
	for {
		k, err := p.simpleKey()
		if err != nil {
			return nil, err
		}
		parts = append(parts, k)
		if len(parts) > MaxDepth {
			return nil, p.errf("a key of more than %d parts", MaxDepth)
		}
		p.skipWS()
		if p.peek() != '.' {
			return parts, nil
		}
		p.pos++
		p.skipWS()
	}
}

func (p *parser) simpleKey() (string, error) {
	switch c := p.peek(); {
	case p.has(`"""`) || p.has(`'''`):
		return "", p.errf("a multi-line string cannot be a key")
	case c == '"':
		return p.basicString()
	case c == '\'':
		return p.literalString()
	}
	start := p.pos
	for p.pos < len(p.s) && isBare(p.s[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errf("expected a key, found %s", p.found())
	}
	return string(p.s[start:p.pos]), nil
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// keyval reads key = value into t, whose key from the root is path.
func (p *parser) keyval(t *table, path []string) error {
	line := p.line
	parts, err := p.key()
	if err != nil {
		return err
	}
	full := append(append([]string(nil), path...), parts...)
	if p.peek() != '=' {
		return p.errf("expected = after the key %s, found %s", keyName(full), p.found())
	}
	if t.depth+len(parts) > MaxDepth {
		return p.errf("tables nested more than %d deep", MaxDepth)
	}
	p.pos++
	p.skipWS()
	v, err := p.value(t.depth+len(parts), full)
	if err != nil {
		return err
	}
	for i, k := range parts[:len(parts)-1] {
		ex, ok := t.vals[k]
		if !ok {
			nt := newTable(dotted, t.depth+1)
			t.set(k, &value{kind: kindTable, line: line, tab: nt})
			t = nt
			continue
		}
		name := keyName(full[:len(path)+i+1])
		if ex.kind != kindTable {
			return &Error{Line: line, Key: name, Msg: fmt.Sprintf("%s is already %s, not a table a dotted key can add to", name, ex.describe())}
		}
		switch ex.tab.origin {
		case inline:
			return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the inline table %s cannot be added to", name)}
		case header:
			return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the table [%s] cannot be added to with a dotted key", name)}
		case implicit:
			ex.tab.origin = dotted
		}
		t = ex.tab
	}
	last := parts[len(parts)-1]
	if _, ok := t.vals[last]; ok {
		name := keyName(full)
		return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the key %s is defined twice", name)}
	}
	t.set(last, v)
	return nil
}

// describe names the kind of an existing value for an error message.
func (v *value) describe() string {
	if v.aot {
		return "an array of tables"
	}
	return v.kind.String()
}

// header reads a [table] or [[array of tables]] header and makes its table
// the current one.
func (p *parser) header() error {
	line := p.line
	p.pos++
	aot := p.peek() == '['
	if aot {
		p.pos++
	}
	p.skipWS()
	parts, err := p.key()
	if err != nil {
		return err
	}
	if p.peek() != ']' || (aot && (p.pos+1 >= len(p.s) || p.s[p.pos+1] != ']')) {
		want := "]"
		if aot {
			want = "]]"
		}
		return p.errf("expected %s after the table name, found %s", want, p.found())
	}
	p.pos++
	if aot {
		p.pos++
	}
	t := p.root
	for i, k := range parts[:len(parts)-1] {
		ex, ok := t.vals[k]
		if !ok {
			nt := newTable(implicit, t.depth+1)
			if nt.depth > MaxDepth {
				return p.errf("tables nested more than %d deep", MaxDepth)
			}
			t.set(k, &value{kind: kindTable, line: line, tab: nt})
			t = nt
			continue
		}
		name := keyName(parts[:i+1])
		switch {
		case ex.kind == kindTable && ex.tab.origin == inline:
			return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the inline table %s cannot be added to", name)}
		case ex.kind == kindTable:
			t = ex.tab
		case ex.aot:
			t = ex.arr[len(ex.arr)-1].tab
		default:
			return &Error{Line: line, Key: name, Msg: fmt.Sprintf("%s is already %s, not a table", name, ex.describe())}
		}
	}
	last, name := parts[len(parts)-1], keyName(parts)
	ex, ok := t.vals[last]
	switch {
	case aot && !ok:
		nt := newTable(header, t.depth+2)
		t.set(last, &value{kind: kindArray, line: line, aot: true, arr: []*value{{kind: kindTable, line: line, tab: nt}}})
		t = nt
	case aot && ex.aot:
		nt := newTable(header, t.depth+2)
		ex.arr = append(ex.arr, &value{kind: kindTable, line: line, tab: nt})
		t = nt
	case aot:
		return &Error{Line: line, Key: name, Msg: fmt.Sprintf("%s is already %s, not an array of tables", name, ex.describe())}
	case !ok:
		nt := newTable(header, t.depth+1)
		t.set(last, &value{kind: kindTable, line: line, tab: nt})
		t = nt
	case ex.kind == kindTable && ex.tab.origin == implicit:
		ex.tab.origin = header
		t = ex.tab
	case ex.kind == kindTable && ex.tab.origin == inline:
		return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the inline table %s cannot be defined again", name)}
	case ex.kind == kindTable && ex.tab.origin == dotted:
		return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the table %s is already defined by dotted keys", name)}
	case ex.kind == kindTable:
		return &Error{Line: line, Key: name, Msg: fmt.Sprintf("the table [%s] is defined twice", name)}
	default:
		return &Error{Line: line, Key: name, Msg: fmt.Sprintf("%s is already %s, not a table", name, ex.describe())}
	}
	if t.depth > MaxDepth {
		return p.errf("tables nested more than %d deep", MaxDepth)
	}
	p.cur, p.path = t, parts
	return nil
}

// keyName writes a key as TOML would, quoting the parts that need it.
func keyName(parts []string) string {
	var b strings.Builder
	for i, k := range parts {
		if i > 0 {
			b.WriteByte('.')
		}
		bare := k != ""
		for j := 0; j < len(k); j++ {
			bare = bare && isBare(k[j])
		}
		if bare {
			b.WriteString(k)
		} else {
			b.WriteString(strconv.Quote(k))
		}
	}
	return b.String()
}
