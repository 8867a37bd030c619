#!/bin/bash
# prometheus_lab.sh — [prometheus] as the data source for hosts, against a
# real Prometheus 2.42 scraping three real prometheus-node-exporter 1.5 on
# 127.0.70.2-4 (our own processes, on ports found free at run time: the
# Debian services may hold *:9090 and *:9100, and are never touched):
# discovery by instance, values equal to this machine's /proc (every
# exporter runs on this kernel), a [host] of the same name keeps its own
# polling, an exporter stopped → that host crit/unreachable and the others
# fine, a Prometheus that does not answer → a message and an unknown
# source (no crash), --validate contacts nothing, the bearer token is in no
# output, and the TUI shows the three hosts.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/prometheus/lib.sh"
LAB_NET=${LAB_NET:-70}
lab_test_begin prometheus_lab
lab_require_root "the lab listens on 127.0.70.x"
lab_require_tool prometheus prometheus-node-exporter curl ss
FAILED=0

# Ports nothing listens on, on any address: the Debian services take *:9090
# and *:9100 when systemd runs them, and a user's machine stays theirs.
PP=$(lab_free_port 9090) && XP=$(lab_free_port 9100) ||
	{ printf 'FAIL: no free TCP port near 9090 or 9100\n'; exit 1; }
P=127.0.$LAB_NET.1:$PP
URL=http://$P
I2=127.0.$LAB_NET.2:$XP I3=127.0.$LAB_NET.3:$XP I4=127.0.$LAB_NET.4:$XP
cd "$T" || exit 1

# node_exporter_start + PSI; the pid kept to stop one exporter later
start_exporter() {
	node_exporter_start "$1" --collector.pressure
	eval "PID_${1//[.:]/_}=$NODE_EXPORTER_PID"
}
for a in $I2 $I3 $I4; do start_exporter "$a"; done

cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['$I2', '$I3', '$I4']
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="$P" >"$T/prometheus.log" 2>&1 &
lab_bg $!

# rate() needs two scrapes of every exporter before CPU % and PSI exist
rates_ready() {
	promql_count_is 3 'avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[1m]))' &&
		{ [ ! -e /proc/pressure/memory ] ||
		  promql_count_is 3 'rate(node_pressure_memory_stalled_seconds_total[1m])'; }
}
if wait_for 25 promql_count_is 3 'up{job="node"} == 1' && wait_for 10 rates_ready; then
	ok "Prometheus scrapes the 3 exporters (up == 1 three times)"
else
	bad "Prometheus scrapes the 3 exporters" "$(tail -5 "$T/prometheus.log")"
	lab_finish
fi

umask 077
printf 's3cr3t-prom-token\n' >"$T/token"
cat >"$T/p.fleet" <<EOF
[fleet promlab]
interval = 3s
timeout = 3s

[prometheus p]
url = $URL/
match = {job="node"}
bearer_token_file = $T/token
EOF

MEM=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
CORES=$(grep -c '^cpu[0-9]' /proc/stat)   # what nproc says here, and what node_exporter reads
KERNEL=$(uname -r)
NOPSI=false
[ -e /proc/pressure/memory ] || NOPSI=true

fd_run 20 "$T/once.json" -c "$T/p.fleet" --once --json
check "--once --json exits 0 (and, under --enable-sanitizers, leaks nothing)" test "$FD_RC" = 0
json_check "$T/once.json" "3 hosts, named by instance, each via prometheus p" \
	"[.hosts[].name] == [\"$I2\", \"$I3\", \"$I4\"] and all(.hosts[]; .role == \"via prometheus p\")"
json_check "$T/once.json" "all reachable, none crit or unknown" \
	'all(.hosts[]; .reachable == true and .conn == "ok" and (.status == "ok" or .status == "warn"))'
json_check "$T/once.json" "mem_total = this machine's MemTotal ($MEM)" \
	"all(.hosts[]; .mem_total == $MEM and .mem_available > 0 and .mem_available <= .mem_total)"
