#!/bin/bash
# frame_pacing.sh — what the terminal receives (issue #9): three local hosts
# polled every 200 ms publish ~15 samples a second, yet the screen gets at
# most ten frames a second, each in one write(2); paused, only the clock and
# the ages move: at most one write a second and at most 200 bytes a second on
# a 120x40 terminal full of rows (30 more hosts at 1 s), while the top line
# still shows the data getting older (ages move in 10 s steps while paused).
# strace (no -f: only the UI's thread) counts the writes to the terminal.
# The bounds are counts per window, not speeds: a loaded machine draws fewer
# frames, never more.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin frame_pacing 75
lab_require_tool tmux strace

FLEET=$T/pace.fleet
{
	printf '[fleet pace]\ninterval = 200ms\n'
	for h in p1 p2 p3; do printf '[host %s]\nssh = local\n' "$h"; done
	for i in $(seq 10 39); do printf '[host q%s]\nssh = local\ninterval = 1s\n' "$i"; done
} >"$FLEET"
REAL=$FLEETDECK
FLEETDECK=$T/traced
# LeakSanitizer cannot run under ptrace (a sanitizer build's fleetdeck would
# die at exit with a fatal error): leaks are checked by the other tests.
printf '#!/bin/sh\nASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" exec strace -qq -ttt -e trace=write -e signal=none -o %q %q "$@"\n' \
	"$T/trace" "$REAL" >"$FLEETDECK"
chmod +x "$FLEETDECK"

all_names() { tmux_has p1 && tmux_has p3; }
# writes to the terminal (fd 1) between two strace times: "COUNT BYTES"
writes_between() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $2 ~ /^write\(1,/ {
		n++; sub(/.*= /, ""); bytes += $0 } END { printf "%d %d\n", n, bytes }' "$T/trace"
}
now() { date +%s.%N; }

fd_tmux ui 120 40 -- -c "$FLEET"
if wait_for 10 all_names; then ok "shows the three hosts"; else
	bad "shows the three hosts" "$(tmux_show)" "stderr: $(head -c 600 "$T/ui.stderr")"; lab_finish; fi

# busy: data arrives all the time
sleep 1
a=$(now); sleep 4; b=$(now)
read -r n bytes < <(writes_between "$a" "$b")
max=$(echo "($b - $a) * 10 + 2" | bc | cut -d. -f1)
[ "$n" -gt 0 ] && [ "$n" -le "$max" ] && ok "busy: $n writes in $(echo "$b - $a" | bc | cut -c1-4) s (at most $max: ten frames a second, one write each)" ||
	bad "busy: at most ten writes a second" "got $n writes ($bytes bytes) in $(echo "$b - $a" | bc) s, max $max"

# the top line's "data 12s" in seconds
data_age() {
	tmux_capture | head -1 | grep -o 'data [0-9]*[smhd]' | awk '{ v = $2 + 0
		u = substr($2, length($2)); print v * (u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : 1) }'
}
age_past() { local a; a=$(data_age); [ -n "$a" ] && [ "$a" -ge "$1" ]; }

# paused: the data turns stale (3 x 200 ms, 3 x 1 s) and the footer's
# "polling paused" goes (4 s); then only the clock and the ages move, the
# ages in 10 s steps
tmux_send p
wait_for 5 tmux_has PAUSED || bad "p shows PAUSED" "$(tmux_show)"
sleep 4.5
age0=$(data_age)
a=$(now); sleep 10; b=$(now)
read -r n bytes < <(writes_between "$a" "$b")
secs=$(echo "$b - $a" | bc)
maxw=$(echo "$secs + 1" | bc | cut -d. -f1)
maxb=$(echo "$secs * 200" | bc | cut -d. -f1)
[ "$n" -le "$maxw" ] && ok "paused: $n writes in $(echo "$secs" | cut -c1-4) s (at most one a second)" ||
	bad "paused: at most one write a second" "got $n writes in $secs s" "$(awk -v a="$a" '$1 >= a' "$T/trace" | head -20)"
[ "$bytes" -le "$maxb" ] && ok "paused: $bytes bytes in $(echo "$secs" | cut -c1-4) s (at most 200 a second)" ||
	bad "paused: at most 200 bytes a second" "got $bytes bytes in $secs s" "$(awk -v a="$a" '$1 >= a' "$T/trace" | head -20)"
tmux_has PAUSED && ok "the screen still says PAUSED" || bad "the screen still says PAUSED" "$(tmux_show)"
# what a user checks on a paused screen: the data is getting older, and
# the hosts are marked stale
if [ -n "$age0" ] && wait_for 12 age_past $((age0 + 10)); then
	ok "paused: the top line's data age goes on ($age0 s, then $(data_age) s)"
else
	bad "paused: the top line's data age goes on" "was '${age0}', now '$(data_age)'" "$(tmux_show)"
fi
tmux_has STALE && ok "paused: the hosts are shown STALE" || bad "paused: the hosts are shown STALE" "$(tmux_show)"

tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
