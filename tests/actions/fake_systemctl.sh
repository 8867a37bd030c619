#!/bin/sh
# fake_systemctl.sh — a STAND-IN for systemd's systemctl, for tests: no
# systemd can run in the test sandbox. Installed as `systemctl` first on one
# lab host's PATH. Instance state is one file per started unit in UNITS
# (default: ../units next to this script) holding its ACTIVE state; every
# call is appended to UNITS/../systemctl.calls.
#   systemctl list-units --all --plain --no-legend --type=service PATTERN
#       prints "UNIT LOAD ACTIVE SUB DESCRIPTION" lines, systemd's
#       documented --plain --no-legend format, for the units matching
#       PATTERN; then UNITS/../extra-lines verbatim if it exists (a test's
#       hostile answer)
#   systemctl start UNIT...   marks them active (unit names are checked)
#   systemctl stop UNIT...    removes them (stopped template instances are
#                             not listed by list-units, as with systemd)
set -u
here=$(cd "$(dirname "$0")" && pwd)
units=${FAKE_SYSTEMD_UNITS:-$here/../units}
mkdir -p "$units" || exit 1
printf '%s\n' "$*" >>"$units/../systemctl.calls"
cmd=${1-}
[ $# -gt 0 ] && shift
valid() {
	case $1 in
	*[!A-Za-z0-9@._:-]*|'') echo "Invalid unit name \"$1\" escaped as ..." >&2; return 1 ;;
	*.service) return 0 ;;
	*) echo "fake systemctl: expected a .service unit: $1" >&2; return 1 ;;
	esac
}
case $cmd in
list-units)
	if [ $# -ne 5 ] || [ "$1 $2 $3 $4" != "--all --plain --no-legend --type=service" ]; then
		echo "fake systemctl: unexpected list-units arguments: $*" >&2
		exit 1
	fi
	for f in "$units"/*.service; do
		[ -e "$f" ] || continue
		u=${f##*/}
		# shellcheck disable=SC2254
		case $u in $5) ;; *) continue ;; esac
		st=$(cat "$f")
		sub=running
		[ "$st" = active ] || sub=dead
		printf '%s loaded %s %s Forgejo runner %s\n' "$u" "$st" "$sub" "${u#*@}"
	done
	[ -f "$units/../extra-lines" ] && cat "$units/../extra-lines"
	exit 0
	;;
start)
	for u in "$@"; do valid "$u" || exit 1; done
	for u in "$@"; do echo active >"$units/$u"; done
	;;
stop)
	for u in "$@"; do valid "$u" || exit 1; done
	for u in "$@"; do rm -f "$units/$u"; done
	;;
*)
	echo "fake systemctl: unsupported command: $cmd" >&2
	exit 1
	;;
esac
