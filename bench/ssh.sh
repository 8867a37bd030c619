#!/bin/bash
# bench/ssh.sh — SSH polling at scale, side by side in one run (make bench).
# Against the lab's SIMULATED hosts (tests/lab/sim: one asyncssh process per
# half of the fleet, real handshake and pubkey auth, canned /proc answers)
# for N in $BENCH_SSH_N (default "20 100 1000"):
#   once:  fleetdeck --once  vs  parallel-ssh -p 100  vs  a sequential ssh
#          loop (N <= 100; at 1000 the loop's time is 10 x that of 100):
#          wall, client CPU (the tool and every ssh it ran), hosts reached;
#   steady: the dashboard (1 s interval) for $BENCH_SECONDS (default 20) s
#          after a 10 s warm-up: CPU % of a core, ms of CPU per host per
#          poll, RSS, libssh2 EAGAINs per second, most handshakes in flight;
#   storm (N >= 1000): the simulator restarts under the dashboard, every
#          session drops at once: time until all are ready again.
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

echo "fleetdeck SSH bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start"
printf '%-6s %-14s %8s %8s %8s\n' hosts tool wall_s cpu_s reached
for n in $ns; do
	"$top/tests/lab/sim" up "$n" "$dir/sim" 2 >/dev/null || { echo "bench: simulator failed" >&2; exit 1; }
	S=$dir/sim
	ssh_opts="-F /dev/null -o UserKnownHostsFile=$S/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes -i $S/id_ed25519"
	cmd='cat /proc/uptime /proc/loadavg /proc/stat /proc/meminfo'

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

	if [ "$n" -ge 100 ]; then
		rm -f "$dir/stats.json"
		tmux -L "$sock" new-session -d -x 200 -y 50 \
			"FLEETDECK_STATS=$dir/stats.json FLEETDECK_DATADIR=$FLEETDECK_DATADIR $fd -c $S/lab.fleet -i 1s"
		sleep 2
		pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
		for _ in $(seq 1 60); do
			[ "$(jq -r .ready "$dir/stats.json" 2>/dev/null)" = "$n" ] && break
			sleep 1
		done
		ready_at=$(jq -r .ready "$dir/stats.json" 2>/dev/null)
		sleep 10
		read -r -a st0 <"/proc/$pid/stat"
		e0=$(jq -r .recv_eagain "$dir/stats.json")
		sleep "$secs"
		read -r -a st1 <"/proc/$pid/stat"
		e1=$(jq -r .recv_eagain "$dir/stats.json")
		ticks=$(((st1[13] + st1[14]) - (st0[13] + st0[14])))
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
		awk -v t="$ticks" -v hz="$hz" -v s="$secs" -v n="$n" -v rss="$rss" -v e0="$e0" -v e1="$e1" \
			-v m="$(jq -r .max_in_flight "$dir/stats.json")" -v r="$ready_at" 'BEGIN {
			cpu = t / hz
			printf "steady %-5s %.1f%% of a core, %.3f ms CPU per host per poll, RSS %.0f MiB (%.0f KiB/host), %.0f EAGAIN/s, most handshakes in flight %d, %s/%d ready\n",
				n, 100 * cpu / s, 1000 * cpu / s / n, rss / 1024, rss / n, (e1 - e0) / s, m, r, n }'
		# reconnect storm: the simulator restarts, every session drops at once
		if [ "$n" -ge 1000 ]; then
			m0=$(jq -r .setups_ok "$dir/stats.json")
			"$top/tests/lab/sim" down "$dir/sim"
			"$top/tests/lab/sim" up "$n" "$dir/sim" 2 >/dev/null
			t0=$(date +%s.%N)
			for _ in $(seq 1 240); do
				[ "$(jq -r .ready "$dir/stats.json")" = "$n" ] &&
					[ "$(jq -r .setups_ok "$dir/stats.json")" -ge $((m0 + n)) ] && break
				sleep 0.5
			done
			awk -v t0="$t0" -v t1="$(date +%s.%N)" -v r="$(jq -r .ready "$dir/stats.json")" -v n="$n" \
				-v m="$(jq -r .max_in_flight "$dir/stats.json")" -v c="$(jq -r .handshake_cap "$dir/stats.json")" \
				'BEGIN { printf "storm  %-5s all %d sessions dropped at once: %s/%d ready again after %.1f s, most handshakes in flight %d (cap %d)\n", n, n, r, n, t1 - t0, m, c }'
		fi
		tmux -L "$sock" kill-server 2>/dev/null
	fi
	"$top/tests/lab/sim" down "$dir/sim"
done
