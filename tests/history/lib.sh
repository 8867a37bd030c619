# tests/history/lib.sh — sourced by the history tests after tests/lab/lib.sh.

# history_fleet FILE RPO [AGE [INTERVAL]]: the lab's fleet (hosts only: no
# container or GPU collectors) plus [backup dumps], a file source on lab1
# whose newest dump is AGE old (touch -d syntax, default now), judged against
# RPO, read every INTERVAL (default: the collector's own).
history_fleet() {
	local f=$1 rpo=$2 age=${3:-now} interval=${4-}
	mkdir -p "$T/dumps"
	echo dump >"$T/dumps/db-1.sql.gz"
	touch -d "$age" "$T/dumps/db-1.sql.gz"
	sed 's/^\(\[host lab[0-9]*\]\)$/\1\ncontainers = none\ngpus = none/' "$LAB_FLEET" >"$f"
	cat >>"$f" <<FLEET

[backup dumps]
source = file
host = lab1
path = $T/dumps/db-*.sql.gz
rpo = $rpo
FLEET
	[ -z "$interval" ] || echo "interval = $interval" >>"$f"
}
