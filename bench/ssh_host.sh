#!/bin/bash
# bench/ssh_host.sh — what a regular poll costs the HOST (make bench): issue
# #10's "<= 2 ms of the host's CPU per poll (sshd + sh)". Real sshd lab
# hosts on loopback, each its own cgroup (made before any session, so every
# process of its sessions is counted, the ones that exit too: df every 30 s):
#   polled  lab1, the dashboard's 1 s polls (containers = none, gpus = none)
#   idle    lab2, a dashboard connected to it, then stopped (SIGSTOP): the
#           same tree over the same windows without polling (the floor)
#   before  lab3 if $FLEETDECK_BEFORE is set (e.g. a build of an older
#           commit), polled by it like lab1, in the same windows
# $BENCH_HOST_RUNS (default 3) windows of $BENCH_HOST_SECONDS (default 120:
# a multiple of the probe's 30 s cadence of df and the slow /proc parts)
# s each, one after the other on the same sessions. CPU from the cgroup's
# usage (cgroup v2 cpu.stat usage_usec, or v1 cpuacct.usage), in µs; polls
# = the dashboard's own count of answered probes. Per poll it prints the
# host's CPU, the same minus the idle floor, and where it goes: each live
# process's share from /proc/PID/task/*/schedstat (ns; what the cgroup has
# beyond them = processes that ran and exited), and the sh's and the sshd
# session's read/write syscalls and bytes (/proc/PID/io). Without a cgroup
# (no writable cgroup fs) the live processes' schedstat alone is used (then
# df is not counted: said so).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP_SRCDIR=$top
: "${FLEETDECK:=$top/src/fleetdeck}"
export FLEETDECK
R=${BENCH_HOST_RUNS:-3}
W=${BENCH_HOST_SECONDS:-120}
LAB_NET=${BENCH_LAB_NET:-91}
# shellcheck source=/dev/null
. "$top/tests/lab/lib.sh"
lab_test_begin bench-ssh-host $((R * W + 300))
lab_require_tool tmux

# --- a cgroup per lab host ----------------------------------------------------
cg_root=
if [ -w /sys/fs/cgroup/cgroup.procs ] && [ -e /sys/fs/cgroup/cpu.stat ]; then
	cg_root=/sys/fs/cgroup cg_kind=v2
elif [ -w /sys/fs/cgroup/unified/cgroup.procs ] && [ -e /sys/fs/cgroup/unified/cpu.stat ]; then
	cg_root=/sys/fs/cgroup/unified cg_kind=v2
elif [ -w /sys/fs/cgroup/cpuacct/cgroup.procs ]; then
	cg_root=/sys/fs/cgroup/cpuacct cg_kind=v1
fi
CG=()
cg_make() {   # cg_make I PID: host I's cgroup, PID moved into it
	[ -n "$cg_root" ] || return 1
	local d=$cg_root/fdbench-host-$$-$1
	mkdir -p "$d" && echo "$2" >"$d/cgroup.procs" || { rmdir "$d" 2>/dev/null; return 1; }
	CG[$1]=$d
}
cg_us() {     # cg_us I: host I's CPU so far, µs
	case $cg_kind in
	v2) awk '$1 == "usage_usec" { print $2 }' "${CG[$1]}/cpu.stat" ;;
	v1) awk '{ printf "%.0f\n", $1 / 1000 }' "${CG[$1]}/cpuacct.usage" ;;
	esac
}
bench_cleanup() {
	local rc=$? d
	[ -n "${TMUX_SOCK:-}" ] && tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	lab_down 2>/dev/null
	for d in "${CG[@]}"; do
		# its processes are gone with the lab (a few tenths of a second)
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.3; done
	done
	(exit "$rc")
	_lab_cleanup
}
trap bench_cleanup EXIT

