#!/bin/bash
# db_notices.sh — a PostgreSQL server's notices never reach the terminal.
# libpq prints a server's NOTICE/WARNING to stderr unless told otherwise, and
# stderr is the dashboard's terminal: the soak run saw "WARNING: terminating
# connection due to immediate shutdown command" written over the frame. Here
# the server is hostile: the monitoring role's search_path puts a schema of
# ours before pg_catalog, where pg_is_in_recovery() (called by fleetdeck's
# query) raises a NOTICE carrying a terminal title sequence, a clear-screen
# and a C1 CSI, then answers like the real one. The database must still be
# read (ok, same values) and nothing of the notice may appear on stderr, on
# the screen or in the pane title. Then a WARNING sent while logging in
# (a role setting invalid at login) must not reach the terminal either: the
# pg-apikey action's connection, which reads a key's age for --once.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=47
lab_test_begin db_notices 58
lab_require_tool tmux
. "$TOP_SRCDIR/tests/databases/pglab.sh"
pglab_trap
PGA=127.0.$LAB_NET.10 PGP=$((5400 + LAB_NET))
pglab_start "$PGA" "$PGP"

pglab_psql "CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO monitor;
CREATE FUNCTION evil.pg_is_in_recovery() RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
	RAISE NOTICE '%', E'\\x1b]0;PWNED-TITLE\\x07\\x1b[2JPWNED-NOTICE\\xc2\\x9b31m';
	RAISE WARNING 'PWNED-WARNING';
	RETURN pg_catalog.pg_is_in_recovery();
END \$\$;
ALTER ROLE monitor SET search_path = evil, pg_catalog;" >/dev/null ||
	bad "hostile schema created" "psql failed"
# precondition DESC ROLE SQL PATTERN: psql as ROLE (the monitor's password)
# runs SQL and its stderr matches PATTERN: the trap works (else the test
# proves nothing)
precondition() {
	PGPASSWORD=$PG_MONITOR_PASSWORD psql -X -At -h "$PGA" -p "$PGP" -U "$2" -d postgres \
		-c "$3" >/dev/null 2>"$T/psql.err"
	grep -q "$4" "$T/psql.err" && ok "precondition: $1" || bad "precondition: $1" "$(cat -v "$T/psql.err")"
}
precondition "the monitoring role gets the hostile notice" monitor 'SELECT pg_is_in_recovery()' 'PWNED-NOTICE'

F=$T/notices.fleet
{ printf '[fleet notices]\ninterval = 1s\ntimeout = 5s\n\n'; pglab_db_section pg monitor; } >"$F"

fd_run 30 "$T/once.json" -c "$F" --once --json
[ "$(db_field "$T/once.json" pg .status)" = ok ] && ok "--once: the database is read (ok)" ||
	bad "--once: the database is read (ok)" "$(jq -c '.databases' "$T/once.json" 2>&1 | head -c 600)"
grep -q PWNED "$T/once.json.err" && bad "--once: no server notice on stderr" "$(cat -v "$T/once.json.err" | head -5)" ||
	ok "--once: no server notice on stderr"
grep -q PWNED "$T/once.json" && bad "--once: no server notice in the JSON" || ok "--once: no server notice in the JSON"

fd_tmux fd 120 30 -- -c "$F" --view databases
tmux_wait_line '^ *OK +pg ' ' up ' 15 && ok "dashboard: pg is ok" || bad "dashboard: pg is ok" "$(tmux_show)"
sleep 3   # three more polls, three more notices
tmux_capture | grep -q PWNED && bad "dashboard: no server notice on the screen" "$(tmux_show)" ||
	ok "dashboard: no server notice on the screen"
# the lab sends the dashboard's stderr to a file; for a user it is the terminal
grep -q PWNED "$T/fd.stderr" && bad "dashboard: no server notice on its stderr (the user's terminal)" "$(cat -v "$T/fd.stderr" | head -5)" ||
	ok "dashboard: no server notice on its stderr (the user's terminal)"
title=$(_tmux display-message -p -t "$TMUX_SESSION" '#{pane_title}')
case $title in *PWNED*) bad "the pane title stays ours" "$title" ;; *) ok "the pane title stays ours" ;; esac
fd_alive "$FD_PID" && ok "still running" || bad "still running"
tmux_send q
wait_for 5 tmux_has "EXITED:0" || bad "q quits" "$(tmux_show)"

# A notice sent while logging in, before the first query: a role setting
# that was valid when set (a missing text search configuration is only a
# NOTICE then) and is not at login, where the server sends a WARNING with
# the value — between AuthenticationOk and ReadyForQuery, so a connection
# that sets its notice processor once connected (the pg-apikey action's
# blocking PQconnectdbParams) printed it to the terminal. The key's age
# (--once reads it through that connection) must still be read.
pglab_psql "CREATE ROLE keys LOGIN PASSWORD '$PG_MONITOR_PASSWORD';
CREATE TABLE api_keys (id serial PRIMARY KEY, prefix text NOT NULL, key_hash text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now() - interval '10 days', revoked_at timestamptz);
INSERT INTO api_keys (prefix, key_hash) VALUES ('pk_', 'x');
GRANT SELECT ON api_keys TO keys;
ALTER ROLE keys SET default_text_search_config = E'pg_catalog.LOGIN-PWNED\\x1b]0;PWNED-TITLE\\x07';" \
	>/dev/null 2>&1 || bad "login-time warning set up" "psql failed"
precondition "logging in as keys gets a WARNING" keys 'SELECT 1' 'WARNING.*LOGIN-PWNED'
K=$T/key.fleet
{ printf '[fleet keys]\ntimeout = 5s\n\n'; pglab_db_section kdb keys; } >"$K"
cat >>"$K" <<FLEET

[key api]
provider = pg-apikey
database = kdb
table = api_keys
where = true
key_prefix = pk_
max_age = 90d
FLEET
fd_run 30 "$T/key.json" -c "$K" --once --json
json_check "$T/key.json" "pg-apikey: the key's age is read through the connection (10 days)" \
	'.keys[0].name == "api" and .keys[0].age_s > 9*86400 and .keys[0].age_s < 11*86400'
grep -q PWNED "$T/key.json.err" && bad "pg-apikey: no login-time notice on stderr" "$(cat -v "$T/key.json.err" | head -5)" ||
	ok "pg-apikey: no login-time notice on stderr"
lab_finish
