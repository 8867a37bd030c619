#!/bin/bash
# digitalocean_contract.sh — CONTRACT TEST against a LOCAL STAND-IN
# (tests/actions/fake_vendor_api.py on 127.0.64.1), not the real services:
# api.digitalocean.com and api.github.com are not reachable here. The
# stand-in answers as DigitalOcean's API v2 and GitHub's Actions runner API
# documentation describe, checks every request (method, path, query,
# Authorization header, JSON body) and records it; this test asserts on
# those records. `digitalocean` runners with `status = github`: the fleet is
# scaled 0 -> 2 -> 1 from the Runners view in tmux (droplets created with
# the configured fields; the newest idle one deleted); a 429 shows a clear
# error on screen and in the audit log; a 503 while listing is an error in
# --json. The tokens never reach the audit log, the JSON or stderr.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin digitalocean_contract 58
lab_require_tool tmux python3
ADDR=127.0.64.1
PORT=26464
S=$T/api
mkdir -p "$S"
echo "dop_v1_contracttoken0123456789" >"$S/do_token"
echo "ghp_contracttoken0123456789" >"$S/gh_token"
chmod 600 "$S/do_token" "$S/gh_token"
python3 "$TOP_SRCDIR/tests/actions/fake_vendor_api.py" $ADDR $PORT "$S" 2>"$T/api.stderr" &
lab_bg $!
wait_for 20 eval "curl -s -o /dev/null http://$ADDR:$PORT/v2/sizes" || { bad "the stand-in API started" "$(cat "$T/api.stderr")"; lab_finish; }
: >"$S/requests.log"

cat >"$T/do.fleet" <<EOF
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
ssh_keys = 512189, 3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa
name_prefix = ct-forge
api = http://$ADDR:$PORT/v2
status = github cocottetech/ct-forge token_file=$S/gh_token
status_api = http://$ADDR:$PORT
min = 0
max = 6
EOF
req() { jq -s "$1" "$S/requests.log"; }

fd_run 20 "$T/once.json" -c "$T/do.fleet" --once --json
json_check "$T/once.json" "--once --json: ct-forge listed, 0 droplets, queue 0" \
	'.runners[0].provider == "digitalocean" and .runners[0].count == 0 and .runners[0].queued == 0 and (.runners[0].error // "") == ""'
check "listing: GET /v2/droplets?tag_name=ct-forge-runner, GET /v2/sizes, GitHub runners and queued runs" \
	req 'any(.[]; .method == "GET" and .path == "/v2/droplets" and .query.tag_name == "ct-forge-runner")
		and any(.[]; .path == "/v2/sizes") and any(.[]; .path == "/repos/cocottetech/ct-forge/actions/runners")
		and any(.[]; .path == "/repos/cocottetech/ct-forge/actions/runs" and .query.status == "queued")'
check "every request carried the right bearer token" req 'length > 0 and all(.[]; .auth_ok)'

fd_tmux ui 150 34 -- -c "$T/do.fleet" --view runners
tmux_wait_line 'ct-forge +digitalocean' ' 0 \[0\.\.6\]' 10 && ok "Runners view: 0 [0..6]" || bad "Runners view: 0 [0..6]" "$(tmux_show)"

# 0 -> 2
: >"$S/requests.log"
tmux_send =
tmux_wait_for "Scale to how many" 5
tmux_send 2 Enter
tmux_wait_for "Create 2 droplets" 5 && tmux_has "s-8vcpu-16gb-amd in nyc3 from ct-forge-golden, tagged" &&
	ok "the plan says exactly what will be created" || bad "the plan says exactly what will be created" "$(tmux_show)"
tmux_send y
tmux_wait_for "scale runners/ct-forge: done" 15 && ok "scale 0 -> 2 done" || bad "scale 0 -> 2 done" "$(tmux_show)"
tmux_send Enter
check "POST /v2/droplets: 2 names, region, size, image, ssh_keys, tag (as documented)" \
	req '[.[] | select(.method == "POST")] | length == 1 and (.[0] | .path == "/v2/droplets" and .status == 202
		and (.body.names | length == 2 and all(.[]; startswith("ct-forge-")))
		and .body.region == "nyc3" and .body.size == "s-8vcpu-16gb-amd" and .body.image == "ct-forge-golden"
		and .body.ssh_keys == [512189, "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"]
		and .body.tags == ["ct-forge-runner"])'
