#!/bin/bash
# hosts_json.sh — five real lab hosts, one --once --json round: every host
# reachable with true numbers (memory compared with this machine's
# /proc/meminfo, since every lab host shares this kernel), the JSON document
# has the shape of SPEC §4, and --once / --check print what they should.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=11
lab_test_begin hosts_json
lab_up 5
names='["lab1","lab2","lab3","lab4","lab5"]'

t0=$(now)
fd_run 30 "$T/out.json" --once --json -c "$LAB_FLEET"
read -r _ mt _ < <(grep '^MemTotal:' /proc/meminfo)
read -r _ ma _ < <(grep '^MemAvailable:' /proc/meminfo)
echo "fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s; MemTotal=${mt}kB MemAvailable=${ma}kB"
[ "$FD_RC" = 0 ] && ok "--once --json exits 0" ||
	bad "--once --json exits 0" "exit $FD_RC" "stderr: $(head -c 1500 "$T/out.json.err")"
if ! json_valid "$T/out.json"; then
	bad "stdout is one JSON document" "$(head -c 1500 "$T/out.json")"
	lab_finish
fi
ok "stdout is one JSON document"

F=$T/out.json
json_check "$F" 'schema is 1' '.schema == 1'
json_check "$F" 'fleet is "lab"' '.fleet == "lab"'
json_check "$F" 'generated_at is a Unix time (number)' '(.generated_at | type) == "number" and .generated_at > 1e9'
json_check "$F" 'status is one of ok|warn|crit|unknown' '.status | IN("ok","warn","crit","unknown")'
json_check "$F" 'top-level arrays hosts services databases backups links runners keys alerts' \
	'. as $d | ["hosts","services","databases","backups","links","runners","keys","alerts"] | all(.[]; ($d[.] | type) == "array")'
json_check "$F" 'exactly the 5 lab hosts, by name' "[.hosts[].name] | sort == $names"
json_check "$F" 'every host reachable: true' 'all(.hosts[]; .reachable == true)'
json_check "$F" 'no host is crit (status ok or warn)' 'all(.hosts[]; .status | IN("ok","warn"))'
json_check "$F" 'mem_total = MemTotal x 1024 exactly' \
	'all(.hosts[]; .mem_total == ($mt | tonumber) * 1024)' --arg mt "$mt"
json_check "$F" 'mem_available within 10% of MemAvailable' \
	'(($ma | tonumber) * 1024) as $want | all(.hosts[]; (.mem_available | type) == "number" and
	 ((.mem_available - $want) | if . < 0 then -. else . end) <= 0.1 * $want)' --arg ma "$ma"
json_check "$F" 'load is [n, n, n]' \
	'all(.hosts[]; (.load | type) == "array" and (.load | length) == 3 and all(.load[]; type == "number" and . >= 0))'
json_check "$F" 'cpu_pct is a number 0..100' \
	'all(.hosts[]; (.cpu_pct | type) == "number" and .cpu_pct >= 0 and .cpu_pct <= 100)'
json_check "$F" 'cores is a number >= 1' 'all(.hosts[]; (.cores | type) == "number" and .cores >= 1)'
json_check "$F" 'disks has "/" with numeric size, used, used_pct' \
	'all(.hosts[]; (.disks | type) == "array" and any(.disks[]; .mount == "/" and
	 (.size | type) == "number" and .size > 0 and (.used | type) == "number" and
	 (.used_pct | type) == "number" and .used_pct >= 0 and .used_pct <= 100))'
ncpu=$(grep -c '^cpu[0-9]' /proc/stat)
rootsize=$(($(stat -f -c '%b * %S' /)))
json_check "$F" "cores = $ncpu (cpuN lines of /proc/stat)" 'all(.hosts[]; .cores == ($n | tonumber))' --arg n "$ncpu"
json_check "$F" "disk / size = $rootsize (statvfs blocks x fragment size)" \
	'all(.hosts[]; any(.disks[]; .mount == "/" and .size == ($s | tonumber)))' --arg s "$rootsize"
json_check "$F" 'latency_ms is a number' 'all(.hosts[]; (.latency_ms | type) == "number" and .latency_ms >= 0)'
json_check "$F" 'sampled_at is a time within this run' \
	'all(.hosts[]; (.sampled_at | type) == "number" and .sampled_at >= ($t0 | tonumber) - 1 and .sampled_at <= $d.generated_at + 1)' \
	--arg t0 "$t0" --argjson d "$(jq -c '{generated_at}' "$F")"
json_check "$F" 'problems is an array of strings on every host' \
	'all(.hosts[]; (.problems | type) == "array" and all(.problems[]; type == "string"))'

# --once: a table naming every host
fd_run 30 "$T/once.txt" --once -c "$LAB_FLEET"
[ "$FD_RC" = 0 ] && ok "--once exits 0" || bad "--once exits 0" "exit $FD_RC" "$(head -c 1500 "$T/once.txt.err")"
missing=
for h in lab1 lab2 lab3 lab4 lab5; do grep -qw "$h" "$T/once.txt" || missing="$missing $h"; done
[ -z "$missing" ] && ok "--once lists the 5 host names" ||
	bad "--once lists the 5 host names" "missing:$missing" "$(head -c 2000 "$T/once.txt")"

# --check: one monitoring-plugin line
fd_run 30 "$T/check.txt" --check -c "$LAB_FLEET"
first=$(head -n 1 "$T/check.txt")
case $FD_RC in 0|1) ok "--check exits 0 or 1 (got $FD_RC)" ;;
	*) bad "--check exits 0 or 1" "exit $FD_RC" "$first" "$(head -c 800 "$T/check.txt.err")" ;; esac
case $first in "FLEETDECK "*) ok "--check line starts with 'FLEETDECK '" ;;
	*) bad "--check line starts with 'FLEETDECK '" "line: $first" ;; esac
case $first in *"hosts_up=5"*) ok "--check perfdata has hosts_up=5" ;;
	*) bad "--check perfdata has hosts_up=5" "line: $first" ;; esac

lab_finish
