#!/bin/bash
# jump_chain.sh — a host reachable only through two hops, hop1 then hop2,
# both as the fleet file's `jump` chain (target: jump = hop2, hop2: jump =
# hop1) and as ssh_config's `ProxyJump a,b` (target-pj, whose hops are not
# in the fleet). The network makes any other way impossible: hop1's sshd
# lives in a namespace joined to ours by a veth pair, hop2's in a second
# namespace joined only to hop1's, and the target's sshd listens on the
# second namespace's own loopback (no forwarding anywhere: ip_forward 0 and
# an nftables forward-drop chain in both). Asserted:
# - the collector polls target and target-pj through the chain (hop1's sshd
#   forwards to hop2, hop2's to the target: their DEBUG1 logs);
# - an action (the ssh-authorized-key rotation: add, verify, remove
#   logins) reaches both through the same chains: the new keys log in, the
#   old ones no longer do;
# - neither fleetdeck nor any of its descendants listens on a TCP port
#   while it runs (ss -ltnp sampled throughout: the hops are stdio
#   forwards, not local listeners another user could connect to);
# - each hop's host key is checked against known_hosts: with a wrong key
#   for hop2 the collector reaches neither target nor hop2 (the problem names
#   hop2) and the rotation fails naming hop2, nothing logged in on the
#   target, hop2's sshd sees no login.
# hop1's identity file and the known_hosts file have blanks, quotes and
# %-tokens in their names (ssh splits UserKnownHostsFile into words and
# expands tokens in it and in -i: they must reach it as they are).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=58
lab_test_begin jump_chain 200
lab_require_root
lab_require_tool tmux ssh ssh-keygen ip nft ss pgrep
lab_up 3

B=$LAB_NET
NS1=fdlab$B-hop1 NS2=fdlab$B-hop2
VA=fdj${B}a VB=fdj${B}b
# ours (a /24 on the veth: any other address of the block is looked for on
# this link and never goes to the default route) <-> hop1 <-> hop2
OURS=10.251.$B.1 H1=10.251.$B.2 H1B=10.251.$B.5 H2=10.251.$B.6
P1=$LAB_HOST_1_PORT P2=$LAB_HOST_2_PORT P3=$LAB_HOST_3_PORT
TA=$LAB_HOST_3_ADDR   # the target: on hop2's namespace's loopback only
for h in 1 2 3; do lab_stop_host "$h"; done
for ns in "$NS1" "$NS2"; do
	ip netns del "$ns" 2>/dev/null
	echo "$ns" >>"$LAB_DIR/netns"
	ip netns add "$ns" && ip -n "$ns" link set lo up &&
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 &&
		ip netns exec "$ns" nft 'add table inet fdlab' &&
		ip netns exec "$ns" nft 'add chain inet fdlab nofwd { type filter hook forward priority 0; policy drop; }' ||
		{ bad "namespace $ns"; lab_finish; }
done
ip link del "$VA" 2>/dev/null
ip link add "$VA" type veth peer name "${VA}p" netns "$NS1" &&
	ip addr add "$OURS/24" dev "$VA" && ip link set "$VA" up &&
	ip -n "$NS1" addr add "$H1/30" dev "${VA}p" && ip -n "$NS1" link set "${VA}p" up &&
	ip -n "$NS1" link add "$VB" type veth peer name "${VB}p" netns "$NS2" &&
	ip -n "$NS1" addr add "$H1B/30" dev "$VB" && ip -n "$NS1" link set "$VB" up &&
	ip -n "$NS2" addr add "$H2/30" dev "${VB}p" && ip -n "$NS2" link set "${VB}p" up ||
	{ bad "veth pairs"; lab_finish; }

