#!/bin/bash
# token_origin.sh — item 2 of issue #12: a token goes only to its origin.
# CONTRACT TEST against a LOCAL STAND-IN (tests/actions/fake_vendor_api.py),
# not DigitalOcean itself. The stand-in on 127.0.95.1:28080 answers as the
# DigitalOcean API v2 does, except that its links.pages.next points at
# ANOTHER local port (28081, a second stand-in that records every request):
# a hostile or compromised API answer. Neither the collector (--once --json)
# nor the scale action (from the TUI) may send the bearer token there; both
# report the listing as incomplete instead of trusting it.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin token_origin 58
lab_require_tool tmux python3 curl
ADDR=127.0.95.1
PORT=28080
OTHER=28081
S=$T/api
O=$T/other
mkdir -p "$S" "$O"
TOKEN=dop_v1_origintoken0123456789
echo "$TOKEN" >"$S/do_token"
chmod 600 "$S/do_token"
python3 "$TOP_SRCDIR/tests/actions/fake_vendor_api.py" $ADDR $PORT "$S" 2>"$T/api.stderr" &
lab_bg $!
python3 "$TOP_SRCDIR/tests/actions/fake_vendor_api.py" $ADDR $OTHER "$O" 2>"$T/other.stderr" &
lab_bg $!
wait_for 20 eval "curl -s -o /dev/null http://$ADDR:$PORT/v2/sizes && curl -s -o /dev/null http://$ADDR:$OTHER/v2/sizes" ||
	{ bad "the stand-in APIs started" "$(cat "$T/api.stderr" "$T/other.stderr")"; lab_finish; }
echo "http://$ADDR:$OTHER" >"$S/next_base"
droplet() {
	curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "{\"names\":[\"origin-$1\"],\"region\":\"nyc3\",\"size\":\"s-1vcpu-1gb\",\"image\":\"img\",\"tags\":[\"origin-runner\"]}" \
		"http://$ADDR:$PORT/v2/droplets"
}
droplet 1
: >"$S/requests.log"
: >"$O/requests.log"

cat >"$T/do.fleet" <<EOF
[fleet origin]
audit_log = $T/audit.log
interval = 60s

[runners origin]
provider = digitalocean
token_file = $S/do_token
tag = origin-runner
image = img
size = s-1vcpu-1gb
region = nyc3
api = http://$ADDR:$PORT/v2
min = 0
max = 4
EOF
no_token_elsewhere() { jq -e -s 'all(.[]; .auth_present | not)' "$O/requests.log" >/dev/null; }

fd_run 20 "$T/one.json" -c "$T/do.fleet" --once --json
json_check "$T/one.json" "one page: 1 droplet listed" '.runners[0].count == 1 and (.runners[0].error // "") == ""'
# the TUI lists the one page now and not again for 60 s
fd_tmux ui 150 34 -- -c "$T/do.fleet" --view runners
tmux_wait_line 'origin +digitalocean' ' 1 \[0\.\.4\]' 10 && ok "Runners view: 1 [0..4]" || bad "Runners view: 1 [0..4]" "$(tmux_show)"

droplet 2   # now the listing has a second page, on the other port
fd_run 20 "$T/two.json" -c "$T/do.fleet" --once --json
json_check "$T/two.json" "collector: a next page on another origin is an error, not a count" \
	'.runners[0].count == null and (.runners[0].error | test("not followed"))'
check "collector: the other port never saw the token" no_token_elsewhere
check "collector: the first page did carry it (to its own origin)" \
	jq -e -s 'any(.[]; .path == "/v2/droplets" and .auth_ok)' "$S/requests.log"

# the scale action lists on its own (worker thread, http_run)
: >"$O/requests.log"
: >"$S/requests.log"
tmux_send +
tmux_wait_for "from 1 to 2" 5 && ok "+ shows the plan 1 -> 2" || bad "+ shows the plan 1 -> 2" "$(tmux_show)"
tmux_send y
tmux_wait_for "not followed" 15 && ok "action: the foreign next page is refused, the scale fails" ||
	bad "action: the foreign next page is refused, the scale fails" "$(tmux_show)"
check "action: the other port never saw the token" no_token_elsewhere
check "action: nothing was created" jq -e -s '[.[] | select(.method == "POST")] | length == 0' "$S/requests.log"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
check "the token is in no output" sh -c "! grep -rqF '$TOKEN' '$T/one.json' '$T/two.json' '$T/two.json.err' '$T/audit.log' '$T/ui.stderr'"
lab_finish
