# i2pgate — see README.md. Every target works on a fresh machine of this kind as root;
# what a target needs beyond Go is installed by scripts/install-deps.sh.

GO        ?= go
BIN       := dist/i2pgate
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# Size, for routers with 8-16 MB of flash (make size): net/http without its
# bundled HTTP/2 (nothing here speaks it: the console and the proxies serve
# HTTP/1.1, reseed servers answer it), and no inlining in the packages off the
# routing path (HTTP for the LAN front-ends and reseeding, DNS, configuration,
# JSON, the store's B+tree, logging, the netdb, peer selection, lease sets,
# garlic routing of netdb and build messages, legacy signatures (DSA, ECDSA,
# RSA), formatting, reflection, the net and os packages), about 0.6 MB less on
# mipsle. What every data message passes through keeps its inlining: the
# transports, the tunnel layer, the ratchet, streaming, I2NP, the symmetric
# crypto, the runtime, sync and the poller.
BUILD_TAGS := nethttpomithttp2
# OpenWrt builds (mips, mipsle and the binaries of every .ipk) leave Go's TLS
# stack out (tag notls, 0.8 MB of a mipsle binary): nothing but reseeding
# speaks TLS, and there the box's own fetcher does it (uclient-fetch with the
# firmware's ustream-ssl, or curl or wget; reseed.command), as i2pd's package
# relies on the system's OpenSSL. The SU3 signature, checked by i2pgate, is what
# makes reseed data trusted, not TLS.
OPENWRT_TAGS := $(BUILD_TAGS),notls
NOINLINE  := net/http/... crypto/tls/... crypto/x509/... encoding/asn1 encoding/json encoding/pem \
             mime/... archive/zip compress/... net/textproto net/url fmt log/slog/... vendor/... \
             golang.org/x/net/... github.com/miekg/dns github.com/BurntSushi/toml/... \
             github.com/armon/go-socks5 github.com/coreos/go-systemd/v22/... go.etcd.io/bbolt/... \
             i2pgate/cmd/... i2pgate/gateway/... i2pgate/internal/... i2pgate/router/naming/... \
             i2pgate/router/netdb/... i2pgate/router/data i2pgate/router/destination \
             i2pgate/router/clock/... i2pgate/router/i2cp i2pgate/router/datagram i2pgate/router/store \
             i2pgate/router/tunnel/pool \
             crypto/internal/fips140/nistec crypto/internal/fips140/ecdsa crypto/ecdsa crypto/elliptic \
             crypto/dsa math/big crypto/hpke crypto/internal/fips140/mlkem \
             crypto/internal/fips140/rsa crypto/internal/fips140/bigmod crypto/rsa filippo.io/edwards25519/... \
             reflect strconv time os/... sort unicode/... net/netip net syscall internal/syscall/... \
             bufio io/... context strings bytes errors path/... encoding/base64 encoding/base32 encoding/hex \
             i2pgate/router/garlic
GOFLAGS_COMMON := -trimpath $(foreach p,$(NOINLINE),-gcflags=$(p)=-l) -ldflags "$(LDFLAGS)"
GOFLAGS_BUILD := -tags $(BUILD_TAGS) $(GOFLAGS_COMMON)
GOFLAGS_OPENWRT := -tags $(OPENWRT_TAGS) $(GOFLAGS_COMMON)
export CGO_ENABLED := 0
# Packages listed by make size.
SIZE_TOP  ?= 30

# name:GOARCH:GOARM:GOMIPS[:openwrt] -> dist/i2pgate-<name>; "openwrt" builds
# with OPENWRT_TAGS (no TLS). MIPS boxes run OpenWrt only; the ARM builds for
# OpenWrt's .ipk are the -openwrt ones, the others go into the .deb.
CROSS := linux-amd64:amd64:: linux-arm64:arm64:: linux-armv6:arm:6: linux-armv7:arm:7: \
         linux-mips:mips::softfloat:openwrt linux-mipsle:mipsle::softfloat:openwrt \
         linux-arm64-openwrt:arm64:::openwrt linux-armv7-openwrt:arm:7::openwrt
# MIPS segments aligned to 4 KiB pages, the page size of OpenWrt's MIPS
# kernels (24Kc and 74Kc targets), instead of Go's default 64 KiB, which is
# for kernels with 64 KiB pages: up to 3 x 60 KiB less padding in the file.
MIPS_LDFLAGS := -R 0x1000
# The largest OpenWrt binary allowed, 8 MiB of flash (make size-check, part
# of make test).
MAX_OPENWRT_BINARY := 8388608

