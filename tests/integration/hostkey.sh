#!/bin/bash
# hostkey.sh — host key verification (SPEC §6):
#  strict:     a host whose key changed is refused (crit, the problem shows
#              the NEW key's SHA256 fingerprint), fleetdeck never logs in to
#              it, and known_hosts is left alone;
#  accept-new: with an empty known_hosts every host is reachable and its key
#              is recorded (in a form OpenSSH accepts); a changed key is
#              still refused.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=13
lab_test_begin hostkey
lab_up 3

accepted() { grep -c "Accepted publickey" "$1" 2>/dev/null || true; }

# --- strict (the default) ---
cp "$LAB_KNOWN_HOSTS" "$T/known_hosts.before"
lab_new_hostkey 2
fp=$(lab_fingerprint 2)
echo "lab2's host key regenerated; new fingerprint $fp"
fd_run 30 "$T/strict.json" --once --json -c "$LAB_FLEET"
[ "$FD_RC" = 0 ] && ok "strict: --once --json exits 0" ||
	bad "strict: --once --json exits 0" "exit $FD_RC" "$(head -c 1500 "$T/strict.json.err")"
F=$T/strict.json
json_check "$F" 'strict: lab2 status crit' '.hosts[] | select(.name == "lab2") | .status == "crit"'
json_check "$F" 'strict: lab2 not reachable' '.hosts[] | select(.name == "lab2") | .reachable != true'
json_check "$F" "strict: lab2's problem names the new fingerprint $fp" \
	'.hosts[] | select(.name == "lab2") | any(.problems[]; contains($fp))' --arg fp "$fp"
json_check "$F" 'strict: lab1 and lab3 reachable' \
	'[.hosts[] | select(.name != "lab2") | select(.reachable == true)] | length == 2'
n=$(accepted "$LAB_HOST_2_LOG")
[ "$n" = 0 ] && ok "strict: no login on lab2 after its key changed (sshd log)" ||
	bad "strict: no login on lab2 after its key changed" "$n 'Accepted publickey' lines in $LAB_HOST_2_LOG:" \
		"$(grep 'Accepted publickey' "$LAB_HOST_2_LOG" | head -3)"
cmp -s "$T/known_hosts.before" "$LAB_KNOWN_HOSTS" && ok "strict: known_hosts unchanged" ||
	bad "strict: known_hosts unchanged" "$(diff "$T/known_hosts.before" "$LAB_KNOWN_HOSTS")"

# --- accept-new with an empty known_hosts ---
kh=$T/kh-new
: >"$kh"
chmod 600 "$kh"
sed -e "s|^known_hosts = .*|known_hosts = $kh\nhost_key_policy = accept-new|" "$LAB_FLEET" >"$T/acceptnew.fleet"
fd_run 30 "$T/an.json" --once --json -c "$T/acceptnew.fleet"
[ "$FD_RC" = 0 ] && ok "accept-new: --once --json exits 0" ||
	bad "accept-new: --once --json exits 0" "exit $FD_RC" "$(head -c 1500 "$T/an.json.err")"
F=$T/an.json
json_check "$F" 'accept-new: all 3 hosts reachable' '[.hosts[] | select(.reachable == true)] | length == 3'
for i in 1 2 3; do
	eval "a=\$LAB_HOST_${i}_ADDR p=\$LAB_HOST_${i}_PORT k=\$LAB_HOST_${i}_HOSTKEY"
	want=$(awk '{print $2}' "$k.pub")
	# ssh-keygen -F finds hashed entries too
	got=$(ssh-keygen -F "[$a]:$p" -f "$kh" 2>/dev/null | grep -v '^#' | awk '{print $3}')
	if [ "$got" = "$want" ]; then
		ok "accept-new: known_hosts gained [$a]:$p with lab$i's key"
	else
		bad "accept-new: known_hosts gained [$a]:$p with lab$i's key" "found: '${got:-nothing}'" "file:" "$(cat "$kh")"
	fi
done
# OpenSSH itself must accept what fleetdeck wrote.
if timeout 10 ssh -o BatchMode=yes -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null \
	-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -i "$LAB_IDENTITY" \
	-p "$LAB_HOST_1_PORT" "$LAB_USER@$LAB_HOST_1_ADDR" true 2>"$T/ssh.err"; then
	ok "accept-new: OpenSSH's ssh accepts the recorded known_hosts"
else
	bad "accept-new: OpenSSH's ssh accepts the recorded known_hosts" "$(cat "$T/ssh.err")"
fi

# --- accept-new: a changed key is still refused ---
cp "$kh" "$T/kh-new.before"
lab_new_hostkey 1
fp=$(lab_fingerprint 1)
echo "lab1's host key regenerated; new fingerprint $fp"
fd_run 30 "$T/an2.json" --once --json -c "$T/acceptnew.fleet"
F=$T/an2.json
json_check "$F" 'accept-new: changed lab1 is crit' '.hosts[] | select(.name == "lab1") | .status == "crit"'
json_check "$F" "accept-new: lab1's problem names the new fingerprint" \
	'.hosts[] | select(.name == "lab1") | any(.problems[]; contains($fp))' --arg fp "$fp"
json_check "$F" 'accept-new: lab2 and lab3 still reachable' \
	'[.hosts[] | select(.name != "lab1") | select(.reachable == true)] | length == 2'
n=$(accepted "$LAB_HOST_1_LOG")
[ "$n" = 0 ] && ok "accept-new: no login on lab1 after its key changed" ||
	bad "accept-new: no login on lab1 after its key changed" "$n 'Accepted publickey' lines in $LAB_HOST_1_LOG"
cmp -s "$T/kh-new.before" "$kh" && ok "accept-new: known_hosts not rewritten for the changed key" ||
	bad "accept-new: known_hosts not rewritten for the changed key" "$(diff "$T/kh-new.before" "$kh")"
lab_finish
