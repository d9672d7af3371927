package jsonx

import "unicode/utf8"

// str reads the string at pos (which holds its opening quote) and returns
// it unescaped. Invalid UTF-8 and escaped surrogates that do not form a pair
// become U+FFFD, as encoding/json reads them.
func (d *decoder) str() (string, error) {
	i := d.pos + 1
	start := i   // data[start:i] is yet to be copied to b
	var b []byte // nil until the string differs from its bytes
	for {
		if i >= len(d.data) {
			d.pos = i
			return "", d.syntax("unterminated string")
		}
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			if b == nil {
				return string(d.data[start:i]), nil
			}
			return string(append(b, d.data[start:i]...)), nil
		case c < 0x20:
			d.pos = i
			return "", d.syntax("control character in a string")
		case c == '\\':
			b = append(b, d.data[start:i]...)
			var err error
			if b, i, err = d.escape(b, i); err != nil {
				return "", err
			}
			start = i
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d.data[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, d.data[start:i]...)
				b = utf8.AppendRune(b, utf8.RuneError)
				start = i + 1
			}
			i += n
		}
	}
}

// escape appends the character the escape at data[i] stands for to b and
// returns the index after the escape.
func (d *decoder) escape(b []byte, i int) ([]byte, int, error) {
	if i+1 >= len(d.data) {
		d.pos = i
		return b, i, d.syntax("unterminated string")
	}
	var c byte
	switch d.data[i+1] {
	case '"', '\\', '/':
		c = d.data[i+1]
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		r, ok := hex4(d.data[i+2:])
		if !ok {
			d.pos = i
			return b, i, d.syntax(`want four hex digits after \u`)
		}
		i += 6
		if r >= 0xd800 && r < 0xe000 {
			// A high surrogate followed by an escaped low one is one
			// character; anything else of the range stands for nothing.
			low := rune(-1)
			if r < 0xdc00 && i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
				low, _ = hex4(d.data[i+2:])
			}
			if low >= 0xdc00 && low < 0xe000 {
				r = 0x10000 + (r-0xd800)<<10 + (low - 0xdc00)
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		return utf8.AppendRune(b, r), i, nil
	default:
		d.pos = i
		return b, i, d.syntax("unknown escape")
	}
	return append(b, c), i + 2, nil
}

// hex4 reads four hex digits; -1 and false if b does not start with them.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return -1, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number as JSON writes it, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
// and returns its text.
func (d *decoder) number() (string, error) {
	start := d.pos
	d.consume('-')
	switch {
	case d.consume('0'):
	case d.digits() == 0:
		return "", d.syntax("want a digit")
	}
	if d.consume('.') && d.digits() == 0 {
		return "", d.syntax("want a digit after '.'")
	}
	if d.consume('e') || d.consume('E') {
		if !d.consume('+') {
			d.consume('-')
		}
		if d.digits() == 0 {
			return "", d.syntax("want a digit in the exponent")
		}
	}
	return string(d.data[start:d.pos]), nil
}

// digits skips decimal digits and returns how many.
func (d *decoder) digits() int {
	n := 0
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
		d.pos++
		n++
	}
	return n
}
