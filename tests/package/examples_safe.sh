#!/bin/bash
# examples_safe.sh — the example fleets in data/ describe other people's
# networks, and a newcomer runs them as they are: they must hold no IPv4 or
# IPv6 address, and every name fleetdeck could resolve must be an ssh_config
# alias (ssh =, no dot), a reserved documentation name (*.example) or
# `localhost` (seen from the host that runs the check); each one tells what
# to put in ~/.ssh/config, and each still validates.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin examples_safe 30

# addresses FILE: every line holding an IPv4 address (four dotted numbers)
# or an IPv6 one (colon groups of hex digits, or "::"; no clock times here).
addresses() {
	grep -nE '(^|[^0-9.])([0-9]{1,3}\.){3}[0-9]{1,3}([^0-9.]|$)|(^|[^0-9A-Za-z_:])[0-9A-Fa-f]{1,4}(:[0-9A-Fa-f]{1,4}){2,7}([^0-9A-Za-z_:]|$)|::' "$1"
}

# names FILE: "KIND NAME" for every name fleetdeck could resolve: ssh
# targets, URL hosts, tcp checks, DSN hosts (comments dropped).
names() {
	sed -e 's/[[:space:]]#.*//' -e 's/^[#;].*//' "$1" | awk '
		/^[[:space:]]*ssh[[:space:]]*=/ {
			v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/^.*@/, "", v); sub(/:[0-9]+$/, "", v)
			print "ssh " v; next
		}
		{
			line = $0
			while (match(line, /:\/\/([^\/@ ]*@)?(\[[^]]*\]|[^\/: ?]+)/)) {
				u = substr(line, RSTART + 3, RLENGTH - 3); sub(/^.*@/, "", u)
				print "url " u; line = substr(line, RSTART + RLENGTH)
			}
			line = $0
			while (match(line, /(tcp[[:space:]]+|host=)(\[[^]]*\]|[^ :]+)/)) {
				u = substr(line, RSTART, RLENGTH); sub(/^(tcp[[:space:]]+|host=)/, "", u)
				print "net " u; line = substr(line, RSTART + RLENGTH)
			}
		}'
}

# unsafe NAMES: the names that could reach someone's machine.
unsafe() {
	printf '%s\n' "$1" | awk '
		$1 == "ssh" && $2 !~ /[.:]/ { next }            # an ssh_config alias
		$2 == "localhost" || $2 ~ /\.example$/ { next }
		NF { print }'
}

# The scan finds what it must refuse (a test that cannot fail is no test).
cat >"$T/bad.fleet" <<'EOF'
[host a]
ssh = ops@10.0.0.11
[host b]
ssh = ops@db.corp.lan:2222
[service s]
host = a
check = https://[2001:db8::5]/health
[link a -> b]
check = tcp intranet.corp.lan:443
EOF
bad_names=$(unsafe "$(names "$T/bad.fleet")")
if [ "$(addresses "$T/bad.fleet" | wc -l)" = 2 ] &&
   [ "$(printf '%s\n' "$bad_names" | wc -l)" = 4 ] &&
   printf '%s\n' "$bad_names" | grep -q 'db.corp.lan' &&
   printf '%s\n' "$bad_names" | grep -q 'intranet.corp.lan'; then
	ok "the scan refuses an IPv4, an IPv6, and DNS names outside .example"
else
	bad "the scan refuses an IPv4, an IPv6, and DNS names outside .example" \
		"addresses: $(addresses "$T/bad.fleet")" "names: $bad_names"
fi

n=0
for f in "$TOP_SRCDIR"/data/*.fleet; do
	b=${f##*/}
	n=$((n + 1))
	hits=$(addresses "$f")
	if [ -n "$hits" ]; then
		bad "$b holds no IP address" "$hits"
	else
		ok "$b holds no IP address"
	fi
	all=$(names "$f")
	left=$(unsafe "$all")
	if [ -z "$all" ]; then
		bad "$b: names found to check" "the scan found nothing (broken?)"
	elif [ -n "$left" ]; then
		bad "$b names only ssh_config aliases, *.example and localhost" "$left"
	else
		ok "$b names only ssh_config aliases, *.example and localhost ($(printf '%s\n' "$all" | wc -l) names)"
	fi
	if head -20 "$f" | grep -q '^#.*~/\.ssh/config' && head -20 "$f" | grep -qE '^#[[:space:]]+Host[[:space:]]'; then
		ok "$b says what to put in ~/.ssh/config"
	else
		bad "$b says what to put in ~/.ssh/config" "$(head -12 "$f")"
	fi
	fd_run 10 "$T/validate.out" --validate -c "$f"
	if [ "$FD_RC" = 0 ]; then
		ok "$b validates"
	else
		bad "$b validates" "$(cat "$T/validate.out" "$T/validate.out.err")"
	fi
done
check "the five reference fleets are there" test "$n" -ge 5

lab_finish
