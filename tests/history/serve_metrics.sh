#!/bin/bash
# serve_metrics.sh — fleetdeck --headless --serve-metrics on a lab with a
# host down, scraped by a real Prometheus (ports found free at run time):
# the target is up, parsed as OpenMetrics (units in the metadata), and the
# query API says what fleetdeck saw (lab1 up, lab2 down and crit). Also: a
# non-loopback address is refused, SIGTERM ends the service cleanly.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=81
lab_test_begin serve_metrics 58
lab_require_tool prometheus curl python3
lab_up 2
lab_stop_host 2

# A free port on an address of this lab's own: bound by the kernel, then
# released for the server that needs it.
free_port() {
	python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}
A=127.0.$LAB_NET.1
FP=$(free_port $A) PP=$(free_port $A)
[ -n "$FP" ] && [ -n "$PP" ] && [ "$FP" != "$PP" ] || { bad "found two free ports" "$FP $PP"; lab_finish; }
echo "fleetdeck on $A:$FP, prometheus on $A:$PP"

fd_run 10 "$T/remote.out" --headless --serve-metrics 0.0.0.0:$FP -c "$LAB_FLEET"
[ "$FD_RC" = 2 ] && grep -q "not a loopback address" "$T/remote.out.err" &&
	ok "0.0.0.0 is refused without --serve-metrics-remote (exit 2, says why)" ||
	bad "0.0.0.0 is refused without --serve-metrics-remote" "exit $FD_RC" "$(cat "$T/remote.out.err")"
fd_run 10 "$T/nohl.out" --headless -c "$LAB_FLEET"
[ "$FD_RC" = 2 ] && ok "--headless alone is a usage error" || bad "--headless alone is a usage error" "exit $FD_RC"

"$FLEETDECK" --headless --serve-metrics "$A:$FP" -c "$LAB_FLEET" >"$T/fd.out" 2>"$T/fd.err" 9>&- &
FDP=$!
lab_bg $FDP
wait_for 10 _lab_tcp_open "$A" "$FP" && ok "the metrics endpoint listens" ||
	{ bad "the metrics endpoint listens" "$(cat "$T/fd.err")"; lab_finish; }

cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: fleetdeck
    static_configs:
      - targets: ['$A:$FP']
YML
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="$A:$PP" >"$T/prometheus.log" 2>&1 9>&- &
lab_bg $!
URL=http://$A:$PP

# promql EXPR: the first result's value, or nothing.
promql() {
	curl -s -m 2 -G "$URL/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null
}
eq() { [ "$(promql "$1")" = "$2" ]; }
wait_for 30 eq 'up{job="fleetdeck"}' 1 && ok "Prometheus scrapes fleetdeck (up == 1)" ||
	bad "Prometheus scrapes fleetdeck (up == 1)" "$(curl -s -m 2 "$URL/api/v1/targets" | head -c 800)" "$(tail -5 "$T/prometheus.log")"
wait_for 15 eq 'fleetdeck_host_up{host="lab2"}' 0 && ok "Prometheus: lab2 is down (fleetdeck_host_up 0)" ||
	bad "Prometheus: lab2 is down" "got '$(promql 'fleetdeck_host_up{host="lab2"}')'"
wait_for 10 eq 'fleetdeck_host_up{host="lab1"}' 1 && ok "Prometheus: lab1 is up" ||
	bad "Prometheus: lab1 is up" "got '$(promql 'fleetdeck_host_up{host="lab1"}')'"
wait_for 10 eq 'fleetdeck_host_status{host="lab2",status="crit"}' 1 && ok "Prometheus: lab2 is crit" ||
	bad "Prometheus: lab2 is crit"
wait_for 10 eq 'fleetdeck_fleet_status{status="crit"}' 1 && ok "Prometheus: the fleet is crit" ||
	bad "Prometheus: the fleet is crit"
mem=$(promql 'fleetdeck_host_memory_total_bytes{host="lab1"}')
want=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
[ -n "$mem" ] && [ "$mem" = "$want" ] && ok "Prometheus has lab1's MemTotal in bytes ($mem)" ||
	bad "Prometheus has lab1's MemTotal in bytes" "got '$mem', /proc/meminfo says $want"
health=$(curl -s -m 2 "$URL/api/v1/targets" | jq -r '.data.activeTargets[0] | "\(.health) \(.lastError)"')
[ "$health" = "up " ] && ok "the scrape has no error" || bad "the scrape has no error" "$health"
unit=$(curl -s -m 2 -G "$URL/api/v1/metadata" --data-urlencode metric=fleetdeck_host_cpu_busy_ratio |
	jq -r '.data.fleetdeck_host_cpu_busy_ratio[0].unit // empty')
[ "$unit" = ratio ] && ok "Prometheus read the OpenMetrics format (UNIT ratio in its metadata)" ||
	bad "Prometheus read the OpenMetrics format" "unit '$unit'"

# the plain-text answer for other scrapers, and refusals
code=$(curl -s -m 2 -o "$T/plain.txt" -w '%{http_code} %{content_type}' "http://$A:$FP/metrics")
case $code in "200 text/plain; version=0.0.4"*) ok "without Accept: the classic text format" ;;
	*) bad "without Accept: the classic text format" "$code" ;; esac
check "the classic text has no # EOF" bash -c "! grep -q '^# EOF' '$T/plain.txt'"
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' -X POST "http://$A:$FP/metrics")
[ "$code" = 405 ] && ok "POST is refused (405)" || bad "POST is refused (405)" "$code"

kill -TERM $FDP
wait_for 5 bash -c "! kill -0 $FDP 2>/dev/null" && ok "SIGTERM ends the service" || bad "SIGTERM ends the service"
wait $FDP; rc=$?
[ "$rc" = 143 ] && ok "and it dies of it (exit 143: a supervisor tells a kill from a quit)" ||
	bad "and it dies of it (exit 143: a supervisor tells a kill from a quit)" "exit $rc" "$(cat "$T/fd.err")"
lab_finish
