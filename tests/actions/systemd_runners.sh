#!/bin/bash
# systemd_runners.sh — the `systemd` runner provider against a STAND-IN
# systemctl (tests/actions/fake_systemctl.sh, first on lab1's PATH only):
# no systemd can run in the test sandbox. The stand-in keeps instance state
# in a directory, prints list-units in systemd's --plain --no-legend format
# and records every call. From the Runners view in tmux the fleet is scaled
# 0 -> 2 (systemctl start forgejo-runner@1.service forgejo-runner@2.service)
# -> 1 (stop of the highest-numbered instance) -> 0 (only with the name
# typed); the stand-in's state and the audit log follow. A unit name made
# of $(...), backticks and quotes in the list output is shown literally and
# never runs, and scaling never passes it to systemctl.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=67
lab_test_begin systemd_runners 58
lab_require_root
lab_require_tool tmux
mkdir -p "$T/bin" "$T/units"
cp "$TOP_SRCDIR/tests/actions/fake_systemctl.sh" "$T/bin/systemctl"
chmod 755 "$T/bin/systemctl"
LAB_SSHD_SETENV="PATH=$T/bin:/usr/local/bin:/usr/bin:/bin"
lab_up 1

AUDIT=$T/audit.log
sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $AUDIT|" "$LAB_FLEET"
cat >>"$LAB_FLEET" <<EOF

[runners forge]
provider = systemd
host = lab1
unit = forgejo-runner@
min = 0
max = 3
interval = 1s
EOF
CALLS=$T/systemctl.calls
units() { (cd "$T/units" && ls 2>/dev/null | tr '\n' ' '); }

fd_run 20 "$T/once.json" -c "$LAB_FLEET" --once --json
json_check "$T/once.json" "--once --json: forgejo-runner@ on lab1 listed, count 0, idle unknown (null)" \
	'.runners[0] | .provider == "systemd" and .count == 0 and .min == 0 and .max == 3 and (.error // "") == ""'
check "listed with systemctl list-units --all --plain --no-legend --type=service 'forgejo-runner@*'" \
	grep -qxF "list-units --all --plain --no-legend --type=service forgejo-runner@*" "$CALLS"

fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view runners
tmux_wait_line 'forge +systemd' ' 0 \[0\.\.3\]' 10 && ok "Runners view: 0 [0..3]" || bad "Runners view: 0 [0..3]" "$(tmux_show)"

# 0 -> 2
tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 2 Enter
tmux_wait_for "from 0 to 2" 5 && tmux_has "start forgejo-runner@1.service .. forgejo-runner@2.service" &&
	ok "= 2 shows the plan: systemctl start @1 .. @2 on lab1" || bad "= 2 shows the plan" "$(tmux_show)"
tmux_send y
tmux_wait_for "scale runners/forge: done" 15 && ok "scale 0 -> 2 done" || bad "scale 0 -> 2 done" "$(tmux_show)"
tmux_send Enter
[ "$(units)" = "forgejo-runner@1.service forgejo-runner@2.service " ] &&
	ok "the stand-in has @1 and @2 active" || bad "the stand-in has @1 and @2 active" "$(units)" "$(cat "$CALLS")"
check "one systemctl start of both instances, each a separate word" \
	grep -qxF "start forgejo-runner@1.service forgejo-runner@2.service" "$CALLS"
tmux_wait_line 'forge +systemd' ' 2 \[0\.\.3\]' 10 && ok "the view lists 2" || bad "the view lists 2" "$(tmux_show)"
tmux_wait_line 'forge +systemd' 'n/a/n/a/n/a' 5 && ok "busy/idle/offline unknown: n/a, not 0" || bad "busy/idle/offline n/a" "$(tmux_show)"
tmux_has "forgejo-runner@2.se" && ok "the instances are listed by name" || bad "the instances are listed by name" "$(tmux_show)"

