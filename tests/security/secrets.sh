#!/bin/bash
# secrets.sh — issue #12 item 5: secrets are never shown. A fleet holds a
# DigitalOcean token as env:FD_DO_TOKEN and a GitHub token in a 0600 file
# (CONTRACT stand-in API: tests/actions/fake_vendor_api.py on 127.0.96.1),
# and a `command` runners fleet on this machine (ssh = local) whose list and
# scale commands record the environment they get. While it runs (TUI in
# tmux, a scale action done) every process below fleetdeck — the local
# shell, the commands it runs, the action's children — is inspected:
# /proc/PID/cmdline and /proc/PID/environ hold no secret, nor do the screen
# captures, --once --json, the audit log or stderr. A DSN with any option
# libpq marks secret (sslpassword) is refused without being echoed.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin secrets 58
lab_require_root "reads other processes' /proc/PID/environ"
lab_require_tool tmux python3 curl
ADDR=127.0.96.1
PORT=28096
S=$T/api
mkdir -p "$S" "$T/rec"
DO_TOKEN=dop_v1_SECRETdo0123456789abcdef
GH_TOKEN=ghp_SECRETgh0123456789abcdef
echo "$DO_TOKEN" >"$S/do_token"
echo "$GH_TOKEN" >"$S/gh_token"
chmod 600 "$S/do_token" "$S/gh_token"
python3 "$TOP_SRCDIR/tests/actions/fake_vendor_api.py" $ADDR $PORT "$S" 2>"$T/api.stderr" &
lab_bg $!
wait_for 20 eval "curl -s -o /dev/null http://$ADDR:$PORT/v2/sizes" ||
	{ bad "the stand-in API started" "$(cat "$T/api.stderr")"; lab_finish; }
SCALE=$TOP_SRCDIR/tests/actions/scale.sh
RDIR=$T/runners
trap 'rc=$?; "$SCALE" set "$RDIR" 0 >/dev/null 2>&1; (exit $rc); _lab_cleanup' EXIT
cat >"$T/s.fleet" <<EOF
[fleet secrets]
audit_log = $T/audit.log
interval = 1s

[host me]
ssh = local
containers = none
gpus = none

[runners cloud]
provider = digitalocean
token_file = env:FD_DO_TOKEN
tag = secret-runner
image = img
size = s-1vcpu-1gb
region = nyc3
api = http://$ADDR:$PORT/v2
status = github o/r token_file=$S/gh_token
status_api = http://$ADDR:$PORT
min = 0
max = 2

[runners local]
provider = command
host = me
list = env >$T/rec/list.env; $SCALE list $RDIR
scale = env >$T/rec/scale.env; $SCALE set $RDIR {count}
min = 0
max = 2
EOF
export FD_DO_TOKEN=$DO_TOKEN
SECRETS="$DO_TOKEN $GH_TOKEN"
# files that must not hold any secret
no_secret_in() {
	local s f found=
	for s in $SECRETS; do
		for f in "$@"; do
			[ -e "$f" ] || continue
			LC_ALL=C grep -aqF "$s" "$f" && found="$found $f(${s:0:10}...)"
		done
	done
	[ -z "$found" ] || { echo "secret found in:$found"; return 1; }
}
# every process below $1: cmdline and environ, copied (NUL -> newline)
snap_procs() {
	local root=$1 out=$2 p kids
	: >"$out"
	kids=$root
	while [ -n "$kids" ]; do
		set -- $kids
		kids=
		for p in "$@"; do
			{ printf '== %s cmdline: ' "$p"; tr '\0' ' ' <"/proc/$p/cmdline"; echo
			  printf '== %s environ:\n' "$p"; tr '\0' '\n' <"/proc/$p/environ"; } >>"$out" 2>/dev/null
			kids="$kids $(cat /proc/$p/task/*/children 2>/dev/null)"
		done
	done
}

fd_run 30 "$T/once.json" -c "$T/s.fleet" --once --json
json_check "$T/once.json" "--once --json: both fleets listed (the token worked)" \
	'(.runners[] | select(.name == "cloud") | .count == 0 and (.error // "") == "")
	 and (.runners[] | select(.name == "local") | .count == 0)'
check "--once: the local list command ran" test -s "$T/rec/list.env"
check "--once --json, its stderr and the list command's environment hold no secret" \
	no_secret_in "$T/once.json" "$T/once.json.err" "$T/rec/list.env"

fd_tmux ui 140 34 FD_DO_TOKEN="$DO_TOKEN" -- -c "$T/s.fleet" --view runners
tmux_wait_line 'local +command' ' 0 \[0\.\.2\]' 15 && ok "Runners view: local 0 [0..2]" || bad "Runners view: local 0 [0..2]" "$(tmux_show)"
tmux_send Down
tmux_wait_line 'local +command' ' 0 \[0\.\.2\]' 2
# select the local fleet and scale it to 1 (a child of the action worker)
tmux_send +
tmux_wait_for "from 0 to 1" 5 && tmux_send y
wait_for 15 test -s "$T/rec/scale.env" && ok "the scale command ran" || bad "the scale command ran" "$(tmux_show)"
# the result dialog comes when the action ends, after the command wrote
# scale.env: an Enter before it would open the detail pane instead, and
# the later q would only close the dialog
tmux_wait_for "scale runners/local: done" 15 && ok "the scale is done (result dialog)" ||
	bad "the scale is done (result dialog)" "$(tmux_show)"
tmux_send Enter
tmux_wait_gone "scale runners/local: done" 5 || bad "Enter closes the result dialog" "$(tmux_show)"
sleep 1
snap_procs "$FD_PID" "$T/procs.txt"
check "fleetdeck's children are inspected (the local shell among them)" grep -q '^== [0-9]* cmdline: sh' "$T/procs.txt"
check "no child's /proc/PID/cmdline or environ holds a secret" no_secret_in "$T/procs.txt"
check "the environments the list and scale commands got hold no secret" no_secret_in "$T/rec/list.env" "$T/rec/scale.env"
tmux_capture >"$T/screen.txt"
check "the screen holds no secret" no_secret_in "$T/screen.txt"
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
check "the audit log and the TUI's stderr hold no secret" no_secret_in "$T/audit.log" "$T/ui.stderr"
check "the audit log recorded the scale" grep -q '"succeeded"' "$T/audit.log"

# a DSN with a secret libpq option is refused, and not echoed
printf '[database d]\ndsn = host=127.0.0.1 user=m sslpassword=%s\n[host me]\nssh = local\n' "$DO_TOKEN" >"$T/dsn.fleet"
fd_run 10 "$T/dsn.out" -c "$T/dsn.fleet" --validate
[ "$FD_RC" != 0 ] && grep -q "secret libpq option" "$T/dsn.out.err" && ok "dsn with sslpassword: refused by --validate" ||
	bad "dsn with sslpassword: refused by --validate" "rc=$FD_RC $(cat "$T/dsn.out" "$T/dsn.out.err")"
check "dsn with sslpassword: the secret is not echoed" no_secret_in "$T/dsn.out" "$T/dsn.out.err"
lab_finish
