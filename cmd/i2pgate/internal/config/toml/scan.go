package toml

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// value reads one value at the given depth of nesting; path is its key,
// for inline tables.
func (p *parser) value(depth int, path []string) (*value, error) {
	line := p.line
	str := func(s string, err error) (*value, error) {
		if err != nil {
			return nil, err
		}
		return &value{kind: kindString, line: line, str: s}, nil
	}
	switch c := p.peek(); {
	case p.has(`"""`):
		return str(p.multiLineString('"'))
	case p.has(`'''`):
		return str(p.multiLineString('\''))
	case c == '"':
		return str(p.basicString())
	case c == '\'':
		return str(p.literalString())
	case c == '[':
		return p.array(depth, path)
	case c == '{':
		return p.inlineTable(depth, path)
	case p.has("true"):
		p.pos += 4
		return &value{kind: kindBool, line: line, num: 1}, nil
	case p.has("false"):
		p.pos += 5
		return &value{kind: kindBool, line: line}, nil
	case c == '+' || c == '-' || c >= '0' && c <= '9' || c == 'i' || c == 'n':
		return p.numberOrDatetime()
	}
	return nil, p.errf("expected a value, found %s", p.found())
}

func (p *parser) array(depth int, path []string) (*value, error) {
	if depth >= MaxDepth {
		return nil, p.errf("arrays and tables nested more than %d deep", MaxDepth)
	}
	a := &value{kind: kindArray, line: p.line, depth: 1}
	p.pos++
	for {
		if err := p.skipBlank(); err != nil {
			return nil, err
		}
		if p.peek() == ']' {
			p.pos++
			return a, nil
		}
		v, err := p.value(depth+1, path)
		if err != nil {
			return nil, err
		}
		a.arr = append(a.arr, v)
		a.depth = max(a.depth, v.depth+1)
		if err := p.skipBlank(); err != nil {
			return nil, err
		}
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a, nil
		default:
			return nil, p.errf("expected , or ] in the array, found %s", p.found())
		}
	}
}

// inlineTable reads { key = value, ... }; as TOML v1.1 allows, it may span
// lines, hold comments and end in a comma.
func (p *parser) inlineTable(depth int, path []string) (*value, error) {
	if depth >= MaxDepth {
		return nil, p.errf("arrays and tables nested more than %d deep", MaxDepth)
	}
	t := newTable(dotted, depth)
	v := &value{kind: kindTable, line: p.line, tab: t}
	p.pos++
	for {
		if err := p.skipBlank(); err != nil {
			return nil, err
		}
		if p.peek() == '}' {
			p.pos++
			break
		}
		if err := p.keyval(t, path); err != nil {
			return nil, err
		}
		if err := p.skipBlank(); err != nil {
			return nil, err
		}
		if p.peek() == ',' {
			p.pos++
			continue
		}
		if p.peek() != '}' {
			return nil, p.errf("expected , or } in the inline table, found %s", p.found())
		}
	}
	t.freeze()
	return v, nil
}

