#!/bin/bash
# pg_durable.sh — issue #12 item 7: a pg-apikey rotation is durable. Real
# PostgreSQL, rotation from the Keys view:
#  1. the connection is cut right before COMMIT (test hook
#     FLEETDECK_TEST_KILL_AT=pg-commit shuts the socket down): the result
#     is CHECK, never "failed, the old key stays valid"; the audit says
#     "check"; the plaintext was written (0600) to the recovery file next to
#     the audit log BEFORE the COMMIT, and is still there;
#  2. a deliver_file that cannot be written: nothing is committed, the old
#     key stays valid, no new row;
#  3. a normal rotation without deliver_file: committed, shown once, and
#     the recovery file is removed.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin pg_durable 58
lab_require_root
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PG_BIN" ] && PATH=$PG_BIN:$PATH
lab_require_tool tmux initdb pg_ctl psql runuser
PGPORT=25497
PGD=$T/pg
_pg_stop() { runuser -u postgres -- pg_ctl -D "$PGD/data" -m immediate stop >/dev/null 2>&1; }
trap 'rc=$?; _pg_stop; (exit $rc); _lab_cleanup' EXIT
mkdir -p "$PGD" && chown postgres "$PGD" && chmod 755 "$T"
runuser -u postgres -- initdb -D "$PGD/data" -U postgres -A trust >/dev/null 2>&1 || { bad "initdb"; lab_finish; }
runuser -u postgres -- pg_ctl -D "$PGD/data" -l "$PGD/log" -w -t 20 \
	-o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGD" start >/dev/null ||
	{ bad "postgres started" "$(tail -5 "$PGD/log")"; lab_finish; }
sql() { psql -X -q -t -A -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "$1"; }
valid() { [ "$(sql "SELECT count(*) FROM api_keys WHERE key_hash = encode(sha256('$1'::bytea), 'hex')
		AND (revoked_at IS NULL OR revoked_at > now())")" = 1 ]; }
OLD=tf_live_0123456789abcdef
sql "CREATE TABLE api_keys (id serial PRIMARY KEY, name text NOT NULL, prefix text NOT NULL,
	key_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
	INSERT INTO api_keys (name, prefix, key_hash) VALUES ('web', 'tf_live_', encode(sha256('$OLD'::bytea), 'hex'))"
REC=$T/state/pgkey-tf-web.recovery
fleet() {   # [deliver_file]
	cat >"$T/pg.fleet" <<EOF
[fleet pgk]
audit_log = $T/state/audit.log

[host me]
ssh = local
containers = none
gpus = none

[database tf]
dsn = host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres

[key tf-web]
provider = pg-apikey
database = tf
where = name = 'web'
key_prefix = tf_live_
grace = 1h
max_age = 90d
${1:+deliver_file = $1}
EOF
}
rotate() {  # NAME [env...]
	local name=$1
	shift
	fd_tmux "$name" 150 34 "$@" -- -c "$T/pg.fleet" --view keys
	tmux_wait_for "tf-web" 10 || bad "$name: Keys view shows tf-web" "$(tmux_show)"
	tmux_send r
	tmux_wait_for "Type tf-web to confirm" 8 || bad "$name: r asks for the name" "$(tmux_show)"
	tmux_send -l tf-web
	tmux_send Enter
}
mkdir -p "$T/state" && chmod 700 "$T/state"

# 1. the COMMIT's answer is lost
fleet
rotate cut FLEETDECK_TEST_KILL_AT=pg-commit
tmux_wait_for "CHECK" 15 && ok "COMMIT cut: the result is CHECK" || bad "COMMIT cut: the result is CHECK" "$(tmux_show)"
tmux_has "old key stays valid" && bad "COMMIT cut: never 'the old key stays valid'" "$(tmux_show)" ||
	ok "COMMIT cut: never 'the old key stays valid'"
SHOWN=$(tmux_capture | grep -oE 'tf_live_[0-9a-f]{48}' | head -n 1)
[ -s "$REC" ] && [ "$(stat -c %a "$REC")" = 600 ] && ok "COMMIT cut: the plaintext was on disk before COMMIT (recovery file, 0600)" ||
	bad "COMMIT cut: the plaintext was on disk before COMMIT (recovery file, 0600)" "$(ls -la "$T/state")"
[ -n "$SHOWN" ] && [ "$(cat "$REC" 2>/dev/null)" = "$SHOWN" ] && ok "COMMIT cut: the recovery file holds the key shown" ||
	bad "COMMIT cut: the recovery file holds the key shown" "shown '$SHOWN'"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
check "COMMIT cut: audited as check" jq -e -s '[.[].result] | index("check") != null' "$T/state/audit.log"
valid "$OLD" && ok "COMMIT cut: (the server rolled back) the old key validates" || bad "COMMIT cut: the old key validates"
rm -f "$REC"

# 2. deliver_file cannot be written: nothing committed
fleet "$T/missing-dir/key"
rotate undeliverable
tmux_wait_for "FAILED" 15 && tmux_has "not committed" && ok "unwritable deliver_file: failed, not committed" ||
	bad "unwritable deliver_file: failed, not committed" "$(tmux_show)"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
[ "$(sql 'SELECT count(*) FROM api_keys')" = 1 ] && valid "$OLD" && ok "unwritable deliver_file: no new row, the old key valid" ||
	bad "unwritable deliver_file: no new row, the old key valid" "$(sql 'SELECT id, prefix, revoked_at FROM api_keys')"

# 3. normal, without deliver_file: the recovery file goes once committed
fleet
rotate normal
tmux_wait_for "shown only this once" 15 && ok "normal rotation: the key is shown once" || bad "normal rotation: the key is shown once" "$(tmux_show)"
NEW=$(tmux_capture | grep -oE 'tf_live_[0-9a-f]{48}' | head -n 1)
valid "$NEW" && ok "normal rotation: the new key validates" || bad "normal rotation: the new key validates"
[ ! -e "$REC" ] && ok "normal rotation: no recovery file is left" || bad "normal rotation: no recovery file is left"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
lab_finish
