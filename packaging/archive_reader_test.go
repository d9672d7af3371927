package packaging_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// arFile builds an ar archive the way dpkg-deb does: GNU names ending in "/"
// are accepted too, odd-sized members get a "\n" pad.
func arFile(members ...arMember) []byte {
	var b bytes.Buffer
	b.WriteString(arMagic)
	for _, m := range members {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", m.Name, 0, 0, 0, m.Mode, len(m.Data))
		b.Write(m.Data)
		if len(m.Data)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func TestReadAr(t *testing.T) {
	in := []arMember{
		{Name: "debian-binary", Mode: 0o100644, Data: []byte("2.0\n")},
		{Name: "control.tar.gz/", Mode: 0o100644, Data: []byte("odd")},
		{Name: "data.tar.gz", Mode: 0o100600, Data: []byte("even")},
	}
	got, err := readAr(arFile(in...))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"debian-binary", "control.tar.gz", "data.tar.gz"}
	if len(got) != len(want) {
		t.Fatalf("%d members, want %d", len(got), len(want))
	}
	for i, m := range got {
		if m.Name != want[i] || m.Mode != in[i].Mode || !bytes.Equal(m.Data, in[i].Data) {
			t.Errorf("member %d = %q %o %q, want %q %o %q", i, m.Name, m.Mode, m.Data, want[i], in[i].Mode, in[i].Data)
		}
	}
}

func TestReadArRejects(t *testing.T) {
	good := arFile(arMember{Name: "a", Mode: 0o644, Data: []byte("xyz")})
	tests := map[string][]byte{
		"no magic":       []byte("!<arch>"),
		"short header":   good[:len(arMagic)+20],
		"short data":     good[:len(good)-3],
		"bad header end": append(append([]byte(nil), good[:len(arMagic)+58]...), "xx"...),
		"bad padding":    append(append([]byte(nil), good[:len(good)-1]...), 'x', 'y'),
	}
	for name, b := range tests {
		if _, err := readAr(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestReadArMatchesBinutils reads an archive written by binutils' ar.
func TestReadArMatchesBinutils(t *testing.T) {
	arPath, err := exec.LookPath("ar")
	if err != nil {
		t.Skip("binutils ar not installed")
	}
	dir := t.TempDir()
	files := map[string]string{"debian-binary": "2.0\n", "odd.txt": "12345"}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(arPath, "rcD", "x.a", "debian-binary", "odd.txt")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ar: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "x.a"))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := readAr(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Name != "debian-binary" || string(ms[1].Data) != "12345" {
		t.Errorf("members %+v", ms)
	}
}

func FuzzReadAr(f *testing.F) {
	f.Add(arFile(arMember{Name: "debian-binary", Mode: 0o644, Data: []byte("2.0\n")}))
	f.Add([]byte(arMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := readAr(b)
		if err != nil {
			return
		}
		// What was read must read the same when written again.
		again, err := readAr(arFile(ms...))
		if err != nil || len(again) != len(ms) {
			t.Fatalf("round trip: %v, %d members of %d", err, len(again), len(ms))
		}
		for i := range ms {
			if !bytes.Equal(again[i].Data, ms[i].Data) {
				t.Fatalf("member %d changed", i)
			}
		}
	})
}

func TestControlFields(t *testing.T) {
	f, err := controlFields("Package: i2pgate\nDescription: short\n long line\n .\n more\nVersion: 1.0-1\n")
	if err != nil {
		t.Fatal(err)
	}
	if f["Package"] != "i2pgate" || f["Version"] != "1.0-1" || f["Description"] != "short\nlong line\n.\nmore" {
		t.Errorf("fields %q", f)
	}
	for _, bad := range []string{" leading continuation\n", "Package i2pgate\n", "A: 1\nA: 2\n"} {
		if _, err := controlFields(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
