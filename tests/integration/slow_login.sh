#!/bin/bash
# slow_login.sh — a login shell that is slow but still answers is named in
# the host's problems (issue #10: "the login shell took 4.1 s to answer: a
# slow ~/.bashrc?"), not only when it times out. lab1's bash sleeps in
# $BASH_ENV (what a slow ~/.bashrc does for `bash -c sh` under sshd) for
# longer than the fleet's timeout but less than the shell phases' three
# times that; lab2, the same in every other way, logs in at once.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=27
lab_test_begin slow_login 90
[ "$(getent passwd "${LAB_USER:-root}" | cut -d: -f7)" = /bin/bash ] || lab_skip "the lab user's shell is not bash"
cat >"$T/slow.rc" <<RC
case \$SSH_CONNECTION in *" $(lab_port 1)") sleep 4 ;; esac
RC
LAB_SSHD_SETENV="BASH_ENV=$T/slow.rc" lab_up 2

F=$T/slow.fleet
sed -e 's/^timeout = .*/timeout = 3s/' -e 's/^\(\[host .*\]\)$/\1\ncontainers = none\ngpus = none/' \
	"$LAB_FLEET" >"$F"
fd_run 60 "$T/out.json" --once --json -c "$F"
json_check "$T/out.json" 'lab1 (4 s login, 3 s timeout) is reached: the shell phases may take 3 x the timeout' \
	'.hosts[] | select(.name == "lab1") | .reachable == true'
json_check "$T/out.json" 'and its slow login shell is a warning that names the time and ~/.bashrc' \
	'.hosts[] | select(.name == "lab1") | .status == "warn" and
	 ([.problems[] | tostring | select(test("login shell took [4-9][.][0-9] s to answer.*bashrc"))] | length == 1)'
json_check "$T/out.json" 'lab2 (a quick login) has no such problem' \
	'.hosts[] | select(.name == "lab2") | .reachable == true and (.problems | tostring | test("login shell") | not)'
lab_finish