# hosts/NAME/start, run in namespace NS, listening on ADDR
netns_host() {   # netns_host I NS ADDR
	local hd="$LAB_DIR/hosts/lab$1"
	sed -i -e "s|^exec $LAB_SSHD |exec ip netns exec $2 $LAB_SSHD |" \
		-e "s|ListenAddress=[^']*|ListenAddress=$3|" -e 's/LogLevel=VERBOSE/LogLevel=DEBUG1/' "$hd/start"
	echo "$3" >"$hd/addr"
}
listening() { [ -n "$(ip netns exec "$1" ss -Hltn "src $2 and sport = :$3" 2>/dev/null)" ]; }
start_in() {     # start_in I NS ADDR PORT
	local hd="$LAB_DIR/hosts/lab$1"
	rm -f "$hd/sshd.pid"
	"$hd/start" 9>&- || return 1
	wait_for 5 listening "$2" "$3" "$4"
}
K=$T/keys
mkdir -p "$K" && chmod 700 "$K"
for k in deploy deploy_pj; do
	ssh-keygen -q -t ed25519 -N '' -C "old-$k" -f "$K/$k" && cp -p "$K/$k" "$T/old_$k" &&
		cp "$K/$k.pub" "$T/ak_$k" && chmod 600 "$T/ak_$k" || { bad "ssh-keygen"; lab_finish; }
done
netns_host 1 "$NS1" "$H1"
netns_host 2 "$NS2" "$H2"
netns_host 3 "$NS2" "$TA"
sed -i "s|-o 'AuthorizedKeysFile=[^']*'|-o 'AuthorizedKeysFile=$LAB_DIR/authorized_keys $T/ak_deploy $T/ak_deploy_pj'|" \
	"$LAB_DIR/hosts/lab3/start"
start_in 1 "$NS1" "$H1" "$P1" && start_in 2 "$NS2" "$H2" "$P2" && start_in 3 "$NS2" "$TA" "$P3" ||
	{ bad "the three sshds started in their namespaces" "$(tail -3 "$LAB_DIR"/hosts/*/sshd.log)"; lab_finish; }

# file names as a user may have them (issue #12: odd values): blanks, quotes
# and %-tokens in the known_hosts file's and hop1's identity file's names;
# each hop's ssh gets them through one more level of ProxyCommand quoting
mkdir -p "$T/kh dir" "$T/ids" && chmod 700 "$T/ids"
KH="$T/kh dir/known hosts %u's \"q\""
ID1="$T/ids/key %d'x\"y"
cp "$LAB_DIR/id_ed25519" "$ID1" && chmod 600 "$ID1"
keyof() { awk '{print $1, $2}' "$LAB_DIR/hosts/lab$1/ssh_host_ed25519_key.pub"; }
printf '[%s]:%s %s\n[%s]:%s %s\n[%s]:%s %s\n' "$H1" "$P1" "$(keyof 1)" "$H2" "$P2" "$(keyof 2)" \
	"$TA" "$P3" "$(keyof 3)" >"$KH"
cp "$KH" "$T/kh_plain"

# the only way: from here hop1 answers, hop2 and the target do not; from
# hop1's namespace hop2 answers and the target does not
tcp() { timeout 4 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }
tcp "$H1" "$P1" && ok "hop1's sshd answers from here" || bad "hop1's sshd answers from here"
tcp "$H2" "$P2" && bad "hop2 is not reachable from here" || ok "hop2 is not reachable from here"
tcp "$TA" "$P3" && bad "the target is not reachable from here" || ok "the target is not reachable from here"
ip netns exec "$NS1" bash -c "exec 3<>/dev/tcp/$H2/$P2" 2>/dev/null && ok "hop2 answers from hop1" ||
	bad "hop2 answers from hop1"
ip netns exec "$NS1" timeout 4 bash -c "exec 3<>/dev/tcp/$TA/$P3" 2>/dev/null &&
	bad "the target is not reachable from hop1" || ok "the target is not reachable from hop1"

F=$T/chain.fleet
cat >"$T/ssh_config" <<EOF
Host target-pj
	HostName $TA
	Port $P3
	User $LAB_USER
	IdentityFile $LAB_DIR/id_ed25519
	ProxyJump $LAB_USER@$H1:$P1,$LAB_USER@$H2:$P2
Host $H1 $H2
	IdentityFile $LAB_DIR/id_ed25519
EOF
cat >"$F" <<EOF
[fleet chain]
known_hosts = $KH
ssh_config = $T/ssh_config
audit_log = $T/state/audit.log
interval = 1s
timeout = 3s

[host hop1]
ssh = $LAB_USER@$H1:$P1
identity_file = $ID1

[host hop2]
ssh = $LAB_USER@$H2:$P2
identity_file = $LAB_DIR/id_ed25519
jump = hop1

