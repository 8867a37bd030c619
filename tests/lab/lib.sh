# tests/lab/lib.sh — the fleetdeck test lab: real sshd instances on loopback
# addresses, blackholed addresses in private network namespaces, and helpers
# for the integration and TUI tests (checks, JSON assertions, tmux).
#
# Sourced (bash) by tests/lab/up, tests/lab/down and the test scripts.
# Layout of a lab directory (DIR):
#   DIR/id_ed25519{,.pub}     client key, authorized on every host
#   DIR/authorized_keys       AuthorizedKeysFile of every lab sshd
#   DIR/known_hosts           "[127.0.B.x]:PORT ssh-ed25519 ..." for every host
#   DIR/lab.fleet             fleet file (SPEC §2) describing the lab
#   DIR/env                   shell variables describing the hosts
#   DIR/hosts/NAME/           host key, start script, pid file, sshd log
#   DIR/netns                 names of the network namespaces this lab made
#
# Addresses: LAB_NET=B (0..255, default 0) picks the address block and port
# base, so concurrent labs never collide: host i listens on 127.0.B.(i+1),
# port 2200 + 100*B + i (B=0: 127.0.0.2:2201, 127.0.0.3:2202, ...).
# Blackholes use 10.250.B.(4k)/30 on a veth pair whose far end lives in a
# namespace "fdlabB-bhK"; nothing is ever sent anywhere else.

LAB_SSHD=${LAB_SSHD:-/usr/sbin/sshd}
LAB_USER=${LAB_USER:-$(id -un)}

_lab_log() { printf '%s\n' "lab: $*" >&2; }
_lab_die() { printf '%s\n' "lab: error: $*" >&2; return 1; }

lab_addr() { printf '127.0.%d.%d\n' "$LAB_NET" "$(($1 + 1))"; }
lab_port() { printf '%d\n' "$((2200 + 100 * LAB_NET + $1))"; }

_lab_check_net() {
	case $LAB_NET in
	''|*[!0-9]*) _lab_die "LAB_NET must be a number 0..255, not '$LAB_NET'"; return 1 ;;
	esac
	[ "$LAB_NET" -le 255 ] || { _lab_die "LAB_NET must be 0..255"; return 1; }
}

# --- processes ---------------------------------------------------------------

# Prints every descendant pid of $1 (not $1 itself).
_lab_descendants() {
	ps -e -o pid= -o ppid= 2>/dev/null | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			want[root] = 1; changed = 1
			while (changed) {
				changed = 0
				for (i in pids) { p = pids[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; changed = 1 } }
			}
			for (p in want) if (p != root) print p
		}'
}

# True if pid $1 is alive and its command line mentions $2 (guards against a
# recycled pid: we only ever signal our own sshd).
_lab_pid_is() {
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# Waits (bounded) until pid $1 is gone; $2 = tenths of a second.
_lab_wait_gone() {
	local n=0
	while [ -d "/proc/$1" ] && [ "$n" -lt "$2" ]; do
		# a zombie child of ours counts as gone
		case $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) in Z|'') return 0 ;; esac
		sleep 0.1; n=$((n + 1))
	done
	[ ! -d "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# True if something accepts TCP connections on $1:$2 (bounded: 1 s).
_lab_tcp_open() {
	timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# lab_free_port START [END]: the first TCP port from START (to END, default
# START+500) on which nothing listens on any address: a service on *:PORT
# (Debian's prometheus on *:9090, ...) would take our loopback address's
# port too. Not reserved: start the server at once.
lab_free_port() {
	local p=$1 end=${2:-$(($1 + 500))}
	command -v ss >/dev/null || { _lab_die "lab_free_port needs ss (iproute2)"; return 1; }
	while [ "$p" -le "$end" ]; do
		if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
			printf '%d\n' "$p"
			return 0
		fi
		p=$((p + 1))
	done
	_lab_die "no free TCP port in $1..$end"
}

# --- one sshd ----------------------------------------------------------------

# _lab_host_start NAME: starts the sshd of host NAME (its start script).
_lab_host_start() {
	local hd="$LAB_DIR/hosts/$1" n=0 pid addr port
	[ -x "$hd/start" ] || { _lab_die "no such lab host: $1"; return 1; }
	_lab_host_stop "$1"
	addr=$(cat "$hd/addr") port=$(cat "$hd/port")
	if _lab_tcp_open "$addr" "$port"; then
		_lab_die "$addr:$port is already in use by another process (another lab with the same LAB_NET?)"
		return 1
	fi
	mkdir -p /run/sshd && chmod 0755 /run/sshd
	"$hd/start" 9>&- || { _lab_die "sshd for $1 did not start; see $hd/sshd.log"; tail -5 "$hd/sshd.log" >&2; return 1; }
	# a hang guard only: it returns as soon as sshd listens (5 s left
	# little margin on a loaded machine)
	while [ "$n" -lt 200 ]; do
		pid=$(cat "$hd/sshd.pid" 2>/dev/null)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && _lab_tcp_open "$addr" "$port"; then
			return 0
		fi
		sleep 0.1; n=$((n + 1))
	done
	_lab_die "sshd for $1 is not listening on $addr:$port after 20 s"
	tail -5 "$hd/sshd.log" >&2
	return 1
}

# _lab_host_stop NAME: stops the listener and every session it spawned (so
# established connections drop too, as when a real host dies). The whole tree
# is frozen first (SIGSTOP, repeated until no new process appears), then
# killed, so no session forked meanwhile can escape as an orphan.
_lab_host_stop() {
	local hd="$LAB_DIR/hosts/$1" pid all new k round=0
	pid=$(cat "$hd/sshd.pid" 2>/dev/null) || return 0
	if _lab_pid_is "$pid" "$hd/"; then
		kill -STOP "$pid" 2>/dev/null
		all=" "
		while [ "$round" -lt 30 ]; do
			new=
			for k in $(_lab_descendants "$pid"); do
				case $all in *" $k "*) ;; *) new="$new $k" ;; esac
			done
			[ -z "$new" ] && break
			for k in $new; do kill -STOP "$k" 2>/dev/null; all="$all$k "; done
			round=$((round + 1))
		done
		kill -KILL "$pid" $all 2>/dev/null
		_lab_wait_gone "$pid" 30
	fi
	rm -f "$hd/sshd.pid"
}

