#!/bin/bash
# do_forgejo.sh — CONTRACT TEST against a LOCAL STAND-IN
# (tests/actions/fake_vendor_api.py on 127.0.68.1), not the real services:
# cocotte's ct-forge case, `digitalocean` runners with `status = forgejo`.
# Forgejo's task list says how many jobs run, not on which runner: with a job
# running, scaling down is refused before any dialog offers "Yes" (audited
# "rejected", nothing deleted); with none running every droplet is idle, the
# plan names the droplet it will delete, and the newest one is deleted.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin do_forgejo 58
lab_require_tool tmux python3
ADDR=127.0.68.1
PORT=26868
S=$T/api
mkdir -p "$S"
echo "dop_v1_contracttoken0123456789" >"$S/do_token"
echo "fj_contracttoken0123456789abcdef" >"$S/fj_token"
chmod 600 "$S/do_token" "$S/fj_token"
: >"$S/fj_tasks"
python3 "$TOP_SRCDIR/tests/actions/fake_vendor_api.py" $ADDR $PORT "$S" 2>"$T/api.stderr" &
lab_bg $!
wait_for 20 eval "curl -s -o /dev/null http://$ADDR:$PORT/v2/sizes" || { bad "the stand-in API started" "$(cat "$T/api.stderr")"; lab_finish; }
: >"$S/requests.log"

cat >"$T/do.fleet" <<FLEET
[fleet cocotte]
audit_log = $T/audit.log
interval = 1s

[runners ct-forge]
provider = digitalocean
token_file = $S/do_token
tag = ct-forge-runner
image = ct-forge-golden
size = s-8vcpu-16gb-amd
region = nyc3
name_prefix = ct-forge
api = http://$ADDR:$PORT/v2
status = forgejo http://$ADDR:$PORT/cocotte/ct-forge token_file=$S/fj_token
min = 0
max = 6
FLEET
req() { jq -s "$1" "$S/requests.log"; }

fd_tmux ui 150 34 -- -c "$T/do.fleet" --view runners
tmux_wait_line 'ct-forge +digitalocean' ' 0 \[0\.\.6\]' 10 && ok "Runners view: 0 [0..6]" || bad "Runners view: 0 [0..6]" "$(tmux_show)"
tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 2 Enter
tmux_wait_for "Create 2 droplets" 5 && ok "scale up needs no idle runner: the plan is offered" || bad "scale up plan" "$(tmux_show)"
tmux_send y
tmux_wait_for "scale runners/ct-forge: done" 15 && ok "scale 0 -> 2 done" || bad "scale 0 -> 2 done" "$(tmux_show)"
tmux_send Enter
tmux_wait_line 'ct-forge +digitalocean' ' 2 \[0\.\.6\]' 10 && ok "the view lists 2" || bad "the view lists 2" "$(tmux_show)"
NEWEST=$(req '[.[] | select(.method == "POST")][0].body.names[1]' | tr -d '"')

# a job running: refused at plan time, no dialog, nothing deleted
echo running >"$S/fj_tasks"
# the refusal is judged on the listing the dashboard holds: wait until it
# shows the running task (busy 1), as a user would before pressing -
tmux_wait_line 'ct-forge +digitalocean' '\[0\.\.6\] +1/' 15 ||
	bad "the view shows the running task (busy 1)" "$(tmux_show)"
: >"$S/requests.log"
tmux_send -
tmux_wait_for "does not say on which runner" 5 && ok "with a job running, - is refused and says why" ||
	bad "with a job running, - is refused and says why" "$(tmux_show)"
tmux_has "Confirm: scale" && bad "no dialog offers to confirm a plan that cannot be done" "$(tmux_show)" ||
	ok "no dialog offers to confirm a plan that cannot be done"
check "no DELETE was sent" req 'all(.[]; .method != "DELETE")'

# nothing running: every droplet is idle, the newest goes
: >"$S/fj_tasks"
tmux_wait_line 'ct-forge +digitalocean' '\[0\.\.6\] +0/' 15 ||
	bad "the view shows no running task (busy 0)" "$(tmux_show)"
: >"$S/requests.log"
tmux_send -
tmux_wait_for "from 2 to 1" 5 && ok "with nothing running, - shows the plan 2 -> 1" || bad "plan 2 -> 1" "$(tmux_show)"
tmux_has "$NEWEST" && ok "the plan names the droplet it will delete ($NEWEST)" || bad "the plan names the droplet" "$(tmux_show)"
tmux_send y
tmux_wait_for "scale runners/ct-forge: done" 15 && ok "scale 2 -> 1 done" || bad "scale 2 -> 1 done" "$(tmux_show)"
tmux_send Enter
check "one DELETE, after asking Forgejo for running tasks with its token scheme" \
	req '([.[] | select(.method == "DELETE")] | length == 1 and .[0].status == 204)
		and any(.[]; .path == "/api/v1/repos/cocotte/ct-forge/actions/tasks" and .auth_ok)'
tmux_wait_line 'ct-forge +digitalocean' ' 1 \[0\.\.6\]' 10 && ok "the view lists 1" || bad "the view lists 1" "$(tmux_show)"
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
check "audit: the refusal is 'rejected' with its reason, then the scale-down succeeded" \
	jq -e -s 'any(.[]; .result == "rejected" and (.error | test("on which runner")))
		and ([.[] | select(.result == "succeeded")] | length == 2)' "$T/audit.log"
grep -qF -e "$(cat "$S/do_token")" -e "$(cat "$S/fj_token")" "$T/audit.log" "$T/ui.stderr" &&
	bad "the tokens are in neither the audit log nor stderr" || ok "the tokens are in neither the audit log nor stderr"
lab_finish
