#!/bin/bash
# startup.sh — start-up never waits for the ssh configuration. Every host's
# `ssh -G` is made slow (ssh_config: Match exec "sleep S; date >> LOG", S =
# 2 s or more on a loaded machine: past the time it took to show them),
# so each logs when it got past the slow part. The dashboard must show every
# host before the first of them did (it used to draw its first frame only
# after all of them), and the hosts still connect afterwards.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=25
lab_test_begin startup 80
lab_require_tool tmux
lab_up 5

all5() { local s; s=$(tmux_capture); for i in 1 2 3 4 5; do grep -q "lab$i" <<<"$s" || return 1; done; }
# until all 5 are on screen (polled quickly: the frame's time is measured)
until5() { local n=0; while ! all5 && [ "$n" -lt 400 ]; do sleep 0.05; n=$((n + 1)); done; }
F=$T/slow.fleet
sed 's/^\(\[host .*\]\)$/\1\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$T/fast.fleet"
# the baseline: how long this machine takes, now, to show them without a
# slow ssh -G; the Match exec's sleep is well past it (2 s, or 4 x B + 1
# on a loaded machine) so that only a start-up that waits for it fails
t0=$(now)
fd_tmux fast 150 30 -- -c "$T/fast.fleet"
until5
B=$(fsub "$(now)" "$t0")
tmux_kill fast
S=$(awk -v b="$B" 'BEGIN { s = 4 * b + 1; printf "%d\n", s < 2 ? 2 : s + 0.999 }')
echo "   all 5 on screen after ${B}s without a slow ssh -G: its sleep is ${S}s"
cat >"$T/slow_config" <<CFG
Match exec "sleep $S; date +%%s.%%N >> $T/sshg.log"
	ConnectTimeout 5
CFG
sed "s|^timeout = 2s|timeout = 2s\nssh_config = $T/slow_config|" "$T/fast.fleet" >"$F"
fd_tmux start 150 30 FLEETDECK_STATS="$T/stats.json" -- -c "$F"
until5
shown=$(now)
if all5; then ok "the dashboard shows all 5 hosts"; else bad "the dashboard shows all 5 hosts" "$(tmux_show)"; lab_finish; fi
wait_for $((S + 10)) test -s "$T/sshg.log"
first=$(sort -n "$T/sshg.log" | head -1)
if [ -n "$first" ] && flt "$shown" "$first"; then
	ok "all 5 hosts were on screen before any ssh -G finished (frame $(fsub "$first" "$shown")s earlier)"
else
	bad "all 5 hosts were on screen before any ssh -G finished" "frame at $shown, first ssh -G done at ${first:-never}"
fi
ready5() { [ "$(jq -r .ready "$T/stats.json" 2>/dev/null)" = 5 ]; }
if wait_for $((S + 30)) ready5; then ok "and then all 5 connected"; else bad "and then all 5 connected" "$(cat "$T/stats.json" 2>&1)" "$(tmux_show)"; fi
[ "$(wc -l <"$T/sshg.log")" -ge 5 ] && ok "one ssh -G per host ($(wc -l <"$T/sshg.log") runs)" ||
	bad "one ssh -G per host" "$(cat "$T/sshg.log")"
tmux_send q
lab_finish
