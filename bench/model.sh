#!/bin/bash
# make bench (model and screen part, issue #9; doc/performance.md "Model
# and screen (A)"):
#   - model bytes per host, bare and with containers and GPUs, against the
#     fixed arrays every host paid before;
#   - RSS at 10,000 synthetic hosts;
#   - CPU per frame at 1,000 and 10,000 hosts with 1 % changing per tick,
#     and at 10,000 with the 1,000-host run's 10 changing (what grows with
#     the fleet rather than with what changed);
#   - write(2) calls and bytes per second the terminal gets, busy and
#     paused, from the real dashboard in tmux (BENCH_HOSTS local hosts,
#     default 100, 1 s interval), counted with strace; BENCH_BEFORE=BINARY
#     measures another build (e.g. one from before issue #9) side by side.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
mb=${MODEL_BENCH:-$top/bench/model_bench}
fd=${FLEETDECK:-$top/src/fleetdeck}
n=${BENCH_HOSTS:-100}
secs=${BENCH_SECONDS:-20}

echo "fleetdeck model/screen bench, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$mb" bytes
"$mb" rss 10000
"$mb" frames 1000 200
"$mb" frames 10000 50
"$mb" frames 10000 50 10

command -v tmux >/dev/null && command -v strace >/dev/null || { echo "terminal part: needs tmux and strace"; exit 0; }
dir=$(mktemp -d /tmp/fd-bench-model.XXXXXX)
sock=fdbench-$$
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
{
	printf '[fleet bench]\ninterval = 1s\n'
	for i in $(seq 1 "$n"); do printf '[host b%03d]\nssh = local\ncontainers = none\ngpus = none\n' "$i"; done
} >"$dir/bench.fleet"
window() { # FROM TO: writes/s and bytes/s to the terminal
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $2 ~ /^write\(1,/ { n++; sub(/.*= /, ""); by += $0 }
		END { printf "%.1f write(2)/s, %.0f bytes/s", n / (b - a), by / (b - a) }' "$dir/trace"
}
for bin in "$fd" ${BENCH_BEFORE:+"$BENCH_BEFORE"}; do
	for size in 80x24 120x40; do
		rm -f "$dir/trace"
		tmux -L "$sock" new-session -d -s b -x "${size%x*}" -y "${size#*x}" \
			"strace -qq -ttt -e trace=write -e signal=none -o $dir/trace $bin -c $dir/bench.fleet"
		sleep 5
		a=$(date +%s.%N); sleep "$secs"; b=$(date +%s.%N)
		echo "terminal ($bin), $n local hosts at 1 s, $size, busy:   $(window "$a" "$b")"
		tmux -L "$sock" send-keys -t b p
		sleep 6
		a=$(date +%s.%N); sleep "$secs"; b=$(date +%s.%N)
		echo "terminal ($bin), $n local hosts at 1 s, $size, paused: $(window "$a" "$b")"
		tmux -L "$sock" send-keys -t b q
		sleep 1
		tmux -L "$sock" kill-session -t b 2>/dev/null
	done
done
