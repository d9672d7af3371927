#!/bin/sh
# i2pgate-uci2toml: writes the TOML configuration of i2pgate for the UCI
# settings in /etc/config/i2pgate (installed as /usr/libexec/i2pgate-uci2toml).
#
#   LAN_IP=192.168.1.1 LAN_SUBNET=192.168.1.0/24 i2pgate-uci2toml [OUTPUT]
#
# LAN_IP is the address the LAN front-ends listen on (127.0.0.1 when unset);
# LAN_SUBNET the clients allowed when no lan_allow is listed (loopback only
# when unset too). The init script finds both with /lib/functions/network.sh.
# Without OUTPUT the TOML goes to stdout; with it, OUTPUT is replaced whole.
# A bad value stops it with exit status 1 and a message naming the option;
# i2pgate itself then validates the file again.

set -u

die() {
	echo "i2pgate-uci2toml: $*" >&2
	exit 1
}

# get OPTION DEFAULT: the value of i2pgate.main.OPTION, or DEFAULT when unset.
get() {
	uci -q get "i2pgate.main.$1" || printf '%s\n' "$2"
}

# str VALUE: VALUE as a TOML basic string (call it outside the here-document,
# where a failure would go unnoticed).
str() {
	case $1 in
	*[[:cntrl:]]*) die "control character in '$1'" ;;
	*[\\\"]*) printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')" ;;
	*) printf '"%s"' "$1" ;;
	esac
}

# bool OPTION DEFAULT: the option as a TOML boolean.
bool() {
	v=$(get "$1" "$2")
	case $v in
	1 | on | true | yes | enabled) echo true ;;
	0 | off | false | no | disabled) echo false ;;
	*) die "$1: '$v' is not a boolean (0 or 1)" ;;
	esac
}

# port OPTION DEFAULT: the option as a port number, 0 to 65535.
port() {
	v=$(get "$1" "$2")
	case $v in
	'' | *[!0-9]*) die "$1: '$v' is not a port number" ;;
	esac
	if [ "${#v}" -gt 5 ] || [ "$v" -gt 65535 ]; then
		die "$1: '$v' is not a port number"
	fi
	echo "$((v + 0))"
}

# listen HOST OPTION DEFAULT: "HOST:PORT" for the port option, "" when it is 0.
listen() {
	p=$(port "$2" "$3") || exit 1
	if [ "$p" -eq 0 ]; then
		str ""
	else
		str "$1:$p"
	fi
}

# cidr OPTION VALUE: VALUE if it looks like an address prefix.
cidr() {
	case $2 in
	*[!0-9A-Fa-f.:/]* | */*/* | /* | */) die "$1: '$2' is not an address prefix (a.b.c.d/n)" ;;
	*/*) echo "$2" ;;
	*) die "$1: '$2' is not an address prefix (a.b.c.d/n)" ;;
	esac
}

lan_ip=${LAN_IP:-127.0.0.1}

datadir=$(get datadir /etc/i2pgate/data)
case $datadir in
/*) ;;
*) die "datadir: '$datadir' is not an absolute path" ;;
esac

bandwidth=$(get bandwidth L)
case $bandwidth in
[KLMNOPX]) ;;
'' | 0* | *[!0-9]*) die "bandwidth: '$bandwidth' is not a class letter (K L M N O P X) or KB/s" ;;
esac

loglevel=$(get loglevel info)
case $loglevel in
debug | info | warn | error) ;;
*) die "loglevel: '$loglevel' is not debug, info, warn or error" ;;
esac

memory=$(get memory_limit 96)
case $memory in
'' | 0* | *[!0-9]*) die "memory_limit: '$memory' is not a number of MB" ;;
esac

storage=$(get storage_mode ram)
case $storage in
disk | ram) ;;
*) die "storage_mode: '$storage' is not ram or disk" ;;
esac

floodfill=$(bool floodfill 0) || exit 1
ntcp2=$(port port 0) || exit 1
console_lan=$(bool console_lan 0) || exit 1
console_host=127.0.0.1
[ "$console_lan" = true ] && console_host=$lan_ip
console=$(listen "$console_host" console_port 7070) || exit 1
httpproxy=$(listen "$lan_ip" httpproxy_port 4444) || exit 1
socks=$(listen "$lan_ip" socks_port 4447) || exit 1
dns=$(listen 127.0.0.1 dns_port 5353) || exit 1
transparent=$(listen "$lan_ip" transparent_port 7040) || exit 1
automap=$(cidr automap_network "$(get automap_network 10.192.0.0/10)") || exit 1

allow=
for a in $(get lan_allow "${LAN_SUBNET:-}"); do
	a=$(cidr lan_allow "$a") || exit 1
	allow="$allow${allow:+, }\"$a\""
done

datadir=$(str "$datadir") || exit 1
bandwidth=$(str "$bandwidth") || exit 1
loglevel=$(str "$loglevel") || exit 1
automap=$(str "$automap") || exit 1
storage=$(str "$storage") || exit 1

toml() {
	cat <<TOML
# Written by i2pgate-uci2toml from /etc/config/i2pgate at every start of
# i2pgate: change the UCI settings, not this file.
datadir = $datadir
bandwidth = $bandwidth
floodfill = $floodfill
port = $ntcp2
loglevel = $loglevel

[console]
address = $console

[httpproxy]
address = $httpproxy

[socks]
address = $socks

[dns]
address = $dns

[transparent]
address = $transparent

[automap]
network = $automap

[lan]
allow = [$allow]

[limits]
memory = $memory

[storage]
mode = $storage
TOML
}

if [ $# -eq 0 ]; then
	toml
	exit 0
fi
out=$1
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
toml >"$tmp" || die "cannot write $tmp"
mv -f "$tmp" "$out" || die "cannot write $out"