# _lab_host_create INDEX NAME ROLE [FORCECOMMAND]: writes the host's files
# (host key kept if present) and its start script; does not start it.
_lab_host_create() {
	local i=$1 name=$2 role=$3 fc=${4-} hd addr port
	hd="$LAB_DIR/hosts/$name"
	addr=$(lab_addr "$i") port=$(lab_port "$i")
	mkdir -p "$hd"
	if [ ! -s "$hd/ssh_host_ed25519_key" ]; then
		rm -f "$hd/ssh_host_ed25519_key" "$hd/ssh_host_ed25519_key.pub"
		ssh-keygen -q -t ed25519 -N '' -C "fdlab-$name" -f "$hd/ssh_host_ed25519_key" || return 1
	fi
	chmod 600 "$hd/ssh_host_ed25519_key"
	printf '%s\n' "$i" >"$hd/index"
	printf '%s\n' "$addr" >"$hd/addr"
	printf '%s\n' "$port" >"$hd/port"
	printf '%s\n' "$role" >"$hd/role"
	local force='' setenv="SHLVL=1${LAB_SSHD_SETENV:+ $LAB_SSHD_SETENV}"
	# LAB_HOST_BIN=1: each host's sessions find $hd/bin first in PATH (its
	# own stand-ins: a docker CLI, nvidia-smi, an admin command)
	if [ "${LAB_HOST_BIN:-0}" = 1 ]; then
		mkdir -p "$hd/bin"
		setenv="$setenv PATH=$hd/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	fi
	if [ -n "$fc" ]; then
		printf '%s\n' "$fc" >"$hd/force.sh"
		force="-o 'ForceCommand=/bin/sh $hd/force.sh'"
	fi
	cat >"$hd/start" <<EOF
#!/bin/sh
# Starts lab host $name ($addr:$port). Written by tests/lab/lib.sh.
# SetEnv SHLVL=1: bash then skips ~/.bashrc for ssh commands (on the CI
# machine root's .bashrc runs pyenv init, which makes every login slow and,
# with many logins at once, piles up pyenv-rehash processes).
exec $LAB_SSHD -f /dev/null -E '$hd/sshd.log' \\
	-h '$hd/ssh_host_ed25519_key' -p $port \\
	-o 'ListenAddress=$addr' -o 'PidFile=$hd/sshd.pid' \\
	-o 'AuthorizedKeysFile=$LAB_DIR/authorized_keys' \\
	-o StrictModes=no -o UsePAM=no -o PermitRootLogin=prohibit-password \\
	-o PubkeyAuthentication=yes -o PasswordAuthentication=no \\
	-o KbdInteractiveAuthentication=no -o AllowUsers=$LAB_USER \\
	-o MaxStartups=200:30:400 -o MaxSessions=100 -o MaxAuthTries=10 \\
	-o LoginGraceTime=30 -o UseDNS=no -o PrintMotd=no -o PrintLastLog=no \\
	-o 'Subsystem=sftp internal-sftp' -o LogLevel=VERBOSE \\
	-o 'SetEnv=$setenv' $force
EOF
	chmod 755 "$hd/start"
}

# The known_hosts line of host NAME.
_lab_known_line() {
	local hd="$LAB_DIR/hosts/$1"
	printf '[%s]:%s %s\n' "$(cat "$hd/addr")" "$(cat "$hd/port")" \
		"$(awk '{print $1, $2}' "$hd/ssh_host_ed25519_key.pub")"
}

# Appends host NAME to env, lab.fleet and known_hosts.
_lab_host_register() {
	local name=$1 hd="$LAB_DIR/hosts/$1" i var
	i=$(cat "$hd/index")
	var=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_' '_')
	_lab_known_line "$name" >>"$LAB_DIR/known_hosts"
	cat >>"$LAB_DIR/lab.fleet" <<EOF

[host $name]
ssh = $LAB_USER@$(cat "$hd/addr"):$(cat "$hd/port")
identity_file = $LAB_DIR/id_ed25519
role = $(cat "$hd/role")
EOF
	cat >>"$LAB_DIR/env" <<EOF
LAB_HOST_${i}_NAME=$name
LAB_HOST_${i}_ADDR=$(cat "$hd/addr")
LAB_HOST_${i}_PORT=$(cat "$hd/port")
LAB_HOST_${i}_DIR=$hd
LAB_HOST_${i}_PIDFILE=$hd/sshd.pid
LAB_HOST_${i}_LOG=$hd/sshd.log
LAB_HOST_${i}_HOSTKEY=$hd/ssh_host_ed25519_key
LAB_IDX_$var=$i
LAB_HOSTS="\$LAB_HOSTS $name"
EOF
}

# --- the lab as a whole ------------------------------------------------------

