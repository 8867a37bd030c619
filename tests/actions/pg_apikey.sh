#!/bin/bash
# pg_apikey.sh — `pg-apikey` rotation against a real PostgreSQL with the
# ToneForge-style schema (prefix + SHA-256 hash, soft delete): r in the Keys
# view, the name typed; the plaintext is shown once in the dialog and is in
# neither the audit log nor --json; the old key validates during the grace
# period and not after; a failure mid-transaction leaves the old key valid.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin pg_apikey 58
lab_require_root
# Debian keeps initdb and pg_ctl in the versioned directory, not on PATH
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PG_BIN" ] && PATH=$PG_BIN:$PATH
lab_require_tool tmux initdb pg_ctl psql runuser
PGPORT=25466
PGD=$T/pg
_pg_stop() { runuser -u postgres -- pg_ctl -D "$PGD/data" -m immediate stop >/dev/null 2>&1; }
trap 'rc=$?; _pg_stop; (exit $rc); _lab_cleanup' EXIT
mkdir -p "$PGD" && chown postgres "$PGD" && chmod 755 "$T"
echo pw >"$PGD/pw" && chown postgres "$PGD/pw"
runuser -u postgres -- initdb -D "$PGD/data" -U postgres --pwfile="$PGD/pw" -A trust >/dev/null 2>&1 ||
	{ bad "initdb"; lab_finish; }
runuser -u postgres -- pg_ctl -D "$PGD/data" -l "$PGD/log" -w -t 20 \
	-o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGD" start >/dev/null ||
	{ bad "postgres started" "$(tail -5 "$PGD/log")"; lab_finish; }
sql() { psql -X -q -t -A -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "$1"; }
valid() {   # is key $1 accepted, as ToneForge checks it?
	[ "$(sql "SELECT count(*) FROM api_keys WHERE key_hash = encode(sha256('$1'::bytea), 'hex')
		AND (revoked_at IS NULL OR revoked_at > now())")" = 1 ]
}
OLD=tf_live_0123456789abcdef
sql "CREATE TABLE api_keys (id serial PRIMARY KEY, name text NOT NULL, prefix text NOT NULL,
	key_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
	INSERT INTO api_keys (name, prefix, key_hash, created_at)
	VALUES ('web', 'tf_live_', encode(sha256('$OLD'::bytea), 'hex'), now() - interval '85 days')"
valid "$OLD" && ok "the old key validates before the rotation" || bad "the old key validates before the rotation"

cat >"$T/pg.fleet" <<EOF
[fleet pgk]
audit_log = $T/audit.log

[host me]
ssh = local

[database tf]
dsn = host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres

[key tf-web]
provider = pg-apikey
database = tf
where = name = 'web'
key_prefix = tf_live_
grace = 6s
max_age = 90d
deliver_file = $T/delivered
EOF

fd_run 20 "$T/once.json" -c "$T/pg.fleet" --once --json
json_check "$T/once.json" "--once --json: the key's age (85d of 90d) is warn" \
	'.keys[0].name == "tf-web" and .keys[0].status == "warn" and (.keys[0].age_s > 85*86400 - 60) and .keys[0].max_age_s == 7776000'

# a failure mid-transaction: the revoke step fails, nothing changes
sql "CREATE FUNCTION no_revoke() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'revoke refused by test'; END \$\$;
	CREATE TRIGGER no_revoke BEFORE UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION no_revoke()"
fd_tmux ui 140 34 -- -c "$T/pg.fleet" --view keys
tmux_wait_for "tf-web" 10 || bad "Keys view shows tf-web" "$(tmux_show)"
tmux_send r
tmux_wait_for "Type tf-web to confirm" 5 && ok "r shows the plan and asks for the name" || bad "r shows the plan and asks for the name" "$(tmux_show)"
tmux_send -l tf-web
tmux_send Enter
tmux_wait_for "FAILED" 10 && ok "the failed rotation is reported" || bad "the failed rotation is reported" "$(tmux_show)"
tmux_has "revoke refused by test" && ok "with the database's reason" || bad "with the database's reason" "$(tmux_show)"
tmux_send Enter
valid "$OLD" && ok "after the failure the old key still validates" || bad "after the failure the old key still validates"
[ "$(sql 'SELECT count(*) FROM api_keys')" = 1 ] && ok "and no new key was left behind" || bad "and no new key was left behind" "$(sql 'SELECT * FROM api_keys')"
sql "DROP TRIGGER no_revoke ON api_keys"

# the real rotation
tmux_send r
tmux_wait_for "Type tf-web to confirm" 5
tmux_send -l tf-web
tmux_send Enter
tmux_wait_for "shown only this once" 10 && ok "the new key is shown once" || bad "the new key is shown once" "$(tmux_show)"
NEW=$(tmux_capture | grep -oE 'tf_live_[0-9a-f]{48}' | head -n 1)
[ -n "$NEW" ] && ok "the plaintext is on the screen" || bad "the plaintext is on the screen" "$(tmux_show)"
valid "$NEW" && ok "the new key validates" || bad "the new key validates ($NEW)" "$(sql 'SELECT * FROM api_keys')"
valid "$OLD" && ok "the old key still validates during the grace period" || bad "the old key still validates during the grace period"
[ "$(cat "$T/delivered" 2>/dev/null)" = "$NEW" ] && [ "$(stat -c %a "$T/delivered")" = 600 ] &&
	ok "deliver_file holds it, mode 0600" || bad "deliver_file holds it, mode 0600" "$(ls -l "$T/delivered" 2>&1)"
tmux_send Enter
tmux_wait_gone "shown only this once" 5 && ok "closing the dialog removes it" || bad "closing the dialog removes it" "$(tmux_show)"
tmux_has "$NEW" && bad "the plaintext is gone from the screen" "$(tmux_show)" || ok "the plaintext is gone from the screen"
wait_for 8 eval '! valid "$OLD"' && ok "after the grace period the old key no longer validates" ||
	bad "after the grace period the old key no longer validates" "$(sql 'SELECT id, revoked_at, now() FROM api_keys')"
tmux_send q
fd_run 20 "$T/after.json" -c "$T/pg.fleet" --once --json
json_check "$T/after.json" "--json now shows a fresh key (ok)" '.keys[0].status == "ok" and .keys[0].age_s < 120'
[ -n "$NEW" ] && ! grep -qF "$NEW" "$T/audit.log" "$T/after.json" "$T/once.json" && ok "the plaintext is in neither the audit log nor the JSON" ||
	bad "the plaintext is in neither the audit log nor the JSON"
check "audit: failed then succeeded, with the new key's id" \
	jq -e -s '[.[].result] == ["confirmed","failed","confirmed","succeeded"] and (.[3].parameters.new_id | test("tf_live_"))' "$T/audit.log"
lab_finish
