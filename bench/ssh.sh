#!/bin/bash
# bench/ssh.sh — SSH polling at scale, side by side in one run (make bench).
# Against the lab's SIMULATED hosts (tests/lab/sim: one asyncssh process per
# half of the fleet, real handshake and pubkey auth, canned /proc answers)
# for N in $BENCH_SSH_N (default "20 100 1000"):
#   once:  fleetdeck --once  vs  parallel-ssh -p 100  vs  a sequential ssh
#          loop (N <= 100; at 1000 the loop's time is 10 x that of 100):
#          wall, client CPU (the tool and every ssh it ran), hosts reached
#          (BENCH_SSH_ONCE=0: skipped);
#   steady: the dashboard (1 s interval) for $BENCH_SECONDS (default 20) s
#          after a 10 s warm-up: CPU % of a core, ms of CPU per host per
#          poll, RSS, libssh2 EAGAINs per second, most handshakes in flight;
#          max data age (the oldest host data at any moment, sampled every
#          0.5 s), the probes' round trip;
#   storm (N >= 1000): the simulator restarts under the dashboard, every
#          session drops at once: time until all are ready again, most
#          handshakes in flight meanwhile;
#   hole (N >= 100, root): the same fleet plus one blackholed host (a
#          namespace dropping every packet): the extra client CPU, and the
#          others' data age and round trip against the steady run;
#   hole3 (N >= 100, root): three dashboards at once on the same hosts, so
#          they share the machine's load: the fleet, the same fleet again
#          (control: how far two identical runs differ), the fleet plus the
#          blackholed host, for $BENCH_HOLE_SECONDS (default 60) s; CPU
#          from /proc/PID/task/*/schedstat (ns, every thread), as a ratio to
#          the mean of the two without it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fd=${FLEETDECK:-$top/src/fleetdeck}
ns=${BENCH_SSH_N:-20 100 1000}
secs=${BENCH_SECONDS:-20}
dir=$(mktemp -d /tmp/fd-bench-ssh.XXXXXX)
sock=fdbench-ssh-$$
hz=$(getconf CLK_TCK)
cleanup() {
	tmux -L "$sock" kill-server 2>/dev/null
	lab_destroy_netns 2>/dev/null
	"$top/tests/lab/sim" down "$dir/sim" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
command -v parallel-ssh >/dev/null || { echo "bench: needs pssh (parallel-ssh)" >&2; exit 1; }
export FLEETDECK_DATADIR=${FLEETDECK_DATADIR:-$top}

# cpu_of CMD...: runs CMD; prints "WALL CPU" (CPU: user+sys of it and its children)
cpu_of() {
	/usr/bin/time -f '%e %U %S' -o "$dir/time" "$@" >"$dir/out" 2>"$dir/err"
	awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$dir/time"
}
# the lab's blackhole (a namespace dropping every packet), tests/lab/lib.sh
LAB_NET=${BENCH_LAB_NET:-29}
# shellcheck source=/dev/null
. "$top/tests/lab/lib.sh"
LAB_DIR=$dir
lab_destroy_netns() {
	[ -s "$dir/netns" ] && while read -r ns; do ip netns del "$ns" 2>/dev/null; done <"$dir/netns"
	: >"$dir/netns"
}

# dash_start FLEET N: the dashboard (1 s polls) under tmux, until N hosts
# are ready (at most 90 s); D_READY says how many were.
dash_start() {
	rm -f "$dir/stats.json"
	tmux -L "$sock" new-session -d -x 200 -y 50 \
		"FLEETDECK_STATS=$dir/stats.json FLEETDECK_DATADIR=$FLEETDECK_DATADIR exec $fd -c $1 -i 1s 2>$dir/dash.err"
	sleep 2
	pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
	for _ in $(seq 1 90); do
		[ "$(jq -r .ready "$dir/stats.json" 2>/dev/null)" -ge "$2" ] 2>/dev/null && break
		sleep 1
	done
	D_READY=$(jq -r .ready "$dir/stats.json" 2>/dev/null)
	[ -n "$D_READY" ] || echo "bench: the dashboard did not start: $(head -c 600 "$dir/dash.err" 2>/dev/null)" >&2
}
dash_stop() { tmux -L "$sock" kill-server 2>/dev/null; sleep 1; }
# dash_measure: after a 10 s warm-up, $secs seconds of the steady state:
# D_CPU (s), D_POLLS, D_RSS (KiB), D_EAGAIN, D_MAXFLIGHT, D_AGE (the oldest
# host data seen, stats sampled every 0.5 s), D_LAT / D_LATMAX (ms: mean of
# the samples' mean probe round trip, and the largest).
dash_measure() {
	local st0 st1 e0 e1 p0 p1 t_end
	sleep 10
	read -r -a st0 <"/proc/$pid/stat"
	e0=$(jq -r .recv_eagain "$dir/stats.json") p0=$(jq -r .probes_ok "$dir/stats.json")
	: >"$dir/samples"
	t_end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt "$t_end" ]; do
		jq -r '"\(.age_max_s) \(.latency_avg_ms) \(.latency_max_ms)"' "$dir/stats.json" >>"$dir/samples" 2>/dev/null
		sleep 0.5
	done
	read -r -a st1 <"/proc/$pid/stat"
	e1=$(jq -r .recv_eagain "$dir/stats.json") p1=$(jq -r .probes_ok "$dir/stats.json")
	D_CPU=$(awk -v t=$(((st1[13] + st1[14]) - (st0[13] + st0[14]))) -v hz="$hz" 'BEGIN { print t / hz }')
	D_POLLS=$((p1 - p0)) D_EAGAIN=$((e1 - e0))
	D_RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	D_MAXFLIGHT=$(jq -r .max_in_flight "$dir/stats.json")
	read -r D_AGE D_LAT D_LATMAX < <(awk '$1 > a { a = $1 } { l += $2; k++ } $3 > m { m = $3 }
		END { printf "%.3f %.2f %.2f\n", a, k ? l / k : 0, m }' "$dir/samples")
}

# cpu_ns PID: CPU time of every thread of PID, in ns
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'; }
# hole3 FLEET HOLEFLEET N: see above; prints one line
hole3() {
	local k fl r c1 q1 hs=${BENCH_HOLE_SECONDS:-60}
	declare -A hp hc hq
	for k in base ctl hole; do
		fl=$1; [ $k = hole ] && fl=$2
		rm -f "$dir/st-$k.json"
		tmux -L "$sock" new-session -d -s "$k" -x 200 -y 50 \
			"FLEETDECK_STATS=$dir/st-$k.json FLEETDECK_DATADIR=$FLEETDECK_DATADIR exec $fd -c $fl -i 1s 2>$dir/dash-$k.err"
	done
	sleep 2
	for k in base ctl hole; do
		hp[$k]=$(tmux -L "$sock" list-panes -t "$k" -F '#{pane_pid}')
		for _ in $(seq 1 90); do
			r=$(jq -r .ready "$dir/st-$k.json" 2>/dev/null)
			[ "${r:-0}" -ge "$3" ] 2>/dev/null && break
			sleep 1
		done
	done
	sleep 10
	for k in base ctl hole; do
		hc[$k]=$(cpu_ns "${hp[$k]}") hq[$k]=$(jq -r .probes_ok "$dir/st-$k.json")
	done
	sleep "$hs"
	for k in base ctl hole; do
		c1=$(cpu_ns "${hp[$k]}")
		q1=$(jq -r .probes_ok "$dir/st-$k.json")
		hc[$k]=$((c1 - hc[$k])) hq[$k]=$((q1 - hq[$k]))
	done
	dash_stop
	awk -v n="$3" -v s="$hs" -v b="${hc[base]}" -v c="${hc[ctl]}" -v h="${hc[hole]}" \
		-v bq="${hq[base]}" -v cq="${hq[ctl]}" -v hq="${hq[hole]}" 'BEGIN {
		m = (b + c) / 2
		printf "hole3  %-5s three dashboards at once, %d s: fleet %.3f s CPU (%d polls), same fleet again %.3f s (%d polls; %+.1f%%: the noise), fleet + blackholed host %.3f s (%d polls): %+.1f%% CPU vs the mean of the two without it\n",
			n, s, b / 1e9, bq, c / 1e9, cq, b ? 100 * (c - b) / b : 0, h / 1e9, hq, m ? 100 * (h - m) / m : 0 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

echo "fleetdeck SSH bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start"
printf '%-6s %-14s %8s %8s %8s\n' hosts tool wall_s cpu_s reached
for n in $ns; do
	"$top/tests/lab/sim" up "$n" "$dir/sim" 2 >/dev/null || { echo "bench: simulator failed" >&2; exit 1; }
	S=$dir/sim
	ssh_opts="-F /dev/null -o UserKnownHostsFile=$S/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -i $S/id_ed25519"
	cmd='cat /proc/uptime /proc/loadavg /proc/stat /proc/meminfo'

	# BENCH_SSH_ONCE=0: the dashboard parts only
	if [ "${BENCH_SSH_ONCE:-1}" = 1 ]; then
		read -r fw fc < <(cpu_of "$fd" --once --json -c "$S/lab.fleet")
		fr=$(jq '[.hosts[] | select(.reachable == true)] | length' "$dir/out" 2>/dev/null)
		printf '%-6s %-14s %8s %8s %8s\n' "$n" "fleetdeck" "$fw" "$fc" "$fr/$n"

		read -r pw pc < <(cpu_of parallel-ssh -p 100 -t 60 -h "$S/pssh.hosts" -x "$ssh_opts" "$cmd")
		pr=$(grep -c '\[SUCCESS\]' "$dir/out")
		printf '%-6s %-14s %8s %8s %8s   fleetdeck: %s less CPU, %s less wall\n' "$n" "parallel-ssh" \
			"$pw" "$pc" "$pr/$n" "$(ratio "$pc" "$fc")" "$(ratio "$pw" "$fw")"

		if [ "$n" -le 100 ]; then
			# shellcheck disable=SC2086
			read -r sw sc < <(cpu_of sh -c "ok=0; while read -r a p; do ssh -n $ssh_opts -p \$p root@\$a '$cmd' >/dev/null && ok=\$((ok+1)); done <$S/hosts.txt; echo \$ok")
			sr=$(tail -1 "$dir/out")
			printf '%-6s %-14s %8s %8s %8s   fleetdeck: %s less CPU, %s less wall\n' "$n" "ssh loop" \
				"$sw" "$sc" "$sr/$n" "$(ratio "$sc" "$fc")" "$(ratio "$sw" "$fw")"
			[ "$n" = 100 ] && loop100="$sw $sc"
		elif [ -n "${loop100-}" ]; then
			read -r sw sc <<<"$loop100"
			sw=$(awk -v w="$sw" -v n="$n" 'BEGIN { printf "%.1f", w * n / 100 }')
			sc=$(awk -v c="$sc" -v n="$n" 'BEGIN { printf "%.1f", c * n / 100 }')
			printf '%-6s %-14s %8s %8s %8s   (100 hosts x %d, not run) fleetdeck: %s less CPU, %s less wall\n' \
				"$n" "ssh loop" "$sw" "$sc" "-" $((n / 100)) "$(ratio "$sc" "$fc")" "$(ratio "$sw" "$fw")"
		fi
	fi

	if [ "$n" -ge 100 ]; then
		dash_start "$S/lab.fleet" "$n"
		dash_measure
		awk -v c="$D_CPU" -v s="$secs" -v n="$n" -v p="$D_POLLS" -v rss="$D_RSS" -v e="$D_EAGAIN" \
			-v m="$D_MAXFLIGHT" -v r="$D_READY" -v age="$D_AGE" -v la="$D_LAT" -v lm="$D_LATMAX" 'BEGIN {
			printf "steady %-5s %.1f%% of a core, %.3f ms CPU per host per poll (%d polls), RSS %.0f MiB (%.0f KiB/host), %.0f EAGAIN/s, most handshakes in flight %d, %s/%d ready, max data age %.2f s (interval 1 s), probe round trip mean %.1f ms, max %.1f ms\n",
				n, 100 * c / s, p ? 1000 * c / p : 0, p, rss / 1024, rss / n, e / s, m, r, n, age, la, lm }'
		base_cpu=$D_CPU base_age=$D_AGE base_lat=$D_LAT base_polls=$D_POLLS
		# reconnect storm: the simulator restarts under the dashboard, every
		# session drops at once
		if [ "$n" -ge 1000 ]; then
			m0=$(jq -r .setups_ok "$dir/stats.json")
			t0=$(date +%s.%N)
			"$top/tests/lab/sim" down "$dir/sim"
			"$top/tests/lab/sim" up "$n" "$dir/sim" 2 >/dev/null
			tup=$(date +%s.%N)
			peak=0 all=0
			for _ in $(seq 1 960); do
				jq -r '"\(.ready) \(.setups_ok) \(.in_flight)"' "$dir/stats.json" 2>/dev/null >"$dir/st" || continue
				read -r r ok fl <"$dir/st"
				[ "${fl:-0}" -gt "$peak" ] && peak=$fl
				[ "$r" = "$n" ] && [ "$ok" -ge $((m0 + n)) ] && { all=1; break; }
				sleep 0.25
			done
			awk -v t0="$t0" -v tup="$tup" -v t1="$(date +%s.%N)" -v r="$(jq -r .ready "$dir/stats.json")" -v n="$n" \
				-v p="$peak" -v c="$(jq -r .handshake_cap "$dir/stats.json")" -v all="$all" \
				'BEGIN { printf "storm  %-5s all %d sessions dropped at once: %s/%d ready again %.1f s after the drop (the simulator was back up after %.1f s)%s, most handshakes in flight %d (cap %d, sampled every 0.25 s)\n", n, n, r, n, t1 - t0, tup - t0, all ? "" : " NOT ALL", p, c }'
		fi
		dash_stop
		# a blackholed host (SYNs dropped in a private namespace) added to
		# the same fleet: what it costs the others, same warm-up and window
		if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && lab_blackhole HOLE 2>/dev/null; then
			{ cat "$S/lab.fleet"; printf '\n[host hole]\nssh = root@%s:22\nidentity_file = %s\ncontainers = none\ngpus = none\n' \
				"$HOLE" "$S/id_ed25519"; } >"$dir/hole.fleet"
			dash_start "$dir/hole.fleet" "$n"
			dash_measure
			awk -v c="$D_CPU" -v b="$base_cpu" -v s="$secs" -v n="$n" -v age="$D_AGE" -v ba="$base_age" \
				-v la="$D_LAT" -v bl="$base_lat" -v p="$D_POLLS" -v bp="$base_polls" -v e="$D_EAGAIN" 'BEGIN {
				printf "hole   %-5s + 1 blackholed host: %.1f%% of a core (%+.1f%% CPU vs without: %.3f vs %.3f ms per poll), %.0f EAGAIN/s, others: max data age %.2f s (%+.0f ms), probe round trip mean %.1f ms (%+.1f ms), %d polls in %d s (without: %d)\n",
					n, 100 * c / s, b ? 100 * (c - b) / b : 0, p ? 1000 * c / p : 0, bp ? 1000 * b / bp : 0, e / s, age, 1000 * (age - ba), la, la - bl, p, s, bp }'
			dash_stop
			hole3 "$S/lab.fleet" "$dir/hole.fleet" "$n"
			lab_destroy_netns
		fi
	fi
	"$top/tests/lab/sim" down "$dir/sim"
done