# 2 -> 1: the highest-numbered instance is stopped
tmux_send -
tmux_wait_for "from 2 to 1" 5 && ok "- shows the plan 2 -> 1" || bad "- shows the plan 2 -> 1" "$(tmux_show)"
tmux_send y
tmux_wait_for "scale runners/forge: done" 15 && ok "scale 2 -> 1 done" || bad "scale 2 -> 1 done" "$(tmux_show)"
tmux_send Enter
[ "$(units)" = "forgejo-runner@1.service " ] && ok "the stand-in has only @1 left" || bad "the stand-in has only @1 left" "$(units)"
check "systemctl stop forgejo-runner@2.service" grep -qxF "stop forgejo-runner@2.service" "$CALLS"
tmux_wait_line 'forge +systemd' ' 1 \[0\.\.3\]' 10 && ok "the view lists 1" || bad "the view lists 1" "$(tmux_show)"

# 1 -> 0 needs the name typed
tmux_send -
tmux_wait_for "Type forge to confirm" 5 && ok "scale to 0 asks for the name" || bad "scale to 0 asks for the name" "$(tmux_show)"
tmux_send -l forge
tmux_send Enter
tmux_wait_for "scale runners/forge: done" 15 && ok "typing forge scales to 0" || bad "typing forge scales to 0" "$(tmux_show)"
tmux_send Enter
[ -z "$(units)" ] && ok "the stand-in has no instance left" || bad "the stand-in has no instance left" "$(units)"
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"

res=$(jq -r -s 'map(.result) | join(" ")' "$AUDIT")
want="confirmed succeeded confirmed succeeded confirmed succeeded"
[ "$res" = "$want" ] && ok "audit: every attempt ($want)" || bad "audit: every attempt" "want: $want" "got:  $res"
check "audit: 0 -> 2, 2 -> 1, 1 -> 0 on runners/forge" \
	jq -e -s '[.[] | select(.result == "succeeded") | "\(.target) \(.parameters.from)>\(.parameters.to)"]
		== ["runners/forge 0>2","runners/forge 2>1","runners/forge 1>0"]' "$AUDIT"

# a hostile unit name in systemctl's answer: data, never run (no spaces, as
# the list is split on them; short, as names are kept to 63 bytes)
echo active >"$T/units/forgejo-runner@1.service"
P1=/tmp/fd67p P2=/tmp/fd67q
rm -f "$P1" "$P2"
name="forgejo-runner@\$(touch\${IFS}$P1)\`>$P2\`'\".service"
printf '%s loaded active running evil\n' "$name" >"$T/extra-lines"
fd_run 20 "$T/evil.json" -c "$LAB_FLEET" --once --json
json_check "$T/evil.json" "the odd unit name is listed literally (and counted: it is active)" \
	'.runners[0] | .count == 2 and any(.runners[]; .name == $n)' --arg n "$name"
: >"$CALLS"
# scale 2 -> 1 from the TUI: only forgejo-runner@1.service may be stopped
fd_tmux ui2 140 34 -- -c "$LAB_FLEET" --view runners
tmux_wait_line 'forge +systemd' ' 2 \[0\.\.3\]' 10
tmux_send -
tmux_wait_for "from 2 to 1" 5
tmux_send y
tmux_wait_for "scale runners/forge: done" 15 && ok "2 -> 1 with the odd unit present: done" || bad "2 -> 1 with the odd unit present" "$(tmux_show)"
tmux_send Enter q
check "systemctl was only ever given forgejo-runner@1.service to stop" \
	eval '! grep -E "^(start|stop)" "$CALLS" | grep -vxF "stop forgejo-runner@1.service"'
[ ! -e "$P1" ] && [ ! -e "$P2" ] && ok "the \$(touch ...) and backtick unit name never ran" ||
	bad "the \$(touch ...) and backtick unit name never ran"
rm -f "$P1" "$P2"
lab_finish
