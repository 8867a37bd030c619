#!/bin/bash
# units.sh — the systemd units in contrib/ (installed as examples):
# `systemd-analyze verify` accepts both, `systemd-analyze security --offline`
# rates them OK, and they carry the hardening they promise. Then each unit's
# own ExecStart runs against a 2-host lab the way the unit runs it — no -c,
# so the user's ~/.config/fleetdeck/fleet.conf, key ~/.ssh/id_ed25519 and
# ~/.ssh/known_hosts — inside a mount namespace where the whole file system is
# read-only (what ProtectSystem=strict + ProtectHome=read-only leave it;
# systemd itself does not run here; the unit's ReadWritePaths= stay
# writable, its ExecStartPre=+ runs outside): the metrics bridge serves both
# hosts up, records them (its --record file replays both hosts) and ends by
# SIGTERM; the wall draws 2 hosts OK on TERM=linux.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=30
lab_test_begin units 58
lab_require_tool systemd-analyze unshare curl jq
C=$TOP_SRCDIR/contrib
WALL=$C/fleetdeck-wall@.service METRICS=$C/fleetdeck-metrics.service

# Copies with this build's binary (verify wants an executable ExecStart) and
# the man page where verify's `man fleetdeck(1)` finds it.
mkdir -p "$T/units" "$T/man/man1" && install -d -m 700 "$T/run"
cp "$TOP_SRCDIR/doc/fleetdeck.1" "$T/man/man1/"
for u in "$WALL" "$METRICS"; do
	sed "s|/usr/bin/fleetdeck|$FLEETDECK|g" "$u" >"$T/units/${u##*/}"
done
out=$(cd "$T" && MANPATH=$T/man systemd-analyze verify "$T/units/fleetdeck-wall@.service" 2>&1)
check "systemd-analyze verify fleetdeck-wall@.service: no complaint" test -z "$out" || printf '       | %s\n' "$out"
out=$(cd "$T" && XDG_RUNTIME_DIR=$T/run MANPATH=$T/man systemd-analyze --user verify "$T/units/fleetdeck-metrics.service" 2>&1)
check "systemd-analyze --user verify fleetdeck-metrics.service: no complaint" test -z "$out" || printf '       | %s\n' "$out"

