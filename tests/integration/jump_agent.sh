#!/bin/bash
# jump_agent.sh — how a host is reached: `jump` through another lab host
# (chained: lab3 via lab2 via lab1) over direct-tcpip; authentication with
# ssh-agent instead of an identity file; a Host alias from ~/.ssh/config
# (resolved with ssh -G); and a jump host that refuses forwarding, which
# must show on the hosts behind it instead of them being reached directly.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=18
lab_test_begin jump_agent
lab_require_tool ssh-agent ssh-add
lab_up 3

# lab2 behind lab1, lab3 behind lab2
J=$T/jump.fleet
awk '{ print } /^\[host lab2\]$/ { print "jump = lab1" } /^\[host lab3\]$/ { print "jump = lab2" }' \
	"$LAB_FLEET" >"$J"
fd_run 30 "$T/jump.json" --once --json -c "$J"
json_valid "$T/jump.json" || { bad "jump: stdout is JSON" "$(head -c 1500 "$T/jump.json.err")"; lab_finish; }
json_check "$T/jump.json" 'lab2 (jump = lab1) reachable' '.hosts[] | select(.name == "lab2") | .reachable == true'
json_check "$T/jump.json" 'lab3 (jump = lab2, two hops) reachable' \
	'.hosts[] | select(.name == "lab3") | .reachable == true and .status != "crit"'
json_check "$T/jump.json" 'lab3 through two jumps has memory numbers' \
	'.hosts[] | select(.name == "lab3") | (.mem_total | type) == "number"'

# ssh-agent: no identity_file anywhere, an empty ~/.ssh
A=$T/agent.fleet
grep -v '^identity_file' "$LAB_FLEET" >"$A"
eval "$(ssh-agent -s -a "$T/agent.sock")" >/dev/null
lab_bg "$SSH_AGENT_PID"
ssh-add -q "$LAB_DIR/id_ed25519" 2>/dev/null
fd_run 30 "$T/agent.json" --once --json -c "$A"
json_check "$T/agent.json" 'with ssh-agent and no identity file: all 3 reachable' \
	'[.hosts[] | select(.reachable == true)] | length == 3'
(
	unset SSH_AUTH_SOCK
	fd_run 30 "$T/noagent.json" --once --json -c "$A"
	exit 0
)
json_check "$T/noagent.json" 'without the agent: authentication fails, crit' \
	'.hosts[] | select(.name == "lab1") | .status == "crit"'
json_check "$T/noagent.json" 'and the problem says authentication failed' \
	'.hosts[] | select(.name == "lab1") | any(.problems[]; test("authentication failed"))'
kill "$SSH_AGENT_PID" 2>/dev/null
unset SSH_AUTH_SOCK SSH_AGENT_PID

# a Host alias from an ssh config file (ssh_config = , like ssh -F; ssh itself
# reads the passwd home, not the hermetic $HOME), resolved by ssh -G
mkdir -p "$HOME/.ssh"
cat >"$HOME/.ssh/config" <<CFG
Host fancy-alias
	HostName $LAB_HOST_1_ADDR
	Port $LAB_HOST_1_PORT
	User $LAB_USER
	IdentityFile $LAB_DIR/id_ed25519
CFG
chmod 600 "$HOME/.ssh/config"
C=$T/alias.fleet
printf "[fleet alias]\nknown_hosts = %s\nssh_config = %s\ntimeout = 5s\n\n[host fancy-alias]\n" "$LAB_KNOWN_HOSTS" "$HOME/.ssh/config" >"$C"
fd_run 30 "$T/alias.json" --once --json -c "$C"
json_check "$T/alias.json" 'a ~/.ssh/config Host alias is reached (HostName, Port, User, IdentityFile)' \
	'.hosts[0].reachable == true'

# ProxyJump from the ssh configuration to a host that is not in the fleet:
# followed (through lab1) without lab1 being shown
cat >>"$HOME/.ssh/config" <<CFG
Host behind-proxy
	HostName $LAB_HOST_3_ADDR
	Port $LAB_HOST_3_PORT
	User $LAB_USER
	IdentityFile $LAB_DIR/id_ed25519
	ProxyJump $LAB_USER@$LAB_HOST_1_ADDR:$LAB_HOST_1_PORT
Host $LAB_HOST_1_ADDR
	IdentityFile $LAB_DIR/id_ed25519
CFG
PJ=$T/proxyjump.fleet
printf "[fleet pj]\nknown_hosts = %s\nssh_config = %s\ntimeout = 5s\n\n[host behind-proxy]\n" "$LAB_KNOWN_HOSTS" "$HOME/.ssh/config" >"$PJ"
before=$(grep -c "Accepted publickey" "$LAB_HOST_1_LOG" 2>/dev/null || echo 0)
fd_run 30 "$T/pj.json" --once --json -c "$PJ"
json_check "$T/pj.json" 'a ProxyJump from ssh config (hop not in the fleet) is followed' \
	'.hosts | length == 1 and .[0].reachable == true'
after=$(grep -c "Accepted publickey" "$LAB_HOST_1_LOG" 2>/dev/null || echo 0)
[ "$after" -gt "$before" ] && ok "and the connection went through the jump host (lab1 logged a login)" ||
	bad "the connection went through the jump host" "lab1 logins before $before after $after"

# the jump host refuses forwarding: the hosts behind it are down, and say why
sed -i '$ s/$/ -o AllowTcpForwarding=no/' "$LAB_DIR/hosts/lab1/start"
lab_start_host 1
fd_run 30 "$T/nofwd.json" --once --json -c "$J"
json_check "$T/nofwd.json" 'jump host without forwarding: lab1 itself still fine' \
	'.hosts[] | select(.name == "lab1") | .reachable == true'
json_check "$T/nofwd.json" 'lab2 is not reached around its jump host' \
	'.hosts[] | select(.name == "lab2") | .reachable == false and .status == "crit"'
json_check "$T/nofwd.json" 'and its problem names the jump host' \
	'.hosts[] | select(.name == "lab2") | any(.problems[]; test("lab1"))'
echo "   lab2 problem: $(host_field "$T/nofwd.json" lab2 '.problems | join(" / ")')"
lab_finish
