package toml

import (
	"math"
	"strings"
	"testing"
)

type m = map[string]any
type a = []any

func dt(s string) datetime {
	d, ok := parseDatetime(s)
	if !ok {
		panic("bad test date-time " + s)
	}
	return d
}

// validCases are documents with the values they hold.
var validCases = []struct {
	name, text string
	want       m
}{
	{"empty", "", m{}},
	{"comments and blanks", "# c\n\n  \t# d\r\n", m{}},
	{"bom", "\uFEFFa = 1", m{"a": int64(1)}},
	{"crlf", "a = 1\r\nb = 2\r\n", m{"a": int64(1), "b": int64(2)}},
	{"no final newline", "a = true", m{"a": true}},
	{"bare keys", "A-b_9 = 1\n1234 = 2\n- = 3", m{"A-b_9": int64(1), "1234": int64(2), "-": int64(3)}},
	{"quoted keys", "\"a b\" = 1\n'c.d' = 2\n\"\" = 3\n\"\\u00e9\" = 4", m{"a b": int64(1), "c.d": int64(2), "": int64(3), "é": int64(4)}},
	{"dotted keys", "a.b.c = 1\na . \"x y\" = 2\n3.14 = 3", m{"a": m{"b": m{"c": int64(1)}, "x y": int64(2)}, "3": m{"14": int64(3)}}},
	{"tables", "[a]\nx = 1\n[a.b]\ny = 2\n[ c . 'd' ]\n", m{"a": m{"x": int64(1), "b": m{"y": int64(2)}}, "c": m{"d": m{}}}},
	{"implicit then explicit", "[a.b.c]\nz = 1\n[a]\ny = 2", m{"a": m{"b": m{"c": m{"z": int64(1)}}, "y": int64(2)}}},
	{"sub-table of dotted", "[f]\napple.color = 'red'\n[f.apple.texture]\nsmooth = true", m{"f": m{"apple": m{"color": "red", "texture": m{"smooth": true}}}}},
	{"array of tables", "[[p]]\nn = 1\n[[p]]\n[[p]]\nn = 3\n[p.q]\nr = 1", m{"p": a{m{"n": int64(1)}, m{}, m{"n": int64(3), "q": m{"r": int64(1)}}}}},
	{"nested array of tables", "[[f]]\nn = 'a'\n[[f.v]]\nn = 'b'\n[[f.v]]\n[[f]]\n[[f.v]]", m{"f": a{m{"n": "a", "v": a{m{"n": "b"}, m{}}}, m{"v": a{m{}}}}}},
	{"inline tables", "a = {}\nb = { x = 1, y.z = 'w' }\nc = { d = { e = [1] } }", m{"a": m{}, "b": m{"x": int64(1), "y": m{"z": "w"}}, "c": m{"d": m{"e": a{int64(1)}}}}},
	{"inline table over lines (v1.1)", "a = {\n  x = 1, # one\n  y = 2,\n}", m{"a": m{"x": int64(1), "y": int64(2)}}},
	{"arrays", "a = []\nb = [1, 'x', [2.5, true], {k = 1}]\nc = [\n  1, # one\n  2,\n\n]\n", m{"a": a{}, "b": a{int64(1), "x", a{2.5, true}, m{"k": int64(1)}}, "c": a{int64(1), int64(2)}}},
	{"basic escapes", `s = "\b\t\n\f\r\"\\\u00e9\U0001F600\e\x41"`, m{"s": "\b\t\n\f\r\"\\é😀\x1bA"}},
	{"literal", `s = 'C:\path\"x"'`, m{"s": `C:\path\"x"`}},
	{"unicode and tab", "s = \"héllo\tw\"", m{"s": "héllo\tw"}},
	{"multi-line basic", "s = \"\"\"\none\n  two\\\n    three \\  \r\n\n four\"\"\"", m{"s": "one\n  twothree four"}},
	{"multi-line quotes", `s = """a""b""""`, m{"s": `a""b"`}},
	{"multi-line five quotes", `s = """"""""`, m{"s": `""`}},
	{"multi-line literal", "s = '''\nraw \\n ''x'''''\n", m{"s": "raw \\n ''x''"}},
	{"multi-line crlf", "s = \"\"\"\r\na\r\nb\"\"\"", m{"s": "a\r\nb"}},
	{"integers", "a = 0\nb = +17\nc = -0\nd = 1_000\ne = 0xDEAD_beef\nf = 0o755\ng = 0b1101\nh = 9223372036854775807\ni = -9223372036854775808\nj = 0x7fffffffffffffff\nk = 0x00",
		m{"a": int64(0), "b": int64(17), "c": int64(0), "d": int64(1000), "e": int64(0xdeadbeef), "f": int64(0o755), "g": int64(13),
			"h": int64(math.MaxInt64), "i": int64(math.MinInt64), "j": int64(math.MaxInt64), "k": int64(0)}},
	{"floats", "a = 1.5\nb = -0.01\nc = 5e+22\nd = 1e06\ne = -2E-2\nf = 6.626e-34\ng = 224_617.445_991\nh = 0.0\ni = -0.0\nj = 1e1_0",
		m{"a": 1.5, "b": -0.01, "c": 5e22, "d": 1e6, "e": -0.02, "f": 6.626e-34, "g": 224617.445991, "h": 0.0, "i": math.Copysign(0, -1), "j": 1e10}},
	{"inf and nan", "a = inf\nb = +inf\nc = -inf\nd = nan\ne = +nan\nf = -nan", m{"a": math.Inf(1), "b": math.Inf(1), "c": math.Inf(-1), "d": math.NaN(), "e": math.NaN(), "f": math.NaN()}},
	{"booleans", "t = true\nf = false", m{"t": true, "f": false}},
	{"date-times", "a = 1979-05-27T07:32:00Z\nb = 1979-05-27T00:32:00.999999-07:00\nc = 1979-05-27 07:32:00\nd = 1979-05-27\ne = 07:32:00\nf = 00:32:00.5\ng = 1979-05-27t07:32:00z\nh = 2000-02-29T23:59:59+05:30\ni = 07:32\nj = 1979-05-27T07:32Z\nk = 1979-05-27T00:00:00.1234567891",
		m{"a": dt("1979-05-27T07:32:00Z"), "b": dt("1979-05-27T00:32:00.999999-07:00"), "c": dt("1979-05-27T07:32:00"), "d": dt("1979-05-27"),
			"e": dt("07:32:00"), "f": dt("00:32:00.5"), "g": dt("1979-05-27T07:32:00Z"), "h": dt("2000-02-29T23:59:59+05:30"),
			"i": dt("07:32:00"), "j": dt("1979-05-27T07:32:00Z"), "k": dt("1979-05-27T00:00:00.123456789")}},
	{"whitespace around", "  a\t=\t1  # c\n\t[ t ]  # c\n", m{"a": int64(1), "t": m{}}},
	{"tunnels", "[tunnels.site]\ntype = \"http\"\ninbound.length = 2\n[tunnels.\"my irc\"]\nport = 6668",
		m{"tunnels": m{"site": m{"type": "http", "inbound": m{"length": int64(2)}}, "my irc": m{"port": int64(6668)}}}},
}

