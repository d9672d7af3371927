package markup

import (
	"strings"
	"testing"
)

func TestAttrURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://a.i2p/x?y=1&z=2", "http://a.i2p/x?y=1&amp;z=2"},
		{"HTTPS://a.i2p/", "HTTPS://a.i2p/"},
		{"/rel/path?q=a+b", "/rel/path?q=a&#43;b"},
		{"http://a.i2p/\"><script>'()", "http://a.i2p/%22%3e%3cscript%3e%27%28%29"},
		{"http://a.i2p/a b/é", "http://a.i2p/a%20b/%c3%a9"},
		{"http://a.i2p/%41%zz%4", "http://a.i2p/%41%25zz%254"},
		{"javascript:alert(1)", "#ZgotmplZ"},
		{" JavaScript:x", "#ZgotmplZ"},
		{"data:text/html,x", "#ZgotmplZ"},
		{"./javascript:x", "./javascript:x"},
	}
	for _, tt := range tests {
		if got := string(AttrURL(tt.in)); got != tt.want {
			t.Errorf("AttrURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzAttrURL(f *testing.F) {
	for _, s := range []string{"http://a.i2p/?a=1&b=2", "javascript:x", "/\"'<>", "%zz", "\x00é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(AttrURL(s))
		if strings.ContainsAny(got, "\"'<> \x00\t\n") {
			t.Fatalf("AttrURL(%q) = %q", s, got)
		}
		if got != "#ZgotmplZ" && !safeScheme(s) {
			t.Fatalf("AttrURL(%q) = %q: scheme not filtered", s, got)
		}
	})
}
