#!/bin/bash
# victoria_judged.sh — a large [prometheus] section judged on the server,
# against a real VictoriaMetrics (Debian's victoria-metrics, the
# Prometheus-compatible query API) loaded through /api/v1/import/prometheus
# with FD_VM_HOSTS (default 3,000) synthetic node_exporter hosts: a
# STAND-IN fleet (tests/prometheus/synth_fleet.py: the series and labels of
# prometheus-node-exporter 1.5, with planted problems — hosts down, disks
# over 90/95 %, memory pressure over 10/40, OOM kills, a host without
# filesystem series). make bench runs the same at 100,000 hosts.
# Checks: --check's counts and --once --json's every host equal what the
# data says (synth_fleet.py expect), and the TUI shows "N hosts: ..." with
# the problem hosts first, and fetches what End and / bring on screen.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=${LAB_NET:-73}
lab_test_begin victoria_judged 240
lab_require_tool victoria-metrics curl jq python3
FAILED=0
N=${FD_VM_HOSTS:-3000}
SYNTH=$TOP_SRCDIR/tests/prometheus/synth_fleet.py

VP=$(lab_free_port 18428) || { printf 'FAIL: no free port\n'; exit 1; }
VM=127.0.$LAB_NET.1:$VP
victoria-metrics -httpListenAddr="$VM" -storageDataPath="$T/vm" -retentionPeriod=1d \
	-search.latencyOffset=0s -search.maxLookback=30m -search.maxQueryDuration=5m \
	-search.maxUniqueTimeseries=10000000 >"$T/vm.log" 2>&1 &
lab_bg $!
vm_up() { curl -sf -m 2 "http://$VM/health" >/dev/null; }
wait_for 20 vm_up || { bad "VictoriaMetrics starts" "$(tail -5 "$T/vm.log")"; lab_finish; }

python3 "$SYNTH" expect "$N" >"$T/expect.json"
t0=$(now)
python3 "$SYNTH" import "$N" | curl -sf -m 120 -X POST --data-binary @- \
	"http://$VM/api/v1/import/prometheus" && curl -sf -m 30 "http://$VM/internal/force_flush"
promql() { curl -s -m 10 -G "http://$VM/api/v1/query" --data-urlencode "query=$1" |
	jq -r '.data.result[0].value[1] // empty'; }
# the import is this run's unit of work (the stand-in's series made, sent,
# stored and flushed): the watchdog is the limit above plus 8 of them, as
# long as the machine is loaded (the test takes 9 of them at load 11; at load
# 20 it once ran past its 240 s after every check had passed)
LAB_BASE=$(fsub "$(now)" "$t0")
lab_watchdog_units 8
if [ "$(promql 'count(up{job="node"})')" = "$N" ]; then
	ok "VictoriaMetrics holds $N hosts' node_exporter series (imported in $LAB_BASE s)"
else
	bad "VictoriaMetrics holds $N hosts" "count(up) = $(promql 'count(up{job="node"})')"
	lab_finish
fi

# the imported samples are 2 minutes apart: rate() needs a window over both
cat >"$T/vm.fleet" <<EOF
[fleet vmfleet]
timeout = 60s

[prometheus vm]
url = http://$VM
match = {job="node"}
rate_window = 10m
EOF
exp() { jq -r "$1" "$T/expect.json"; }
OK=$(exp .ok) WARN=$(exp .warn) CRIT=$(exp .crit) UNK=$(exp .unknown)
printf 'note: planted: %s ok, %s warn, %s crit, %s unknown\n' "$OK" "$WARN" "$CRIT" "$UNK"

fd_run 150 "$T/check.out" -c "$T/vm.fleet" --check
check "--check exits 2 (crit hosts planted)" test "$FD_RC" = 2
if grep -q "hosts_ok=$OK;" "$T/check.out" && grep -q "hosts_warn=$WARN;" "$T/check.out" &&
   grep -q "hosts_crit=$CRIT;" "$T/check.out" && grep -q "hosts_unknown=$UNK;" "$T/check.out" &&
   grep -q "^FLEETDECK CRITICAL - $CRIT critical, $WARN warning, $UNK unknown" "$T/check.out"; then
	ok "--check counts every host as the data says ($CRIT crit, $WARN warn, $UNK unknown)"
else
	bad "--check counts every host as the data says" "$(cat "$T/check.out")"
fi
printf 'note: --check with %s hosts took %s s\n' "$N" "$FD_SECS"

fd_run 150 "$T/once.json" -c "$T/vm.fleet" --once --json
check "--once --json exits 0" test "$FD_RC" = 0
json_check "$T/once.json" "--once --json lists all $N hosts, every field read (memory, disks, kernel)" \
	"(.hosts | length) == $N and all(.hosts[] | select(.reachable); .mem_total == 17179869184
	 and .kernel == \"6.1.0-18-amd64\" and (.disks | length) == 1)"
