package data

import (
	"bytes"
	"strings"
	"testing"
)

// TestErrorPrefix checks that every error carries the package prefix
// exactly once, however deeply it was wrapped.
func TestErrorPrefix(t *testing.T) {
	ri, k := testRouterInfo(t)
	ls2, err := NewLeaseSet2(testLeaseSet2Params(t, k), testSigner(t, k))
	if err != nil {
		t.Fatal(err)
	}
	ri2 := bytes.Clone(ri.Bytes())
	ri2[len(ri2)-1] ^= 1
	badRI, _ := ParseRouterInfo(ri2)
	ls2b := bytes.Clone(ls2.Bytes())
	ls2b[len(ls2b)-1] ^= 1
	badLS2, _ := ParseLeaseSet2(ls2b)
	var errs []error
	for _, n := range []int{10, 390, 395, 420, 500, len(ri.Bytes()) - 1} {
		_, err := ParseRouterInfo(ri.Bytes()[:n])
		errs = append(errs, err)
	}
	for _, n := range []int{10, 400, 420, len(ls2.Bytes()) - 1} {
		_, err := ParseLeaseSet2(ls2.Bytes()[:n])
		errs = append(errs, err)
		_, err = ParseLeaseSet(ls2.Bytes()[:n])
		errs = append(errs, err)
	}
	_, err = ParsePrivateKeys(k.Bytes()[:400])
	errs = append(errs, err, badRI.Verify(), badLS2.Verify())
	_, _, err = ParseMapping([]byte{0, 3, 1, 'a'})
	errs = append(errs, err)
	_, _, err = ParseRouterAddress([]byte{1, 2})
	errs = append(errs, err)
	var m Mapping
	errs = append(errs, m.Set(strings.Repeat("k", 300), ""))
	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "data: ") || strings.Count(msg, "data:") != 1 {
			t.Errorf("case %d: %q", i, msg)
		}
	}
}