tmux_wait_line 'ct-forge +digitalocean' ' 2 \[0\.\.6\]' 10 && ok "the view lists 2" || bad "the view lists 2" "$(tmux_show)"
tmux_wait_for 'running cost: $0.250/hour' 5 && ok "hourly cost from price_hourly (2 x 0.125)" || bad "hourly cost from price_hourly" "$(tmux_show)"
tmux_wait_line 'ct-forge-[0-9]+-[12]' 'idle +[0-9]+s' 5 && ok "each droplet with its state and age" || bad "each droplet with its state and age" "$(tmux_show)"
check "pagination: links.pages.next was followed (page=2)" req 'any(.[]; .path == "/v2/droplets" and .query.page == "2")'

# 2 -> 1: the newest idle droplet is deleted
NEWEST=$(req '[.[] | select(.method == "POST")][0].body.names[1]' | tr -d '"')
: >"$S/requests.log"
tmux_send -
tmux_wait_for "from 2 to 1" 5 && ok "- shows the plan 2 -> 1" || bad "- shows the plan 2 -> 1" "$(tmux_show)"
tmux_send y
tmux_wait_for "scale runners/ct-forge: done" 15 && ok "scale 2 -> 1 done" || bad "scale 2 -> 1 done" "$(tmux_show)"
tmux_send Enter
check "exactly one DELETE /v2/droplets/ID, after asking GitHub who is idle" \
	req '([.[] | select(.method == "DELETE")] | length == 1 and (.[0].path | test("^/v2/droplets/[0-9]+$")) and .[0].status == 204)
		and any(.[]; .path == "/repos/cocottetech/ct-forge/actions/runners")'
tmux_wait_line 'ct-forge +digitalocean' ' 1 \[0\.\.6\]' 10 && ok "the view lists 1" || bad "the view lists 1" "$(tmux_show)"
tmux_has "$NEWEST" && bad "the newest droplet ($NEWEST) was the one deleted" "$(tmux_show)" || ok "the newest droplet ($NEWEST) was the one deleted"

# a busy runner is never deleted
tmux_capture | grep -oE 'ct-forge-[0-9]+-[0-9]+' | head -n 1 >"$S/busy"
: >"$S/requests.log"
tmux_send -
tmux_wait_for "Type ct-forge to confirm" 5
tmux_send -l ct-forge
tmux_send Enter
tmux_wait_for "FAILED" 15 && tmux_has "busy runners are" && ok "scale to 0 with the runner busy: refused, nothing deleted" ||
	bad "scale to 0 with the runner busy: refused, nothing deleted" "$(tmux_show)"
check "no DELETE was sent" req 'all(.[]; .method != "DELETE")'
tmux_send Enter
rm -f "$S/busy"

# 429 on create
echo "429 POST /v2/droplets" >"$S/fail"
tmux_send +
tmux_wait_for "from 1 to 2" 5
tmux_send y
tmux_wait_for "rate limited by the DigitalOcean API (429)" 15 && ok "a 429 is shown as a clear error" || bad "a 429 is shown as a clear error" "$(tmux_show)"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
check "audit: 0->2, 2->1 succeeded; busy refusal and 429 failed with their reasons" \
	jq -e -s '[.[] | select(.result == "succeeded" or .result == "failed") | [.result, ((.error // "") | test("busy|rate limited"))]]
		== [["succeeded",false],["succeeded",false],["failed",true],["failed",true]]' "$T/audit.log"

# 503 while listing
echo "503 GET /v2/droplets" >"$S/fail"
fd_run 20 "$T/503.json" -c "$T/do.fleet" --once --json
json_check "$T/503.json" "a 503 while listing: count unknown, a server-error message" \
	'.runners[0].count == null and (.runners[0].error | test("server error 503"))'

grep -qF -e "$(cat "$S/do_token")" -e "$(cat "$S/gh_token")" "$T/audit.log" "$T"/*.json "$T/ui.stderr" &&
	bad "the tokens are in neither the audit log, the JSON nor stderr" || ok "the tokens are in neither the audit log, the JSON nor stderr"
lab_finish
