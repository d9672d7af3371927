package data

import "testing"

func BenchmarkParseRouterInfoVerify(b *testing.B) {
	ri, _ := testRouterInfo(b)
	raw := ri.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseRouterInfo(raw)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRouterInfo(b *testing.B) {
	ri, _ := testRouterInfo(b)
	raw := ri.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRouterInfo(raw); err != nil {
			b.Fatal(err)
		}
	}
}
