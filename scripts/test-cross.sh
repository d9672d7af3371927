#!/usr/bin/env bash
# Runs the unit tests of router/... built for 32-bit ARM (GOARM=7), big-endian MIPS and
# little-endian MIPS (softfloat) under qemu-user-static: this is where 32-bit alignment
# and byte-order bugs show. Set CROSS_TARGETS to choose, e.g. "armv7 mipsle".
set -euo pipefail
cd "$(dirname "$0")/.."

targets=${CROSS_TARGETS:-armv7 mipsle mips}
read -r -a pkgarr <<< "${CROSS_PKGS:-./router/...}"
export CGO_ENABLED=0

fail=0
for t in $targets; do
  case $t in
    armv7)  env=(GOARCH=arm GOARM=7);            qemu="qemu-arm-static" ;;
    armv6)  env=(GOARCH=arm GOARM=6);            qemu="qemu-arm-static" ;;
    mipsle) env=(GOARCH=mipsle GOMIPS=softfloat); qemu="qemu-mipsel-static" ;;
    mips)   env=(GOARCH=mips GOMIPS=softfloat);   qemu="qemu-mips-static" ;;
    arm64)  env=(GOARCH=arm64);                  qemu="qemu-aarch64-static" ;;
    *) echo "test-cross: unknown target $t" >&2; exit 2 ;;
  esac
  command -v "$qemu" >/dev/null || { echo "test-cross: $qemu missing (scripts/install-deps.sh)" >&2; exit 1; }
  # Tests that re-execute their own binary run the child through the emulator.
  export I2PGATE_TEST_EXEC="$qemu"
  echo "== test-cross $t ($qemu)"
  if ! env GOOS=linux "${env[@]}" go test -count=1 -timeout 40m -exec "$qemu" "${pkgarr[@]}"; then
    echo "test-cross: $t FAILED" >&2
    fail=1
  fi
done
exit $fail
