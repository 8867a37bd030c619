# tests/prometheus/lib.sh — sourced by the tests that run a Prometheus
# (after tests/lab/lib.sh, with URL set to its base URL).

# promql_count EXPR: the number of series the query API answers EXPR with.
promql_count() {
	curl -s -m 2 -G "$URL/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result | length' 2>/dev/null
}

# promql_count_is N EXPR: the query API answers EXPR with N series (for
# wait_for: wait_for 15 promql_count_is 2 'up{job="x"} == 0').
promql_count_is() { [ "$(promql_count "$2")" = "$1" ]; }

# node_exporter_start ADDR:PORT [FLAG...]: a node_exporter with only the
# collectors fleetdeck reads (fast, nothing noisy), log in $T/node-ADDR.log;
# its pid in NODE_EXPORTER_PID.
node_exporter_start() {
	local listen=$1
	shift
	prometheus-node-exporter --web.listen-address="$listen" --collector.disable-defaults \
		--collector.cpu --collector.loadavg --collector.meminfo --collector.filesystem \
		--collector.uname --collector.stat --collector.vmstat "$@" \
		>"$T/node-${listen%:*}.log" 2>&1 &
	NODE_EXPORTER_PID=$!
	lab_bg $!
}