# the ways measured at once, on hosts of their own: "NAME HOST BINARY"
ways=("fleetdeck 1 $FLEETDECK")
[ -n "${FLEETDECK_BEFORE:-}" ] && ways+=("before 3 $FLEETDECK_BEFORE")
nh=$((${#ways[@]} + 1))
lab_up "$nh"
use_cg=1
for i in $(seq 1 "$nh"); do
	cg_make "$i" "$(cat "$(eval "echo \"\$LAB_HOST_${i}_PIDFILE\"")")" || use_cg=0
done
# each host alone in a fleet of its own (the [fleet] part kept)
for i in $(seq 1 "$nh"); do
	awk -v want="[host lab$i]" '/^\[host / { keep = ($0 == want) } !/^\[host / && /^\[/ { keep = 1 }
		keep { print } keep && /^\[host / { print "containers = none"; print "gpus = none" }' "$LAB_FLEET" >"$T/lab$i.fleet"
done
for w in "${ways[@]}" "idle 2 $FLEETDECK"; do
	read -r name i bin <<<"$w"
	FLEETDECK=$bin fd_tmux "$name" 150 30 FLEETDECK_STATS="$T/$name.json" -- -c "$T/lab$i.fleet" -i 1s
	eval "pid_$name=\$FD_PID"
	wait_for 30 lab_session_sh "$i" || { echo "bench: $name: no session on lab$i: $(cat "$T/$name.stderr")" >&2; exit 1; }
done
sleep 3   # past the first (full) probe of each
# the floor: lab2's session stays, its dashboard no longer asks anything
kill -STOP "$pid_idle"
sleep 2   # lab2's last answer is out

# live processes of host I's sessions: "PID NAME" (the listener itself too)
tree() {
	local l p
	l=$(cat "$(eval "echo \"\$LAB_HOST_${1}_PIDFILE\"")")
	for p in "$l" $(_lab_descendants "$l"); do
		printf '%s %s\n' "$p" "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-32 | sed 's/ *$//' | tr ' ' '_')"
	done
}
# snap I FILE: per live process of host I: PID NAME ns syscr syscw rchar wchar
snap() {
	local p n
	tree "$1" | while read -r p n; do
		printf '%s %s %s %s\n' "$p" "$n" \
			"$(cat /proc/"$p"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f", t }')" \
			"$(awk '/^(syscr|syscw|rchar|wchar):/ { v[$1] = $2 } END { printf "%s %s %s %s", v["syscr:"], v["syscw:"], v["rchar:"], v["wchar:"] }' "/proc/$p/io" 2>/dev/null)"
	done >"$2"
}
livesum() { awk 'NR == FNR { a[$1] = $3; next } ($1 in a) { t += $3 - a[$1] } END { printf "%.0f\n", t / 1000 }' "$1" "$2"; }
# host I's CPU so far (µs): its cgroup, else (no cgroup) nothing here
cpu0() { [ "$use_cg" = 1 ] && cg_us "$1" || echo 0; }

echo "fleetdeck host CPU per poll, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start; $(uname -sr); $($LAB_SSHD -V 2>&1 | head -1 | cut -d, -f1), sh = $(readlink -f /bin/sh); $R windows of $W s, 1 s polls; ways at once: ${ways[*]%% *} + idle"
[ "$use_cg" = 1 ] || echo "note: no writable cgroup fs: live processes only (schedstat); a df that ran and exited is not counted"
fmt='%-4s %-10s %6s %12s %18s %10s %6s\n'
printf "$fmt" run way polls "host ms/poll" "above idle ms/poll" "idle ms/s" load
declare -A res
for r in $(seq 1 "$R"); do
	declare -A c0 c1 q0 q1
	snap 2 "$T/idle.0"; c0[idle]=$(cpu0 2)
	for w in "${ways[@]}"; do
		read -r name i _ <<<"$w"
		c0[$name]=$(cpu0 "$i"); snap "$i" "$T/$name.0"; q0[$name]=$(jq -r .probes_ok "$T/$name.json")
	done
	t0=$(now)
	sleep "$W"
	t1=$(now)
	for w in "${ways[@]}"; do
		read -r name i _ <<<"$w"
		q1[$name]=$(jq -r .probes_ok "$T/$name.json"); snap "$i" "$T/$name.1"; c1[$name]=$(cpu0 "$i")
	done
	c1[idle]=$(cpu0 2); snap 2 "$T/idle.1"
	if [ "$use_cg" = 0 ]; then
		for k in idle "${ways[@]%% *}"; do c0[$k]=0 c1[$k]=$(livesum "$T/$k.0" "$T/$k.1"); done
	fi
	idle=$(awk -v b=$((c1[idle] - c0[idle])) -v d="$(fsub "$t1" "$t0")" 'BEGIN { printf "%.3f", b / 1000 / d }')
	for w in "${ways[@]}"; do
		read -r name i _ <<<"$w"
		da=$((c1[$name] - c0[$name])) polls=$((q1[$name] - q0[$name]))
		read -r per above < <(awk -v a="$da" -v i="$idle" -v n="$polls" -v d="$(fsub "$t1" "$t0")" 'BEGIN {
			printf "%.3f %.3f\n", n ? a / 1000 / n : 0, n ? (a / 1000 - i * d) / n : 0 }')
		res[$name]="${res[$name]:-} $per:$above"
		printf "$fmt" "$r" "$name" "$polls" "$per" "$above" "$idle" "$(cut -d' ' -f1 /proc/loadavg)"
		# where it goes, per poll: each live process of the host's session,
		# and what ran and exited meanwhile (df)
		awk -v n="$polls" -v tot="$da" -v cg="$use_cg" 'NR == FNR { a[$1] = $0; next }
			($1 in a) { split(a[$1], o, " "); ns = $3 - o[3]; live += ns
				if (ns > 0 || $4 > o[4]) printf "       %-32s %7.3f ms/poll, %6.1f reads %5.1f writes, %6.0f B read %6.0f B written per poll\n",
					$2, ns / 1e6 / n, ($4 - o[4]) / n, ($5 - o[5]) / n, ($6 - o[6]) / n, ($7 - o[7]) / n }
			END { if (cg && n) printf "       %-32s %7.3f ms/poll\n", "(ran and exited: df)", (tot * 1000 - live) / 1e6 / n }' \
			"$T/$name.0" "$T/$name.1"
	done
done
# mean, min, max of field F (1: host ms/poll, 2: above idle) of way K's runs
spread() { tr ' ' '\n' <<<"${res[$1]}" | awk -F: -v f="$2" 'NF { v = $f; s += v; k++; if (k == 1 || v < lo) lo = v; if (k == 1 || v > hi) hi = v }
	END { printf "mean %.3f ms (min %.3f, max %.3f)", k ? s / k : 0, lo, hi }'; }
for w in "${ways[@]}"; do
	name=${w%% *}
	echo "$name: host CPU per poll over $R runs: $(spread "$name" 1); above the idle floor: $(spread "$name" 2)"
done
kill -CONT "$pid_idle" 2>/dev/null
exit 0
