# i2pgate — see README.md. Every target works on a fresh machine of this kind as root;
# what a target needs beyond Go is installed by scripts/install-deps.sh.

GO        ?= go
BIN       := dist/i2pgate
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
GOFLAGS_BUILD := -trimpath -ldflags "$(LDFLAGS)"
export CGO_ENABLED := 0

# GOOS/GOARCH[/variant] -> dist/i2pgate-<name>
CROSS := linux-amd64:amd64:: linux-arm64:arm64:: linux-armv6:arm:6: linux-armv7:arm:7: \
         linux-mips:mips::softfloat linux-mipsle:mipsle::softfloat

.PHONY: all build run test test-unit test-cross test-testnet check cross size fuzz \
        deps testnet-up testnet-down clean

all: build

build:
	@mkdir -p dist
	$(GO) build $(GOFLAGS_BUILD) -o $(BIN) ./cmd/i2pgate

# Runs the gateway with its embedded default config; data in ./data.
run: build
	./$(BIN) run --datadir=./data

# Everything CI runs.
test: deps check test-cross test-testnet
	@echo "make test: all passed"

deps:
	@scripts/install-deps.sh

# gofmt, go vet, the unit tests with the race detector (which include the
# import-rule tests in router/ and gateway/), and a build of every binary.
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...
	$(GO) build ./...

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
# through i2pgate and the eepsite served through i2pgate's transit.
test-testnet: deps
	scripts/testnet/smoke.sh
	scripts/testnet/join.sh
	scripts/testnet/tunnels.sh

cross:
	@mkdir -p dist
	@set -e; for t in $(CROSS); do \
	  name=$${t%%:*}; rest=$${t#*:}; arch=$${rest%%:*}; rest=$${rest#*:}; \
	  arm=$${rest%%:*}; mips=$${rest#*:}; \
	  echo "build dist/i2pgate-$$name"; \
	  GOOS=linux GOARCH=$$arch GOARM=$$arm GOMIPS=$$mips \
	    $(GO) build $(GOFLAGS_BUILD) -o dist/i2pgate-$$name ./cmd/i2pgate; \
	done

size: cross
	@for f in dist/i2pgate-linux-*; do \
	  stat -c "%s %n" $$f | awk '{printf "%-28s %9d bytes  %5.2f MiB\n", $$2, $$1, $$1/1048576}'; \
	done

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
