package toml

import (
	"fmt"
	"math"
	"strconv"
)

// toAny turns a parsed value into plain Go values: map[string]any, []any,
// string, int64, float64, bool and datetime.
func toAny(v *value) any {
	switch v.kind {
	case kindString:
		return v.str
	case kindInteger:
		return v.num
	case kindFloat:
		return v.flt
	case kindBool:
		return v.num != 0
	case kindDatetime:
		return v.dt
	case kindArray:
		a := make([]any, len(v.arr))
		for i, e := range v.arr {
			a[i] = toAny(e)
		}
		return a
	}
	return tableAny(v.tab)
}

func tableAny(t *table) map[string]any {
	m := make(map[string]any, len(t.keys))
	for _, k := range t.keys {
		m[k] = toAny(t.vals[k])
	}
	return m
}

// parseAny parses text into plain Go values.
func parseAny(text []byte) (map[string]any, error) {
	t, err := parse(text)
	if err != nil {
		return nil, err
	}
	return tableAny(t), nil
}

// sameTree compares two plain trees (ours and another's normalized the same
// way) and describes the first difference.
func sameTree(a, b any, path string) error {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: table vs %T", path, b)
		}
		if len(a) != len(bm) {
			return fmt.Errorf("%s: %d keys vs %d", path, len(a), len(bm))
		}
		for k, v := range a {
			w, ok := bm[k]
			if !ok {
				return fmt.Errorf("%s: key %q missing", path, k)
			}
			if err := sameTree(v, w, path+"."+strconv.Quote(k)); err != nil {
				return err
			}
		}
		return nil
	case []any:
		ba, ok := b.([]any)
		if !ok {
			return fmt.Errorf("%s: array vs %T", path, b)
		}
		if len(a) != len(ba) {
			return fmt.Errorf("%s: %d elements vs %d", path, len(a), len(ba))
		}
		for i := range a {
			if err := sameTree(a[i], ba[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case float64:
		bf, ok := b.(float64)
		if !ok || !(math.IsNaN(a) && math.IsNaN(bf) || math.Float64bits(a) == math.Float64bits(bf)) {
			return fmt.Errorf("%s: %v vs %v (%T)", path, a, b, b)
		}
		return nil
	}
	if a != b {
		return fmt.Errorf("%s: %#v vs %#v", path, a, b)
	}
	return nil
}
