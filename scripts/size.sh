#!/usr/bin/env bash
# Prints where the bytes of an i2pgate binary go: its loaded sections, then
# the symbols of an unstripped build summed per Go package (code,
# read-only data and data; not .bss), largest first.
#   scripts/size.sh UNSTRIPPED_BINARY [TOP]
# The line tables (.gopclntab) and the functions' GC metadata ("go:func.*")
# are not split per package; both grow with the code.
set -euo pipefail
bin=${1:?usage: scripts/size.sh UNSTRIPPED_BINARY [TOP]}
top=${2:-30}
go=${GO:-go}

echo "sections loaded at run time (what -s -w keeps):"
readelf -SW "$bin" | sed 's/^ *\[ *[0-9]*\]//' | awk '
function hex(s,  i, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
$1 ~ /^\./ && $2 != "NOBITS" && $7 ~ /A/ { printf "  %-16s %9d\n", $1, hex($5); t += hex($5) }
END { printf "  %-16s %9d\n", "total", t }'

# The zero-filled sections (.bss, .noptrbss) take no room in the file.
bss=$(readelf -SW "$bin" | sed 's/^ *\[ *[0-9]*\]//' | awk '$2 == "NOBITS" { printf "%s:%s ", $3, $5 }')

echo "bytes per package (top $top):"
$go tool nm -size "$bin" | awk -v top="$top" -v bss="$bss" '
function hex(s,  i, v) { v = 0; s = tolower(s); for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
BEGIN { nb = split(bss, ranges, " "); for (i = 1; i <= nb; i++) { split(ranges[i], r, ":"); lo[i] = hex(r[1]); hi[i] = lo[i] + hex(r[2]) } }
function inbss(a,  i) { for (i = 1; i <= nb; i++) if (a >= lo[i] && a < hi[i]) return 1; return 0 }
$3 ~ /^[TtRrDd]$/ && !inbss(hex($1)) {
  name = $4; for (i = 5; i <= NF; i++) name = name " " $i
  if (name ~ /^go:func\./) pkg = "(function metadata)"
  else {
    sub(/^type:\*?/, "", name); sub(/^go:(itab\.\*?|string\.)?/, "", name)
    if (name ~ /^(func|struct|interface|map|chan|\[)/) pkg = "(unnamed types)"
    else {
      slash = 0
      for (i = 1; i <= length(name); i++) {
        c = substr(name, i, 1)
        if (c == "(" || c == "[") break
        if (c == "/") slash = i
      }
      rest = substr(name, slash + 1); dot = index(rest, ".")
      pkg = dot > 0 ? substr(name, 1, slash + dot - 1) : name
    }
  }
  size[pkg] += $2; total += $2
}
END {
  n = 0
  for (p in size) order[++n] = p
  # insertion sort by size, descending (n is a few hundred)
  for (i = 2; i <= n; i++) { p = order[i]; for (j = i - 1; j > 0 && size[order[j]] < size[p]; j--) order[j + 1] = order[j]; order[j + 1] = p }
  for (i = 1; i <= n && i <= top; i++) printf "  %9d  %s\n", size[order[i]], order[i]
  printf "  %9d  total of %d packages\n", total, n
}'
