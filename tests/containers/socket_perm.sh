#!/bin/bash
# socket_perm.sh — a container engine socket the user may not use: fleetdeck
# (run as the unprivileged user nobody) names the socket and the group to
# join, instead of an error storm or a silent "no containers". The socket is
# a real unix socket (python3) owned by root:adm, mode 0660.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin socket_perm 40
lab_require_root "runs fleetdeck as nobody"
lab_require_tool runuser python3
getent group adm >/dev/null || lab_skip "no adm group on this system"

chmod 755 "$T"
mkdir -m 755 "$T/eng"
python3 - "$T/eng/docker.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(4)
time.sleep(40)
PY
lab_bg $!
# a hang guard only: python3 alone can take seconds to start on a loaded machine
wait_for 20 test -S "$T/eng/docker.sock" || { bad "test socket created"; lab_finish; }
chgrp adm "$T/eng/docker.sock" && chmod 660 "$T/eng/docker.sock"

cat >"$T/perm.fleet" <<F
[fleet perm]
interval = 1s

[host here]
ssh = local
containers = docker
container_socket = $T/eng/docker.sock
F
chmod 644 "$T/perm.fleet"
# a copy nobody can surely run, wherever the build tree lives
cp "$FLEETDECK" "$T/eng/fleetdeck" && chmod 755 "$T/eng/fleetdeck"
runuser -u nobody -- "$T/eng/fleetdeck" --once --json -c "$T/perm.fleet" >"$T/out.json" 2>"$T/out.err"
rc=$?
[ "$rc" = 0 ] && ok "--once as nobody exits 0" || bad "--once as nobody exits 0" "exit $rc" "$(head -c 800 "$T/out.err")"
json_valid "$T/out.json" || { bad "stdout is JSON" "$(head -c 800 "$T/out.json")"; lab_finish; }
json_check "$T/out.json" 'the problem names the socket' \
	"[.. | strings | select(test(\"permission denied on $T/eng/docker.sock\"))] | length > 0"
json_check "$T/out.json" 'and the group to join (adm)' \
	'[.. | strings | select(test("join its group adm"))] | length > 0'
json_check "$T/out.json" 'the fleet is not green about it (an alert, status not ok)' '.status != "ok" and (.alerts | length) > 0'
echo "   $(jq -r '[.alerts[].message] | join(" / ")' "$T/out.json")"
lab_finish
