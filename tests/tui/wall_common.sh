# wall_common.sh — sourced by the wall tests (tests/tui/wall*.sh): a lab of
# 3 hosts polled every second, the wall started in tmux at 250x70, and
# helpers that read the screen as a user would.
# Timing is relative: a limit is N intervals plus BASE, the time this
# machine took, in the same run, to bring the wall from start to all OK.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
INTERVAL=1   # the lab fleet's interval

# The wall tests judge hosts alone: the lab's hosts share this machine,
# where the podman CLI (containers = auto) can fail under load and would
# turn the fleet UNKNOWN for reasons the test is not about.
wall_fleet() {
	sed -i -e 's/^\[fleet lab\]/[fleet fdwall]/' -e 's/^\[host .*\]$/&\ncontainers = none\ngpus = none/' "$LAB_FLEET"
}

line1() { tmux_capture | head -n 1; }
header_says() { line1 | grep -qw -- "$1"; }
# the grid's part of the screen: below "Hosts N", left of the panel
grid_words() { tmux_capture | sed -n '/^Hosts [0-9]/,$p' | cut -c1-148 | grep -ow -- "$1" | wc -l; }
secs_since() { fsub "$(now)" "$1"; }
limit() { awk -v n="$1" -v i="$INTERVAL" -v b="$BASE" 'BEGIN { printf "%.1f\n", n * i + b }'; }
ceil() { awk -v l="$1" 'BEGIN { printf "%d\n", l + 0.999 }'; }
# within N T0 DESC CMD...: CMD comes true within N intervals (+ BASE) of T0.
within() {
	local n=$1 t0=$2 desc=$3 lim took rc=0
	shift 3
	lim=$(limit "$n")
	desc="$desc within $n intervals (+ baseline: ${lim}s)"
	wait_for "$(ceil "$lim")" "$@" || rc=1
	took=$(secs_since "$t0")
	if [ "$rc" = 0 ] && flt "$took" "$lim"; then
		ok "$desc (after ${took}s)"
	else
		bad "$desc" "after ${took}s" "$(tmux_show)"
	fi
}

# wall_start NAME TEST_NET NHOSTS: lab, fleet "fdwall", the wall on screen,
# BASE.
wall_start() {
	LAB_NET=$2
	lab_test_begin "$1" 58
	lab_require_tool tmux
	lab_up "$3"
	wall_fleet
	local t0
	t0=$(now)
	fd_tmux wall 250 70 -- -c "$LAB_FLEET" --wall --rotate 5s
	if wait_for 15 header_says OK; then
		BASE=$(secs_since "$t0")
		ok "header shows the worst status word OK (baseline: all OK after ${BASE}s)"
	else
		bad "header shows the worst status word OK" "$(tmux_show)" "stderr: $(head -c 600 "$T/wall.stderr")"
		lab_finish
	fi
}
