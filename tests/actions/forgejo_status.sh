#!/bin/bash
# forgejo_status.sh — CONTRACT TEST against a LOCAL STAND-IN
# (tests/actions/fake_vendor_api.py on 127.0.66.1), not a real Forgejo: no
# Forgejo/Gitea instance is reachable or installable here. The stand-in
# answers GET /api/v1/repos/{owner}/{repo}/actions/tasks as Forgejo's API
# (swagger: ActionTaskResponse, {"workflow_runs": [...], "total_count": N})
# does, checks method, path, query and the `Authorization: token ...`
# header, and records each request. A `command` runner fleet on a lab host
# with `status = forgejo URL token_file=...`: --once --json has queued
# (waiting + blocked tasks) and busy (running tasks) from the stand-in's
# answer, idle and offline null (Forgejo's task list names no runner), the
# fleet unknown (never ok) while jobs wait with idle unknown, ok with an
# empty queue; a 500 is a clear problem; the token is nowhere in the output.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=66
lab_test_begin forgejo_status 58
lab_require_root
lab_require_tool python3 curl
lab_up 1

ADDR=127.0.66.1
PORT=26666
S=$T/api
mkdir -p "$S"
echo "fj_contracttoken0123456789abcdef" >"$S/fj_token"
chmod 600 "$S/fj_token"
python3 "$TOP_SRCDIR/tests/actions/fake_vendor_api.py" $ADDR $PORT "$S" 2>"$T/api.stderr" &
lab_bg $!
wait_for 20 eval "curl -s -o /dev/null http://$ADDR:$PORT/api/v1/" ||
	{ bad "the stand-in API started" "$(cat "$T/api.stderr")"; lab_finish; }
: >"$S/requests.log"

# two runners listed by name only: the listing knows no busy/idle
cat >>"$LAB_FLEET" <<EOF

[runners ci]
provider = command
host = lab1
list = printf '%s\n' runner-1 runner-2
scale = true {count}
status = forgejo http://$ADDR:$PORT/owner/repo token_file=$S/fj_token
min = 0
max = 4
interval = 1s
EOF
printf '%s\n' waiting running success waiting failure blocked cancelled >"$S/fj_tasks"
req() { jq -s "$1" "$S/requests.log"; }

fd_run 20 "$T/once.json" -c "$LAB_FLEET" --once --json
json_check "$T/once.json" "--once --json: count 2 from the list, queued 3 (waiting + blocked), busy 1 (running)" \
	'.runners[0] | .count == 2 and .queued == 3 and .busy == 1 and (.error // "") == ""'
json_check "$T/once.json" "idle and offline are unknown: null, not 0" \
	'.runners[0] | .idle == null and .offline == null'
json_check "$T/once.json" "jobs queued with idle unknown: the fleet is unknown, never ok" \
	'.runners[0] | .status == "unknown" and any(.problems[]; test("3 jobs queued.*unknown"))'
check "GET /api/v1/repos/owner/repo/actions/tasks?page=1&limit=50" \
	req 'length >= 1 and all(.[]; .method == "GET" and .path == "/api/v1/repos/owner/repo/actions/tasks"
		and .query.page == "1" and .query.limit == "50")'
check "every request carried Authorization: token <the token file>" req 'length >= 1 and all(.[]; .auth_ok)'

# nothing waiting: the fleet is ok, busy still from the running task
printf '%s\n' running success >"$S/fj_tasks"
fd_run 20 "$T/empty.json" -c "$LAB_FLEET" --once --json
json_check "$T/empty.json" "empty queue: queued 0, busy 1, status ok" \
	'.runners[0] | .queued == 0 and .busy == 1 and .idle == null and .status == "ok"'

# a 500 from Forgejo: a clear problem, values unknown
echo "500 GET /api/v1/repos/owner/repo/actions/tasks" >"$S/fail"
fd_run 20 "$T/500.json" -c "$LAB_FLEET" --once --json
json_check "$T/500.json" "a 500: the Forgejo API failed (server error 500), queued null, status unknown" \
	'.runners[0] | .queued == null and .status == "unknown" and (.error | test("Forgejo API failed \\(server error 500\\)"))
		and any(.problems[]; test("Forgejo"))'

# a wrong token: refused, said so
mv "$S/fj_token" "$S/fj_token.real"
echo "some-other-token" >"$S/fj_token"
cp "$S/fj_token.real" "$T/fleet-token"
chmod 600 "$T/fleet-token"
sed -i "s|token_file=$S/fj_token|token_file=$T/fleet-token|" "$LAB_FLEET"
fd_run 20 "$T/401.json" -c "$LAB_FLEET" --once --json
json_check "$T/401.json" "a refused token (401): check token_file" \
	'.runners[0].error | test("Forgejo API refused the token \\(401\\)")'

TOKEN=$(cat "$S/fj_token.real")
grep -qF -e "$TOKEN" "$T"/*.json "$T"/*.json.err 2>/dev/null &&
	bad "the token is in neither the JSON (stdout) nor stderr" "$(grep -lF -e "$TOKEN" "$T"/*.json "$T"/*.json.err)" ||
	ok "the token is in neither the JSON (stdout) nor stderr"
lab_finish