// basicString reads "..." with escapes, on one line.
func (p *parser) basicString() (string, error) {
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.s) || p.s[p.pos] == '\n' || p.s[p.pos] == '\r' {
			return "", p.errf("unterminated string")
		}
		switch c := p.s[p.pos]; {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case isControl(c):
			return "", p.errf("control character %U in a string", rune(c))
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// literalString reads '...', taken as written, on one line.
func (p *parser) literalString() (string, error) {
	p.pos++
	start := p.pos
	for {
		if p.pos >= len(p.s) || p.s[p.pos] == '\n' || p.s[p.pos] == '\r' {
			return "", p.errf("unterminated string")
		}
		switch c := p.s[p.pos]; {
		case c == '\'':
			p.pos++
			return string(p.s[start : p.pos-1]), nil
		case isControl(c):
			return "", p.errf("control character %U in a string", rune(c))
		}
		p.pos++
	}
}

// multiLineString reads """...""" (with escapes) or ”'...”' (without).
// A newline right after the opening quotes is dropped; one or two quotes
// may come right before the closing three.
func (p *parser) multiLineString(q byte) (string, error) {
	p.pos += 3
	if p.has("\n") || p.has("\r\n") {
		if err := p.newline(); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	for {
		if p.pos >= len(p.s) {
			return "", p.errf("unterminated multi-line string")
		}
		switch c := p.s[p.pos]; {
		case c == q:
			n := 0
			for p.pos+n < len(p.s) && p.s[p.pos+n] == q && n < 6 {
				n++
			}
			if n == 6 {
				return "", p.errf("too many quotes at the end of a multi-line string")
			}
			p.pos += n
			if n >= 3 {
				b.WriteString(strings.Repeat(string(q), n-3))
				return b.String(), nil
			}
			b.WriteString(strings.Repeat(string(q), n))
		case c == '\\' && q == '"':
			if p.lineEndingBackslash() {
				if err := p.trimToText(); err != nil {
					return "", err
				}
				continue
			}
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c == '\n' || c == '\r':
			if err := p.newline(); err != nil {
				return "", err
			}
			if c == '\r' {
				b.WriteByte('\r') // a CRLF stays as written
			}
			b.WriteByte('\n')
		case isControl(c):
			return "", p.errf("control character %U in a string", rune(c))
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// lineEndingBackslash reports a backslash followed by blanks and a newline.
func (p *parser) lineEndingBackslash() bool {
	i := p.pos + 1
	for i < len(p.s) && (p.s[i] == ' ' || p.s[i] == '\t') {
		i++
	}
	return i < len(p.s) && (p.s[i] == '\n' || p.s[i] == '\r')
}

// trimToText skips the backslash and the whitespace and newlines after it.
func (p *parser) trimToText() error {
	p.pos++
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t':
			p.pos++
		case '\n', '\r':
			if err := p.newline(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// escape reads one backslash escape into b.
func (p *parser) escape(b *strings.Builder) error {
	if p.pos+1 >= len(p.s) {
		return p.errf("unterminated string")
	}
	c := p.s[p.pos+1]
	p.pos += 2
	digits := 0
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case '"', '\\':
		b.WriteByte(c)
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default:
		return p.errf("invalid escape \\%s in a string", printable(c))
	}
	if digits == 0 {
		return nil
	}
	if p.pos+digits > len(p.s) {
		return p.errf("the escape \\%c needs %d hexadecimal digits", c, digits)
	}
	hex := string(p.s[p.pos : p.pos+digits])
	n, err := strconv.ParseUint(hex, 16, 32)
	if err != nil || strings.ContainsAny(hex, "+-_") {
		return p.errf("the escape \\%c needs %d hexadecimal digits", c, digits)
	}
	r := rune(n)
	if n > utf8.MaxRune || !utf8.ValidRune(r) {
		return p.errf("the escape \\%c%s is not a Unicode scalar value", c, hex)
	}
	p.pos += digits
	b.WriteRune(r)
	return nil
}

func printable(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return string(c)
}

// numberOrDatetime reads an integer, a float or a date-time: it takes the
// run of characters they are made of (and the space between a date and a
// time) and then checks it.
func (p *parser) numberOrDatetime() (*value, error) {
	line := p.line
	tok := p.token()
	if len(tok) == 10 && isDate(tok) && p.pos+3 < len(p.s) && p.s[p.pos] == ' ' &&
		isDigit(p.s[p.pos+1]) && isDigit(p.s[p.pos+2]) && p.s[p.pos+3] == ':' {
		p.pos++
		tok += " " + p.token()
	}
	if (len(tok) >= 10 && isDate(tok)) || (len(tok) >= 3 && isDigit(tok[0]) && isDigit(tok[1]) && tok[2] == ':') {
		d, ok := parseDatetime(tok)
		if !ok {
			return nil, &Error{Line: line, Msg: "invalid date-time " + strconv.Quote(tok)}
		}
		return &value{kind: kindDatetime, line: line, dt: d}, nil
	}
	v, msg := parseNumber(tok)
	if msg != "" {
		return nil, &Error{Line: line, Msg: msg}
	}
	v.line = line
	return v, nil
}

func (p *parser) token() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if !(isBare(c) || c == '+' || c == '.' || c == ':') {
			break
		}
		p.pos++
	}
	return string(p.s[start:p.pos])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDate(s string) bool {
	return len(s) >= 10 && allDigits(s[0:4]) && s[4] == '-' && allDigits(s[5:7]) && s[7] == '-' && allDigits(s[8:10])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// parseNumber checks and converts an integer or float token; msg says
// what is wrong with it.
func parseNumber(tok string) (v *value, msg string) {
	bad := "invalid number " + strconv.Quote(tok)
	body, sign := tok, ""
	if body != "" && (body[0] == '+' || body[0] == '-') {
		sign, body = body[:1], body[1:]
	}
	switch body {
	case "inf":
		return &value{kind: kindFloat, flt: math.Inf(map[string]int{"": 1, "+": 1, "-": -1}[sign])}, ""
	case "nan":
		f := math.NaN()
		if sign == "-" {
			f = math.Copysign(f, -1)
		}
		return &value{kind: kindFloat, flt: f}, ""
	}
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b') {
		if sign != "" {
			return nil, bad + ": a hexadecimal, octal or binary integer takes no sign"
		}
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[body[1]]
		digits := body[2:]
		if !underscoresOK(digits) {
			return nil, bad
		}
		n, err := strconv.ParseUint(strings.ReplaceAll(digits, "_", ""), base, 64)
		if err != nil && strings.Contains(err.Error(), "range") {
			return nil, "integer " + tok + " is out of range (64 bits)"
		}
		if err != nil || n > math.MaxInt64 {
			if err == nil {
				return nil, "integer " + tok + " is out of range (64 bits)"
			}
			return nil, bad
		}
		return &value{kind: kindInteger, num: int64(n)}, ""
	}
	intPart, frac, exp, isFloat := splitFloat(body)
	if !underscoresOK(intPart) || !allDigits(strings.ReplaceAll(intPart, "_", "")) ||
		(len(intPart) > 1 && intPart[0] == '0') {
		return nil, bad
	}
	if !isFloat {
		n, err := strconv.ParseInt(sign+strings.ReplaceAll(intPart, "_", ""), 10, 64)
		if err != nil {
			return nil, "integer " + tok + " is out of range (64 bits)"
		}
		return &value{kind: kindInteger, num: n}, ""
	}
	if frac != nil && (!underscoresOK(*frac) || !allDigits(strings.ReplaceAll(*frac, "_", ""))) {
		return nil, bad
	}
	if exp != nil {
		e := *exp
		if e != "" && (e[0] == '+' || e[0] == '-') {
			e = e[1:]
		}
		if !underscoresOK(e) || !allDigits(strings.ReplaceAll(e, "_", "")) {
			return nil, bad
		}
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(tok, "_", ""), 64)
	if err != nil && (math.IsInf(f, 0) || !strings.Contains(err.Error(), "range")) {
		return nil, "float " + tok + " is out of range"
	}
	return &value{kind: kindFloat, flt: f}, ""
}

// splitFloat cuts "int[.frac][(e|E)exp]"; frac and exp are nil when absent.
func splitFloat(s string) (intPart string, frac, exp *string, isFloat bool) {
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e := s[i+1:]
		exp, s, isFloat = &e, s[:i], true
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		f := s[i+1:]
		frac, s, isFloat = &f, s[:i], true
	}
	return s, frac, exp, isFloat
}

// underscoresOK: digits (of any base) with single underscores between them.
func underscoresOK(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	return true
}

// parseDatetime reads an offset or local date-time, a local date or a
// local time (RFC 3339, with a space allowed for the T and, as TOML v1.1
// allows, the seconds left out).
func parseDatetime(s string) (datetime, bool) {
	var d datetime
	if isDate(s) {
		d.HasDate = true
		d.Year, d.Month, d.Day = atoi(s[0:4]), atoi(s[5:7]), atoi(s[8:10])
		if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > daysIn(d.Month, d.Year) {
			return d, false
		}
		s = s[10:]
		if s == "" {
			return d, true
		}
		if s[0] != 'T' && s[0] != 't' && s[0] != ' ' {
			return d, false
		}
		s = s[1:]
	}
	rest, ok := parseTime(&d, s)
	if !ok {
		return d, false
	}
	if rest == "" {
		return d, true
	}
	if !d.HasDate {
		return d, false
	}
	d.HasOffset = true
	if rest == "Z" || rest == "z" {
		return d, true
	}
	if len(rest) != 6 || (rest[0] != '+' && rest[0] != '-') || !allDigits(rest[1:3]) || rest[3] != ':' || !allDigits(rest[4:6]) {
		return d, false
	}
	h, m := atoi(rest[1:3]), atoi(rest[4:6])
	if h > 23 || m > 59 {
		return d, false
	}
	d.OffsetMinutes = h*60 + m
	if rest[0] == '-' {
		d.OffsetMinutes = -d.OffsetMinutes
	}
	return d, true
}

// parseTime reads HH:MM[:SS[.fraction]] into d and returns what follows.
func parseTime(d *datetime, s string) (string, bool) {
	if len(s) < 5 || !allDigits(s[0:2]) || s[2] != ':' || !allDigits(s[3:5]) {
		return s, false
	}
	d.HasTime = true
	d.Hour, d.Minute = atoi(s[0:2]), atoi(s[3:5])
	s = s[5:]
	if len(s) >= 3 && s[0] == ':' && allDigits(s[1:3]) {
		d.Second = atoi(s[1:3])
		s = s[3:]
		if len(s) > 0 && s[0] == '.' {
			n := 1
			for n < len(s) && isDigit(s[n]) {
				n++
			}
			if n == 1 {
				return s, false
			}
			frac := s[1:n]
			if len(frac) > 9 {
				frac = frac[:9] // finer than a nanosecond is cut off, not rounded
			}
			d.Nanos = atoi(frac + strings.Repeat("0", 9-len(frac)))
			s = s[n:]
		}
	}
	return s, d.Hour <= 23 && d.Minute <= 59 && d.Second <= 59
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
