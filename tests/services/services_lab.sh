#!/bin/bash
# services_lab.sh — service checks against a real HTTP(S) server on loopback
# (tests/services/httpd.py): healthy, slow, 500, hanging, `expect` missing,
# a closed port, a TLS certificate (made here with openssl) that expires in
# 2 days (crit) and one in 10 days (warn); a hanging endpoint costs only its
# own timeout. `from = lab1` runs a check over lab1's SSH session, and
# [link] checks from lab1 reach an open and a closed port.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=51
lab_test_begin services_lab
lab_require_tool openssl python3 curl
lab_up 1
sed -i '/^\[host lab1\]/a containers = none\ngpus = none' "$LAB_FLEET"
A=127.0.$LAB_NET.100
HP=$((2200 + 100 * LAB_NET + 80)) SP=$((HP + 1)) WP=$((HP + 2))

cd "$T" || exit 1
for d in 2 10; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "key$d.pem" -out "cert$d.pem" \
		-days "$d" -subj "/CN=$A" -addext "subjectAltName=IP:$A" >/dev/null 2>&1 ||
		{ bad "openssl made a test certificate"; lab_finish; }
done
python3 "$TOP_SRCDIR/tests/services/httpd.py" "$A" "$HP" >"$T/httpd.log" 2>&1 &
lab_bg $!
python3 "$TOP_SRCDIR/tests/services/httpd.py" "$A" "$SP" cert2.pem key2.pem >"$T/httpsd.log" 2>&1 &
lab_bg $!
python3 "$TOP_SRCDIR/tests/services/httpd.py" "$A" "$WP" cert10.pem key10.pem >"$T/httpsd10.log" 2>&1 &
lab_bg $!
wait_for 10 grep -q ready "$T/httpd.log" && wait_for 10 grep -q ready "$T/httpsd.log" &&
	wait_for 10 grep -q ready "$T/httpsd10.log" || { bad "test servers started"; lab_finish; }

cat >>"$LAB_FLEET" <<EOF

[service healthy]
host = lab1
check = http://$A:$HP/ok
expect = status: ok

[service slow]
host = lab1
check = http://$A:$HP/slow

[service broken]
host = lab1
check = http://$A:$HP/500

[service hanging]
host = lab1
check = http://$A:$HP/hang
timeout = 3s

[service wrong-body]
host = lab1
check = http://$A:$HP/plain
expect = status: ok

[service closed]
host = lab1
check = tcp $A:$((HP + 9))

[service open-tcp]
host = lab1
check = tcp $A:$HP

[service tls-2d]
host = lab1
check = https://$A:$SP/ok
ca_file = $T/cert2.pem

[service tls-10d]
host = lab1
check = https://$A:$WP/ok
ca_file = $T/cert10.pem

[service from-lab1]
host = lab1
from = lab1
check = http://$A:$HP/ok
expect = ok

[service tls-2d-from-lab1]
host = lab1
from = lab1
check = https://$A:$SP/ok
ca_file = $T/cert2.pem

[link lab1 -> healthy]
label = HTTP
check = tcp $A:$HP

[link lab1 -> closed]
label = closed
check = tcp $A:$((HP + 9))
EOF
F=$T/out.json
fd_run 30 "$F" --once --json -c "$LAB_FLEET"
json_valid "$F" || { bad "--once --json is JSON" "$(head -c 800 "$F.err")"; lab_finish; }
svc() { printf '.services[] | select(.name == "%s") | %s' "$1" "$2"; }
json_check "$F" 'healthy: ok, HTTP 200, latency' "$(svc healthy '.status == "ok" and .http_status == 200 and .latency_ms > 0')"
json_check "$F" 'slow: ok, latency over 1.5 s' "$(svc slow '.status == "ok" and .latency_ms >= 1400')"
json_check "$F" 'broken: crit, HTTP 500' "$(svc broken '.status == "crit" and .http_status == 500')"
json_check "$F" 'hanging: crit, timed out' "$(svc hanging '.status == "crit" and (.error | test("[Tt]imeout|timed out"))')"
json_check "$F" 'expect missing: crit, says what' "$(svc wrong-body '.status == "crit" and (.error | test("does not contain"))')"
json_check "$F" 'closed port: crit' "$(svc closed '.status == "crit" and (.error | test("refused"))')"
json_check "$F" 'open port: ok' "$(svc open-tcp '.status == "ok"')"
json_check "$F" 'TLS cert in 2 days: crit with days left' "$(svc tls-2d '.status == "crit" and .cert_days_left < 3 and .cert_days_left > 1')"
json_check "$F" 'TLS cert in 10 days: warn' "$(svc tls-10d '.status == "warn" and .cert_days_left > 9 and .cert_days_left < 11')"
json_check "$F" 'from = lab1: ok over SSH' "$(svc from-lab1 '.status == "ok" and .http_status == 200')"
json_check "$F" 'from = lab1, TLS cert in 2 days: crit with days left, read on lab1' \
	"$(svc tls-2d-from-lab1 '.status == "crit" and .http_status == 200 and .cert_days_left < 3 and .cert_days_left > 1')"
json_check "$F" 'link to an open port: ok' '.links[] | select(.to == "healthy") | .status == "ok" and .from == "lab1" and .latency_ms != null'
json_check "$F" 'link to a closed port: crit' '.links[] | select(.to == "closed") | .status == "crit"'
json_check "$F" 'alerts name the service' 'any(.alerts[]; .target == "service/broken")'
# the same run without the hanging endpoint, now: the baseline (was an
# absolute 6 s, which a loaded machine can pass)
RUN=$FD_SECS
awk '/^\[service hanging\]/ { skip = 1; next } /^\[/ { skip = 0 } !skip' "$LAB_FLEET" >"$T/nohang.fleet"
fd_run 30 "$T/nohang.json" --once --json -c "$T/nohang.fleet"
B=$FD_SECS LIM=$(lab_time_limit 3 "$FD_SECS")
flt "$RUN" "$LIM" && ok "the hanging endpoint cost only its own 3 s timeout (${RUN}s < max(B, 3) + B + 1 = ${LIM}s, B = ${B}s without it)" ||
	bad "the hanging endpoint delayed the run" "run took ${RUN}s, limit ${LIM}s (B = ${B}s without it)"
fd_run 30 "$T/once.txt" --once -c "$LAB_FLEET"
grep -q "^crit *tls-2d" "$T/once.txt" && ok "--once table lists services" || bad "--once table lists services" "$(cat "$T/once.txt")"
lab_finish
