// Package markup writes HTML by hand for the front-ends' pages (the console,
// the HTTP proxy's error and helper pages), escaping every value as
// html/template does. It leaves page layout and content to its callers.
package markup

import (
	"bytes"
	"fmt"
	"strings"
)

// The pages are written by hand rather than with html/template: its reflective
// method lookup (reflect.Value.MethodByName) makes the linker keep every
// exported method of every reachable type; dropping it saved 2.7 MB of the
// 14.5 MB mipsle binary. Every value goes through one of the escaping helpers
// below, which escape as html/template does.

// Buf is a page being written.
type Buf struct{ bytes.Buffer }

// Raw is trusted markup, written as is.
type Raw string

// htmlEscaper escapes text, RCDATA (title, textarea) and quoted attribute
// values.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// F writes format with its arguments, each escaped (fmt's %v of it) unless it
// is Raw. Use only %v verbs.
func (b *Buf) F(format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case Raw:
			args[i] = string(v)
		case string:
			args[i] = htmlEscaper.Replace(v)
		default:
			args[i] = htmlEscaper.Replace(fmt.Sprint(v))
		}
	}
	fmt.Fprintf(&b.Buffer, format, args...)
}

// AttrURL returns s for a quoted href or action attribute: "#ZgotmplZ" for a
// scheme other than http, https or mailto, bytes that URLs may not hold
// percent-encoded, then escaped. It is Raw: write it with f.
func AttrURL(s string) Raw {
	if !safeScheme(s) {
		return "#ZgotmplZ"
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if urlKeeps(s, i) {
			b.WriteByte(s[i])
			continue
		}
		fmt.Fprintf(&b, "%%%02x", s[i])
	}
	return Raw(htmlEscaper.Replace(b.String()))
}

// safeScheme reports whether s is relative or has a harmless scheme.
func safeScheme(s string) bool {
	scheme, _, ok := strings.Cut(s, ":")
	if !ok || strings.Contains(scheme, "/") {
		return true
	}
	return strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") || strings.EqualFold(scheme, "mailto")
}

// urlKeeps reports whether s[i] stays as it is in a normalized URL: RFC 3986
// reserved and unreserved characters and the '%' of an escape already made,
// but not quotes or parentheses.
func urlKeeps(s string, i int) bool {
	switch c := s[i]; {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '%':
		return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
	default:
		return strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
