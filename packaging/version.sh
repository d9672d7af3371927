#!/bin/sh
# version.sh [DESCRIPTION]: the package version for .deb and .ipk files, from
# `git describe --tags --always --dirty` (or DESCRIPTION), in a form dpkg and
# opkg order correctly: a leading "v" goes, commits after a tag become
# "+N.gHASH", a pre-release tag suffix "~rc1" (before the release), an
# untagged tree is "0.0.0+gitHASH", "-dirty" becomes ".dirty", and characters
# other than letters, digits and . + ~ are dropped.
#   v1.2.0                  -> 1.2.0
#   v1.2.0-5-gabc1234-dirty -> 1.2.0+5.gabc1234.dirty
#   v1.3.0-rc1              -> 1.3.0~rc1
#   abc1234                 -> 0.0.0+gitabc1234
set -eu

if [ $# -gt 0 ]; then
	desc=$1
else
	desc=$(git -C "$(dirname "$0")" describe --tags --always --dirty 2>/dev/null) || desc=dev
fi
desc=${desc#v}
base=${desc%%-*}
rest=
[ "$base" = "$desc" ] || rest=${desc#*-}
# A tag is digits with at least one dot; anything else is an abbreviated hash.
case $base in
*[!0-9.]* | *..* | .* | *. | [!0-9]* | [0-9]) base=0.0.0 rest=git$desc ;;
[0-9]*.*) ;;
*) base=0.0.0 rest=git$desc ;;
esac
rest=$(printf '%s' "$rest" | tr -- '-_' '..' | tr -cd 'A-Za-z0-9.+~')
case $rest in
'') echo "$base" ;;
[0-9]* | git*) echo "$base+$rest" ;;
*) echo "$base~$rest" ;;
esac
