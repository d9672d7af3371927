// Package packaging holds no code: it is the home of the package tests, which
// check what `make deb` and `make ipk` build (control fields, conffiles, file
// modes and owners, the architecture of the binary inside) and the files they
// are built from: the nfpm configurations here, the maintainer scripts, the
// systemd units in systemd/ and the OpenWrt package in firmware/openwrt.
//
// The packages themselves are built by nfpm (packaging/tools, a module of its
// own so the main go.mod stays small); `make test-packages` builds them and
// runs these tests with I2PGATE_DIST pointing at dist/. Without I2PGATE_DIST
// the tests of built packages skip and the checks of the source files (scripts,
// units, configurations) still run.
package packaging
