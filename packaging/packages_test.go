package packaging_test

import (
	"bytes"
	"crypto/md5"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = ".."

// distEnv names the directory with the built packages (make test-packages
// sets it); without it the tests of built packages skip, so that packages
// left in dist/ by an earlier build do not fail `go test ./...`.
const distEnv = "I2PGATE_DIST"

// ipkSizeTarget is what an .ipk should weigh to fit the flash of small
// routers; ipkSizeLimit fails the test, so the packages do not grow unnoticed
// while the binary is still above the target.
const (
	ipkSizeTarget = 3_500_000
	ipkSizeLimit  = 5 << 20
)

// binaryArch is what the ELF header of a packaged binary must say.
type binaryArch struct {
	machine elf.Machine
	class   elf.Class
	order   binary.ByteOrder
	// softFloatMIPS32: MIPS32 ISA with the soft-float ABI (.MIPS.abiflags),
	// which is what GOMIPS=softfloat gives and what FPU-less routers need.
	softFloatMIPS32 bool
}

var (
	amd64 = binaryArch{machine: elf.EM_X86_64, class: elf.ELFCLASS64, order: binary.LittleEndian}
	arm64 = binaryArch{machine: elf.EM_AARCH64, class: elf.ELFCLASS64, order: binary.LittleEndian}
	arm   = binaryArch{machine: elf.EM_ARM, class: elf.ELFCLASS32, order: binary.LittleEndian}
	mips  = binaryArch{machine: elf.EM_MIPS, class: elf.ELFCLASS32, order: binary.BigEndian, softFloatMIPS32: true}
	mipsl = binaryArch{machine: elf.EM_MIPS, class: elf.ELFCLASS32, order: binary.LittleEndian, softFloatMIPS32: true}
)

// packageArches are the packages `make deb` and `make ipk` build.
var packageArches = []struct {
	format, arch string
	binary       binaryArch
}{
	{"deb", "amd64", amd64},
	{"deb", "arm64", arm64},
	{"deb", "armhf", arm},
	{"ipk", "mipsel_24kc", mipsl},
	{"ipk", "mips_24kc", mips},
	{"ipk", "aarch64_cortex-a53", arm64},
	{"ipk", "arm_cortex-a7_neon-vfpv4", arm},
}

// fileSpec is a file a package must hold: its mode and, when src is set, the
// repository file it is a copy of.
type fileSpec struct {
	mode fs.FileMode
	src  string
}

var debFiles = map[string]fileSpec{
	"/usr/bin/i2pgate":                                   {mode: 0o755},
	"/etc/i2pgate/i2pgate.toml":                          {0o644, "configs/i2pgate.toml"},
	"/lib/systemd/system/i2pgate.service":                {0o644, "systemd/i2pgate.service"},
	"/usr/lib/sysusers.d/i2pgate.conf":                   {0o644, "systemd/i2pgate.sysusers"},
	"/usr/share/doc/i2pgate/examples/i2pgate-dns53.conf": {0o644, "systemd/i2pgate-dns53.conf"},
	"/usr/share/doc/i2pgate/README.md":                   {0o644, "README.md"},
	"/usr/share/doc/i2pgate/README.systemd.md":           {0o644, "systemd/README.md"},
}

var ipkFiles = map[string]fileSpec{
	"/usr/bin/i2pgate":                                      {mode: 0o755},
	"/etc/i2pgate/i2pgate.toml":                             {0o644, "configs/i2pgate.toml"},
	"/etc/config/i2pgate":                                   {0o600, "firmware/openwrt/i2pgate/files/i2pgate.config"},
	"/etc/init.d/i2pgate":                                   {0o755, "firmware/openwrt/i2pgate/files/i2pgate.init"},
	"/etc/uci-defaults/90-i2pgate":                          {0o755, "firmware/openwrt/i2pgate/files/i2pgate.defaults"},
	"/usr/libexec/i2pgate-uci2toml":                         {0o755, "firmware/openwrt/i2pgate/files/i2pgate-uci2toml.sh"},
	"/usr/share/nftables.d/chain-pre/dstnat/30-i2pgate.nft": {0o644, "firmware/openwrt/i2pgate/files/i2pgate.nft"},
	"/lib/upgrade/keep.d/i2pgate":                           {0o644, "firmware/openwrt/i2pgate/files/i2pgate.keep"},
}

var (
	debConffiles = []string{"/etc/i2pgate/i2pgate.toml"}
	ipkConffiles = []string{"/etc/config/i2pgate", "/etc/i2pgate/i2pgate.toml"}
	debScripts   = map[string]string{"postinst": "packaging/deb/postinst", "prerm": "packaging/deb/prerm", "postrm": "packaging/deb/postrm"}
	ipkScripts   = map[string]string{"postinst": "packaging/ipk/postinst", "prerm": "packaging/ipk/prerm"}
)

// debVersion is a Debian/opkg version with the revision nfpm adds.
var debVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*-1$`)

// builtPackage is one package file, unpacked.
type builtPackage struct {
	path, format, arch string
	size               int64
	control            map[string]string
	controlFiles       map[string]tarEntry // control.tar.gz, by name without "./"
	data               map[string]tarEntry // data.tar.gz, by absolute path
}

// findPackages returns the packages of packageArches in the dist directory,
// unpacked (the data archive too when withData is set), or skips when there
// are none at all.
func findPackages(t *testing.T, withData bool) []*builtPackage {
	t.Helper()
	dir := os.Getenv(distEnv)
	if dir == "" {
		t.Skipf("%s is not set: `make test-packages` builds the packages and runs this test", distEnv)
	}
	var found []*builtPackage
	var missing []string
	for _, pa := range packageArches {
		matches, _ := filepath.Glob(filepath.Join(dir, "i2pgate_*_"+pa.arch+"."+pa.format))
		switch len(matches) {
		case 0:
			missing = append(missing, pa.arch+"."+pa.format)
			continue
		case 1:
		default:
			t.Fatalf("%d %s packages for %s in %s: %v", len(matches), pa.format, pa.arch, dir, matches)
		}
		found = append(found, &builtPackage{path: matches[0], format: pa.format, arch: pa.arch})
	}
	if len(found) == 0 {
		t.Skipf("no packages in %s: `make test-packages` builds them and runs this test", dir)
	}
	if len(missing) > 0 {
		t.Fatalf("packages missing in %s: %v", dir, missing)
	}
	for _, p := range found {
		if err := p.unpack(withData); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
	}
	return found
}

func (p *builtPackage) unpack(withData bool) error {
	b, err := os.ReadFile(p.path)
	if err != nil {
		return err
	}
	p.size = int64(len(b))
	var members map[string][]byte
	switch p.format {
	case "deb":
		members, err = debMembers(b)
	case "ipk":
		members, err = ipkMembers(b)
	}
	if err != nil {
		return err
	}
	if string(members["debian-binary"]) != "2.0\n" {
		return fmt.Errorf("debian-binary is %q", members["debian-binary"])
	}
	control, err := readTarGz(members["control.tar.gz"])
	if err != nil {
		return fmt.Errorf("control.tar.gz: %w", err)
	}
	p.controlFiles = make(map[string]tarEntry)
	for _, e := range control {
		p.controlFiles[strings.TrimPrefix(e.Header.Name, "./")] = e
	}
	c, ok := p.controlFiles["control"]
	if !ok {
		return fmt.Errorf("no ./control in control.tar.gz")
	}
	if p.control, err = controlFields(string(c.Data)); err != nil {
		return err
	}
	if !withData {
		return nil
	}
	data, err := readTarGz(members["data.tar.gz"])
	if err != nil {
		return fmt.Errorf("data.tar.gz: %w", err)
	}
	p.data = make(map[string]tarEntry)
	for _, e := range data {
		if !strings.HasPrefix(e.Header.Name, "./") {
			return fmt.Errorf("data.tar.gz: %q is not ./-relative", e.Header.Name)
		}
		name := "/" + strings.Trim(strings.TrimPrefix(e.Header.Name, "./"), "/")
		if _, dup := p.data[name]; dup {
			return fmt.Errorf("data.tar.gz: %s twice", name)
		}
		p.data[name] = e
	}
	return nil
}

// debMembers checks the ar layout dpkg requires (debian-binary, then the
// control archive, then the data archive) and returns the members by name.
func debMembers(b []byte) (map[string][]byte, error) {
	ms, err := readAr(b)
	if err != nil {
		return nil, err
	}
	want := []string{"debian-binary", "control.tar.gz", "data.tar.gz"}
	if len(ms) != len(want) {
		return nil, fmt.Errorf("%d ar members, want %v", len(ms), want)
	}
	out := make(map[string][]byte)
	for i, m := range ms {
		if m.Name != want[i] {
			return nil, fmt.Errorf("ar member %d is %q, want %q", i, m.Name, want[i])
		}
		out[m.Name] = m.Data
	}
	return out, nil
}

// ipkMembers checks the layout OpenWrt's opkg reads: a gzip-compressed tar
// (not ar) of ./debian-binary, ./control.tar.gz and ./data.tar.gz, found by
// name with or without the "./".
func ipkMembers(b []byte) (map[string][]byte, error) {
	entries, err := readTarGz(b)
	if err != nil {
		return nil, fmt.Errorf("outer archive: %w", err)
	}
	out := make(map[string][]byte)
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Header.Name, "./")
		if !ok {
			return nil, fmt.Errorf("outer archive: %q without ./", e.Header.Name)
		}
		if e.Header.Typeflag != '0' {
			return nil, fmt.Errorf("outer archive: %s is not a regular file", name)
		}
		out[name] = e.Data
	}
	for _, n := range []string{"debian-binary", "control.tar.gz", "data.tar.gz"} {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("outer archive: no ./%s", n)
		}
	}
	if len(out) != 3 {
		return nil, fmt.Errorf("outer archive: %d entries, want 3", len(out))
	}
	return out, nil
}

func readRepoFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPackages(t *testing.T) {
	pkgs := findPackages(t, true)
	version := pkgs[0].control["Version"]
	for _, p := range pkgs {
		t.Run(filepath.Base(p.path), func(t *testing.T) {
			t.Parallel()
			checkControl(t, p, version)
			files, conffiles, scripts := debFiles, debConffiles, debScripts
			if p.format == "ipk" {
				files, conffiles, scripts = ipkFiles, ipkConffiles, ipkScripts
			}
			checkConffiles(t, p, conffiles)
			checkScripts(t, p, scripts)
			checkData(t, p, files)
			if p.format == "deb" {
				checkMD5Sums(t, p)
			}
			for _, pa := range packageArches {
				if pa.format == p.format && pa.arch == p.arch {
					checkBinary(t, p.data["/usr/bin/i2pgate"].Data, pa.binary)
				}
			}
			bin := p.data["/usr/bin/i2pgate"].Header.Size
			t.Logf("%s: package %d bytes (%.2f MiB), binary %d bytes (%.2f MiB)",
				filepath.Base(p.path), p.size, float64(p.size)/(1<<20), bin, float64(bin)/(1<<20))
			if p.format == "ipk" {
				if p.size > ipkSizeLimit {
					t.Errorf("ipk is %d bytes, over the %d limit", p.size, ipkSizeLimit)
				} else if p.size > ipkSizeTarget {
					t.Logf("ipk is %d bytes, over the %d target", p.size, ipkSizeTarget)
				}
			}
		})
	}
}

func checkControl(t *testing.T, p *builtPackage, version string) {
	t.Helper()
	c := p.control
	want := map[string]string{"Package": "i2pgate", "Architecture": p.arch, "Version": version, "Section": "net", "Priority": "optional"}
	if p.format == "ipk" {
		want["Require-User"] = "i2pgate:i2pgate"
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("control %s = %q, want %q", k, c[k], v)
		}
	}
	if !debVersion.MatchString(c["Version"]) {
		t.Errorf("Version %q is not a package version", c["Version"])
	}
	if !strings.Contains(filepath.Base(p.path), "_"+c["Version"]+"_") {
		t.Errorf("file name %s does not carry Version %s", p.path, c["Version"])
	}
	if m := c["Maintainer"]; !regexp.MustCompile(`^[^<>]+ <[^<>@ ]+@[^<>@ ]+>$`).MatchString(m) {
		t.Errorf("Maintainer %q is not Name <address>", m)
	}
	desc, _, _ := strings.Cut(c["Description"], "\n")
	if len(desc) < 10 || !strings.Contains(c["Description"], "\n") {
		t.Errorf("Description %q: needs a synopsis and a long description", c["Description"])
	}
	// The binary is static. The .ipk's is built without TLS and reseeds
	// over https through OpenWrt's fetcher (see nfpm-ipk.yaml).
	wantDeps := map[string]string{}
	if p.format == "ipk" {
		wantDeps["Depends"] = "uclient-fetch, ca-bundle"
	}
	for _, k := range []string{"Depends", "Pre-Depends"} {
		if v, ok := c[k]; ok != (wantDeps[k] != "") || v != wantDeps[k] {
			t.Errorf("control %s: %q, want %q", k, v, wantDeps[k])
		}
	}
	if p.format == "deb" && c["Installed-Size"] == "" {
		t.Error("no Installed-Size")
	}
}

func checkConffiles(t *testing.T, p *builtPackage, want []string) {
	t.Helper()
	e, ok := p.controlFiles["conffiles"]
	if !ok {
		t.Error("no conffiles")
		return
	}
	got := strings.Fields(string(e.Data))
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("conffiles %v, want %v", got, want)
	}
	for _, f := range got {
		if _, ok := p.data[f]; !ok {
			t.Errorf("conffile %s is not in the package", f)
		}
	}
}

func checkScripts(t *testing.T, p *builtPackage, want map[string]string) {
	t.Helper()
	for name, src := range want {
		e, ok := p.controlFiles[name]
		if !ok {
			t.Errorf("no %s script", name)
			continue
		}
		if m := fs.FileMode(e.Header.Mode).Perm(); m != 0o755 {
			t.Errorf("%s mode %o, want 755", name, m)
		}
		if !bytes.Equal(e.Data, readRepoFile(t, src)) {
			t.Errorf("%s differs from %s", name, src)
		}
	}
	for name := range p.controlFiles {
		switch name {
		case "", "control", "conffiles", "md5sums":
		default:
			if _, ok := want[name]; !ok {
				t.Errorf("unexpected control file %s", name)
			}
		}
	}
}

func checkData(t *testing.T, p *builtPackage, want map[string]fileSpec) {
	t.Helper()
	for name, e := range p.data {
		h := e.Header
		if h.Uid != 0 || h.Gid != 0 || (h.Uname != "" && h.Uname != "root") || (h.Gname != "" && h.Gname != "root") {
			t.Errorf("%s owned by %d(%s):%d(%s), want root", name, h.Uid, h.Uname, h.Gid, h.Gname)
		}
		mode := fs.FileMode(h.Mode)
		if h.Mode&0o7000 != 0 {
			t.Errorf("%s has mode %o: no setuid, setgid or sticky bits", name, h.Mode)
		}
		switch h.Typeflag {
		case '5':
			if mode.Perm() != 0o755 {
				t.Errorf("directory %s mode %o, want 755", name, mode.Perm())
			}
		case '0':
			spec, ok := want[name]
			if !ok {
				t.Errorf("unexpected file %s", name)
				continue
			}
			if mode.Perm() != spec.mode {
				t.Errorf("%s mode %o, want %o", name, mode.Perm(), spec.mode)
			}
			if spec.src != "" && !bytes.Equal(e.Data, readRepoFile(t, spec.src)) {
				t.Errorf("%s differs from %s", name, spec.src)
			}
			if int64(len(e.Data)) != h.Size || h.Size == 0 {
				t.Errorf("%s: %d bytes, header says %d", name, len(e.Data), h.Size)
			}
		default:
			t.Errorf("%s: unexpected tar type %q", name, h.Typeflag)
		}
	}
	for name := range want {
		if _, ok := p.data[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
}

// checkMD5Sums: dpkg's md5sums lists every regular file with its digest.
func checkMD5Sums(t *testing.T, p *builtPackage) {
	t.Helper()
	e, ok := p.controlFiles["md5sums"]
	if !ok {
		t.Error("no md5sums")
		return
	}
	listed := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(string(e.Data)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Errorf("md5sums line %q", line)
			continue
		}
		listed["/"+name] = sum
	}
	for name, d := range p.data {
		if d.Header.Typeflag != '0' {
			continue
		}
		sum := md5.Sum(d.Data)
		if listed[name] != hex.EncodeToString(sum[:]) {
			t.Errorf("md5sums: %s listed as %q, is %x", name, listed[name], sum)
		}
	}
}

// checkBinary reports the problems binaryProblems finds.
func checkBinary(t *testing.T, b []byte, want binaryArch) {
	t.Helper()
	for _, p := range binaryProblems(b, want) {
		t.Error("binary: " + p)
	}
}

// binaryProblems checks the ELF header of a packaged binary: machine, word
// size, byte order, static (no interpreter), the ARM EABI version, and for
// MIPS the MIPS32 ISA with the soft-float ABI.
func binaryProblems(b []byte, want binaryArch) []string {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	var probs []string
	if f.Machine != want.machine || f.Class != want.class || f.ByteOrder != want.order {
		probs = append(probs, fmt.Sprintf("%v %v %v, want %v %v %v", f.Machine, f.Class, f.ByteOrder, want.machine, want.class, want.order))
	}
	if f.Type != elf.ET_EXEC {
		probs = append(probs, fmt.Sprintf("type %v, want a static executable", f.Type))
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP || prog.Type == elf.PT_DYNAMIC {
			probs = append(probs, fmt.Sprintf("has %v: not static", prog.Type))
		}
	}
	if f.Machine == elf.EM_ARM && f.Class == elf.ELFCLASS32 {
		if eabi := elf32Flags(b, f) >> 24; eabi != 5 {
			probs = append(probs, fmt.Sprintf("ARM EABI version %d, want 5", eabi))
		}
	}
	if want.softFloatMIPS32 {
		probs = append(probs, mipsProblems(b, f)...)
	}
	return probs
}

// ELF header flags of MIPS, and the MIPS ABI flags section (MIPS ABI
// supplement, "ABI flags"): isa_level at byte 2, fp_abi at byte 7.
const (
	efMIPSArchMask = 0xf0000000
	efMIPSArch32   = 0x50000000
	mipsFPSoft     = 3 // Val_GNU_MIPS_ABI_FP_SOFT
	mipsISA32      = 32
)

// elf32Flags reads e_flags of an ELF32 header (after e_entry, e_phoff and
// e_shoff, at byte 36).
func elf32Flags(b []byte, f *elf.File) uint32 {
	if f.Class != elf.ELFCLASS32 || len(b) < 40 {
		return 0
	}
	return f.ByteOrder.Uint32(b[36:40])
}

func mipsProblems(b []byte, f *elf.File) []string {
	var probs []string
	if flags := elf32Flags(b, f); flags&efMIPSArchMask != efMIPSArch32 {
		probs = append(probs, fmt.Sprintf("MIPS e_flags %#x: not MIPS32", flags))
	}
	s := f.Section(".MIPS.abiflags")
	if s == nil {
		return append(probs, "no .MIPS.abiflags section: cannot tell the float ABI")
	}
	af, err := s.Data()
	if err != nil || len(af) < 24 {
		return append(probs, fmt.Sprintf(".MIPS.abiflags: %d bytes, %v", len(af), err))
	}
	if af[2] != mipsISA32 {
		probs = append(probs, fmt.Sprintf("MIPS ISA level %d, want 32", af[2]))
	}
	if af[7] != mipsFPSoft {
		probs = append(probs, fmt.Sprintf("MIPS FP ABI %d, want %d (soft float): routers without an FPU need GOMIPS=softfloat", af[7], mipsFPSoft))
	}
	return probs
}

// TestBinaryChecksCatchWrongBuilds: the checks of TestPackages refuse a
// little-endian MIPS binary as big-endian MIPS, and a hard-float copy of the
// soft-float binary (fp_abi in .MIPS.abiflags set to double).
func TestBinaryChecksCatchWrongBuilds(t *testing.T) {
	bins := make(map[string][]byte)
	for _, p := range findPackages(t, true) {
		bins[p.arch] = p.data["/usr/bin/i2pgate"].Data
	}
	soft, le := bins["mips_24kc"], bins["mipsel_24kc"]
	if p := binaryProblems(soft, mips); len(p) != 0 {
		t.Fatalf("the mips binary itself is refused: %v", p)
	}
	if p := binaryProblems(le, mips); len(p) == 0 {
		t.Error("little-endian binary accepted as mips")
	}
	f, err := elf.NewFile(bytes.NewReader(soft))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(".MIPS.abiflags")
	if s == nil {
		t.Fatal("no .MIPS.abiflags")
	}
	hard := bytes.Clone(soft)
	hard[s.Offset+7] = 1 // Val_GNU_MIPS_ABI_FP_DOUBLE
	if p := binaryProblems(hard, mips); len(p) == 0 {
		t.Error("hard-float binary accepted")
	}
	if p := binaryProblems(bins["aarch64_cortex-a53"], arm); len(p) == 0 {
		t.Error("arm64 binary accepted as arm")
	}
}

// TestPackagesAgreeWithDpkg: dpkg-deb reads the .deb files as this test does.
func TestPackagesAgreeWithDpkg(t *testing.T) {
	dpkgDeb, err := exec.LookPath("dpkg-deb")
	if err != nil {
		t.Skip("dpkg-deb not installed")
	}
	for _, p := range findPackages(t, false) {
		if p.format != "deb" {
			continue
		}
		out, err := exec.Command(dpkgDeb, "--field", p.path, "Package", "Version", "Architecture").CombinedOutput()
		if err != nil {
			t.Errorf("dpkg-deb --field %s: %v: %s", p.path, err, out)
			continue
		}
		want := fmt.Sprintf("Package: i2pgate\nVersion: %s\nArchitecture: %s\n", p.control["Version"], p.arch)
		if string(out) != want {
			t.Errorf("dpkg-deb says %q, want %q", out, want)
		}
		out, err = exec.Command(dpkgDeb, "--contents", p.path).CombinedOutput()
		if err != nil || !regexp.MustCompile(`(?m)^-rwxr-xr-x root/root +[0-9]+ .* \./usr/bin/i2pgate$`).Match(out) {
			t.Errorf("dpkg-deb --contents %s: %v: no root-owned 0755 ./usr/bin/i2pgate in\n%s", p.path, err, out)
		}
	}
}

// hostBinary returns the packaged binary that runs here (from the amd64 or
// arm64 .deb), or "" when there are no packages for this machine.
func hostBinary(t *testing.T) (path string, pkg *builtPackage) {
	t.Helper()
	arch := map[string]string{"amd64": "amd64", "arm64": "arm64"}[runtime.GOARCH]
	if arch == "" || runtime.GOOS != "linux" {
		return "", nil
	}
	dir := os.Getenv(distEnv)
	if dir == "" {
		return "", nil
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "i2pgate_*_"+arch+".deb"))
	if len(matches) != 1 {
		return "", nil
	}
	p := &builtPackage{path: matches[0], format: "deb", arch: arch}
	if err := p.unpack(true); err != nil {
		t.Fatalf("%s: %v", p.path, err)
	}
	path = filepath.Join(t.TempDir(), "i2pgate")
	if err := os.WriteFile(path, p.data["/usr/bin/i2pgate"].Data, 0o755); err != nil {
		t.Fatal(err)
	}
	return path, p
}

// TestPackagedBinaryVersion: the binary in the package runs and reports the
// version the package carries (packaging/version.sh of its own version).
func TestPackagedBinaryVersion(t *testing.T) {
	bin, p := hostBinary(t)
	if bin == "" {
		t.Skip("no .deb for this machine's architecture: run make test-packages")
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("i2pgate version: %v: %s", err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 || fields[0] != "i2pgate" {
		t.Fatalf("i2pgate version printed %q", out)
	}
	upstream := strings.TrimSuffix(p.control["Version"], "-1")
	if got := runVersionScript(t, fields[1]); got != upstream {
		t.Errorf("binary version %q gives package version %q, the package has %q", fields[1], got, upstream)
	}
}