json_check "$T/once.json" "cores = $CORES, cpu_pct 0..100, load of 3" \
	"all(.hosts[]; .cores == $CORES and .cpu_pct >= 0 and .cpu_pct <= 100 and (.load | length) == 3)"
json_check "$T/once.json" "disks[0] is / with size and use" \
	'all(.hosts[]; .disks[0].mount == "/" and .disks[0].valid and .disks[0].size > 0 and .disks[0].used_pct >= 0)'
json_check "$T/once.json" "swap, PSI, OOM kills, kernel, sampled_at, latency present" \
	"all(.hosts[]; .swap_used != null and (.psi_mem_some_avg10 != null or $NOPSI) and .oom_kills != null
	 and .kernel == \"$KERNEL\" and .sampled_at > 0 and .latency_ms > 0)"
json_check "$T/once.json" "the section polls at Prometheus's scrape interval (1 s, from /api/v1/targets), not the fleet's 3 s" \
	'all(.hosts[]; .interval_s == 1)'
if grep -q s3cr3t "$T/once.json" "$T/once.json.err"; then
	bad "the bearer token is in no output"
else
	ok "the bearer token is in no output"
fi
printf 'note: --once with 3 Prometheus hosts took %s s; query round trip (up) %s ms\n' \
	"$FD_SECS" "$(jq -r '.hosts[0].latency_ms' "$T/once.json")"

