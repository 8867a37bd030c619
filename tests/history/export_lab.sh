#!/bin/bash
# export_lab.sh — --once --format openmetrics|csv on a lab with a host
# down and a backup past its RPO: promtool accepts the OpenMetrics text,
# and both formats say what --json says (host down, backup breached).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/history/lib.sh"
LAB_NET=80
lab_test_begin export_lab
lab_require_tool promtool python3
lab_up 2
lab_stop_host 2
F=$T/x.fleet
history_fleet "$F" 1h "3 hours ago"

fd_run 25 "$T/once.om" --once --format openmetrics -c "$F"
[ "$FD_RC" = 0 ] && ok "--once --format openmetrics exits 0" || bad "--once --format openmetrics exits 0" "exit $FD_RC" "$(head -c 800 "$T/once.om.err")"
[ -s "$T/once.om" ] || { bad "openmetrics output is not empty"; lab_finish; }
if promtool check metrics <"$T/once.om" >"$T/promtool.out" 2>&1; then
	ok "promtool check metrics accepts the output"
else
	bad "promtool check metrics accepts the output" "$(head -20 "$T/promtool.out")"
fi
[ "$(tail -n 1 "$T/once.om")" = "# EOF" ] && ok "OpenMetrics text ends with # EOF" || bad "ends with # EOF" "$(tail -n 2 "$T/once.om")"
check "lab1 is up (1)" grep -qx 'fleetdeck_host_up{host="lab1"} 1' "$T/once.om"
check "lab2 is down (0)" grep -qx 'fleetdeck_host_up{host="lab2"} 0' "$T/once.om"
check "lab2's status is crit" grep -qx 'fleetdeck_host_status{host="lab2",status="crit"} 1' "$T/once.om"
check "the backup's status is crit (RPO breached)" grep -qx 'fleetdeck_backup_status{backup="dumps",status="crit"} 1' "$T/once.om"
age=$(sed -n 's/^fleetdeck_backup_age_seconds{backup="dumps"} //p' "$T/once.om")
[ -n "$age" ] && [ "${age%.*}" -ge 10700 ] && [ "${age%.*}" -le 11000 ] &&
	ok "backup age is about 3 h in seconds ($age)" || bad "backup age is about 3 h in seconds" "got '$age'"
check "no CPU sample for the down host (unknown is absent, not 0)" \
	bash -c "! grep -q '^fleetdeck_host_cpu_busy_ratio{host=\"lab2\"}' '$T/once.om'"
check "the fleet is crit" grep -qx 'fleetdeck_fleet_status{status="crit"} 1' "$T/once.om"

fd_run 25 "$T/once.csv" --once --format csv -c "$F"
[ "$FD_RC" = 0 ] && ok "--once --format csv exits 0" || bad "--once --format csv exits 0" "exit $FD_RC"
python3 - "$T/once.csv" >"$T/csv.check" 2>&1 <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert rows and rows[0] == ['time_utc', 'time', 'target', 'status', 'metric', 'value'], rows[:1]
body = rows[1:]
assert all(len(r) == 6 for r in body), 'ragged rows'
def val(target, metric):
    return [r[5] for r in body if r[2] == target and r[4] == metric]
assert val('host/lab2', 'reachable') == ['false'], val('host/lab2', 'reachable')
assert val('host/lab1', 'reachable') == ['true']
assert [r[3] for r in body if r[2] == 'host/lab2'][0] == 'crit'
assert any('unreachable' in v for v in val('host/lab2', 'problem')), val('host/lab2', 'problem')
assert [r[3] for r in body if r[2] == 'backup/dumps'][0] == 'crit'
assert 10700 <= float(val('backup/dumps', 'age_s')[0]) <= 11000
assert val('host/lab2', 'cpu_pct') == []
assert float(val('host/lab1', 'mem_total')[0]) > 0
print('csv ok:', len(body), 'rows')
PY
[ $? = 0 ] && ok "the CSV parses and says lab2 down, the backup breached ($(cat "$T/csv.check"))" ||
	bad "the CSV parses and says lab2 down, the backup breached" "$(cat "$T/csv.check")"

fd_run 10 "$T/bad.out" --once --format yaml -c "$F"
[ "$FD_RC" = 2 ] && grep -q "openmetrics" "$T/bad.out.err" && ok "an unknown --format is a usage error naming the formats" ||
	bad "an unknown --format is a usage error" "exit $FD_RC" "$(cat "$T/bad.out.err")"
lab_finish
