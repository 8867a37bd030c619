#!/bin/bash
# operator_commands.sh — issue #12 item 10: operator commands are isolated.
# A [runners] `list` and a [key] `age` command with an unbalanced quote and
# an `exit` share lab1's one long-lived shell with the host probe and a
# well-formed runners fleet. Each runs in its own `sh -c` with quoting: the
# broken ones fail alone with their own error, and the probe and the good
# listing on the same host keep answering.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=95
lab_test_begin operator_commands 58
lab_up 1
cat >>"$LAB_FLEET" <<'EOF'

[runners good]
provider = command
host = lab1
list = printf 'r1 idle\nr2 busy\n'

[runners quote]
provider = command
host = lab1
list = echo "unbalanced

[runners leaver]
provider = command
host = lab1
list = exit 0

[key broken]
provider = command
host = lab1
age = echo 'also unbalanced
rotate = true
EOF
sed -i '/^\[host lab1\]/a containers = none\ngpus = none' "$LAB_FLEET"
F=$T/out.json
fd_run 40 "$F" --once --json -c "$LAB_FLEET"
json_valid "$F" || { bad "--once --json is JSON" "$(head -c 600 "$F.err")"; lab_finish; }
json_check "$F" "lab1's probe still answers (reachable, memory read)" \
	'.hosts[0].reachable == true and .hosts[0].mem_total > 0'
json_check "$F" "the well-formed listing on the same host: 2 runners, no error" \
	'(.runners[] | select(.name == "good")) | .count == 2 and (.error // "") == ""'
json_check "$F" "the unbalanced quote fails its own listing, with the shell's exit status" \
	'(.runners[] | select(.name == "quote")) | .count == null and (.error | test("list command failed \\(exit 2"))'
json_check "$F" "an exit in a list command ends only that command (0 runners, no error)" \
	'(.runners[] | select(.name == "leaver")) | .count == 0 and (.error // "") == ""'
json_check "$F" "the broken age command fails alone" \
	'(.keys[] | select(.name == "broken")) | (.error // "") | test("age command failed")'

# and over time: after a few rounds the session is still the same, healthy one
fd_tmux ui 120 30 -- -c "$LAB_FLEET" --view runners
wait_for 15 eval 'tmux_has good && tmux_has quote' || bad "Runners view lists the fleets" "$(tmux_show)"
sleep 4
tmux_capture >"$T/screen.txt"
grep -E '^ *(ok|OK).*good|good.* 2 ' "$T/screen.txt" >/dev/null && ok "after rounds: the good fleet still lists 2" ||
	bad "after rounds: the good fleet still lists 2" "$(tmux_show)"
grep -q "remote shell exited\|connection.*lost\|not reachable" "$T/screen.txt" &&
	bad "the host's shell never died" "$(tmux_show)" || ok "the host's shell never died"
tmux_send q
wait_for 5 tmux_has "EXITED:0" || bad "q quits" "$(tmux_show)"
lab_finish
