#!/bin/bash
# topology_tui.sh — the Topology view (--view topology) in tmux on 3 lab
# hosts: lab1 -> lab2 is a checked [link] with a label, lab3 is reached
# through lab1 (jump, an "ssh" edge) and lab2 runs a checked service. At
# 80x24 and 200x60 every host name and the link's label are on screen (boxes,
# or the tier list when they do not fit); the link turns ok; an arrow key
# moves the selection off lab1 and Enter opens that host's detail; Esc goes
# back; q quits with exit 0.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=56
lab_test_begin topology_tui 58
lab_require_tool tmux
lab_up 3

A2=$(lab_addr 2) P2=$(lab_port 2)
F=$T/topo.fleet
# containers/GPUs off: quiet hosts; lab3 is reached through lab1
sed -e 's/^\[host lab3\]$/[host lab3]\njump = lab1\ncontainers = none\ngpus = none/' \
	-e 's/^\[host lab\([12]\)\]$/[host lab\1]\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$F"
cat >>"$F" <<FLEET

[service lab-api]
host = lab2
check = tcp $A2:$P2

[link lab1 -> lab2]
label = HTTPS (lab api)
check = tcp $A2:$P2
FLEET
"$FLEETDECK" --validate -c "$F" >"$T/validate.out" 2>&1 &&
	ok "the lab topology fleet validates" || bad "the lab topology fleet validates" "$(cat "$T/validate.out")"

all_names() { tmux_has lab1 && tmux_has lab2 && tmux_has lab3; }
shows_all() { all_names && tmux_has "HTTPS (lab api)"; }

fd_tmux topo 80 24 -- -c "$F" --view topology
if wait_for 10 shows_all; then
	ok "80x24: every host and the link label"
else
	bad "80x24: every host and the link label" "$(tmux_show)" "stderr: $(head -c 600 "$T/topo.stderr")"
	lab_finish
fi
tmux_capture | head -n 1 | grep -q Topology && ok "80x24: the Topology view is shown" ||
	bad "80x24: the Topology view is shown" "$(tmux_show)"
tmux_capture | sed 's/[[:space:]]*$//; s/^/   /'

tmux_resize 200 60
if wait_for 5 shows_all; then ok "200x60: every host and the link label"; else bad "200x60: every host and the link label" "$(tmux_show)"; fi
wait_for 5 tmux_has "svc lab-api" && ok "200x60: lab2's box lists its service" ||
	bad "200x60: lab2's box lists its service" "$(tmux_show)"
tmux_has "ssh" && ok "200x60: the jump edge lab1 -> lab3 is labelled ssh" ||
	bad "200x60: the jump edge is labelled ssh" "$(tmux_show)"
tmux_capture | sed 's/[[:space:]]*$//' | grep -v '^$' | sed 's/^/   /'

# the link check ran from lab1 and the whole fleet is ok: top line OK
top_ok() { tmux_capture | head -n 1 | grep -qE '(^|[^A-Za-z])OK([^A-Za-z]|$)'; }
wait_for 15 top_ok && ok "the fleet (hosts, service, link) turns OK" ||
	bad "the fleet turns OK" "$(tmux_show)" "stderr: $(head -c 600 "$T/topo.stderr")"

# lab1 (the edge tier, on top) is selected first; Down moves to the row below
tmux_send Down
sleep 0.3
tmux_send Enter
detail_other() { tmux_capture | head -n 1 | grep -qE 'Topology > lab[23]'; }
if wait_for 5 detail_other; then
	ok "Down + Enter opens the detail of a host below lab1 ($(tmux_capture | head -n 1 | grep -oE 'lab[23]'))"
else
	bad "Down + Enter opens a host's detail" "$(tmux_show)"
fi
tmux_send Escape
wait_for 5 tmux_has "HTTPS (lab api)" && ok "Esc goes back to the map" || bad "Esc goes back to the map" "$(tmux_show)"

tmux_send q
wait_for 5 tmux_has "EXITED:0" && ok "q quits with exit 0" || bad "q quits with exit 0" "$(tmux_show)"
lab_finish