json_check "$T/once.json" "--once --json counts as the data says" \
	".counts == {\"ok\": $OK, \"warn\": $WARN, \"crit\": $CRIT, \"unknown\": $UNK}"
jq -S '[.hosts[] | select(.status != "ok") | {(.name): .status}] | add' "$T/once.json" >"$T/got.json"
jq -S '.problems' "$T/expect.json" >"$T/want.json"
if [ -s "$T/got.json" ] && cmp -s "$T/got.json" "$T/want.json"; then
	ok "exactly the planted hosts have problems, with the planted status"
else
	bad "exactly the planted hosts have problems" "$(diff "$T/want.json" "$T/got.json" | head -20)"
fi
json_check "$T/once.json" "the problems say why (down, disk, pressure, OOM, unreadable disk)" \
	'[.hosts[] | select(.status != "ok") | .problems[0]] | (any(test("up == 0")) and any(test("disk / 9"))
	 and any(test("PSI some")) and any(test("OOM kill")) and any(test("cannot read")))'
printf 'note: --once --json with %s hosts took %s s\n' "$N" "$FD_SECS"

# A busy server: VictoriaMetrics answers HTTP 503 to a query when its
# -search.maxConcurrentRequests slots stay full for its queue time. That
# check of step 1 is asked again alone after a short backoff, the other
# checks' answers kept, and the round (here --check's only one) still
# counts every host. The 503 comes from a STAND-IN (busy_proxy.py: a proxy
# in front of the real VictoriaMetrics that refuses the first query reading
# the OOM counter, with VictoriaMetrics' own text).
BP=$(lab_free_port 18628) || { printf 'FAIL: no free port\n'; exit 1; }
python3 "$TOP_SRCDIR/tests/prometheus/busy_proxy.py" "127.0.$LAB_NET.3" "$BP" "http://$VM" \
	node_vmstat_oom_kill "$T/busy.log" >"$T/busy.out" 2>&1 &
lab_bg $!
proxy_up() { grep -q ready "$T/busy.out"; }
wait_for 20 proxy_up || bad "the stand-in proxy starts" "$(cat "$T/busy.out")"
sed "s|^url = .*|url = http://127.0.$LAB_NET.3:$BP|" "$T/vm.fleet" >"$T/busy.fleet"
fd_run 150 "$T/busy_check.out" -c "$T/busy.fleet" --check
if grep -q "hosts_ok=$OK;" "$T/busy_check.out" && grep -q "hosts_crit=$CRIT;" "$T/busy_check.out" &&
   grep -q "^FLEETDECK CRITICAL - $CRIT critical, $WARN warning, $UNK unknown" "$T/busy_check.out"; then
	ok "--check through a server that answered one check HTTP 503 still counts every host"
else
	bad "--check through a server that answered one check HTTP 503 still counts every host" \
		"$(cat "$T/busy_check.out")" "$(cut -c1-120 "$T/busy.log")"
fi
refused=$(sed -n 's/^503 //p' "$T/busy.log" | head -1)
upq=$(grep -c '^200 count(max by (instance) (up{job="node"}) == 1)$' "$T/busy.log")
if [ -n "$refused" ] && [ "$(grep -cxF "200 $refused" "$T/busy.log")" = 1 ] && [ "$upq" = 1 ]; then
	ok "the refused check alone is asked again (the count of hosts up asked once)"
else
	bad "the refused check alone is asked again" "count up asked $upq times" "$(cut -c1-120 "$T/busy.log")"
fi
# The disk and OOM checks read fewer series: a cheaper superset first
# (avail / size; the OOM counter's stdvar_over_time), then their own exact
# query for only the hosts it found (instance=~"..."): no query of the
# round computes df's used % or the counter's rise over every host. The
# planted ok hosts the supersets also list (a / at 89 %, an OOM counter
# reset by a reboot) are ruled out by the exact queries: the counts above.
pre_disk=$(grep -c '^ask max by (instance) (node_filesystem_avail_bytes{[^}]*} / node_filesystem_size_bytes' "$T/busy.log")
pre_oom=$(grep -c '^ask max by (instance) (stdvar_over_time(node_vmstat_oom_kill' "$T/busy.log")
exact=$(grep -E '^ask .*(100 / \(1 \+|} > min_over_time\(node_vmstat_oom_kill)' "$T/busy.log")
if [ "$pre_disk" -ge 1 ] && [ "$pre_oom" -ge 1 ] && [ -n "$exact" ] && ! grep -qv 'instance=~' <<<"$exact"; then
	ok "the disk and OOM checks ask a cheaper superset, then only its hosts by name"