# lab_create N DIR: (re)starts an N-host lab in DIR. Used by tests/lab/up.
lab_create() {
	local n=$1 dir=$2 i name roles names
	case $n in ''|*[!0-9]*|0) _lab_die "N must be a positive number"; return 1 ;; esac
	[ "$n" -le 50 ] || { _lab_die "at most 50 hosts"; return 1; }
	LAB_NET=${LAB_NET:-0}
	_lab_check_net || return 1
	command -v ssh-keygen >/dev/null && [ -x "$LAB_SSHD" ] ||
		{ _lab_die "needs OpenSSH (ssh-keygen, $LAB_SSHD)"; return 1; }
	case $dir in *[[:space:]\'\"\\]*) _lab_die "DIR must not contain spaces or quotes: $dir"; return 1 ;; esac
	mkdir -p "$dir" || return 1
	LAB_DIR=$(cd "$dir" && pwd -P) || return 1
	# Already up (or left over): stop it first, keep the keys.
	lab_destroy "$LAB_DIR" || return 1
	rm -rf "$LAB_DIR/hosts"
	rm -f "$LAB_DIR/env" "$LAB_DIR/lab.fleet" "$LAB_DIR/known_hosts" "$LAB_DIR/netns"

	if [ ! -s "$LAB_DIR/id_ed25519" ]; then
		rm -f "$LAB_DIR/id_ed25519" "$LAB_DIR/id_ed25519.pub"
		ssh-keygen -q -t ed25519 -N '' -C "fdlab-client" -f "$LAB_DIR/id_ed25519" || return 1
	fi
	chmod 600 "$LAB_DIR/id_ed25519"
	cp "$LAB_DIR/id_ed25519.pub" "$LAB_DIR/authorized_keys"
	chmod 600 "$LAB_DIR/authorized_keys"
	: >"$LAB_DIR/known_hosts"
	: >"$LAB_DIR/netns"
	cat >"$LAB_DIR/lab.fleet" <<EOF
# The fleetdeck test lab (tests/lab/up $n, LAB_NET=$LAB_NET).
[fleet lab]
known_hosts = $LAB_DIR/known_hosts
interval = 1s
timeout = 2s
EOF
	cat >"$LAB_DIR/env" <<EOF
# Sourced by test scripts; written by tests/lab/up.
LAB_DIR=$LAB_DIR
LAB_NET=$LAB_NET
LAB_N=$n
LAB_USER=$LAB_USER
LAB_FLEET=$LAB_DIR/lab.fleet
LAB_KNOWN_HOSTS=$LAB_DIR/known_hosts
LAB_IDENTITY=$LAB_DIR/id_ed25519
LAB_HOSTS=
EOF
	set -- edge app data compute spare
	roles="$*"
	# LAB_HOST_NAMES="a b c": the hosts' names (a replica of a reference
	# fleet), instead of lab1..labN
	set -- ${LAB_HOST_NAMES:-}
	[ $# = 0 ] || [ $# = "$n" ] || { _lab_die "LAB_HOST_NAMES has $# names for $n hosts"; return 1; }
	names=
	for i in $(seq 1 "$n"); do
		name=lab$i
		[ -z "${LAB_HOST_NAMES:-}" ] || name=$(printf '%s\n' $LAB_HOST_NAMES | sed -n "${i}p")
		names="$names $name"
		set -- $roles
		shift $(((i - 1) % 5))
		_lab_host_create "$i" "$name" "lab $1 $i" || return 1
		_lab_host_register "$name" || return 1
	done
	for name in $names; do
		_lab_host_start "$name" || return 1
	done
}

# lab_destroy DIR: stops every sshd of the lab in DIR and removes its
# namespaces. Keeps keys and files. Never touches anything else.
lab_destroy() {
	local LAB_DIR hd ns
	LAB_DIR=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	for hd in "$LAB_DIR"/hosts/*/; do
		[ -d "$hd" ] || continue
		hd=${hd%/}
		_lab_host_stop "${hd##*/}"
	done
	_lab_procs_stop
	# a replica's containers, where they could start (its private podman)
	[ -x "$LAB_DIR/podman/bin/podman" ] && "$LAB_DIR/podman/bin/podman" rm -af -t 0 >/dev/null 2>&1
	# what a replica kept in /tmp (a PostgreSQL cluster when the lab directory
	# is out of the postgres user's reach, podman's short runroot): removed
	# once its servers are stopped
	if [ -s "$LAB_DIR/cleanup" ]; then
		while read -r ns; do
			case $ns in "${TMPDIR:-/tmp}"/fdlab-pg.*|/tmp/fdpm.*) rm -rf "$ns" ;; esac
		done <"$LAB_DIR/cleanup"
		: >"$LAB_DIR/cleanup"
	fi
	if [ -s "$LAB_DIR/netns" ]; then
		while read -r ns; do
			case $ns in fdlab*) ip netns del "$ns" 2>/dev/null ;; esac
		done <"$LAB_DIR/netns"
		: >"$LAB_DIR/netns"
	fi
	return 0
}

# lab_proc_add PID SIGNAL MATCH: a server the lab started besides its sshds
# (PostgreSQL, podman, HTTP stand-ins): `down` sends it SIGNAL, and KILL if
# it is still there after 5 s, as long as its command line still mentions
# MATCH (a recycled pid is never signalled).
lab_proc_add() {
	printf '%s %s %s\n' "$1" "$2" "$3" >>"$LAB_DIR/procs"
}

_lab_procs_stop() {
	local pid sig match left=
	[ -s "$LAB_DIR/procs" ] || return 0
	while read -r pid sig match; do
		_lab_pid_is "$pid" "$match" || continue
		kill "-$sig" "$pid" 2>/dev/null
		left="$left $pid:$match"
	done <"$LAB_DIR/procs"
	for pm in $left; do
		_lab_wait_gone "${pm%%:*}" 50 ||
			{ _lab_pid_is "${pm%%:*}" "${pm#*:}" && kill -KILL "${pm%%:*}" 2>/dev/null; }
	done
	: >"$LAB_DIR/procs"
}

