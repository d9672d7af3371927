#!/usr/bin/env bash
# capture-golden.sh - capture golden files written by real i2pd 2.45.1 routers
# into router/data/testdata/i2pd/ (see the README written there).
#
# It brings up its own private testnet (namespace i2pgate-golden, work dir
# /tmp/i2pgate-golden, so a running testnet is not disturbed), waits until the
# routers have exchanged RouterInfos and the eepsite is reachable, copies the
# files, checks them against what i2pd's web console reports, and takes the
# testnet down again.
#
# Settings: GOLDEN_OUT (output dir, default router/data/testdata/i2pd),
# GOLDEN_NETDB_TIMEOUT (s to wait for netDb files, default 150), and the
# TESTNET_* settings of testnet.sh.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
TESTNET=$SCRIPT_DIR/testnet.sh
OUT=${GOLDEN_OUT:-$REPO_DIR/router/data/testdata/i2pd}
NETDB_TIMEOUT=${GOLDEN_NETDB_TIMEOUT:-150}
export TESTNET_NS=${TESTNET_NS:-i2pgate-golden}
export TESTNET_DIR=${TESTNET_DIR:-/tmp/i2pgate-golden}
# The router whose files are captured: router 1 is a floodfill.
R=1

log() { printf 'capture-golden: %s\n' "$*" >&2; }
die() { printf 'capture-golden: error: %s\n' "$*" >&2; exit 1; }

cleanup() { "$TESTNET" down >&2 || true; }
trap cleanup EXIT

"$TESTNET" up
ENV_FILE=$("$TESTNET" env)
# shellcheck disable=SC1090
source "$ENV_FILE"
NS=$TESTNET_NS
: "${TESTNET_N:?missing in the env file}" "${TESTNET_EEPSITE_ROUTER:?missing in the env file}"

rdir_var=TESTNET_ROUTER${R}_DATADIR
RDIR=${!rdir_var}
console_var=TESTNET_ROUTER${R}_CONSOLE
CONSOLE=${!console_var}
EEDIR_VAR=TESTNET_ROUTER${TESTNET_EEPSITE_ROUTER}_DATADIR
EEDIR=${!EEDIR_VAR}

"$TESTNET" wait-eepsite

# i2pd saves netDb/ every 60 s; wait until router R has saved every other router.
log "waiting for router $R to save the RouterInfos of the other $((TESTNET_N - 1)) routers"
t0=$SECONDS
while :; do
	count=$(find "$RDIR/netDb" -name 'routerInfo-*.dat' | wc -l)
	((count >= TESTNET_N - 1)) && break
	((SECONDS - t0 < NETDB_TIMEOUT)) || die "only $count netDb files after $NETDB_TIMEOUT s in $RDIR/netDb"
	sleep 2
done
log "router $R saved $count RouterInfos after $((SECONDS - t0)) s more"

page() { ip netns exec "$NS" curl -sS -m 10 "http://$1/$2"; }

# The router's ident hash (base64) and the eepsite's b32 as the console shows them.
ident=$(page "$CONSOLE" '' | grep -oE 'Router Ident:</b> *[A-Za-z0-9~=-]{44}' | grep -oE '[A-Za-z0-9~=-]{44}$') ||
	die "router $R console shows no Router Ident"
hash_var=TESTNET_ROUTER${R}_HASH
[[ $ident == "${!hash_var}" ]] || die "console ident $ident differs from the hash of router.info ${!hash_var}"
ee_console_var=TESTNET_ROUTER${TESTNET_EEPSITE_ROUTER}_CONSOLE
b32=$(page "${!ee_console_var}" '?page=i2p_tunnels' | grep -oE 'b32=[a-z2-7]{52}">eepsite<' | head -n 1) ||
	die "eepsite router console does not list the eepsite"
