#!/bin/bash
# bad_config.sh — fleet-file errors (SPEC §1, §2): exit code 2, every error
# as "file:line: ...", "did you mean" for a near-miss key, identity files
# readable by others refused with the path and "chmod 600"; every shipped
# data/*.fleet validates.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin bad_config 50
lab_require_tool ssh-keygen

# --- several errors in one file; the line numbers are the contract ---
B=$T/broken.fleet
cat >"$B" <<'FLEET'
# a fleet file with one mistake on each line listed in bad_lines below
[fleet broken]
interval = soon
host_key_policy = trust-me
read_only = perhaps

[host web1]
ssh = root@127.0.0.1:2
rol = web frontend
ram_reserve = lots

[hots db1]
ssh = root@127.0.0.1:3

[host db2]
ssh = root@127.0.0.1:4
containers = maybe
this line has no equals sign
include = no-such-file.fleet
FLEET
bad_lines="3 4 5 9 10 12 17 18 19"
rol_line=9 hots_line=12

fd_run 10 "$T/validate.out" --validate -c "$B"
cat "$T/validate.out" "$T/validate.out.err" >"$T/validate.all"
[ "$FD_RC" = 2 ] && ok "--validate on a broken file exits 2" ||
	bad "--validate on a broken file exits 2" "exit $FD_RC" "$(cat "$T/validate.all")"
for l in $bad_lines; do
	if grep -q "broken\.fleet:$l:" "$T/validate.all"; then
		ok "error reported as broken.fleet:$l: ($(sed -n "${l}p" "$B"))"
	else
		bad "error reported as broken.fleet:$l: ($(sed -n "${l}p" "$B"))" "output was:" "$(cat "$T/validate.all")"
	fi
done
if grep "broken\.fleet:$rol_line:" "$T/validate.all" | grep -qi "did you mean" &&
   grep "broken\.fleet:$rol_line:" "$T/validate.all" | grep -q "role"; then
	ok "unknown key 'rol' gets \"did you mean ... role\""
else
	bad "unknown key 'rol' gets \"did you mean ... role\"" "$(grep "broken\.fleet:$rol_line:" "$T/validate.all")"
fi
if grep "broken\.fleet:$hots_line:" "$T/validate.all" | grep -qi "did you mean"; then
	ok "unknown section kind 'hots' gets \"did you mean\""
else
	bad "unknown section kind 'hots' gets \"did you mean\"" "$(grep "broken\.fleet:$hots_line:" "$T/validate.all")"
fi

fd_run 20 "$T/once.out" --once -c "$B"
[ "$FD_RC" = 2 ] && ok "--once on a broken file exits 2" ||
	bad "--once on a broken file exits 2" "exit $FD_RC" "$(head -c 800 "$T/once.out.err")"
grep -q "broken\.fleet:3:" "$T/once.out.err" && ok "--once prints the errors on stderr" ||
	bad "--once prints the errors on stderr" "$(head -c 800 "$T/once.out.err")"

# --- identity_file readable by others ---
K=$T/keys/id_lab
mkdir -p "$T/keys"
ssh-keygen -q -t ed25519 -N '' -f "$K"
cat >"$T/perm.fleet" <<FLEET
[fleet perms]
timeout = 1s

[host h1]
ssh = root@127.0.0.1:2
identity_file = $K
FLEET
chmod 600 "$K"
fd_run 10 "$T/p600" --validate -c "$T/perm.fleet"
[ "$FD_RC" = 0 ] && ok "identity_file with mode 0600 validates (exit 0)" ||
	bad "identity_file with mode 0600 validates (exit 0)" "exit $FD_RC" "$(cat "$T/p600" "$T/p600.err")"
for mode in 0644 0640; do
	chmod "$mode" "$K"
	fd_run 10 "$T/p$mode" --validate -c "$T/perm.fleet"
	cat "$T/p$mode" "$T/p$mode.err" >"$T/p$mode.all"
	[ "$FD_RC" = 2 ] && ok "identity_file with mode $mode refused (exit 2)" ||
		bad "identity_file with mode $mode refused (exit 2)" "exit $FD_RC" "$(cat "$T/p$mode.all")"
	if grep -qF "$K" "$T/p$mode.all" && grep -q "chmod 600" "$T/p$mode.all"; then
		ok "mode $mode: the message names $K and says chmod 600"
	else
		bad "mode $mode: the message names the path and says chmod 600" "$(cat "$T/p$mode.all")"
	fi
	grep -q "perm\.fleet:6:" "$T/p$mode.all" && ok "mode $mode: reported at perm.fleet:6:" ||
		bad "mode $mode: reported at perm.fleet:6:" "$(cat "$T/p$mode.all")"
done

# --- --check with a broken fleet file: UNKNOWN (3) on its one line, not CRITICAL ---
printf '[host x]\nsssh = a\n' >"$T/check-bad.fleet"
fd_run 10 "$T/check-bad.out" --check -c "$T/check-bad.fleet"
[ "$FD_RC" = 3 ] && ok "--check on a broken fleet file exits 3 (UNKNOWN)" || bad "--check on a broken fleet file exits 3" "exit $FD_RC"
grep -q "^FLEETDECK UNKNOWN - fleet file .*1 error" "$T/check-bad.out" && ok "and says so on the plugin line" ||
	bad "and says so on the plugin line" "$(cat "$T/check-bad.out")"

# --- every shipped example validates ---
n=0
for f in "$TOP_SRCDIR"/data/*.fleet; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	fd_run 10 "$T/data.out" --validate -c "$f"
	[ "$FD_RC" = 0 ] && ok "--validate ${f#"$TOP_SRCDIR"/} exits 0" ||
		bad "--validate ${f#"$TOP_SRCDIR"/} exits 0" "exit $FD_RC" "$(cat "$T/data.out" "$T/data.out.err" | head -20)"
done
[ "$n" -gt 0 ] || echo "note: no data/*.fleet files yet"
lab_finish
