#!/usr/bin/env bash
# Installs what the tests need beyond Go, when missing: i2pd (the interop peer),
# qemu-user-static (cross-architecture unit tests), iproute2 (network namespaces),
# curl, and gcc (the race detector needs cgo); for the package tests (make
# test-packages): shellcheck, busybox (OpenWrt's shell), nftables (nft -c on the
# fw4 include) and systemd (systemd-analyze verify; on this machine already).
# Debian packages only; needs root.
set -euo pipefail

# ---- Optional: headless chromium for scripts/console-screenshots.sh --------
# and the browser check of scripts/testnet/gateway.sh. Not installed by default
# (it is large: some 120 packages, about a minute here); make test-testnet and
# make test-gateway run: scripts/install-deps.sh --chromium
install_chromium() {
  if [ -x /usr/bin/chromium ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root or: apt-get install -y chromium" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq chromium >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
}
if [ "${1:-}" = "--chromium" ]; then
  install_chromium
  exit
fi
# ---- Optional: debootstrap and systemd-nspawn for scripts/systemd-test.sh --
# Not installed by default. Run: scripts/install-deps.sh --nspawn (make
# systemd-test does). Without recommends: libnss-mymachines would add itself to
# /etc/nsswitch.conf.
install_nspawn() {
  local pkgs=()
  command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || pkgs+=(debootstrap)
  command -v systemd-nspawn >/dev/null 2>&1 || pkgs+=(systemd-container)
  if [ ${#pkgs[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root or: apt-get install -y --no-install-recommends ${pkgs[*]}" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
}
if [ "${1:-}" = "--nspawn" ]; then
  install_nspawn
  exit
fi
# ---- End of the optional part ------------------------------------------------

need=()
command -v i2pd >/dev/null 2>&1 || need+=(i2pd)
command -v qemu-arm-static >/dev/null 2>&1 || need+=(qemu-user-static)
command -v qemu-mipsel-static >/dev/null 2>&1 || need+=(qemu-user-static)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
command -v busybox >/dev/null 2>&1 || need+=(busybox)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
# De-duplicate.
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing ${need[*]}; run as root or install them: apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's i2pd package would start a system router that talks to the live
# network; the tests run their own. Keep package scripts from starting services
# during the install (policy-rc.d exit 101 = action forbidden).
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
trap '[ -n "$own_policy" ] && rm -f "$policy"' EXIT
if ! apt-get install -y -qq "${need[@]}" >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian's i2pd package starts a system service; the tests run their own routers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet i2pd 2>/dev/null; then
  systemctl stop i2pd || true
fi