.PHONY: all build run test test-unit test-cross test-testnet check cross size fuzz \
        deps testnet-up testnet-down clean deb ipk test-packages systemd-test \
        size-check qemu-smoke measure-writes rss-compare boot-robustness bench-e2e

all: build

build:
	@mkdir -p dist
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./cmd/i2pgate

# Runs the gateway with its embedded default config; data in ./data.
run: build
	./$(BIN) run --datadir=./data

# Everything CI runs.
test: deps check size-check test-cross test-testnet
	@echo "make test: all passed"

deps:
	@scripts/install-deps.sh

# gofmt, go vet, the unit tests with the race detector (which include the
# import-rule tests in router/ and gateway/), a build of every binary, and the
# OpenWrt build (OPENWRT_TAGS) with the tests that depend on its tags.
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...
	$(GO) build ./...
	$(GO) build -tags $(OPENWRT_TAGS) ./...
	$(GO) test -count=1 -tags $(OPENWRT_TAGS) ./router/netdb/reseed/... ./router/netx/...

test-unit:
	$(GO) test -count=1 ./...

# The unit tests of router/... as 32-bit ARM, MIPS (big-endian) and MIPSLE binaries
# under qemu-user-static.
test-cross: deps
	scripts/test-cross.sh

# A private testnet of i2pd routers: up, eepsite fetched through i2pd, down; then
# i2pgate joins it (NTCP2 both ways, RouterInfo stored by the floodfills, netdb
# complete, restart without reseed); then tunnels: i2pgate's exploratory
# tunnels through i2pd, netdb lookups through them, i2pd's transit tunnels
# through i2pgate and the eepsite served through i2pgate's transit; then end
# to end: i2pgate's client tunnel fetches from the i2pd eepsite and i2pd's HTTP
# proxy fetches from i2pgate's server tunnel (1 KB, 1 MB, 20 MB, sha256).
# The LAN gateway test (test-gateway, with the browser check: chromium is
# installed) follows tunnels. e2e runs beside them on a testnet of its own
# (TESTNET_E2E_NS, default i2pgate-e2e, and TESTNET_E2E_DIR; the others use
# TESTNET_NS, default i2pgate-tn, and gateway.sh gw-tn with gw-tn-lan):
# its 20 MB transfers take some 6 minutes bound by tunnel throughput, not CPU,
# about as long as the other four together, so the whole takes about as long
# as e2e alone. Every script runs even when one fails; its output follows
# theirs; each one's wall time is printed.
TESTNET_SERIAL := smoke join tunnels gateway
test-testnet: deps
	scripts/install-deps.sh --chromium
	@mkdir -p dist/test-artifacts
	@rc=0; e2elog=dist/test-artifacts/testnet-e2e.log; t0=$$(date +%s); \
	  echo "test-testnet: e2e.sh runs in the background (output: $$e2elog)"; \
	  TESTNET_NS=$${TESTNET_E2E_NS:-i2pgate-e2e} TESTNET_DIR=$${TESTNET_E2E_DIR:-/tmp/i2pgate-e2e} \
	    scripts/testnet/e2e.sh >$$e2elog 2>&1 & e2e=$$!; \
	  trap 'kill -TERM $$e2e 2>/dev/null; wait $$e2e; exit 130' INT TERM; \
	  for s in $(TESTNET_SERIAL); do \
	    t=$$(date +%s); GW_BROWSER=1 scripts/testnet/$$s.sh || rc=1; \
	    echo "test-testnet: $$s.sh took $$(( $$(date +%s) - t )) s"; \
	  done; \
	  wait $$e2e || rc=1; trap - INT TERM; \
	  echo "---- scripts/testnet/e2e.sh (ran in the background)"; cat $$e2elog; \
	  echo "test-testnet: all done in $$(( $$(date +%s) - t0 )) s"; \
	  exit $$rc

