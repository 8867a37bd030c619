#!/bin/bash
# rsa_key.sh — an RSA identity against OpenSSH 9.2: libssh2 1.10 signs with
# ssh-rsa (SHA-1), which OpenSSH >= 8.8 refuses, so the login fails; the
# problem must say so and recommend ed25519 instead of a bare "auth failed".
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=20
lab_test_begin rsa_key 40
lab_up 1

ssh-keygen -q -t rsa -b 2048 -N '' -C fdtest-rsa -f "$T/id_rsa" || { bad "ssh-keygen made an RSA key"; lab_finish; }
cat "$T/id_rsa.pub" >>"$LAB_DIR/authorized_keys"
F=$T/rsa.fleet
sed "s|^identity_file = .*|identity_file = $T/id_rsa|" "$LAB_FLEET" >"$F"
fd_run 20 "$T/rsa.json" --once --json -c "$F"
json_valid "$T/rsa.json" || { bad "stdout is JSON" "$(head -c 800 "$T/rsa.json.err")"; lab_finish; }
if jq -e '.hosts[0].reachable == true' "$T/rsa.json" >/dev/null; then
	# a libssh2 that signs with rsa-sha2 gets in: nothing to explain
	ok "this libssh2 logs in with RSA (rsa-sha2): no warning needed"
else
	json_check "$T/rsa.json" 'RSA login refused: crit with an authentication problem' \
		'.hosts[0].status == "crit" and any(.hosts[0].problems[]; test("authentication failed"))'
	json_check "$T/rsa.json" 'the problem explains RSA and recommends ed25519' \
		'any(.hosts[0].problems[]; test("RSA") and test("ed25519"))'
fi
echo "   $(jq -r '.hosts[0].problems | join(" / ")' "$T/rsa.json")"
lab_finish
