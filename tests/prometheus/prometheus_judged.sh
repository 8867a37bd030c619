#!/bin/bash
# prometheus_judged.sh — server-side judgement against a real Prometheus
# (Debian's prometheus 2.42) scraping a STAND-IN exporter
# (tests/prometheus/synth_fleet.py serve) that serves FD_PROM_HOSTS (default
# 2,500) instances' worth of node_exporter 1.5 series on one /metrics,
# kept apart by honor_labels, with planted problems (hosts down, disks over
# 90/95 %, memory pressure over 10/40, OOM kills 12 s in, a host without
# filesystem series). More hosts than server_rules_above (2,000): the
# section is judged by PromQL on the server. Checks: the counts per status
# and the problem hosts equal what the exporter serves, in --check,
# --once --json and on the dashboard.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=${LAB_NET:-74}
lab_test_begin prometheus_judged 200
lab_require_tool prometheus curl jq python3
FAILED=0
N=${FD_PROM_HOSTS:-2500}
SYNTH=$TOP_SRCDIR/tests/prometheus/synth_fleet.py

PP=$(lab_free_port 19090) && XP=$(lab_free_port 19100) ||
	{ printf 'FAIL: no free port\n'; exit 1; }
P=127.0.$LAB_NET.1:$PP
X=127.0.$LAB_NET.2:$XP
python3 "$SYNTH" serve "$N" "$XP" --addr "127.0.$LAB_NET.2" >"$T/synth.log" 2>&1 &
lab_bg $!
python3 "$SYNTH" expect "$N" >"$T/expect.json"
# the unit of this test's work, measured now: one scrape of the stand-in
# (what Prometheus does every 5 s, and what a loaded machine slows down);
# the watchdog is the limit above plus 100 of them (the test takes ~160 at
# load 12)
scrape() { curl -sf -m 60 -o /dev/null "http://$X/metrics"; }
wait_for 20 scrape || { bad "the stand-in exporter serves /metrics" "$(tail -5 "$T/synth.log")"; lab_finish; }
lab_baseline scrape
lab_watchdog_units 100
cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  scrape_timeout: 4s
  query_log_file: $T/query.log
scrape_configs:
  - job_name: node
    honor_labels: true
    static_configs:
      - targets: ['$X']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="$P" >"$T/prometheus.log" 2>&1 &
lab_bg $!

promql() { curl -s -m 5 -G "http://$P/api/v1/query" --data-urlencode "query=$1" |
	jq -r '.data.result[0].value[1] // empty' 2>/dev/null; }