cross:
	@mkdir -p dist
	@set -e; for t in $(CROSS); do \
	  name=$${t%%:*}; rest=$${t#*:}; arch=$${rest%%:*}; rest=$${rest#*:}; \
	  arm=$${rest%%:*}; rest=$${rest#*:}; mips=$${rest%%:*}; flavour=$${rest#$$mips}; \
	  echo "build dist/i2pgate-$$name"; \
	  if [ "$$flavour" = ":openwrt" ]; then tags="$(OPENWRT_TAGS)"; else tags="$(BUILD_TAGS)"; fi; \
	  if [ -n "$$mips" ]; then ld="$(LDFLAGS) $(MIPS_LDFLAGS)"; else ld="$(LDFLAGS)"; fi; \
	  GOOS=linux GOARCH=$$arch GOARM=$$arm GOMIPS=$$mips \
	    $(GO) build -tags $$tags $(GOFLAGS_COMMON) -ldflags "$$ld" -o dist/i2pgate-$$name ./cmd/i2pgate; \
	done

# Each cross binary's size, then where the bytes of the mipsle one go (an
# unstripped build of it, summed per package: scripts/size.sh).
size: cross
	@for f in dist/i2pgate-linux-*; do \
	  stat -c "%s %n" $$f | awk '{printf "%-28s %9d bytes  %5.2f MiB\n", $$2, $$1, $$1/1048576}'; \
	done
	@GOOS=linux GOARCH=mipsle GOMIPS=softfloat $(GO) build $(subst -s -w ,,$(GOFLAGS_OPENWRT)) -o dist/size/i2pgate-linux-mipsle.unstripped ./cmd/i2pgate
	@echo "dist/i2pgate-linux-mipsle:"; GO=$(GO) scripts/size.sh dist/size/i2pgate-linux-mipsle.unstripped $(SIZE_TOP)
	@# A reflective method lookup (reflect.Value.MethodByName, text/template)
	@# makes the linker keep every exported method of every reachable type.
	@GOOS=linux GOARCH=mipsle GOMIPS=softfloat $(GO) build -tags $(OPENWRT_TAGS) -ldflags=-dumpdep -o /dev/null ./cmd/i2pgate 2>&1 | \
	  awk '/<ReflectMethod>/ { seen[$$1] = 1 } END { n = 0; for (f in seen) { print "reflective method lookup in " f; n++ } \
	  if (!n) print "no reflective method lookup: unused methods are dropped" }'

# The OpenWrt mipsle binary (what an .ipk for mipsel_24kc holds) is at most
# MAX_OPENWRT_BINARY bytes and links no TLS handshake (see OPENWRT_TAGS).
size-check:
	@mkdir -p dist/size
	@GOOS=linux GOARCH=mipsle GOMIPS=softfloat $(GO) build $(GOFLAGS_OPENWRT) -ldflags "$(LDFLAGS) $(MIPS_LDFLAGS)" -o dist/size/i2pgate-linux-mipsle ./cmd/i2pgate
	@n=$$(stat -c %s dist/size/i2pgate-linux-mipsle); \
	  echo "size-check: OpenWrt mipsle binary $$n bytes (limit $(MAX_OPENWRT_BINARY))"; \
	  [ $$n -le $(MAX_OPENWRT_BINARY) ] || { echo "size-check: FAILED: over the limit (make size shows where the bytes go)"; exit 1; }
	@GOOS=linux GOARCH=mipsle GOMIPS=softfloat $(GO) build -tags $(OPENWRT_TAGS) -ldflags=-dumpdep -o /dev/null ./cmd/i2pgate 2>&1 | \
	  awk '/crypto\/tls\.\(\*Conn\)\.(client|server)Handshake/ { n++ } END { if (n) { print "size-check: FAILED: the OpenWrt build links TLS handshakes"; exit 1 } print "size-check: no TLS handshake linked" }'

# A short run of every fuzz target (FUZZTIME each).
FUZZTIME ?= 10s
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

testnet-up: deps
	scripts/testnet/testnet.sh up

testnet-down:
	scripts/testnet/testnet.sh down

clean:
	rm -rf dist

# Packages built with nfpm (packaging/tools, a Go module of its own) from the
# static binaries of `make cross`: `make deb` writes dist/i2pgate_*.deb for
# Debian and Raspberry Pi OS, `make ipk` dist/i2pgate_*.ipk for OpenWrt (the
# same package the OpenWrt SDK builds from firmware/openwrt/i2pgate).
# `make test-packages` builds both and checks their contents and scripts.
PKG_VERSION = $(shell packaging/version.sh "$(VERSION)")
PKG_MTIME   = $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
NFPM        := dist/tools/nfpm
# make cross binary : package architecture
DEB_ARCHES  := amd64:amd64 arm64:arm64 armv7:armhf
IPK_ARCHES  := mipsle:mipsel_24kc mips:mips_24kc arm64-openwrt:aarch64_cortex-a53 \
               armv7-openwrt:arm_cortex-a7_neon-vfpv4

# package FORMAT, ARCHES: one package per binary:arch pair.
define package
	@mkdir -p dist/tools
	cd packaging/tools && $(GO) build -o ../../$(NFPM) github.com/goreleaser/nfpm/v2/cmd/nfpm
	rm -f dist/i2pgate_*.$(1)
	@set -e; version=$(PKG_VERSION); for t in $(2); do \
	  SOURCE_DATE_EPOCH=$(PKG_MTIME) I2PGATE_BINARY=dist/i2pgate-linux-$${t%%:*} \
	  PKG_ARCH=$${t#*:} PKG_VERSION=$$version \
	    $(NFPM) package --config packaging/nfpm-$(1).yaml --packager $(1) --target dist/; \
	done
endef

deb: cross
	$(call package,deb,$(DEB_ARCHES))

ipk: cross
	$(call package,ipk,$(IPK_ARCHES))

test-packages: deps deb ipk
	I2PGATE_DIST=$(CURDIR)/dist $(GO) test -count=1 ./packaging/...

# The amd64 .deb under a real systemd (scripts/systemd-test.sh): a Debian
# bookworm debootstrapped once into /var/cache/i2pgate-nspawn, booted with
# systemd-nspawn inside a private testnet's namespace; checks the install
# (user, enabled unit), READY=1 only after tunnels, a watchdog restart through
# the test-only fault switch, upgrades that keep an edited config, and purge.
# Skips with the reason where systemd-nspawn cannot boot.
systemd-test: deps deb
	scripts/install-deps.sh --nspawn
	scripts/systemd-test.sh

# The LAN gateway against the i2pd testnet (its own namespaces gw-tn and
# gw-tn-lan): a LAN client namespace behind i2pgate reaches the i2pd eepsite
# as testsite.i2p (from a hosts.txt subscription) through SOCKS, the HTTP
# proxy, and with no proxy at all (.i2p DNS + nftables redirect + transparent
# proxy); clearnet is refused with no packet out; clients outside lan.allow
# are refused by every listener; headless chromium in the LAN loads the
# eepsite through the HTTP proxy and every console page (screenshots in
# dist/test-artifacts/gateway); 200 concurrent SOCKS streams; the automap
# address survives a restart. Part of test-testnet. `make demo` leaves the same setup running
# (namespaces gw-demo, gw-demo-lan) and prints what to try; `make demo-down`
# takes it down.
test-gateway: deps
	scripts/install-deps.sh --chromium
	GW_BROWSER=1 scripts/testnet/gateway.sh

demo: deps
	scripts/testnet/demo.sh up

demo-down:
	scripts/testnet/demo.sh down

.PHONY: test-gateway demo demo-down

# Appliance measurements, each on a testnet of its own (namespaces qemu-tn,
# measure-tn, rss-tn, boot-tn and boot-gate) that it takes down at the end.
# qemu-smoke: the armv7 and mipsle builds run under qemu-user-static as routers
# of the testnet, build tunnels and fetch the eepsite through their SOCKS proxy;
# RSS of the emulator processes next to a native build. measure-writes: bytes
# written per hour at steady state with storage.mode disk and ram
# (MEASURE_MINUTES, default 10; the target is under 1 MB/h). rss-compare: RSS of
# i2pgate next to each i2pd router after tunnels and traffic. boot-robustness:
# started with no network that appears 30 s later, restarted offline, and with
# the network's clock 2 h ahead and behind (i2pd under libfaketime).
qemu-smoke: deps
	scripts/qemu-smoke.sh

measure-writes: deps
	scripts/measure-writes.sh

rss-compare: deps
	scripts/rss-compare.sh

boot-robustness: deps
	scripts/boot-robustness.sh

# One stream through 2-hop client tunnels, i2pgate next to an i2pd HTTP proxy:
# MB/s, CPU s/MB and i2pgate's cold start to its first eepsite page (namespace
# h2; results in /tmp/h2/bench-e2e.txt). Not part of make test.
bench-e2e: deps
	scripts/testnet/bench-e2e.sh