b32=${b32#b32=}
b32=${b32%%\"*}.b32.i2p
[[ $b32 == "$TESTNET_EEPSITE_B32" ]] || die "console b32 $b32 differs from the env file's $TESTNET_EEPSITE_B32"

log "copying into $OUT"
mkdir -p "$OUT"
rm -rf "$OUT/netDb"
rm -f "$OUT"/router.info "$OUT"/router.keys "$OUT"/ntcp2.keys "$OUT"/ssu2.keys \
	"$OUT"/eepsite.dat "$OUT"/eepsite.b32.txt "$OUT"/router.ident.txt "$OUT"/leaseset.b64.txt \
	"$OUT"/SHA256SUMS
for f in router.info router.keys ntcp2.keys ssu2.keys; do
	cp "$RDIR/$f" "$OUT/$f"
done
mkdir -p "$OUT/netDb"
find "$RDIR/netDb" -name 'routerInfo-*.dat' -exec cp {} "$OUT/netDb/" \;
cp "$EEDIR/eepsite.dat" "$OUT/eepsite.dat"
printf '%s\n' "$b32" >"$OUT/eepsite.b32.txt"
printf '%s\n' "$ident" >"$OUT/router.ident.txt"
# i2pd 2.45.1's console never prints a LeaseSet in base64 (local destination and
# leasesets pages show the Destination and lease fields only), so no
# leaseset.b64.txt is written.

rm -rf "$OUT/destinations"
mkdir -p "$OUT/destinations"
cp "$EEDIR/destinations/${b32%.b32.i2p}".*.dat "$OUT/destinations/"

cat >"$OUT/README" <<EOF
Golden files written by i2pd $TESTNET_I2PD_VERSION (router.version 0.9.57, Debian 12 package)
routers of a private I2P testnet (netId $TESTNET_NETID, $TESTNET_N routers at
198.18.0.1-$TESTNET_N inside a network namespace; routers 1 and 2 floodfills).
Keys here are throwaway test keys of that private network.

Regenerate (as root, from any directory; takes about 2-3 minutes):
    scripts/testnet/capture-golden.sh
Captured: $(date -u +%Y-%m-%dT%H:%M:%SZ)

Files of router $R (floodfill, 198.18.0.$R, NTCP2 and SSU2 on port $((12000 + R))):
  router.info        its signed RouterInfo (RouterIdentity, date, addresses, options, signature)
  router.keys        its private keys: 391-byte RouterIdentity (X25519 crypto key,
                     Ed25519 signing key, KEY certificate sig type 7 / crypto type 4)
                     + 32-byte X25519 private key + 32-byte Ed25519 private key
  ntcp2.keys         NTCP2 static public key (32) + static private key (32) + IV (16)
  ssu2.keys          SSU2 static public key (32) + static private key (32) + intro key (32)
  router.ident.txt   its ident hash (I2P base64 of SHA-256 of the RouterIdentity) as
                     i2pd's web console main page shows it ("Router Ident")
  netDb/             routerInfo-<HASH>.dat files from its netDb/r<C>/ directories,
                     original names (HASH = I2P base64 ident hash; i2pd stores them
                     under netDb/r<first char of HASH>/): the other routers' RouterInfos
                     as router $R received and saved them

Eepsite (i2pd HTTP server tunnel on router $TESTNET_EEPSITE_ROUTER, keys file of its
server tunnel, i2pd defaults: Ed25519 signing key, ECIES-X25519 and ElGamal LeaseSet keys):
  eepsite.dat        the tunnel's private keys file (i2pd PrivateKeys, 679 B): 391-byte
                     Destination (256-byte ElGamal public key, 128-byte area with the
                     Ed25519 key at its end, KEY cert sig type 7 / crypto type 0)
                     + 256-byte ElGamal private key + 32-byte Ed25519 private key
  destinations/<b32>.<T>.dat
                     i2pd's persisted LeaseSet encryption keys of the eepsite for crypto
                     type T (0 ElGamal, 4 ECIES-X25519): public key zero-padded to 256 B
                     then private key zero-padded to 256 B
  eepsite.b32.txt    its b32 address as i2pd's console lists it (?page=i2p_tunnels);
                     = base32(SHA-256(Destination)), lower case, no padding, .b32.i2p

Not captured: a LeaseSet. i2pd 2.45.1's web console never shows one in base64 (the
local destination page shows the Destination, the floodfills' ?page=leasesets page
only the lease fields) and i2pd does not store LeaseSets on disk.

SHA256SUMS lists the files' digests.
EOF
sums=$(cd "$OUT" && find . -type f ! -name SHA256SUMS ! -name README -print0 | sort -z | xargs -0 sha256sum)
printf '%s\n' "$sums" >"$OUT/SHA256SUMS"
log "done: $(find "$OUT" -type f | wc -l) files in $OUT"