[host target]
ssh = $LAB_USER@$TA:$P3
identity_file = $LAB_DIR/id_ed25519
jump = hop2

[host target-pj]

[key deploy]
provider = ssh-authorized-key
hosts = target
identity_file = $K/deploy
authorized_keys = $T/ak_deploy
max_age = 90d

[key deploy-pj]
provider = ssh-authorized-key
hosts = target-pj
identity_file = $K/deploy_pj
authorized_keys = $T/ak_deploy_pj
max_age = 90d
EOF
# sshd DEBUG1: "direct_tcpip: originator ... to target ADDR port PORT"
fwd_to() { grep -cE "direct_tcpip: originator .* target $2 port $3([^0-9]|\$)" "$LAB_DIR/hosts/lab$1/sshd.log"; }
logins() { grep -c "Accepted publickey" "$LAB_DIR/hosts/lab$1/sshd.log"; }
# the target's logins with another key than the lab's (the collector's):
# the rotations'
LABFP=$(ssh-keygen -lf "$LAB_DIR/id_ed25519.pub" | awk '{print $2}')
rot_logins() { grep "Accepted publickey" "$LAB_DIR/hosts/lab3/sshd.log" | grep -vcF "$LABFP"; }
login() {   # login KEYFILE: does KEYFILE (alone) log in on the target (from its namespace)?
	ip netns exec "$NS2" ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
		-o UserKnownHostsFile="$T/kh_plain" -o StrictHostKeyChecking=yes -o ConnectTimeout=3 \
		-i "$1" -p "$P3" -l "$LAB_USER" "$TA" true </dev/null >/dev/null 2>&1
}

fd_run 40 "$T/once.json" -c "$F" --once --json
for h in hop1 hop2 target target-pj; do
	json_check "$T/once.json" "collector: $h is reached" \
		".hosts[] | select(.name == \"$h\") | .reachable == true and (.mem_total | type) == \"number\""
done
[ "$(fwd_to 1 "$H2" "$P2")" -ge 2 ] && ok "hop1 forwarded to hop2 (hop2's and the ProxyJump chain's)" ||
	bad "hop1 forwarded to hop2" "$(fwd_to 1 "$H2" "$P2")"
[ "$(fwd_to 2 "$TA" "$P3")" -ge 2 ] && ok "hop2 forwarded to the target (target and target-pj)" ||
	bad "hop2 forwarded to the target" "$(fwd_to 2 "$TA" "$P3")"
json_check "$T/once.json" "--json: the keys' ages are read on the target through both chains" \
	'[.keys[] | select(.age_s != null)] | length == 2'

login "$K/deploy" && ok "the old deploy key logs in on the target" || bad "the old deploy key logs in on the target"

fd_tmux ui 150 34 -- -c "$F" --view keys
tmux_wait_for "deploy-pj" 10 || bad "Keys view shows both keys" "$(tmux_show)"
lab_listen_sampler "$FD_PID" "$T/seen.txt" "$T/tcp_listen.txt"
rotate() {   # rotate NAME: r, the name typed
	tmux_send r
	tmux_wait_for "Type $1 to confirm" 5 || bad "r asks for $1" "$(tmux_show)"
	tmux_send -l "$1"
	tmux_send Enter
}
f1=$(fwd_to 1 "$H2" "$P2") f2=$(fwd_to 2 "$TA" "$P3")
rotate deploy
tmux_wait_for "rotate key/deploy: done" 30 && ok "action: the rotation of target's key through hop1, hop2 succeeded" ||
	bad "action: the rotation of target's key through hop1, hop2 succeeded" "$(tmux_show)"
tmux_send Enter
tmux_send Down
rotate deploy-pj
tmux_wait_for "rotate key/deploy-pj: done" 30 && ok "action: the rotation of target-pj's key through ProxyJump hop1,hop2 succeeded" ||
	bad "action: the rotation of target-pj's key through ProxyJump hop1,hop2 succeeded" "$(tmux_show)"