lab_load_env() {
	[ -r "$LAB_DIR/env" ] || { _lab_die "no lab in $LAB_DIR (run tests/lab/up)"; return 1; }
	. "$LAB_DIR/env"
}

# NAME or index -> name
_lab_name() {
	local v
	case $1 in
	*[!0-9]*) printf '%s\n' "$1" ;;
	*) eval "v=\${LAB_HOST_$1_NAME-}"
	   [ -n "$v" ] || { _lab_die "no lab host with index $1"; return 1; }
	   printf '%s\n' "$v" ;;
	esac
}

# lab_stop_host I|NAME / lab_start_host I|NAME
# lab_session_sh N: the long-lived `sh` of a session on lab host N (the
# newest found) in LAB_SH_PID, and its sshd session process in
# LAB_SESSION_PID; fails while there is none.
lab_session_sh() {
	local listener p
	listener=$(cat "$(eval "echo \"\$LAB_HOST_${1}_PIDFILE\"")" 2>/dev/null) || return 1
	LAB_SH_PID=
	for p in $(_lab_descendants "$listener"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sh ] && LAB_SH_PID=$p
	done
	[ -n "$LAB_SH_PID" ] && LAB_SESSION_PID=$(awk '{print $4}' "/proc/$LAB_SH_PID/stat" 2>/dev/null)
}

# lab_login I: one ssh(1) login to lab host I (index) that runs `true`, with
# the lab's key and known_hosts: a unit of work for lab_baseline.
lab_login() {
	local a p
	eval "a=\${LAB_HOST_$1_ADDR-} p=\${LAB_HOST_$1_PORT-}"
	ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o IdentityAgent=none \
		-o UserKnownHostsFile="$LAB_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o ConnectTimeout=10 \
		-i "$LAB_IDENTITY" -p "$p" -l "$LAB_USER" "$a" true </dev/null >/dev/null 2>&1
}

lab_stop_host() { local n; n=$(_lab_name "$1") && _lab_host_stop "$n"; }
lab_start_host() { local n; n=$(_lab_name "$1") && _lab_host_start "$n"; }

# lab_new_hostkey I|NAME: new host key and restart; known_hosts is left as it
# was, so it no longer matches. The old sshd log is moved to sshd.log.N so the
# current log holds only what happened after the change.
lab_new_hostkey() {
	local n hd k=1
	n=$(_lab_name "$1") || return 1
	hd="$LAB_DIR/hosts/$n"
	_lab_host_stop "$n"
	rm -f "$hd/ssh_host_ed25519_key" "$hd/ssh_host_ed25519_key.pub"
	ssh-keygen -q -t ed25519 -N '' -C "fdlab-$n-new" -f "$hd/ssh_host_ed25519_key" || return 1
	while [ -e "$hd/sshd.log.$k" ]; do k=$((k + 1)); done
	[ -e "$hd/sshd.log" ] && mv "$hd/sshd.log" "$hd/sshd.log.$k"
	_lab_host_start "$n"
}

# lab_fingerprint I|NAME: "SHA256:..." of the host's current key.
lab_fingerprint() {
	local n; n=$(_lab_name "$1") || return 1
	ssh-keygen -lf "$LAB_DIR/hosts/$n/ssh_host_ed25519_key.pub" | awk '{print $2}'
}

