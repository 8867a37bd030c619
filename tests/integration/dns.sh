#!/bin/bash
# dns.sh — DNS never blocks the loop. fleetdeck runs in a private mount
# namespace whose /etc/resolv.conf names only a test DNS server on loopback
# (tests/integration/dnsd.py) that never answers never.* names and drops the
# first query for late.* names:
#  1. --once with a host named never.fdlab.test finishes about as fast as the
#     same fleet without it (baseline, same run): the lookup runs on a
#     resolver thread and the host fails at its own name-lookup deadline,
#     while today's code sat in getaddrinfo() for the resolver's 20 s;
#  2. under the dashboard a host named late.fdlab.test, whose first lookup
#     got no answer, is looked up again at the next try and connects; a
#     [database] named late.db.fdlab.test is looked up again too.
# (PostgreSQL itself is not needed: what is checked is the lookup.)
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=24
lab_test_begin dns 100
lab_require_tool unshare python3 tmux
lab_up 3

DNS=127.0.$LAB_NET.53
python3 "$TOP_SRCDIR/tests/integration/dnsd.py" "$DNS" 53 "$LAB_HOST_1_ADDR" "$T/dns.log" &
lab_bg $!
dnsd_ready() { grep -q '^ready$' "$T/dns.log" 2>/dev/null; }
wait_for 20 dnsd_ready || bad "the test DNS server started on $DNS:53" "$(cat "$T/dns.log" 2>&1)"
printf 'nameserver %s\noptions timeout:20 attempts:1 single-request\n' "$DNS" >"$T/resolv.conf"
# fleetdeck seeing only that resolver
REAL=$FLEETDECK
cat >"$T/fd-dns" <<SH
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "\$0" /etc/resolv.conf && exec "\$@"' '$T/resolv.conf' '$REAL' "\$@"
SH
chmod +x "$T/fd-dns"
FLEETDECK=$T/fd-dns

fleet() {  # OUT [EXTRA-HOST-NAME]
	{
		printf '[fleet dns]\nknown_hosts = %s\ninterval = 1s\ntimeout = 2s\n' "$LAB_KNOWN_HOSTS"
		sed -n '/^\[host /,$p' "$LAB_FLEET"
		[ -n "${2-}" ] && printf '\n[host %s]\nssh = %s@%s.fdlab.test:%s\nidentity_file = %s\n' \
			"$2" "$LAB_USER" "$2" "$LAB_HOST_1_PORT" "$LAB_IDENTITY"
		[ -n "${2-}" ] && printf '\n[database %sdb]\ndsn = host=%s.db.fdlab.test port=9 dbname=x user=x\n' "$2" "$2"
	} >"$1"
	sed -i 's/^\(\[host .*\]\)$/\1\ncontainers = none\ngpus = none/' "$1"
}

# 1. a resolver that never answers
fleet "$T/base.fleet"
fd_run 60 "$T/base.json" --once --json -c "$T/base.fleet"
base=$FD_SECS
json_check "$T/base.json" 'baseline: the 3 lab hosts reached' '[.hosts[] | select(.reachable == true)] | length == 3'
fleet "$T/never.fleet" never
fd_run 60 "$T/never.json" --once --json -c "$T/never.fleet"
echo "   --once: ${base}s without the dead name, ${FD_SECS}s with it"
json_check "$T/never.json" 'with a dead name in the fleet: the 3 lab hosts still reached' \
	'[.hosts[] | select(.name != "never" and .reachable == true)] | length == 3'
json_check "$T/never.json" 'the host named never.fdlab.test fails in its name lookup' \
	'.hosts[] | select(.name == "never") | .reachable == false and (.problems | tostring | test("name lookup timed out"))'
limit=$(awk -v b="$base" 'BEGIN { print b + 8 }')
if flt "$FD_SECS" "$limit"; then
	ok "the dead resolver did not hold up the round (${FD_SECS}s < baseline ${base}s + 4 x timeout)"
else
	bad "the dead resolver held up the round: ${FD_SECS}s, baseline ${base}s"
fi
json_check "$T/never.json" 'the database named never.db.fdlab.test fails in its name lookup' \
	'.databases[] | select(.name == "neverdb") | tostring | test("name lookup of never.db.fdlab.test timed out")'
grep -q '^never.fdlab.test 1 dropped' "$T/dns.log" && ok "the lookup did reach the test DNS server" ||
	bad "the lookup did reach the test DNS server" "$(cat "$T/dns.log" 2>&1)"

# 2. a failed lookup at start is retried
fleet "$T/late.fleet" late
printf '[late.fdlab.test]:%s %s\n' "$LAB_HOST_1_PORT" "$(awk '{print $1, $2}' "$LAB_DIR/hosts/lab1/ssh_host_ed25519_key.pub")" >>"$LAB_KNOWN_HOSTS"
fd_tmux late 150 30 FLEETDECK_STATS="$T/stats.json" -- -c "$T/late.fleet"
all4() { [ "$(jq -r .ready "$T/stats.json" 2>/dev/null)" = 4 ]; }
if wait_for 40 all4; then
	ok "late.fdlab.test connected after its first lookup went unanswered"
else
	bad "late.fdlab.test connected after its first lookup went unanswered" "$(cat "$T/stats.json" 2>&1)" "$(cat "$T/dns.log")" "$(tmux_show)"
fi
grep -q '^late.fdlab.test 1 dropped' "$T/dns.log" && grep -q '^late.fdlab.test 1 answered' "$T/dns.log" &&
	ok "its name was looked up again (first query dropped, a later one answered)" ||
	bad "its name was looked up again" "$(cat "$T/dns.log")"
indb() { grep -q '^late.db.fdlab.test 1 answered' "$T/dns.log"; }
if wait_for 20 indb; then ok "the database's failed lookup was retried too"; else bad "the database's failed lookup was retried too" "$(cat "$T/dns.log")"; fi
tmux_send q
lab_finish