# An explicit [host] of an instance's name keeps its own polling.
cp "$T/p.fleet" "$T/explicit.fleet"
printf '\n[host %s]\nssh = local\ncontainers = none\ngpus = none\n' "$I4" >>"$T/explicit.fleet"
fd_run 20 "$T/explicit.json" -c "$T/explicit.fleet" --once --json
json_check "$T/explicit.json" "a [host] named like an instance wins over discovery (polled locally)" \
	"(.hosts | length) == 3 and ([.hosts[] | select(.name == \"$I4\")] | length) == 1
	 and (.hosts[] | select(.name == \"$I4\") | .role == null and .reachable)"

# --validate parses only: Prometheus is never asked.
before=$(grep -c . "$T/prometheus.log")
fd_run 10 "$T/validate.out" -c "$T/p.fleet" --validate
check "--validate exits 0 without discovery" test "$FD_RC" = 0
check "--validate prints no discovery message" test ! -s "$T/validate.out.err"

# A match no series has: the server answers with an empty vector, as a
# Prometheus does before its first scrape (the dashboard below meets that
# while it retries): no host, the reason, no crash and, under
# --enable-sanitizers, no undefined behaviour on the empty list.
printf '[prometheus nobody]\nurl = %s/\nmatch = {job="nobody"}\n' "$URL" >"$T/nobody.fleet"
fd_run 20 "$T/nobody.json" -c "$T/nobody.fleet" --once --json
check "an empty answer does not stop fleetdeck (exit 0)" test "$FD_RC" = 0
json_check "$T/nobody.json" "the source says no host matches" \
	'(.hosts | length) == 0 and (.prometheus[0].error | test("no host matches"))'

# Judged on the server (more hosts than server_rules_above) while every
# host is fine: the list of problem hosts is empty.
sed 's/^match = .*/&\nserver_rules_above = 1/' "$T/p.fleet" >"$T/judged.fleet"
fd_run 20 "$T/judged.json" -c "$T/judged.fleet" --once --json
check "a server-judged section without a problem host: exit 0" test "$FD_RC" = 0
json_check "$T/judged.json" "... and its 3 hosts are judged" '(.hosts | length) == 3'

# One exporter stops: Prometheus sees up == 0, fleetdeck says unreachable.
victim=PID_${I3//[.:]/_}
kill -TERM "${!victim}"
_lab_wait_gone "${!victim}" 10
if wait_for 15 promql_count_is 1 'up{job="node"} == 0'; then
	ok "Prometheus sees the stopped exporter (up == 0)"
else
	bad "Prometheus sees the stopped exporter (up == 0)"
fi
fd_run 20 "$T/down.json" -c "$T/p.fleet" --once --json
json_check "$T/down.json" "the stopped exporter's host is crit and unreachable, with the reason" \
	".hosts[] | select(.name == \"$I3\") | .status == \"crit\" and .reachable == false
	 and (.problems | join(\" \") | test(\"up == 0\"))"
json_check "$T/down.json" "the two others stay reachable" \
	"[.hosts[] | select(.name != \"$I3\") | select(.reachable and .status != \"crit\")] | length == 2"
fd_run 20 "$T/check.out" -c "$T/p.fleet" --check
check "--check exits 2 CRITICAL" test "$FD_RC" = 2

# A Prometheus that does not answer: a message, an unknown source, no crash.
GP=$(lab_free_port $((PP + 1)))
printf '[prometheus gone]\nurl = http://127.0.%s.1:%s\nmatch = {job="node"}\n' "$LAB_NET" "$GP" >"$T/gone.fleet"
fd_run 20 "$T/gone.json" -c "$T/gone.fleet" --once --json
check "an unanswering Prometheus does not stop fleetdeck (exit 0)" test "$FD_RC" = 0
check "it says so on stderr" grep -q '\[prometheus gone\]: no hosts from' "$T/gone.json.err"
json_check "$T/gone.json" "the source shows as unknown with the reason" \
	'.status == "unknown" and (.hosts | length) == 0 and .prometheus[0].state == "discovering"
	 and (.prometheus[0].error | test("did not answer"))
	 and ([.alerts[] | select(.target == "prometheus/gone" and .severity == "unknown")] | length) == 1'

# The dashboard starts at once with that section "discovering"; when a
# Prometheus comes up there, the section finds its hosts by itself (backoff
# 1, 2, 4 ... s), no restart.
fd_tmux gone 120 30 -- -c "$T/gone.fleet"
if tmux_wait_for 'did not answer' 5; then
	ok "the first frame comes at once and says the server does not answer"
else
	bad "the first frame comes at once and says the server does not answer" "$(tmux_show)"
fi
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb2" \
	--web.listen-address="127.0.$LAB_NET.1:$GP" >"$T/prometheus2.log" 2>&1 &
lab_bg $!
if tmux_wait_for '3 hosts: 2 ok, 1 crit' 40; then
	ok "a Prometheus that comes up later is found without a restart (3 hosts: 2 ok, 1 crit)"
else
	bad "a Prometheus that comes up later is found without a restart" "$(tmux_show)"
fi
tmux_send q

# The TUI shows the three hosts, found at start within the dashboard's 1 s
# start budget (the bounded count of the section's hosts, then their
# names): model hosts with their role, not a section judged on the server.
fd_tmux prom 120 30 -- -c "$T/p.fleet"
if tmux_wait_for "$I2" 10 && tmux_wait_for "$I3" 5 && tmux_wait_for "$I4" 5; then
	ok "the TUI lists the 3 hosts"
else
	bad "the TUI lists the 3 hosts" "$(tmux_show)"
fi
if tmux_wait_line "$I2" 'via prometheus p' 5 && tmux_lacks 'hosts: '; then
	ok "the dashboard found them at start: classic hosts (via prometheus p), not judged on the server"
else
	bad "the dashboard found them at start: classic hosts" "$(tmux_show)"
fi
if tmux_wait_line "$I3" 'CRIT|crit|DOWN|down|unreach' 10; then
	ok "the TUI shows the stopped one as crit"
else
	bad "the TUI shows the stopped one as crit" "$(tmux_show)"
fi
tmux_send q
if wait_for 5 tmux_has EXITED:0; then ok "q quits"; else bad "q quits" "$(tmux_show)"; fi

lab_finish