else
	bad "the disk and OOM checks ask a cheaper superset, then only its hosts by name" \
		"prefilters: disk $pre_disk, OOM $pre_oom" "$(grep -v 'instance=~' <<<"$exact" | cut -c1-200)"
fi
# At start, a section that may be large is first asked how many hosts it
# has, cheaply: the host_label values of node_uname_info from the server's index
# (/api/v1/label/instance/values, at most server_rules_above + 1 of them).
# More than server_rules_above: the names query (two metrics read for every
# host: at 100,000 hosts longer than the dashboard's 1 s start budget, and
# then abandoned, costing the server's CPU beside step 1) is not asked at
# start; the collector asks it only after step 1 answered. Seen in the
# STAND-IN proxy's log of the --check above.
probe_at=$(grep -n '^get /api/v1/label/instance/values$' "$T/busy.log" | head -1 | cut -d: -f1)
names_at=$(grep -n '^ask count by (instance) (node_uname_info' "$T/busy.log" | head -1 | cut -d: -f1)
upcount_at=$(grep -n '^200 count(max by (instance) (up{job="node"}) == 1)$' "$T/busy.log" | head -1 | cut -d: -f1)
if [ "$probe_at" = 1 ] && [ -n "$upcount_at" ] && [ -n "$names_at" ] && [ "$names_at" -gt "$upcount_at" ]; then
	ok "a large section is not asked every host's name at start: a bounded count first, the names after step 1"
else
	bad "a large section is not asked every host's name at start" \
		"probe at line ${probe_at:-none}, names at ${names_at:-none}, step 1's count answered at ${upcount_at:-none}" \
		"$(head -12 "$T/busy.log" | cut -c1-120)"
fi

# Without rate_window, the first round's rates wait for the scrape
# interval's lookup (`count by (job) (up)`: a read of every host's up), but
# only the PSI check does: the other checks are asked meanwhile. The
# STAND-IN proxy holds the lookup's answer back until the disk check has
# been asked (at most 30 s): asked before the release means not waited for.
HP2=$(lab_free_port 18728) || { printf 'FAIL: no free port\n'; exit 1; }
python3 "$TOP_SRCDIR/tests/prometheus/busy_proxy.py" "127.0.$LAB_NET.4" "$HP2" "http://$VM" \
	'count by (job)' "$T/hold.log" node_filesystem_avail_bytes >"$T/hold.out" 2>&1 &
lab_bg $!
hold_up() { grep -q ready "$T/hold.out"; }
wait_for 20 hold_up || bad "the stand-in proxy starts" "$(cat "$T/hold.out")"
# (with server_rules_above = 0: judged on the server whatever the server
# holds, so not even the start's bounded count is asked)
sed -e "s|^url = .*|url = http://127.0.$LAB_NET.4:$HP2|" -e '/^rate_window/d' \
	-e 's/^match = .*/&\nserver_rules_above = 0/' "$T/vm.fleet" >"$T/hold.fleet"
fd_run 150 "$T/hold_check.out" -c "$T/hold.fleet" --check
disk_at=$(grep -n '^ask .*node_filesystem_avail_bytes' "$T/hold.log" | head -1 | cut -d: -f1)
release_at=$(grep -n '^release count by (job)' "$T/hold.log" | head -1 | cut -d: -f1)
if [ "$FD_RC" = 2 ] && [ -n "$disk_at" ] && [ -n "$release_at" ] && [ "$disk_at" -lt "$release_at" ]; then
	ok "step 1's checks do not wait for the scrape interval's lookup (only PSI's rate does)"
else
	bad "step 1's checks do not wait for the scrape interval's lookup" "rc $FD_RC" \
		"$(cut -c1-100 "$T/hold.log")"
fi
names_at=$(grep -n '^ask count by (instance) (node_uname_info' "$T/hold.log" | head -1 | cut -d: -f1)
if [ "$FD_RC" = 2 ] && ! grep -q '^get /api/v1/label/' "$T/hold.log" && [ -n "$disk_at" ] &&
   [ -n "$names_at" ] && [ "$names_at" -gt "$disk_at" ]; then
	ok "server_rules_above = 0: nothing asked at start, the names after step 1"
else
	bad "server_rules_above = 0: nothing asked at start" "rc $FD_RC" "$(cut -c1-100 "$T/hold.log")"
fi