# every instance scraped, for longer than the rate window (rate() of a
# younger series is too low: Prometheus extrapolates only half an interval
# back from its first sample), and the planted OOM kills (12 s after the
# exporter started) seen. The window is fleetdeck's default, 60 s (12
# scrapes), not a short one: an instant rate() misses the newest scrape
# while it is still running, and Prometheus then extrapolates only half an
# interval forward. Under load a scrape of the stand-in takes ~2 s, and over
# 20 s (4 scrapes) the server itself answered 40.0 % for the planted 55 %
# and 14.5 % for 20 % (crit seen as warn); over 60 s the shortfall is at most
# the scrape timeout + half an interval (6.5 s, 11 %), which keeps 55 % over
# 40 and 20 % over 10 whatever the load.
ready() {
	[ "$(promql 'count(up{job="node",instance=~"host-.*"})')" = "$N" ] &&
	[ "$(promql 'count(node_pressure_memory_waiting_seconds_total offset 62s)')" = \
	  "$(promql 'count(node_pressure_memory_waiting_seconds_total)')" ] &&
	[ "$(promql 'count(node_vmstat_oom_kill > 3)')" = "$(jq -r .planted.oom "$T/expect.json")" ]
}
# what the server holds, for a failure's message
scrape_diag() {
	printf 'server now: scrapes of the exporter ok in the last 30 s: %s of %s, the last took %s s; hosts with a PSI rate: %s, over 10 %%: %s\n' \
		"$(promql "sum_over_time(up{instance=\"$X\"}[30s])")" \
		"$(promql "count_over_time(up{instance=\"$X\"}[30s])")" \
		"$(promql "scrape_duration_seconds{instance=\"$X\"}")" \
		"$(promql 'count(rate(node_pressure_memory_waiting_seconds_total[60s]))')" \
		"$(promql 'count(rate(node_pressure_memory_waiting_seconds_total[60s]) * 100 > 10)')"
}
if wait_for 120 ready; then
	ok "Prometheus scrapes $N instances from one exporter (honor_labels)"
else
	bad "Prometheus scrapes $N instances" "$(tail -5 "$T/prometheus.log")" \
		"up: $(promql 'count(up{job="node",instance=~"host-.*"})')"
	lab_finish
fi

cat >"$T/p.fleet" <<EOF
[fleet judged]
timeout = 30s

[prometheus big]
url = http://$P
match = {job="node",instance=~"host-.*"}
EOF
exp() { jq -r "$1" "$T/expect.json"; }
OK=$(exp .ok) WARN=$(exp .warn) CRIT=$(exp .crit) UNK=$(exp .unknown)

qlog0=$(cat "$T/query.log" 2>/dev/null | wc -l)
fd_run 90 "$T/check.out" -c "$T/p.fleet" --check
UP=$((N - $(exp .planted.down)))
if [ "$FD_RC" = 2 ] && grep -q "hosts_ok=$OK;" "$T/check.out" && grep -q " | hosts_up=$UP;" "$T/check.out" &&
   grep -q "^FLEETDECK CRITICAL - $CRIT critical, $WARN warning, $UNK unknown" "$T/check.out"; then
	ok "--check: $CRIT critical, $WARN warning, $UNK unknown, $OK ok, as served; $UP hosts up"
else
	bad "--check counts as served" "rc $FD_RC" "$(cat "$T/check.out")" "$(scrape_diag)"
fi
# At start the section is first asked how many hosts it has, cheaply (the
# host_label values of node_uname_info from the index, which Prometheus 2.42 answers
# whole: read up to server_rules_above + 1); more than server_rules_above,
# so the names query (every host's node_uname_info and up) is not asked at
# start: Prometheus' own query log (each query when it was evaluated) has
# it only after step 1's count of hosts up.
tail -n +"$((qlog0 + 1))" "$T/query.log" | jq -r '.params.query' >"$T/queries.txt" 2>/dev/null
names_at=$(grep -n '^count by (instance) (node_uname_info' "$T/queries.txt" | head -1 | cut -d: -f1)
upcount_at=$(grep -n '^count(max by (instance) (up{' "$T/queries.txt" | head -1 | cut -d: -f1)
if [ -n "$names_at" ] && [ -n "$upcount_at" ] && [ "$names_at" -gt "$upcount_at" ]; then
	ok "more hosts than server_rules_above: every host's name is not asked at start (Prometheus' query log: after step 1)"
else
	bad "more hosts than server_rules_above: every host's name is not asked at start" \
		"names at ${names_at:-none}, step 1's count at ${upcount_at:-none}" \
		"$(head -8 "$T/queries.txt" | cut -c1-120)"
fi

fd_run 90 "$T/once.json" -c "$T/p.fleet" --once --json
json_check "$T/once.json" "the section is judged on the server ($N > server_rules_above)" \
	".prometheus[0].hosts == $N and (.hosts | length) == $N"
jq -S '[.hosts[] | select(.status != "ok") | {(.name): .status}] | add' "$T/once.json" >"$T/got.json"
jq -S '.problems' "$T/expect.json" >"$T/want.json"
if [ -s "$T/got.json" ] && cmp -s "$T/got.json" "$T/want.json"; then
	ok "the problem hosts are exactly the planted ones"
else
	bad "the problem hosts are exactly the planted ones" "$(diff "$T/want.json" "$T/got.json" | head -20)"
fi

num() { printf '%d\n' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
HEAD="$(num "$N") hosts: $(num "$OK") ok, $WARN warn, $CRIT crit, $UNK unknown"
# one frame with the counts and every planted problem host (the screen holds
# them all): a later round may read the server during a scrape gap
screen_lacks() {
	local h
	SCREEN=$(tmux_capture)
	grep -qF -- "$HEAD" <<<"$SCREEN" || { printf '"%s"\n' "$HEAD"; return; }
	for h in $(jq -r '.problems | keys[]' "$T/expect.json"); do
		grep -qF -- "$h" <<<"$SCREEN" || printf '%s\n' "$h"
	done
}
screen_complete() { [ -z "$(screen_lacks)" ]; }
fd_tmux big 160 40 -- -c "$T/p.fleet"
if wait_for 40 screen_complete; then
	ok "the dashboard's server-side counts: \"$HEAD\", with every problem host on the first screen"
else
	bad "the dashboard's server-side counts: \"$HEAD\", with every problem host on the first screen" \
		"missing: $(screen_lacks | tr '\n' ' ')" "$(tmux_show)" "$(scrape_diag)"
fi
tmux_send q
wait_for 5 tmux_has EXITED:0 || bad "q quits" "$(tmux_show)"

lab_finish