tmux_send Enter
[ "$(($(fwd_to 1 "$H2" "$P2") - f1))" -ge 6 ] && [ "$(($(fwd_to 2 "$TA" "$P3") - f2))" -ge 6 ] &&
	ok "the actions' logins (add, verify, remove x 2) went hop1 -> hop2 -> target" ||
	bad "the actions' logins went hop1 -> hop2 -> target" "hop1: $(($(fwd_to 1 "$H2" "$P2") - f1)), hop2: $(($(fwd_to 2 "$TA" "$P3") - f2))"
login "$K/deploy" && ok "the new deploy key logs in on the target" || bad "the new deploy key logs in on the target"
login "$T/old_deploy" && bad "the old deploy key no longer logs in" || ok "the old deploy key no longer logs in"
login "$K/deploy_pj" && ok "the new deploy-pj key logs in on the target" || bad "the new deploy-pj key logs in on the target"
login "$T/old_deploy_pj" && bad "the old deploy-pj key no longer logs in" || ok "the old deploy-pj key no longer logs in"

# a wrong host key for hop2: the whole chain is refused, naming hop2
ssh-keygen -q -t ed25519 -N '' -f "$T/other_hostkey"
sed -i "s|^\[$H2\]:$P2 .*|[$H2]:$P2 $(awk '{print $1, $2}' "$T/other_hostkey.pub")|" "$KH"
t1=$(rot_logins) h2=$(logins 2)
tmux_send Up
rotate deploy
tmux_wait_for "FAILED" 30 && ok "hop2's key wrong: the rotation fails" || bad "hop2's key wrong: the rotation fails" "$(tmux_show)"
said_hop2() { jq -e -s '.[-1] | tostring | test("hop2: HOST KEY CHANGED")' "$T/state/audit.log" >/dev/null; }
wait_for 5 said_hop2 &&
	ok "and says it is hop2's host key" || bad "and says it is hop2's host key" "$(tail -1 "$T/state/audit.log")"
tmux_send Enter
lab_listen_sampler_stop
[ "$(rot_logins)" = "$t1" ] && [ "$(logins 2)" = "$h2" ] && ok "no login on hop2 or the target through the refused chain" ||
	bad "no login on hop2 or the target through the refused chain" "hop2 $h2 -> $(logins 2), target $t1 -> $(rot_logins)"
login "$K/deploy" && ok "the key in use still logs in on the target" || bad "the key in use still logs in on the target"
[ -s "$T/seen.txt" ] && ok "ss was sampled while fleetdeck's ssh ran ($(wc -l <"$T/seen.txt") samples)" ||
	bad "ss was sampled while fleetdeck's ssh ran"
[ ! -s "$T/tcp_listen.txt" ] && ok "neither fleetdeck nor its ssh children listened on a TCP port" ||
	bad "neither fleetdeck nor its ssh children listened on a TCP port" "$(sort -u "$T/tcp_listen.txt")"
tmux_send q
wait_for 5 tmux_has "EXITED:0" || bad "q quits" "$(tmux_show)"
check "audit: two rotations succeeded, then one failed" \
	jq -e -s '[.[].result] == ["confirmed","succeeded","confirmed","succeeded","confirmed","failed"]' "$T/state/audit.log"

# the collector with hop2's wrong key: hop2, target and target-pj are not
# reached, and say it is hop2's key
fd_run 40 "$T/wrong.json" -c "$F" --once --json
json_check "$T/wrong.json" "collector: hop1 still reached" '.hosts[] | select(.name == "hop1") | .reachable == true'
for h in hop2 target target-pj; do
	json_check "$T/wrong.json" "collector: $h not reached through hop2 with the wrong key" \
		".hosts[] | select(.name == \"$h\") | .reachable == false and .status == \"crit\""
done
echo "   target's problem: $(host_field "$T/wrong.json" target '.problems | join(" / ")')"
echo "   target-pj's problem: $(host_field "$T/wrong.json" target-pj '.problems | join(" / ")')"
json_check "$T/wrong.json" "collector: hop2's problem is its host key" \
	'.hosts[] | select(.name == "hop2") | any(.problems[]; test("host key"; "i"))'
for h in target target-pj; do
	json_check "$T/wrong.json" "collector: $h's problem is hop2's ($H2) host key" \
		".hosts[] | select(.name == \"$h\") | any(.problems[]; test(\"(hop2|$H2).*HOST KEY CHANGED\"))"
done
lab_finish
