#!/bin/bash
# bootstrap_report.sh — what ./bootstrap says after installing packages:
# the services Debian started (or enabled) with them and the one command
# that stops and disables them, never advising to stop the OpenSSH server;
# and, without systemd, that nothing was started. Its report functions run
# against stand-ins of dpkg-query and systemctl (this machine runs no
# systemd, and the test must not install packages).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
lab_test_begin bootstrap_report 30
sed -n '/^# --- report functions/,/^# --- end of report functions/p' "$TOP_SRCDIR/bootstrap" >"$T/report.sh"
check "bootstrap has its report functions" grep -q '^report_services()' "$T/report.sh"
mkdir -p "$T/bin" "$T/run-systemd"
cat >"$T/bin/dpkg-query" <<'STUB'
#!/bin/sh
# stand-in: the files of a few packages
[ "$1" = -L ] || exit 1
case $2 in
prometheus) printf '/usr/bin/prometheus\n/lib/systemd/system/prometheus.service\n' ;;
postgresql-common) printf '/lib/systemd/system/postgresql.service\n/lib/systemd/system/postgresql@.service\n' ;;
openssh-server) printf '/lib/systemd/system/ssh.service\n/lib/systemd/system/ssh.socket\n' ;;
jq) printf '/usr/bin/jq\n' ;;
*) exit 1 ;;
esac
STUB
cat >"$T/bin/systemctl" <<'STUB'
#!/bin/sh
# stand-in: prometheus and ssh run, postgresql is enabled
case "$1 $3" in
"is-active prometheus.service"|"is-active ssh.service") exit 0 ;;
"is-enabled postgresql.service") exit 0 ;;
esac
exit 3
STUB
chmod 755 "$T/bin/dpkg-query" "$T/bin/systemctl"
report() { PATH=$T/bin:$PATH BOOTSTRAP_SYSTEMD_RUN=$1 sh -c ". '$T/report.sh'; shift; report_services \"\$@\"" _ "$@"; }

out=$(report "$T/run-systemd" prometheus postgresql-common openssh-server jq)
printf '%s\n' "$out" | sed 's/^/   | /'
check "it names the service Debian started" grep -q 'started these services with them: prometheus.service$' <<<"$out"
check "and the one enabled to start at boot" grep -q 'enabled these to start at boot: postgresql.service$' <<<"$out"
check "one command stops and disables both" grep -qx '    systemctl disable --now prometheus.service postgresql.service' <<<"$out"
if grep -q 'OpenSSH server runs on port 22 (ssh.service)' <<<"$out" && ! grep 'disable --now' <<<"$out" | grep -q ssh; then
	ok "the OpenSSH server is named, never in that command"
else
	bad "the OpenSSH server is named, never in that command"
fi
out=$(report "$T/no-such-dir" prometheus postgresql-common)
check "without systemd: no service was started" grep -q 'systemd is not running here, so no service was started' <<<"$out"
out=$(report "$T/run-systemd" jq)
check "packages without services: said so" grep -q 'they ship no services' <<<"$out"
lab_finish
