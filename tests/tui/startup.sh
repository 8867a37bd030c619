#!/bin/bash
# startup.sh — start-up never waits for the ssh configuration. Every host's
# `ssh -G` is made slow (ssh_config: Match exec "sleep 2; date >> LOG"),
# so each logs when it got past the slow part. The dashboard must show every
# host before the first of them did (it used to draw its first frame only
# after all of them), and the hosts still connect afterwards.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=25
lab_test_begin startup 80
lab_require_tool tmux
lab_up 5

cat >"$T/slow_config" <<CFG
Match exec "sleep 2; date +%%s.%%N >> $T/sshg.log"
	ConnectTimeout 5
CFG
F=$T/slow.fleet
sed "s|^timeout = 2s|timeout = 2s\nssh_config = $T/slow_config|" "$LAB_FLEET" >"$F"
sed -i 's/^\(\[host .*\]\)$/\1\ncontainers = none\ngpus = none/' "$F"
all5() { local s; s=$(tmux_capture); for i in 1 2 3 4 5; do grep -q "lab$i" <<<"$s" || return 1; done; }
fd_tmux start 150 30 FLEETDECK_STATS="$T/stats.json" -- -c "$F"
# poll quickly: the frame's time is what is measured
n=0
while ! all5 && [ "$n" -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
shown=$(now)
if all5; then ok "the dashboard shows all 5 hosts"; else bad "the dashboard shows all 5 hosts" "$(tmux_show)"; lab_finish; fi
wait_for 10 test -s "$T/sshg.log"
first=$(sort -n "$T/sshg.log" | head -1)
if [ -n "$first" ] && flt "$shown" "$first"; then
	ok "all 5 hosts were on screen before any ssh -G finished (frame $(fsub "$first" "$shown")s earlier)"
else
	bad "all 5 hosts were on screen before any ssh -G finished" "frame at $shown, first ssh -G done at ${first:-never}"
fi
ready5() { [ "$(jq -r .ready "$T/stats.json" 2>/dev/null)" = 5 ]; }
if wait_for 30 ready5; then ok "and then all 5 connected"; else bad "and then all 5 connected" "$(cat "$T/stats.json" 2>&1)" "$(tmux_show)"; fi
[ "$(wc -l <"$T/sshg.log")" -ge 5 ] && ok "one ssh -G per host ($(wc -l <"$T/sshg.log") runs)" ||
	bad "one ssh -G per host" "$(cat "$T/sshg.log")"
tmux_send q
lab_finish
