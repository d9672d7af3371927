package config

import "reflect"

// Changed lists the keys (as Keys names them) whose values differ between
// a and b, sorted; the [tunnels.NAME] sections are left to the caller.
func Changed(a, b *Config) []string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	var out []string
	for _, k := range Keys() {
		fa, err := field(va, k)
		if err != nil {
			continue
		}
		fb, _ := field(vb, k)
		if !reflect.DeepEqual(fa.Interface(), fb.Interface()) && !bothEmptyLists(fa, fb) {
			out = append(out, k)
		}
	}
	return out
}

// bothEmptyLists treats a nil list and an empty one as equal.
func bothEmptyLists(a, b reflect.Value) bool {
	return a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0
}
