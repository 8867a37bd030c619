#!/bin/bash
# make bench, Prometheus part: fleetdeck reading a real VictoriaMetrics
# (Debian's victoria-metrics) loaded with BENCH_PROM_HOSTS (default
# 100,000) STAND-IN node_exporter hosts (tests/prometheus/synth_fleet.py,
# with planted problems), imported through /api/v1/import/prometheus.
#   - parse: the cost of reading an answer, per series (bench/prom_parse_bench)
#   - large: the section judged on the server: time to the first full
#     overview (the counts line and the problem rows on screen), the
#     dashboard's RSS, CPU per round; --check and --once --json (every host)
#     wall time and peak RSS; side by side with what a user would script
#     instead (curl + jq of the same status PromQL)
#   - overview: the first full overview alone (as in large), this build
#     and $FLEETDECK_BEFORE (a build of an older main, if set) alternated,
#     BENCH_PROM_REPEAT (default 2) times each, against a WARM server
#     (restarted once, then every metric's series read once by a query
#     that is not fleetdeck's: its index and caches as a running
#     production engine has them) and against a FRESHLY RESTARTED one
#     (before each run). No answer comes from VictoriaMetrics' response
#     cache: it runs with -search.disableCache (1.79 does not cache instant
#     queries at "now" anyway: its rollup-result hit counters are printed).
#     After each run the dashboard is stopped and the server left to finish
#     what it was asked (no query in /api/v1/status/active_queries).
#   - classic: BENCH_PROM_CLASSIC (default 10,000) of those hosts as model
#     hosts (server_rules_above above that), every host fetched each round:
#     RSS and CPU per round
#   - memory: memory per host of the classic dashboard (BENCH_PROM_CLASSIC
#     hosts, every host fetched), this build and $FLEETDECK_BEFORE (a build
#     of an older main, if set) side by side against the same server in the
#     same window: RSS / hosts of each, and their ratio. With
#     BENCH_PROM_DAY_RATE=R (e.g. 240) both run with
#     FLEETDECK_BENCH_HIST_RATE=R (a benchmark-only knob of the dashboard's
#     trend store, src/history/history.h: every point dated as if time ran
#     R times faster since the store's first), so their stores hold a day's
#     worth of trends after 26 h / R of real rounds; RSS and CPU are read
#     every 30 s until then ("memory after a day"); a FLEETDECK_BEFORE
#     older than 9b7f3ca ignores the knob (cherry-pick it onto that build)
#   - exports (not by default): --once --format csv and openmetrics of the
#     large section (every host), this build and $FLEETDECK_BEFORE one
#     after the other, each format: wall, CPU, peak RSS, bytes and lines
# BENCH_PROM_PARTS (default "parse large overview scripted classic memory") picks the parts:
# "large classic" is the dashboards alone (the scripted --check / --once
# --json at 100,000 hosts take minutes of the server's time). The classic
# part's start discovery must answer within the dashboard's start budget
# (PROM_START_BUDGET, 1 s), else its section is judged on the server: a
# slow server holding 100,000 hosts may not; then run it on its own with
# BENCH_PROM_HOSTS=10000 BENCH_PROM_PARTS=classic.
# A round is counted from VictoriaMetrics' own per-query counts
# (/api/v1/status/top_queries): every query of a round is made once per
# round, so the mean count of the queries made in the window is the rounds.
# Targets (issue #11): 100,000 hosts first full overview <= 10 s, RSS <=
# 512 MiB, CPU per round <= 1 s; 10,000 hosts all fetched RSS <= 128 MiB,
# CPU per round <= 0.5 s.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fd=${FLEETDECK:-$top/src/fleetdeck}
n=${BENCH_PROM_HOSTS:-100000}
nc=${BENCH_PROM_CLASSIC:-10000}
secs=${BENCH_SECONDS:-60}
interval=${BENCH_PROM_INTERVAL:-15}
parts=" ${BENCH_PROM_PARTS:-parse large overview scripted classic memory} "
part() { case $parts in *" $1 "*) return 0 ;; esac; return 1; }
hz=$(getconf CLK_TCK)
dir=$(mktemp -d /tmp/fd-bench-prom.XXXXXX)
sock=fdbench-prom-$$
vm_pid=
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	tmux -L "$sock-before" kill-server 2>/dev/null
	[ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
command -v victoria-metrics >/dev/null || { echo "bench: victoria-metrics missing (./bootstrap)"; exit 1; }

free_port() {
	local p=$1
	while [ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; do p=$((p + 1)); done
	echo "$p"
}
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
fsub() { echo "$1 - $2" | bc -l; }

echo "fleetdeck bench (Prometheus): $(nproc) cores, $(date -u +%Y-%m-%d), load $(cut -d' ' -f1-3 /proc/loadavg)"
if part parse || part scripted; then
	make -s -C "$top" bench/prom_parse_bench >/dev/null 2>&1
fi
part parse && "$top/bench/prom_parse_bench" "$n"

port=$(free_port 28428)
vm=127.0.201.1:$port
# the imported samples stay current for the bench's hour (-search.maxLookback);
# queries over 100,000 hosts may take longer than the default 30 s here; no
# response cache (a run must not be answered from an earlier run's)
vm_start() {
	victoria-metrics -httpListenAddr="$vm" -storageDataPath="$dir/vm" -retentionPeriod=1d \
		-search.latencyOffset=0s -search.maxLookback=1h -search.maxQueryDuration=10m \
		-search.maxUniqueTimeseries=100000000 -search.maxSamplesPerQuery=10000000000 \
		-search.queryStats.minQueryDuration=0s -search.disableCache \
		>>"$dir/vm.log" 2>&1 &
	vm_pid=$!
	for _ in $(seq 300); do curl -sf "http://$vm/health" >/dev/null && return; sleep 0.2; done
	echo "bench: VictoriaMetrics did not start: $(tail -3 "$dir/vm.log")"
	exit 1
}
vm_stop() {
	kill -INT "$vm_pid" 2>/dev/null && wait "$vm_pid" 2>/dev/null
	vm_pid=
}
vm_start
t0=$(date +%s.%N)
echo "import: samples at $(date -u +%H:%M:%S) and 120 s before (VictoriaMetrics looks back 1 h)"
python3 "$top/tests/prometheus/synth_fleet.py" import "$n" |
	curl -sf -X POST --data-binary @- "http://$vm/api/v1/import/prometheus" || { echo "bench: import failed"; exit 1; }
curl -sf "http://$vm/internal/force_flush" >/dev/null
# a running server's parts are merged: not thousands of small imported ones
curl -sf "http://$vm/internal/force_merge" >/dev/null
printf 'import: %s hosts (%s up) into VictoriaMetrics in %.0f s\n' "$n" \
	"$(curl -s -G "http://$vm/api/v1/query" --data-urlencode 'query=count(up{job="node"})' | jq -r '.data.result[0].value[1]')" \
	"$(fsub "$(date +%s.%N)" "$t0")"
queries() { curl -s "http://$vm/metrics" | awk '/^vm_http_requests_total\{path="\/api\/v1\/query"\}/ { print $2 }'; }
# each query's count so far: {"query@range": count}
qstats() {
	local j none='{}'
	j=$(curl -s "http://$vm/api/v1/status/top_queries?topN=1000&maxLifetime=2h" |
		jq -c '[.topByCount[] | {key: (.query + "@" + (.timeRangeSeconds | tostring)), value: .count}] | from_entries' 2>/dev/null)
	echo "${j:-$none}"
}
# rounds between two qstats: the mean count of the queries made since
rounds_between() {
	jq -n --argjson a "$1" --argjson b "$2" \
		'[$b | to_entries[] | .value - ($a[.key] // 0) | select(. > 0)] |
		 if length == 0 then 0 else (add / length) end'
}

cat >"$dir/large.fleet" <<EOF
[fleet bench]
timeout = 600s
oom_hold = 1h
[prometheus dc]
url = http://$vm
match = {job="node"}
rate_window = 1h
interval = ${interval}s
EOF
sed -e "s/^\[prometheus dc\]/[prometheus dc]\nserver_rules_above = $((nc + 1))/" \
	-e "s|^match = .*|match = {job=\"node\",instance=~\"host-0*([1-9][0-9]{0,$((${#nc} - 2))}\|$nc):9100\"}|" \
	"$dir/large.fleet" >"$dir/classic.fleet"

# dashboard: start, first full overview, then steady rounds
dashboard() { # FLEET TAG WAITFOR [ROWS]
	local fleet=$1 tag=$2 want=$3 rows=${4:-} pid t0 t1 c0 c1 q0 q1 s0 s1
	tmux -L "$sock" kill-server 2>/dev/null
	t0=$(date +%s.%N)
	tmux -L "$sock" new-session -d -x 200 -y 60 "$fd -c $fleet"
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
	while ! tmux -L "$sock" capture-pane -p | grep -qE "$want"; do
		sleep 0.1
		if [ "$(fsub "$(date +%s.%N)" "$t0" | awk '{ print int($1) }')" -gt 300 ]; then
			echo "$tag: no overview in 300 s: $(tmux -L "$sock" capture-pane -p | sed -n 4p | tr -s ' ')"
			# stopped: its queries would hold the server's search slots
			tmux -L "$sock" kill-server 2>/dev/null
			return
		fi
	done
	t1=$(date +%s.%N)
	printf '%s: first full overview %.1f s after start (RSS %s KiB)\n' "$tag" "$(fsub "$t1" "$t0")" \
		"$(kib "$pid" VmRSS)"
	if [ -n "$rows" ]; then  # the names (discovery) and the window's rows
		while ! tmux -L "$sock" capture-pane -p | grep -qE "$rows"; do
			sleep 0.1
			[ "$(fsub "$(date +%s.%N)" "$t0" | awk '{ print int($1) }')" -gt 300 ] && break
		done
		printf '%s: the window'"'"'s rows (%s) %.1f s after start\n' "$tag" "$rows" \
			"$(fsub "$(date +%s.%N)" "$t0")"
	fi
	sleep "$interval"
	c0=$(ticks "$pid") q0=$(queries) s0=$(qstats)
	sleep "$secs"
	c1=$(ticks "$pid") q1=$(queries) s1=$(qstats)
	rounds=$(rounds_between "$s0" "$s1")
	printf '%s: %.1f rounds in %s s (interval %s s; %s queries): CPU %.3f s in all, %.3f s per round; RSS %s KiB (peak %s KiB)\n' \
		"$tag" "$rounds" "$secs" "$interval" "$(echo "$q1 - $q0" | bc)" \
		"$(echo "($c1 - $c0) / $hz" | bc -l)" \
		"$(echo "($c1 - $c0) / $hz / ($rounds + 0.0001)" | bc -l)" "$(kib "$pid" VmRSS)" "$(kib "$pid" VmHWM)"
	tmux -L "$sock" kill-server 2>/dev/null
}
fmt_n() { printf '%d\n' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
part large && dashboard "$dir/large.fleet" "large ($(fmt_n "$n") hosts, judged on the server)" \
	"$(fmt_n "$n") hosts: .*crit" "host-000001:9100"

# the first full overview alone, this build and $FLEETDECK_BEFORE alternated
# (1.79 answers a text list, one line per query: 'duration: ..., query="..."')
vm_idle() {
	local a
	a=$(curl -sf -m 5 "http://$vm/api/v1/status/active_queries") || return 1
	! grep -q 'query=' <<<"$a"
}
vm_cpu() { awk '{ print $14 + $15 }' "/proc/$vm_pid/stat"; }
overview_once() { # STATE TAG BIN
	local t0 t1 c0 pid
	for _ in $(seq 600); do vm_idle && break; sleep 0.5; done
	c0=$(vm_cpu)
	tmux -L "$sock" kill-server 2>/dev/null
	t0=$(date +%s.%N)
	tmux -L "$sock" new-session -d -x 200 -y 60 "$3 -c $dir/large.fleet"
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
	while ! tmux -L "$sock" capture-pane -p | grep -qE "$(fmt_n "$n") hosts: .*crit"; do
		sleep 0.05
		if [ "$(fsub "$(date +%s.%N)" "$t0" | awk '{ print int($1) }')" -gt 300 ]; then
			echo "overview, $1, $2: none in 300 s"
			tmux -L "$sock" kill-server 2>/dev/null
			return
		fi
	done
	t1=$(date +%s.%N)
	printf 'overview, %s server, %s: first full overview %.2f s after start (server CPU %.1f s, fleetdeck CPU %.2f s; %s; load %s)\n' \
		"$1" "$2" "$(fsub "$t1" "$t0")" "$(echo "($(vm_cpu) - $c0) / $hz" | bc -l)" \
		"$(echo "$(ticks "$pid") / $hz" | bc -l)" \
		"$(tmux -L "$sock" capture-pane -p | grep -oE "$(fmt_n "$n") hosts: [^|]*crit[^|]*" | head -1 | tr -s ' ')" \
		"$(cut -d' ' -f1 /proc/loadavg)"
	tmux -L "$sock" kill-server 2>/dev/null
}
cache_hits() { curl -s "http://$vm/metrics" | awk '/^vm_rollup_result_cache_(full|partial)_hits_total/ { n += $2 } END { print n + 0 }'; }
if part overview; then
	ways="new:$fd"
	[ -n "${FLEETDECK_BEFORE:-}" ] && ways="$ways before:$FLEETDECK_BEFORE"
	reps=${BENCH_PROM_REPEAT:-2}
	# warm: restarted once, then every series of the job read once (not
	# fleetdeck's queries): the index and caches of a running engine
	vm_stop; vm_start
	t0=$(date +%s.%N)
	curl -s -G "http://$vm/api/v1/query" --data-urlencode 'query=count by (__name__) ({job="node"})' \
		--data-urlencode timeout=600s -o /dev/null
	printf 'overview: warm-up (every series of the job read once) %.1f s\n' "$(fsub "$(date +%s.%N)" "$t0")"
	for _ in $(seq "$reps"); do
		for w in $ways; do overview_once warm "${w%%:*}" "${w#*:}"; done
	done
	for _ in $(seq "$reps"); do
		for w in $ways; do vm_stop; vm_start; overview_once "freshly restarted" "${w%%:*}" "${w#*:}"; done
	done
	echo "overview: VictoriaMetrics' response-cache hits since its last start: $(cache_hits) (-search.disableCache)"
fi

if part scripted; then
	# --check and --once --json, every host
	for mode in --check "--once --json"; do
		/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$fd" -c "$dir/large.fleet" $mode >"$dir/out" 2>/dev/null
		read -r wall rss us ss < <(tail -1 "$dir/time")
		printf 'large %s: %.1f s wall, %.1f s CPU, peak RSS %s KiB, %s\n' "$mode" "$wall" \
			"$(echo "$us + $ss" | bc)" "$rss" \
			"$(if [ "$mode" = --check ]; then cut -d'|' -f1 "$dir/out"; else jq -c '{hosts: (.hosts | length), counts}' "$dir/out"; fi)"
	done

	# what a user would script instead: the same status PromQL (every host's
	# status, the thresholds written in), counted per status by jq
	q=$("$top/bench/prom_parse_bench" --status-query instance '{job="node"}')
	t0=$(date +%s.%N)
	curl -s -G "http://$vm/api/v1/query" --data-urlencode "query=$q" |
		jq -c '[.data.result[].value[1] | tonumber / 100 | floor] | group_by(.) |
			map({(.[0] | tostring): length}) | add' >"$dir/jq.out"
	printf 'baseline: curl + jq of the same status PromQL, counts only: %.1f s (%s)\n' \
		"$(fsub "$(date +%s.%N)" "$t0")" "$(cat "$dir/jq.out")"
fi

if part exports; then
	ways="now:$fd"
	[ -n "${FLEETDECK_BEFORE:-}" ] && ways="before:$FLEETDECK_BEFORE $ways"
	for fmt in csv openmetrics; do
		for w in $ways; do
			IFS=: read -r tag bin <<<"$w"
			/usr/bin/time -f '%e %M %U %S' -o "$dir/time" "$bin" -c "$dir/large.fleet" \
				--once --format "$fmt" >"$dir/out" 2>/dev/null
			read -r wall rss us ss < <(tail -1 "$dir/time")
			printf 'exports %s %s: %.1f s wall, %.1f s CPU, peak RSS %s KiB, %s bytes, %s lines, %s hosts\n' \
				"$fmt" "$tag" "$wall" "$(echo "$us + $ss" | bc)" "$rss" "$(wc -c <"$dir/out")" \
				"$(wc -l <"$dir/out")" "$(grep -c -e '^fleetdeck_host_status{.*status="unknown"}' -e ',reachable,' "$dir/out")"
		done
	done
fi

part classic && dashboard "$dir/classic.fleet" "classic ($(fmt_n "$nc") hosts, every host fetched)" \
	"host-000001:9100"

# memory per host: this build and $FLEETDECK_BEFORE side by side (both
# dashboards on the same server at the same time, so load and the server's
# answers are the same for both), RSS read once both show their classic
# rows and have run an interval plus BENCH_SECONDS. They start one after
# the other: a start discovery that misses the 1 s start budget (two at
# once on a loaded machine) would judge the section on the server, which
# is not the classic dashboard: the budget is FLEETDECK_PROM_START_BUDGET
# (default here 60 s; a FLEETDECK_BEFORE without it is started again).
if part memory; then
	ways="now:$fd:$sock"
	[ -n "${FLEETDECK_BEFORE:-}" ] && ways="$ways before:$FLEETDECK_BEFORE:$sock-before"
	for w in $ways; do
		IFS=: read -r tag bin s <<<"$w"
		for try in 1 2 3 4 5; do
			tmux -L "$s" kill-server 2>/dev/null
			tmux -L "$s" new-session -d -x 200 -y 60 \
				"FLEETDECK_PROM_START_BUDGET=${FLEETDECK_PROM_START_BUDGET:-60} FLEETDECK_BENCH_HIST_RATE=${BENCH_PROM_DAY_RATE:-1} $bin -c $dir/classic.fleet"
			t0=$(date +%s.%N)
			# classic: the host rows say where they come from; judged on
			# the server: the counts line
			while ! tmux -L "$s" capture-pane -p | grep -qE "via prometheus|[0-9] hosts: .*ok"; do
				sleep 0.2
				[ "$(fsub "$(date +%s.%N)" "$t0" | awk '{ print int($1) }')" -gt 300 ] && break
			done
			tmux -L "$s" capture-pane -p | grep -q "via prometheus" && break
			echo "memory, $tag: judged on the server (start discovery over its budget), again ($try)"
		done
	done
	if [ -n "${BENCH_PROM_DAY_RATE:-}" ]; then
		# a day and two hours of trend time (every ring at its bound), then
		# an interval more; RSS and CPU of each every 30 s meanwhile
		wait_s=$(( (86400 + 7200) / BENCH_PROM_DAY_RATE + 2 * interval ))
		echo "memory after a day: trend time x$BENCH_PROM_DAY_RATE, reading for ${wait_s} s (load $(cut -d' ' -f1-3 /proc/loadavg))"
		declare -A tick0
		for w in $ways; do
			IFS=: read -r tag bin s <<<"$w"
			tick0[$tag]=$(ticks "$(tmux -L "$s" list-panes -F '#{pane_pid}')")
		done
		w0=$(date +%s)
		while [ $(( $(date +%s) - w0 )) -lt "$wait_s" ]; do
			sleep 30
			line="memory after a day: +$(( $(date +%s) - w0 )) s (trend time +$(( ($(date +%s) - w0) * BENCH_PROM_DAY_RATE / 3600 )) h), load $(cut -d' ' -f1 /proc/loadavg):"
			for w in $ways; do
				IFS=: read -r tag bin s <<<"$w"
				pid=$(tmux -L "$s" list-panes -F '#{pane_pid}')
				line="$line $tag $(( $(kib "$pid" VmRSS) / 1024 )) MiB"
			done
			echo "$line"
		done
		for w in $ways; do
			IFS=: read -r tag bin s <<<"$w"
			pid=$(tmux -L "$s" list-panes -F '#{pane_pid}')
			printf 'memory after a day, %s: CPU %.3f s per %s s interval (%s intervals)\n' "$tag" \
				"$(echo "($(ticks "$pid") - ${tick0[$tag]}) / $hz / ($(date +%s) - $w0) * $interval" | bc -l)" \
				"$interval" "$(( ($(date +%s) - w0) / interval ))"
		done
	else
		sleep "$((interval + secs))"
	fi
	declare -A rss
	for w in $ways; do
		IFS=: read -r tag bin s <<<"$w"
		pid=$(tmux -L "$s" list-panes -F '#{pane_pid}')
		rss[$tag]=$(kib "$pid" VmRSS)
		printf 'memory (%s hosts, every host fetched), %s: RSS %s KiB (%.1f MiB), %.0f bytes per host (%s)\n' \
			"$(fmt_n "$nc")" "$tag" "${rss[$tag]}" "$(echo "${rss[$tag]} / 1024" | bc -l)" \
			"$(echo "${rss[$tag]} * 1024 / $nc" | bc -l)" "$bin"
		tmux -L "$s" capture-pane -p | grep -q "via prometheus" || echo "memory, $tag: NOT the classic dashboard"
		tmux -L "$s" kill-server 2>/dev/null
	done
	[ -n "${rss[before]:-}" ] &&
		printf 'memory per host: now / before = %.3f (%.1f x less)\n' \
			"$(echo "${rss[now]} / ${rss[before]}" | bc -l)" "$(echo "${rss[before]} / ${rss[now]}" | bc -l)"
fi
