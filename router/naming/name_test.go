package naming

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"example.i2p", true},
		{"a.i2p", true},
		{"sub.example.i2p", true},
		{"my-site2.i2p", true},
		{"xn--bcher-kva.i2p", true},
		{"www.xn--bcher-kva.i2p", true},
		{strings.Repeat("a", 63) + ".i2p", true},
		{strings.Repeat("a", 64) + ".i2p", false},
		{"i2p", false},
		{".i2p", false},
		{"example.com", false},
		{"Example.i2p", false},
		{"exa_mple.i2p", false},
		{"exa mple.i2p", false},
		{".example.i2p", false},
		{"-example.i2p", false},
		{"a..b.i2p", false},
		{"a.-b.i2p", false},
		{"a-.b.i2p", false},
		{"example-.i2p", false},
		{"ex--ample.i2p", false},
		{"xn--ab.ex--ample.i2p", false},
		{"proxy.i2p", false},
		{"router.i2p", false},
		{"console.i2p", false},
		{"www.console.i2p", false},
		{"myconsole.i2p", true},
		{"b32.i2p", false},
		{"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p", false},
		{"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.i2p", false},
		{"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkd1.i2p", true},
		{"ex\u00e4mple.i2p", false},
	} {
		err := ValidName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, not ErrInvalidName", tt.name, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"Example.I2P.":  "example.i2p",
		"example.i2p":   "example.i2p",
		"EXAMPLE.i2p..": "example.i2p.",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
