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