for u in "fleetdeck-wall@.service" "fleetdeck-metrics.service"; do
	scope=
	[ "$u" = fleetdeck-metrics.service ] && scope=--user
	level=$(cd "$T" && XDG_RUNTIME_DIR=$T/run systemd-analyze $scope security --offline=true "$T/units/$u" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
	if [ "${level#* }" = OK ]; then
		ok "systemd-analyze security rates $u OK (exposure ${level% *})"
	else
		bad "systemd-analyze security rates $u OK" "got: $level"
	fi
	miss=
	for d in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=read-only PrivateTmp=yes \
		 SystemCallFilter=@system-service CapabilityBoundingSet= RestrictSUIDSGID=yes; do
		grep -qx "$d" "$C/$u" || miss="$miss $d"
	done
	check "$u is hardened (NoNewPrivileges, ProtectSystem=strict, ...)${miss:+, missing:$miss}" test -z "$miss"
done

# A user's setup, as the units expect it: the fleet file where fleetdeck
# looks without -c, the key and known_hosts in ~/.ssh. (Named in the fleet
# file: OpenSSH's own defaults follow the passwd entry's home, not $HOME,
# and this test's home is a temporary one; under systemd they are the same.)
lab_up 2
mkdir -p "$HOME/.ssh" "$HOME/.config/fleetdeck"
install -m 600 "$LAB_IDENTITY" "$HOME/.ssh/id_ed25519"
cp "$LAB_KNOWN_HOSTS" "$HOME/.ssh/known_hosts"
{
	printf '[fleet unitlab]\ninterval = 1s\ntimeout = 3s\nknown_hosts = ~/.ssh/known_hosts\n'
	for i in 1 2; do
		eval "printf '\n[host %s]\nssh = %s@%s:%s\nidentity_file = ~/.ssh/id_ed25519\ncontainers = none\ngpus = none\n' \"\$LAB_HOST_${i}_NAME\" \"\$LAB_USER\" \"\$LAB_HOST_${i}_ADDR\" \"\$LAB_HOST_${i}_PORT\""
	done
} >"$HOME/.config/fleetdeck/fleet.conf"

# $T/ro CMD...: CMD in a private mount namespace with every mount read-only
# but /proc, /sys and /dev (the API file systems systemd leaves writable)
# and the directories in $RW (space-separated: the unit's ReadWritePaths=)
# and $RO_HARNESS_RW (the test harness's own: where tests/sanitized has the
# sanitizers write their reports, so that a report is seen, not lost).
cat >"$T/ro" <<'EOF'
#!/bin/sh
exec unshare -m --propagation private sh -c '
	awk "{ print \$2 }" /proc/self/mounts | grep -vE "^/(proc|sys|dev)(/|\$)" | sort -u |
	while read -r mp; do mount -o remount,bind,ro "$mp" 2>/dev/null; done
	if touch /.fd-rw-probe 2>/dev/null || touch "$HOME/.fd-rw-probe" 2>/dev/null; then
		echo "ro: the file system is still writable" >&2; exit 99
	fi
	for p in $RW $RO_HARNESS_RW; do
		mount --bind "$p" "$p" && mount -o remount,bind,rw "$p" ||
			{ echo "ro: cannot make $p writable" >&2; exit 98; }
	done
	exec "$@"' ro "$@"
EOF
chmod +x "$T/ro"
san_log=$(printf '%s\n' "$ASAN_OPTIONS" | tr ':' '\n' | sed -n 's/^log_path=//p' | head -n 1)
RO_HARNESS_RW=${san_log:+${san_log%/*}}
export RO_HARNESS_RW
# unit_key UNIT KEY: KEY's values, with what systemd would expand here (%h)
# expanded and /usr/bin/fleetdeck this build's.
unit_key() {
	sed -n "s/^$2=//p" "$1" | sed -e "s|%h|$HOME|g" -e "s|/usr/bin/fleetdeck|$FLEETDECK|"
}
execstart() { unit_key "$1" ExecStart; }

# The metrics bridge, on a free port instead of 9187: its ExecStartPre=+
# (unsandboxed), then its ExecStart with only its ReadWritePaths= writable.
port=$(lab_free_port 9187)
cmd=$(execstart "$METRICS" | sed "s|127.0.0.1:9187|127.0.0.1:$port|")
case $cmd in *" -c "*|*--config*) bad "the metrics unit reads the default fleet file (no -c)" "$cmd" ;; esac
# shellcheck disable=SC2086
rec=$(printf '%s\n' $cmd | sed -n '/^--record$/{n;p}')
check "the metrics unit records (--record) under ~/.local/state/fleetdeck" \
	test "${rec%/*}" = "$HOME/.local/state/fleetdeck"
unit_key "$METRICS" ExecStartPre | sed 's/^[-+!@:]*//' >"$T/pre"
while read -r pre; do
	# shellcheck disable=SC2086
	$pre || bad "the metrics unit's ExecStartPre: $pre"
done <"$T/pre"
rw=$(unit_key "$METRICS" ReadWritePaths | sed 's/^-//' | tr '\n' ' ')
# shellcheck disable=SC2086
RW=$rw "$T/ro" $cmd >"$T/metrics.out" 2>"$T/metrics.err" &
mpid=$!
lab_bg "$mpid"
both_up() {
	curl -s -m 2 "http://127.0.0.1:$port/metrics" >"$T/metrics.txt" 2>/dev/null &&
		[ "$(grep -cE '^fleetdeck_host_up\{.*\} 1$' "$T/metrics.txt")" = 2 ]
}
if wait_for 20 both_up; then
	ok "the metrics unit's command, read-only file system: both hosts up at /metrics"
else
	bad "the metrics unit's command, read-only file system: both hosts up at /metrics" \
		"stderr: $(head -c 800 "$T/metrics.err")" "metrics: $(grep -E 'host_up|host_reach' "$T/metrics.txt" | head -5)"
fi
kill -TERM "$mpid" 2>/dev/null
wait "$mpid"
# it dies of the signal after its cleanup (fleetdeck(1) SIGNALS), which
# systemd counts as a clean stop
check "SIGTERM (systemctl stop) ends it by the signal, 143" test "$?" = 143
# What it recorded: a private file that replays both hosts, reachable.
if [ -n "$rec" ] && [ -f "$rec" ] && [ "$(stat -c %a "$rec")" = 600 ] &&
   "$FLEETDECK" --replay "$rec" --once --format json >"$T/replay.json" 2>"$T/replay.err" &&
   [ "$(jq '[.hosts[] | select(.reachable == true)] | length' "$T/replay.json")" = 2 ]; then
	ok "its recording (0600, the rest of the file system read-only) replays both hosts reachable"
else
	bad "its recording (0600) replays both hosts reachable" "$(ls -l "$rec" 2>&1)" \
		"replay: $(head -c 400 "$T/replay.err") $(jq -c '[.hosts[] | {name, reachable}]' "$T/replay.json" 2>&1 | head -c 400)"
fi

# The wall, as on the console (TERM=linux, 80x25).
# A sanitizer build only: on TERM=linux ncurses' mousemask() dlopen()s
# libgpm, whose Gpm_Open() keeps the console's name ("/dev/tty0", 10 bytes)
# in a global; ncurses dlclose()s libgpm again, and LeakSanitizer then
# reports that block as a direct leak from "<unknown module>" (no frame it
# could be suppressed by) and the wall exits 1 on q. The leak is libgpm's,
# once per process, not fleetdeck's; under tmux libgpm never finds a console
# anyway. So that build runs the wall with libgpm kept out
# (NCURSES_GPM_TERMS= empty: ncurses asks gpm for no terminal) — every other
# sanitizer report still fails the test (the report directory stays writable).
gpm=
if fd_sanitizer_build; then
	gpm=$'export NCURSES_GPM_TERMS=\n'
	echo "note - sanitizer build: the wall runs without libgpm (NCURSES_GPM_TERMS=): libgpm's console-name global reads as a leak once ncurses unloads it"
fi
cmd=$(execstart "$WALL")
printf '#!/bin/sh\nexport TERM=linux\n%s%q %s 2>%q\necho EXITED:$?\nexec sleep 60\n' \
	"$gpm" "$T/ro" "$cmd" "$T/wall.err" >"$T/wall.sh"
tmux_start wall 80 25 "sh $T/wall.sh"
lab_bg "$(tmux_pane_pid)"
if tmux_wait_for unitlab 15 && tmux_wait_line "0 CRIT" "2 OK" 15; then
	ok "the wall unit's command, read-only file system: the fleet, 2 hosts OK on a console-sized screen"
else
	bad "the wall unit's command, read-only file system: the fleet and its hosts OK" "$(tmux_show)" "stderr: $(head -c 500 "$T/wall.err")"
fi
tmux_send q
if wait_for 5 tmux_has EXITED:0; then ok "q ends it with 0"; else bad "q ends it with 0" "$(tmux_show)" "stderr: $(head -c 3000 "$T/wall.err")"; fi

lab_finish
