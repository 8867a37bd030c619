#!/bin/bash
# key_injection.sh — key ids come from remote answers (a command key
# provider's `rotate` prints the new id): an id made of $(...), backticks and
# quotes is shown and audited as text, and never runs, neither when
# fleetdeck lists the key nor when it rotates it.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=65
lab_test_begin key_injection 58
lab_require_tool tmux
lab_up 1

AUDIT=$T/audit.log
P1=$T/pwned-dollar P2=$T/pwned-backtick
# the fleet file's own commands are trusted configuration; the id they
# print is remote text and hostile here
{
	printf '#!/bin/sh\n'
	printf "printf '%%s\\\\n' 'id-\$(touch %s)-\`touch %s\`-\"q'\n" "$P1" "$P2"
} >"$T/rotate.sh"
chmod 755 "$T/rotate.sh"
sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $AUDIT|" "$LAB_FLEET"
sed -i 's/^\[host lab1\]$/[host lab1]\ncontainers = none\ngpus = none/' "$LAB_FLEET"
printf '\n[key deploy]\nprovider = command\nhost = lab1\nrotate = %s\nage = date +%%s\n' \
	"$T/rotate.sh" >>"$LAB_FLEET"
"$T/rotate.sh" | grep -qF 'id-$(touch' && ok "the stand-in prints a hostile id" ||
	bad "the stand-in prints a hostile id" "$("$T/rotate.sh")"

fd_run 20 "$T/once.json" --once --json -c "$LAB_FLEET"
json_check "$T/once.json" 'the key is listed' '.keys[0].name == "deploy"'

fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view keys
tmux_wait_for "deploy" 10 || bad "Keys view shows deploy" "$(tmux_show)"
tmux_send r
tmux_wait_for "Type deploy to confirm" 5 && ok "r asks for the key's name" || bad "r asks for the key's name" "$(tmux_show)"
tmux_send -l deploy
tmux_send Enter
tmux_wait_for "id-" 15 && ok "the new id is shown" || bad "the new id is shown" "$(tmux_show)"
tmux_has 'id-$(touch' && ok 'it is shown literally, $(...) and all' || bad 'it is shown literally' "$(tmux_show)"
tmux_send Enter
sleep 2   # the key is listed again after the rotation
tmux_send q
wait_for 5 tmux_has "EXITED:" || true

[ ! -e "$P1" ] && ok 'the $(...) in the id never ran' || bad 'the $(...) in the id never ran' "$P1 exists"
[ ! -e "$P2" ] && ok 'the backticks in the id never ran' || bad 'the backticks in the id never ran' "$P2 exists"
grep -q '"rotate' "$AUDIT" 2>/dev/null && ok "the rotation is in the audit log" || bad "the rotation is in the audit log" "$(cat "$AUDIT" 2>&1)"
jq -e -s 'length > 0' "$AUDIT" >/dev/null 2>&1 && ok "every audit line is still valid JSON" ||
	bad "every audit line is still valid JSON" "$(cat "$AUDIT")"
lab_finish
