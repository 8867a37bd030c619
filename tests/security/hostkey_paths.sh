#!/bin/bash
# hostkey_paths.sh — issue #12 items 1 and 6: one identity resolver and one
# host key rule on every path. A [host] is an ssh_config alias whose
# HostName, Port, User, IdentityFile, HostKeyAlias and UserKnownHostsFile
# live only in ssh_config (no known_hosts in the fleet file). The collector
# (libssh2) and an action (ssh(1): a `command` runner scaled from the TUI)
# both reach the same sshd and account and accept its key under the alias
# from that file; with another key recorded there, both refuse.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=96
lab_test_begin hostkey_paths 58
lab_require_tool tmux
lab_up 1
KH=$T/kh
CFG=$T/ssh_config
KEY=$(awk '{print $1, $2}' "$LAB_HOST_1_HOSTKEY.pub")
echo "web-key $KEY" >"$KH"
cat >"$CFG" <<EOF
Host web
	HostName $LAB_HOST_1_ADDR
	Port $LAB_HOST_1_PORT
	User $LAB_USER
	IdentityFile $LAB_DIR/id_ed25519
	IdentitiesOnly yes
	HostKeyAlias web-key
	UserKnownHostsFile $KH
	GlobalKnownHostsFile /dev/null
EOF
cat >"$T/f.fleet" <<EOF
[fleet hk]
ssh_config = $CFG
host_key_policy = strict
audit_log = $T/audit.log
timeout = 5s

[host web]
containers = none
gpus = none

[runners r]
provider = command
host = web
list = ls $T/runners 2>/dev/null | sed 's/$/ idle/'
scale = mkdir -p $T/runners && touch $T/runners/r{count} && echo "\$SSH_CONNECTION" >$T/conn
min = 0
max = 3
EOF
fd_run 30 "$T/a.json" -c "$T/f.fleet" --once --json
json_check "$T/a.json" "collector: the alias is reached, its key found under HostKeyAlias in ssh_config's known_hosts" \
	'.hosts[0].reachable == true and .hosts[0].mem_total > 0'

fd_tmux ui 140 34 -- -c "$T/f.fleet" --view runners
tmux_wait_line 'r +command' ' 0 \[0\.\.3\]' 15 && ok "Runners view: r 0 [0..3]" || bad "Runners view: r 0 [0..3]" "$(tmux_show)"
tmux_send +
tmux_wait_for "from 0 to 1" 5 && tmux_send y
wait_for 15 test -e "$T/runners/r1" && ok "action: ssh(1) reached the same host with the same key rule" ||
	bad "action: ssh(1) reached the same host with the same key rule" "$(tmux_show)" "$(tail -n 3 "$T/audit.log")"
read -r _ _ daddr dport <"$T/conn" 2>/dev/null
[ "$daddr:$dport" = "$LAB_HOST_1_ADDR:$LAB_HOST_1_PORT" ] && ok "action: the login went to HostName:Port from ssh_config ($daddr:$dport)" ||
	bad "action: the login went to HostName:Port from ssh_config" "got '$daddr:$dport'"
tmux_send Enter
# another key recorded under the alias: the collector's session is up
# already, but every new login checks again, on both paths
ssh-keygen -q -t ed25519 -N '' -f "$T/other" && echo "web-key $(awk '{print $1, $2}' "$T/other.pub")" >"$KH"
tmux_wait_line 'r +command' ' 1 \[0\.\.3\]' 10
tmux_send +
tmux_wait_for "from 1 to 2" 5 && tmux_send y
tmux_wait_for "FAILED" 15 && ok "action: a different key under the alias is refused (scale failed)" ||
	bad "action: a different key under the alias is refused (scale failed)" "$(tmux_show)"
[ ! -e "$T/runners/r2" ] && ok "action: nothing ran on the host" || bad "action: nothing ran on the host"
tmux_send Enter
tmux_send q
tmux_wait_for "EXITED:0" 5 || bad "q quits" "$(tmux_show)"
# ssh's own words are named after the login that refused (sshcmd_explain)
grep -q "web: HOST KEY CHANGED (web-key) not as in known_hosts" "$T/audit.log" &&
	ok "action: the audit log says web's host key (under its alias) changed" ||
	bad "action: the audit log says web's host key (under its alias) changed" "$(tail -n 2 "$T/audit.log")"

fd_run 30 "$T/b.json" -c "$T/f.fleet" --once --json
json_check "$T/b.json" "collector: a different key under the alias is refused, naming the file" \
	'.hosts[0].reachable == false and (.hosts[0].problems | any(test("HOST KEY CHANGED.*'"$KH"'")))'
lab_finish