# --once judges what it read early in a long round at the moment it read
# it (rules_judge_time), as every other domain: here the section polls
# every 1 s and is done in seconds, while a second section's server (a
# listener that never answers) holds the run until its 10 s timeout, twice
# (at start and in the collector) — long past 3 intervals. Neither the
# section nor its hosts may read "stale" at the end.
HP=$(lab_free_port 18528) || { printf 'FAIL: no free port\n'; exit 1; }
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64); time.sleep(300)' "127.0.$LAB_NET.2" "$HP" &
lab_bg $!
mute_up() { [ -n "$(ss -Hltn "src 127.0.$LAB_NET.2:$HP" 2>/dev/null)" ]; }
wait_for 20 mute_up || bad "the mute listener starts" "$(ss -ltn | head -5)"
sed 's/^rate_window = 10m$/&\ninterval = 1s/' "$T/vm.fleet" >"$T/slow.fleet"
printf '\n[prometheus mute]\nurl = http://127.0.%s.2:%s\nmatch = {job="node"}\ntimeout = 10s\n' \
	"$LAB_NET" "$HP" >>"$T/slow.fleet"
fd_run 150 "$T/slow.json" -c "$T/slow.fleet" --once --json
json_check "$T/slow.json" "--once beside a server that holds the run ${FD_SECS} s: the 1 s section's hosts are judged as read, not stale" \
	"(.hosts | length) == $N and ([.prometheus[] | select(.name == \"vm\") | .counts][0] ==
	 {\"ok\": $OK, \"warn\": $WARN, \"crit\": $CRIT, \"unknown\": $UNK})
	 and ([.. | strings | select(test(\"stale\"))] | length) == 0"

# The dashboard: the section line, problems first, and rows fetched as
# they come on screen.
num() { printf '%d\n' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }   # 12,345
HEAD="$(num "$N") hosts: $(num "$OK") ok, $WARN warn, $CRIT crit, $UNK unknown"
fd_tmux vm 160 40 -- -c "$T/vm.fleet"
if tmux_wait_for "$HEAD" 60; then
	ok "the overview reads \"$HEAD\""
else
	bad "the overview reads \"$HEAD\"" "$(tmux_show)"
fi
first_down=$(jq -r '.problems | to_entries | map(select(.value == "crit")) | .[0].key' "$T/expect.json")
if tmux_wait_line "^ *CRIT +$first_down" 'unreachable|up == 0' 30; then
	ok "problem hosts come first, worst first, with their reason"
else
	bad "problem hosts come first" "$(tmux_show)"
fi
last=$(printf 'host-%06d:9100' "$N")
# the counts and problem hosts come before discovery has every name (so
# End before that goes to the end of what is known: the last problem);
# the other hosts are listed once it has them
tmux_wait_line "[0-9]{3,} more below" "more below" 60 || bad "the other hosts are listed after the problems" "$(tmux_show)"
tmux_send End
if tmux_wait_line "$last" 'OK' 60; then
	ok "End brings the last host, fetched when it came on screen"
else
	bad "End brings the last host" "$(tmux_show)"
fi
tmux_send Home / 0 0 1 2
if tmux_wait_line 'host-000120:9100' 'OK' 60 && tmux_lacks 'host-000200:9100'; then
	ok "/ filters the whole section on the server's names (host-000120 shown)"
else
	bad "/ filters the whole section" "$(tmux_show)"
fi
tmux_send Escape q
wait_for 5 tmux_has EXITED:0 || bad "q quits" "$(tmux_show)"

# Many problem hosts: step 2 names its rows (100 problems and the window)
# in every selector of its status query, which then passes
# VictoriaMetrics' -search.maxQueryLen (16384 bytes by default, as here):
# the server refuses it, and every row would read "no current series".
# The rows are asked in as many queries as keep each under it. A second
# job of the same STAND-IN, 600 hosts of which 300 have / at 92 %.
python3 "$SYNTH" import 600 --plant diskwarn=300 --job many | curl -sf -m 120 -X POST \
	--data-binary @- "http://$VM/api/v1/import/prometheus" && curl -sf -m 30 "http://$VM/internal/force_flush"
sed -e 's/^match = .*/match = {job="many"}\nserver_rules_above = 100/' "$T/vm.fleet" >"$T/many.fleet"
fd_tmux many 160 40 -- -c "$T/many.fleet"
# (the load column is step 2's: a row its status query did not judge
# reads UNKNOWN with no values)
if tmux_wait_for "600 hosts: 300 ok, 300 warn" 60 &&
   tmux_wait_line '^ *WARN +host-000001:9100' 'disk / 92% used +[0-9]+\.[0-9]{2} ' 30 &&
   tmux_lacks 'no current series'; then
	ok "300 problem hosts: the rows are asked in queries the server accepts (WARN, disk / 92% used)"
else
	bad "300 problem hosts: the rows are asked in queries the server accepts" "$(tmux_show)" \
		"$(grep -c maxQueryLen "$T/vm.log") queries refused as too long"
fi
tmux_send q
wait_for 5 tmux_has EXITED:0 || bad "q quits" "$(tmux_show)"

lab_finish
