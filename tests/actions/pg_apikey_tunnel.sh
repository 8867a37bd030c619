#!/bin/bash
# pg_apikey_tunnel.sh — `pg-apikey` on a [database] with `tunnel = lab1`
# (ToneForge's glb-postgres): the key's age (collector) and its rotation
# (the TUI, r + the name typed) both go through an `ssh -N -L` forward via
# lab1. PostgreSQL listens on 127.0.B.10 only. Proof that the tunnel is
# used: lab1's sshd (LogLevel DEBUG1) logs the direct-tcpip channel to
# 127.0.B.10:PGPORT, and with lab1's sshd stopped the key cannot be read
# (the error names the tunnel host). No ssh child is left behind.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=69
lab_test_begin pg_apikey_tunnel 58
lab_require_root
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PG_BIN" ] && PATH=$PG_BIN:$PATH
lab_require_tool tmux initdb pg_ctl psql runuser pgrep
lab_up 1
PGHOST_ADDR=127.0.$LAB_NET.10
PGPORT=25469
PGD=$T/pg
_pg_stop() { runuser -u postgres -- pg_ctl -D "$PGD/data" -m immediate stop >/dev/null 2>&1; }
trap 'rc=$?; _pg_stop; (exit $rc); _lab_cleanup' EXIT
mkdir -p "$PGD" && chown postgres "$PGD" && chmod 755 "$T"
echo pw >"$PGD/pw" && chown postgres "$PGD/pw"
runuser -u postgres -- initdb -D "$PGD/data" -U postgres --pwfile="$PGD/pw" -A trust >/dev/null 2>&1 ||
	{ bad "initdb"; lab_finish; }
# connections to 127.0.B.10 come from 127.0.B.10 (also sshd's forwarded ones)
echo "host all all 127.0.0.0/8 trust" >>"$PGD/data/pg_hba.conf"
runuser -u postgres -- pg_ctl -D "$PGD/data" -l "$PGD/log" -w -t 20 \
	-o "-c listen_addresses=$PGHOST_ADDR -c port=$PGPORT -c unix_socket_directories=$PGD" start >/dev/null ||
	{ bad "postgres started" "$(tail -5 "$PGD/log")"; lab_finish; }
sql() { psql -X -q -t -A -h "$PGHOST_ADDR" -p "$PGPORT" -U postgres -d postgres -c "$1"; }
valid() {
	[ "$(sql "SELECT count(*) FROM api_keys WHERE key_hash = encode(sha256('$1'::bytea), 'hex')
		AND (revoked_at IS NULL OR revoked_at > now())")" = 1 ]
}
OLD=tf_live_0123456789abcdef
sql "CREATE TABLE api_keys (id serial PRIMARY KEY, owner text NOT NULL, prefix text NOT NULL,
	key_hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
	INSERT INTO api_keys (owner, prefix, key_hash, created_at)
	VALUES ('partner-main', 'tf_live_', encode(sha256('$OLD'::bytea), 'hex'), now() - interval '85 days')"

# lab1's sshd at DEBUG1: it then logs each direct-tcpip channel's target
sed -i 's/LogLevel=VERBOSE/LogLevel=DEBUG1/' "$LAB_HOST_1_DIR/start"
lab_stop_host 1 && lab_start_host 1 || { bad "lab1 restarted at DEBUG1"; lab_finish; }
SSHD_LOG=$LAB_HOST_1_LOG

sed -i "s|^\[fleet lab\]|[fleet lab]\naudit_log = $T/audit.log|" "$LAB_FLEET"
cat >>"$LAB_FLEET" <<EOF

[database glb]
host = lab1
dsn = host=$PGHOST_ADDR port=$PGPORT dbname=postgres user=postgres connect_timeout=5
tunnel = lab1

[key toneforge-api]
provider = pg-apikey
database = glb
table = api_keys
where = "owner = 'partner-main' and revoked_at is null"
key_prefix = tf_live_
grace = 24h
max_age = 90d
EOF
tunnel_lines() { grep -cE "direct_tcpip: originator .* target $PGHOST_ADDR port $PGPORT([^0-9]|$)" "$SSHD_LOG" 2>/dev/null; }
fwd_children() { pgrep -f -- "-L [^ ]*:$PGHOST_ADDR:$PGPORT" | wc -l; }

before=$(tunnel_lines)
fd_run 25 "$T/once.json" -c "$LAB_FLEET" --once --json
json_check "$T/once.json" "--once --json: the key's age (85d) read through the tunnel" \
	'(.keys[] | select(.name == "toneforge-api") | .status == "warn" and .age_s > 85*86400 - 60)'
[ "$(tunnel_lines)" -gt "${before:-0}" ] && ok "lab1's sshd forwarded to $PGHOST_ADDR:$PGPORT for the age" ||
	bad "lab1's sshd forwarded to $PGHOST_ADDR:$PGPORT for the age" "$(grep -i 'tcpip\|forward' "$SSHD_LOG" | tail -5)"
[ "$(fwd_children)" = 0 ] && ok "no ssh forward left running" || bad "no ssh forward left running" "$(pgrep -af -- -L)"

# rotation from the Keys view
before=$(tunnel_lines)
fd_tmux ui 140 34 -- -c "$LAB_FLEET" --view keys
tmux_wait_for "toneforge-api" 10 || bad "Keys view shows toneforge-api" "$(tmux_show)"
tmux_send r
tmux_wait_for "Type toneforge-api to confirm" 5 && ok "r asks for the name" || bad "r asks for the name" "$(tmux_show)"
tmux_send -l toneforge-api
tmux_send Enter
tmux_wait_for "shown only this once" 20 && ok "rotated through the tunnel: the new key is shown" ||
	bad "rotated through the tunnel: the new key is shown" "$(tmux_show)"
NEW=$(tmux_capture | grep -oE 'tf_live_[0-9a-f]{48}' | head -n 1)
[ -n "$NEW" ] && valid "$NEW" && ok "the new key validates" || bad "the new key validates ($NEW)" "$(sql 'SELECT * FROM api_keys')"
valid "$OLD" && ok "the old key validates during the grace period" || bad "the old key validates during the grace period"
[ "$(tunnel_lines)" -gt "${before:-0}" ] && ok "the rotation went through lab1's forward" ||
	bad "the rotation went through lab1's forward" "$(tail -5 "$SSHD_LOG")"
tmux_send Enter
tmux_send q
wait_for 5 eval '[ "$(fwd_children)" = 0 ]' && ok "the rotation's ssh forward was stopped" ||
	bad "the rotation's ssh forward was stopped" "$(pgrep -af -- -L)"

# without lab1 there is no way to the database: the tunnel is really used
lab_stop_host 1
fd_run 25 "$T/down.json" -c "$LAB_FLEET" --once --json
json_check "$T/down.json" "lab1 down: the key's age cannot be read, and the error says ssh to lab1" \
	'(.keys[] | select(.name == "toneforge-api") | (.error // .problem // "" | tostring | test("ssh to lab1")))'
[ "$(fwd_children)" = 0 ] && ok "no ssh forward left after the failure" || bad "no ssh forward left after the failure"
[ -z "$NEW" ] || grep -qF "$NEW" "$T/audit.log" "$T/once.json" "$T/down.json" && bad "the plaintext is in neither the audit log nor the JSON" ||
	ok "the plaintext is in neither the audit log nor the JSON"
lab_finish