# lab_add_host_with_forcecommand NAME CMD: an extra lab host whose sshd runs
# CMD (a sh script) instead of anything the client asks for. Added to the
# fleet file, known_hosts and env like the others (indexes from 60 up).
lab_add_host_with_forcecommand() {
	local name=$1 cmd=$2 i=60
	[ -n "$name" ] && [ -n "$cmd" ] || { _lab_die "usage: lab_add_host_with_forcecommand NAME CMD"; return 1; }
	while cat "$LAB_DIR"/hosts/*/index 2>/dev/null | grep -qx "$i"; do
		i=$((i + 1))
	done
	[ "$i" -le 99 ] || { _lab_die "too many extra hosts"; return 1; }
	[ ! -e "$LAB_DIR/hosts/$name" ] || { _lab_die "host $name exists"; return 1; }
	_lab_host_create "$i" "$name" "lab forcecommand" "$cmd" || return 1
	_lab_host_register "$name" || return 1
	_lab_host_start "$name" || return 1
	lab_load_env
}

# lab_fleet_add_host NAME SSH [KEY=VALUE...]: appends a [host] section.
lab_fleet_add_host() {
	local name=$1 ssh=$2
	shift 2
	{
		printf '\n[host %s]\nssh = %s\nidentity_file = %s\n' "$name" "$ssh" "$LAB_DIR/id_ed25519"
		for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
	} >>"$LAB_DIR/lab.fleet"
}

# lab_blackhole VAR: creates a namespace fdlab<B>-bh<K> joined to this one by
# a veth pair (10.250.B.4K+1 here, 10.250.B.4K+2 there) whose far side drops
# every incoming packet (nftables/iptables inside that namespace only), so a
# TCP connect to the address in $VAR hangs. Removed by lab_down / the trap.
lab_blackhole() {
	local var=$1 k=0 ns here there mac a1 a2
	[ -n "$var" ] || { _lab_die "usage: lab_blackhole VAR"; return 1; }
	lab_require_root "network namespaces need root" || return 1
	lab_require_tool ip || return 1
	while grep -qx "fdlab$LAB_NET-bh$k" "$LAB_DIR/netns" 2>/dev/null; do k=$((k + 1)); done
	[ "$k" -lt 60 ] || { _lab_die "too many blackholes"; return 1; }
	ns=fdlab$LAB_NET-bh$k
	here=fdb${LAB_NET}h$k there=fdb${LAB_NET}n$k
	a1=10.250.$LAB_NET.$((4 * k + 1)) a2=10.250.$LAB_NET.$((4 * k + 2))
	ip netns del "$ns" 2>/dev/null
	ip link del "$here" 2>/dev/null
	echo "$ns" >>"$LAB_DIR/netns"
	ip netns add "$ns" &&
	ip link add "$here" type veth peer name "$there" &&
	ip link set "$there" netns "$ns" &&
	ip addr add "$a1/30" dev "$here" &&
	ip -n "$ns" addr add "$a2/30" dev "$there" &&
	ip -n "$ns" link set lo up &&
	ip -n "$ns" link set "$there" up &&
	ip link set "$here" up || { _lab_die "could not build namespace $ns"; return 1; }
	# A permanent neighbour entry: no ARP needed, so a connect times out
	# instead of failing fast with "no route to host".
	mac=$(ip -n "$ns" -br link show "$there" | awk '{print $3}')
	[ -n "$mac" ] && ip neigh replace "$a2" lladdr "$mac" dev "$here" nud permanent
	if command -v nft >/dev/null &&
	   ip netns exec "$ns" nft 'add table inet fdlab' 2>/dev/null &&
	   ip netns exec "$ns" nft 'add chain inet fdlab in { type filter hook input priority 0; policy drop; }' 2>/dev/null; then
		:
	elif command -v iptables >/dev/null && ip netns exec "$ns" iptables -A INPUT -j DROP 2>/dev/null; then
		:
	else
		_lab_die "neither nft nor iptables can drop packets in $ns"
		return 1
	fi
	if _lab_tcp_open "$a2" 22; then
		_lab_die "blackhole $a2 answers, it should not"
		return 1
	fi
	printf 'LAB_BLACKHOLE_%d=%s\nLAB_BLACKHOLE_%d_NS=%s\n' "$k" "$a2" "$k" "$ns" >>"$LAB_DIR/env"
	eval "$var=\$a2"
}

# --- test scaffolding ----------------------------------------------------------

FAILED=0
_LAB_BG_PIDS=
_LAB_WATCHDOG=

lab_skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
lab_require_root() { [ "$(id -u)" = 0 ] || lab_skip "${1:-needs root}"; }
lab_require_tool() {
	local t
	for t in "$@"; do command -v "$t" >/dev/null 2>&1 || lab_skip "needs $t (not installed)"; done
}

# lab_test_begin NAME [LIMIT_S]: common start of every test: checks tools,
# makes a private temp dir ($T) and HOME, installs the cleanup trap and a
# watchdog that ends the test after LIMIT_S seconds (default 55).
lab_test_begin() {
	TEST_NAME=$1
	local limit
	limit=$(lab_scaled "${2:-55}")
	: "${TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
	: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
	: "${FLEETDECK:=$TOP_BUILDDIR/src/fleetdeck}"
	# the binary never looks into the source tree: its themes are named here
	: "${FLEETDECK_DATADIR:=$TOP_SRCDIR}"
	export TOP_SRCDIR TOP_BUILDDIR FLEETDECK FLEETDECK_DATADIR
	[ -x "$FLEETDECK" ] || { printf 'FAIL: fleetdeck binary not found at %s (run make)\n' "$FLEETDECK"; exit 1; }
	lab_require_tool jq timeout ps awk
	T=$(mktemp -d "${TMPDIR:-/tmp}/fdtest-$TEST_NAME.XXXXXX") || exit 1
	mkdir -p "$T/home"
	# Hermetic: no agent, no user config, no user fleet file.
	export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_STATE_HOME="$T/home/.state" \
		XDG_DATA_HOME="$T/home/.local/share"
	unset SSH_AUTH_SOCK FLEETDECK_CONFIG NO_COLOR
	export LANG=C.UTF-8
	trap '_lab_cleanup' EXIT
	trap 'exit 1' INT TERM HUP
	_LAB_T0=$(now) _LAB_LIMIT=$limit _LAB_LIMIT0=$limit
	_lab_watchdog_start "$limit" "took longer than $limit s (watchdog)"
	printf '== %s\n' "$TEST_NAME"
}

# _lab_watchdog_start LIMIT WHAT: ends the test (TERM) LIMIT s from now,
# saying "FAIL: NAME WHAT, stopping it".
_lab_watchdog_start() {
	(
		sleep "$1" >/dev/null 2>&1 &
		s=$!
		trap 'kill $s 2>/dev/null; exit 0' TERM
		wait $s
		printf 'FAIL: %s %s, stopping it\n' "$TEST_NAME" "$2" >&2
		kill -TERM $$
	) &
	_LAB_WATCHDOG=$!
}

# lab_watchdog LIMIT: replaces the test's watchdog: the test ends LIMIT s
# after it began (LIMIT as given, not scaled: a test computes it with
# lab_scaled and lab_units), or later if its watchdog was already later (a
# hang guard is only ever lengthened).
lab_watchdog() {
	local left limit=$1
	[ "${_LAB_LIMIT:-0}" -gt "$limit" ] && limit=$_LAB_LIMIT
	_LAB_LIMIT=$limit
	left=$(awk -v l="$limit" -v a="$(now)" -v b="$_LAB_T0" 'BEGIN { x = l - (a - b); printf "%d\n", (x < 1 ? 1 : x + 1) }')
	[ -n "$_LAB_WATCHDOG" ] && kill "$_LAB_WATCHDOG" 2>/dev/null
	_lab_watchdog_start "$left" "took longer than its watchdog of $limit s (baseline ${LAB_BASE:-?} s)"
}

# lab_watchdog_units K: the test's watchdog becomes its stated limit
# (lab_test_begin's, scaled) plus K x LAB_BASE: a test whose hang guard
# would trip on a loaded machine measures its unit of work first
# (lab_baseline) and says how many units it may take on top.
lab_watchdog_units() { lab_watchdog $((_LAB_LIMIT0 + $(lab_units "$1"))); }

# lab_baseline CMD...: runs CMD (e.g. one ssh login to a lab host: a test's
# unit of work) three times in a row and sets LAB_BASE to its mean wall
# time in seconds, on this machine under its present load. A test whose
# time is mostly such units sizes its hang guards from it with lab_units
# instead of a bigger absolute number. The status is CMD's last one.
lab_baseline() {
	local t0 rc i
	t0=$(now)
	for i in 1 2 3; do "$@"; rc=$?; done
	LAB_BASE=$(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f\n", (a - b) / 3 }')
	return $rc
}

# lab_time_limit X B: how long a run may take that may cost one X s timeout
# at most (0: none), when the same run without what times out took B s in
# this test: max(B, X) + B + 1 (a loaded machine slows both runs alike).
lab_time_limit() { awk -v x="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b > x ? b : x) + b + 1 }'; }

# lab_units K: K x LAB_BASE seconds, rounded up (0 without a baseline).
lab_units() {
	awk -v k="$1" -v b="${LAB_BASE:-0}" 'BEGIN { x = k * b; printf "%d\n", x == int(x) ? x : int(x) + 1 }'
}

# Registers a background pid for cleanup; its start time is recorded so that
# cleanup never signals a recycled pid.
_lab_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
lab_bg() {
	local st
	st=$(_lab_starttime "$1")
	[ -n "$st" ] && _LAB_BG_PIDS="$_LAB_BG_PIDS $1:$st"
}
_lab_bg_same() { [ "$(_lab_starttime "${1%%:*}")" = "${1#*:}" ]; }

_lab_cleanup() {
	local rc=$? p
	trap - EXIT INT TERM HUP
	[ -n "$_LAB_WATCHDOG" ] && kill "$_LAB_WATCHDOG" 2>/dev/null
	[ -n "${TMUX_SOCK:-}" ] && tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	for p in $_LAB_BG_PIDS; do _lab_bg_same "$p" && kill -TERM "${p%%:*}" 2>/dev/null; done
	for p in $_LAB_BG_PIDS; do
		_lab_bg_same "$p" || continue
		_lab_wait_gone "${p%%:*}" 20 || { _lab_bg_same "$p" && kill -KILL "${p%%:*}" 2>/dev/null; }
	done
	[ -n "${LAB_DIR:-}" ] && lab_destroy "$LAB_DIR"
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ "${LAB_KEEP:-0}" = 1 ]; then
			printf 'kept %s\n' "$T"
		else
			rm -rf "$T"
		fi
	fi
	exit "$rc"
}

# _lab_claim_net WANT: sets LAB_NET to WANT, or if another test run holds it
# (two "make check" at once on one machine), to a free one from 100..250.
# The claim is a flock on fd 9, held until the test exits.
_lab_claim_net() {
	local dir=${TMPDIR:-/tmp}/fdlab-locks b
	mkdir -p "$dir" || return 1
	for b in "$1" $(seq 100 250); do
		exec 9>"$dir/net-$b.lock" || continue
		if flock -n 9; then
			if ! _lab_tcp_open "127.0.$b.2" "$((2200 + 100 * b + 1))"; then
				LAB_NET=$b
				return 0
			fi
			flock -u 9
		fi
		exec 9>&-
	done
	return 1
}

# lab_up N: a lab of N hosts in $T/lab (for tests). LAB_NET is the test's
# preferred address block; another one is used if it is taken.
lab_up() {
	lab_require_root "the lab runs sshd on loopback addresses and needs root"
	lab_require_tool ssh-keygen ssh "$LAB_SSHD" ip flock
	local want=${LAB_NET:-0}
	_lab_claim_net "$want" || { printf 'FAIL: no free LAB_NET\n'; exit 1; }
	[ "$LAB_NET" = "$want" ] || printf 'note: LAB_NET %s is in use (another test run?), using %s\n' "$want" "$LAB_NET"
	lab_create "$1" "$T/lab" || { printf 'FAIL: could not start the lab\n'; exit 1; }
	lab_load_env
}

lab_down() { [ -n "${LAB_DIR:-}" ] && lab_destroy "$LAB_DIR"; }

# ok DESC / bad DESC [DETAILS...]
ok() { printf 'ok   - %s\n' "$1"; }
bad() {
	printf 'FAIL - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/       | /'
	FAILED=1
}

# check DESC CMD...: runs CMD, ok if it succeeds.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else bad "$desc" "command: $*" "$out"; return 1; fi
}

lab_finish() {
	[ -n "${LAB_BASE:-}" ] && awk -v a="$(now)" -v b="$_LAB_T0" -v l="$LAB_BASE" \
		'BEGIN { printf "the test took %.1f s = %.0f x its baseline of %s s\n", a - b, (l > 0 ? (a - b) / l : 0), l }'
	if [ "$FAILED" = 0 ]; then
		printf 'PASS: %s\n' "$TEST_NAME"
		exit 0
	fi
	printf 'FAIL: %s\n' "$TEST_NAME"
	exit 1
}

# wait_for TIMEOUT_S CMD...: retries CMD every 0.2 s until it succeeds or
# TIMEOUT_S seconds passed. Returns CMD's last status.
# lab_scaled N: watchdog N seconds times FLEETDECK_TEST_SLOWDOWN (configure
# sets 3 for a sanitizer build, whose programs run that much slower; 1
# otherwise), rounded up. Only for limits that guard against a hang: what a
# test judges compares against a baseline of the same run.
lab_scaled() {
	case ${FLEETDECK_TEST_SLOWDOWN:-1} in
	1) printf '%s\n' "$1" ;;
	*) awk -v n="$1" -v f="$FLEETDECK_TEST_SLOWDOWN" 'BEGIN { x = n * f; printf "%d\n", x == int(x) ? x : int(x) + 1 }' ;;
	esac
}

# wait_for LIMIT CMD...: until CMD is true, at most LIMIT seconds (scaled).
wait_for() {
	local limit end
	limit=$(lab_scaled "$1")
	shift
	end=$(($(date +%s%N) / 1000000 + ${limit%.*} * 1000))
	while :; do
		"$@" && return 0
		[ "$(($(date +%s%N) / 1000000))" -ge "$end" ] && { "$@"; return; }
		sleep 0.2
	done
}

now() { date +%s.%N; }
# fsub A B: A - B with decimals.
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
# flt A B: true if A < B.
flt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# --- fleetdeck runs and JSON ---------------------------------------------------

# fd_run LIMIT OUT ARGS...: runs $FLEETDECK ARGS with a hard time limit,
# stdout to OUT, stderr to OUT.err; sets FD_RC and FD_SECS.
fd_run() {
	local limit out=$2 t0
	limit=$(lab_scaled "$1")
	shift 2
	local try=0
	t0=$(now)
	while :; do
		timeout -k 2 "$limit" "$FLEETDECK" "$@" >"$out" 2>"$out.err" 9>&-
		FD_RC=$?
		# 126: the binary is being relinked by a concurrent make; retry
		[ "$FD_RC" = 126 ] && [ "$try" -lt 5 ] || break
		try=$((try + 1))
		sleep 1
		t0=$(now)
	done
	FD_SECS=$(fsub "$(now)" "$t0")
	if [ "$FD_RC" = 124 ] || [ "$FD_RC" = 137 ]; then
		bad "fleetdeck $* finished within ${limit}s" "it was killed by timeout" \
			"stderr: $(head -c 2000 "$out.err")"
	fi
	return 0
}

# json_check FILE DESC JQ-EXPR [jq options...]: ok if the expression is true.
# json_valid FILE: FILE holds exactly one JSON object (jq 1.6 -e accepts an
# empty file, so this is checked explicitly).
json_valid() { [ -s "$1" ] && jq -e -s 'length == 1 and (.[0] | type) == "object"' "$1" >/dev/null 2>&1; }

json_check() {
	local f=$1 desc=$2 expr=$3 res
	shift 3
	if ! json_valid "$f"; then
		bad "$desc" "not one JSON object: $(head -c 300 "$f")"
		return 1
	fi
	if res=$(jq -e "$@" "$expr" "$f" 2>&1); then
		ok "$desc"
	else
		bad "$desc" "jq: $expr" "gave: $(printf '%s' "$res" | head -c 600)" \
			"hosts: $(json_hosts_summary "$f" | head -c 2000)"
		return 1
	fi
}

# One line per host: name status reachable problems.
json_hosts_summary() {
	jq -r '.hosts[]? | "\(.name) status=\(.status) reachable=\(.reachable) problems=\(.problems|tostring)"' "$1" 2>/dev/null ||
		head -c 1500 "$1"
}

# host_field FILE NAME JQ-PATH: prints one host's field (raw).
host_field() { jq -r --arg n "$2" ".hosts[] | select(.name == \$n) | $3" "$1"; }

# --- tmux ----------------------------------------------------------------------

TMUX_SOCK=
TMUX_SESSION=

_tmux() { tmux -L "$TMUX_SOCK" "$@"; }

# tmux_start NAME W H CMD: a detached session on a private server; the pane
# stays (remain-on-exit) after CMD ends so its last screen can be read.
tmux_start() {
	lab_require_tool tmux
	TMUX_SOCK=${TMUX_SOCK:-fdtest-$$}
	TMUX_SESSION=$1
	if [ ! -f "$T/tmux.conf" ]; then
		cat >"$T/tmux.conf" <<'EOF'
set -g default-terminal "tmux-256color"
set -g remain-on-exit on
set -g history-limit 2000
set -g status off
set -g escape-time 10
set -s exit-empty off
EOF
	fi
	_tmux -f "$T/tmux.conf" new-session -d -s "$1" -x "$2" -y "$3" "$4" 9>&- ||
		{ bad "tmux session $1 started"; return 1; }
	_tmux set-option -t "$1" remain-on-exit on >/dev/null 2>&1
}

# tmux_capture [-e]: the visible screen of the current session.
tmux_capture() { _tmux capture-pane -p -t "$TMUX_SESSION" "$@"; }

tmux_send() { _tmux send-keys -t "$TMUX_SESSION" "$@"; }

# tmux_has TEXT: the screen shows TEXT (fixed string).
tmux_has() { tmux_capture | grep -qF -- "$1"; }
tmux_lacks() { ! tmux_has "$1"; }

# tmux_wait_for TEXT [TIMEOUT_S]: waits until the screen shows TEXT.
tmux_wait_for() { wait_for "${2:-10}" tmux_has "$1"; }
tmux_wait_gone() { wait_for "${2:-10}" tmux_lacks "$1"; }

# tmux_wait_line PATTERN-A PATTERN-B [TIMEOUT]: waits for a screen line that
# matches ERE A and ERE B.
_tmux_line() { tmux_capture | grep -E -- "$1" | grep -qE -- "$2"; }
tmux_wait_line() { wait_for "${3:-10}" _tmux_line "$1" "$2"; }

# tmux_cell ROW-ERE HEADER: what the first screen line matching ROW-ERE
# shows under the column headed " HEADER" (as wide as the header word,
# which right-aligned numbers end under), e.g. tmux_cell ' lab1 ' DISK ->
# " 42%". Counted in characters (bash, UTF-8): bars are multibyte.
tmux_cell() {
	local line c=
	while IFS= read -r line; do
		if [ -z "$c" ]; then
			case "$line " in *" $2 "*) line=${line%%" $2 "*}; c=$((${#line} + 1)) ;; esac
			continue
		fi
		[[ $line =~ $1 ]] && { printf '%s\n' "${line:$c:${#2}}"; return 0; }
	done < <(tmux_capture)
	return 1
}

tmux_pane_pid() { _tmux display-message -p -t "$TMUX_SESSION" '#{pane_pid}'; }
tmux_pane_dead() { [ "$(_tmux display-message -p -t "$TMUX_SESSION" '#{pane_dead}')" = 1 ]; }
tmux_resize() { _tmux resize-window -t "$TMUX_SESSION" -x "$1" -y "$2"; }
tmux_kill() { _tmux kill-session -t "${1:-$TMUX_SESSION}" 2>/dev/null; }

# Shows the screen in a failure report.
tmux_show() { tmux_capture 2>&1 | sed 's/[[:space:]]*$//' | sed 's/^/       > /'; }

# fd_tmux NAME W H [ENV=VALUE...] -- ARGS...: runs "$FLEETDECK ARGS" in a tmux
# session NAME through a small script; the pane prints EXITED:<code> when
# fleetdeck ends (stderr goes to $T/NAME.stderr). FD_PID is set to
# fleetdeck's pid once it runs (fd_tmux waits up to 20 s for it).
# fd_sanitizer_build: $FLEETDECK is an ASan build (it links libasan)
fd_sanitizer_build() {
	ldd "$FLEETDECK" 2>/dev/null | grep -q 'libasan'
}

fd_tmux() {
	local name=$1 w=$2 h=$3 s=$T/run-$1.sh n=0
	shift 3
	{
		printf '#!/bin/bash\n'
		while [ $# -gt 0 ] && [ "$1" != -- ]; do printf 'export %q\n' "$1"; shift; done
		[ "${1-}" = -- ] && shift
		printf 'echo $$ >%q\n' "$T/$name.pid"
		printf 'exec 2>%q\n' "$T/$name.stderr"
		printf 'exec %q' "$FLEETDECK"
		printf ' %q' "$@"
		printf '\n'
	} >"$s"
	rm -f "$T/$name.pid"
	# The shell stays a while after fleetdeck ends: tmux 3.3 blanks a dead
	# pane that once used the alternate screen, and the test wants to see
	# what fleetdeck left behind.
	tmux_start "$name" "$w" "$h" "bash $s; echo EXITED:\$?; exec sleep 60" || return 1
	while [ ! -s "$T/$name.pid" ] && [ "$n" -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
	FD_PID=$(cat "$T/$name.pid" 2>/dev/null)
	[ -n "$FD_PID" ] && lab_bg "$FD_PID"
	lab_bg "$(tmux_pane_pid)"   # the pane's shell (later: sleep 60)
}

# lab_tcp_listeners PID: "PID ARGS" of each TCP listener that is PID or one
# of its descendants.
lab_tcp_listeners() {
	local ours p
	ours=" $1 $(_lab_descendants "$1" | tr '\n' ' ') "
	for p in $(ss -ltnpH 2>/dev/null | grep -o 'pid=[0-9]*' | sed 's/.*=//' | sort -u); do
		case $ours in *" $p "*) echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" ;; esac
	done
}

# lab_listen_sampler PID SEEN TCP: samples in the background until
# lab_listen_sampler_stop: a line in file SEEN each time PID has an ssh
# child, and in file TCP (emptied first) each TCP listener of PID or its
# descendants (lab_tcp_listeners) — for "no ssh of ours listens on a port".
lab_listen_sampler() {
	: >"$3"
	(
		while :; do
			pgrep -P "$1" -x ssh >/dev/null && echo seen >>"$2"
			lab_tcp_listeners "$1" >>"$3"
			sleep 0.02
		done
	) &
	_LAB_SAMPLER=$!
	lab_bg "$_LAB_SAMPLER"
}
lab_listen_sampler_stop() { kill "$_LAB_SAMPLER" 2>/dev/null; wait "$_LAB_SAMPLER" 2>/dev/null; }

# fd_alive PID: the process runs (not a zombie).
fd_alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# lab_host_authorized_keys NAME FILE...: restarts lab host NAME (1-based
# index or name) with AuthorizedKeysFile = the lab's shared file plus FILEs,
# so a test can give one host keys of its own (actions: ssh key rotation).
lab_host_authorized_keys() {
	local n hd f files
	n=$(_lab_name "$1") || return 1
	shift
	hd="$LAB_DIR/hosts/$n"
	files="$LAB_DIR/authorized_keys"
	for f in "$@"; do files="$files $f"; done
	sed -i "s|-o 'AuthorizedKeysFile=[^']*'|-o 'AuthorizedKeysFile=$files'|" "$hd/start" || return 1
	_lab_host_stop "$n" && _lab_host_start "$n"
}