// invalidCases are documents TOML refuses, with the line and a part of
// the message.
var invalidCases = []struct {
	name, text string
	line       int
	msg        string
}{
	{"no value", "a =\n", 1, "expected a value"},
	{"no equals", "a 1", 1, "expected ="},
	{"two equals", "netid = = 2", 1, "expected a value"},
	{"two keys on a line", "a = 1 b = 2", 1, "end of the line"},
	{"empty bare key", "[a..b]", 1, "expected a key"},
	{"multi-line key", "\"\"\"a\"\"\" = 1", 1, "cannot be a key"},
	{"key without value at end", "\n\na", 3, "expected ="},
	{"duplicate key", "a = 1\na = 2", 2, "defined twice"},
	{"duplicate key via dotted", "a.b = 1\na.b = 2", 2, "defined twice"},
	{"duplicate table", "[a]\n[a]", 2, "defined twice"},
	{"table over value", "a = 1\n[a]", 2, "already an integer"},
	{"dotted over value", "a = false\na.b = true", 2, "already a boolean"},
	{"header over dotted", "[f]\napple.color = 'red'\n[f.apple]", 3, "dotted keys"},
	{"dotted into header table", "[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, "cannot be added to"},
	{"dotted into array of tables", "[[a.b]]\n[a]\nb.y = 2", 3, "array of tables"},
	{"extend inline by header", "a = {}\n[a.b]", 2, "inline table"},
	{"extend inline by dotted", "a = {b = 1}\na.c = 2", 2, "inline table"},
	{"redefine inline by header", "a = {}\n[a]", 2, "inline table"},
	{"inline table duplicate", "a = {b = 1, b = 2}", 1, "defined twice"},
	{"inline nested frozen", "t = { i = { d = 'b' }, i.c = 'w' }", 1, "inline table"},
	{"static array as aot", "a = []\n[[a]]", 2, "not an array of tables"},
	{"aot then table", "[[a]]\n[a]", 2, "array of tables"},
	{"implicit then aot", "[[a.b]]\n[[a]]", 2, "not an array of tables"},
	{"unclosed header", "[a", 1, "expected ]"},
	{"half-closed aot", "[[a]\n", 1, "expected ]]"},
	{"spaced aot brackets", "[ [a]]", 1, "expected a key"},
	{"unterminated string", "a = \"abc\nb = 1", 1, "unterminated"},
	{"unterminated literal", "a = 'abc", 1, "unterminated"},
	{"unterminated multi-line", "a = \"\"\"abc\n\n", 3, "unterminated"},
	{"six quotes", `a = """x""""""`, 1, "too many quotes"},
	{"bad escape", `a = "\q"`, 1, "invalid escape"},
	{"short unicode escape", `a = "\u12"`, 1, "hexadecimal"},
	{"surrogate escape", `a = "\uD800"`, 1, "Unicode scalar"},
	{"too big escape", `a = "\U00110000"`, 1, "Unicode scalar"},
	{"signed unicode escape", `a = "\u+123"`, 1, "hexadecimal"},
	{"backslash space no newline", "a = \"\"\"x\\ y\"\"\"", 1, "invalid escape"},
	{"control in string", "a = \"x\x01\"", 1, "control character"},
	{"DEL in literal", "a = 'x\x7f'", 1, "control character"},
	{"control in comment", "# a\x00b", 1, "control character"},
	{"lone CR", "a = 1\rb = 2", 1, "carriage return"},
	{"lone CR in multi-line", "a = '''x\ry'''", 1, "carriage return"},
	{"invalid UTF-8", "a = 1\nb = \"\xff\"", 2, "UTF-8"},
	{"leading zero", "a = 01", 1, "invalid number"},
	{"double underscore", "a = 1__0", 1, "invalid number"},
	{"trailing underscore", "a = 1_", 1, "invalid number"},
	{"underscore after prefix", "a = 0x_1", 1, "invalid number"},
	{"signed hex", "a = +0x1", 1, "no sign"},
	{"uppercase prefix", "a = 0X1", 1, "invalid number"},
	{"octal digit", "a = 0o8", 1, "invalid number"},
	{"integer overflow", "a = 9223372036854775808", 1, "out of range"},
	{"negative overflow", "a = -9223372036854775809", 1, "out of range"},
	{"hex overflow", "a = 0x8000000000000000", 1, "out of range"},
	{"huge hex", "a = 0x1_0000_0000_0000_0000", 1, "out of range"},
	{"float no int part", "a = .5", 1, "expected a value"},
	{"float no frac digits", "a = 1.", 1, "invalid number"},
	{"float dot exp", "a = 1.e5", 1, "invalid number"},
	{"float no exp digits", "a = 1e", 1, "invalid number"},
	{"float leading zero", "a = 03.14", 1, "invalid number"},
	{"float overflow", "a = 1e400", 1, "out of range"},
	{"infinity word", "a = infinity", 1, "invalid number"},
	{"capital true", "a = True", 1, "expected a value"},
	{"bad month", "a = 2000-13-01", 1, "date-time"},
	{"bad day", "a = 2001-02-29", 1, "date-time"},
	{"bad hour", "a = 24:00:00", 1, "date-time"},
	{"bad second", "a = 00:00:60", 1, "date-time"},
	{"bad offset", "a = 1979-05-27T07:32:00+24:00", 1, "date-time"},
	{"offset on time", "a = 07:32:00Z", 1, "date-time"},
	{"short year", "a = 979-05-27", 1, "invalid number"},
	{"fraction without digits", "a = 07:32:00.", 1, "date-time"},
	{"array without comma", "a = [1 2]", 1, "expected , or ]"},
	{"array double comma", "a = [1,,2]", 1, "expected a value"},
	{"array leading comma", "a = [,]", 1, "expected a value"},
	{"unclosed array", "a = [1,\n2", 2, "expected , or ]"},
	{"inline double comma", "a = {b = 1,,}", 1, "expected a key"},
	{"inline without comma", "a = {b = 1 c = 2}", 1, "expected , or }"},
	{"newline in key/value of inline", "a = {b =\n1}", 1, "expected a value"},
	{"deep arrays", "a = " + strings.Repeat("[", 100) + strings.Repeat("]", 100), 1, "nested more than"},
	{"deep inline tables", "a = " + strings.Repeat("{b = ", 100) + "1" + strings.Repeat("}", 100), 1, "nested more than"},
	{"long dotted key", strings.Repeat("a.", 100) + "b = 1", 1, "parts"},
	{"deep headers", deepHeaders(40), 33, "nested more than"},
}

// deepHeaders nests n arrays of tables: [[a]], [[a.a]], ...
func deepHeaders(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("[[" + strings.Repeat("a.", i) + "a]]\n")
	}
	return b.String()
}

func TestValid(t *testing.T) {
	for _, c := range validCases {
		got, err := parseAny([]byte(c.text))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if err := sameTree(got, c.want, c.name); err != nil {
			t.Errorf("%v", err)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, c := range invalidCases {
		_, err := parseAny([]byte(c.text))
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%s: err %v (%T), want *Error", c.name, err, err)
			continue
		}
		if e.Line != c.line || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s: %v, want line %d and %q", c.name, e, c.line, c.msg)
		}
	}
}

func TestSizeLimit(t *testing.T) {
	text := []byte("a = '" + strings.Repeat("x", MaxSize) + "'")
	if _, err := parseAny(text); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err %v", err)
	}
}
