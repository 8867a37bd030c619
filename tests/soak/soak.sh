#!/bin/bash
# tests/soak/soak.sh — `make soak` (issue #13; not part of make check):
# fleetdeck's dashboard left running for SOAK_MINUTES (default 30) in tmux,
# as a user sees it, on a real lab (4 sshd hosts, a PostgreSQL cluster and a
# restic repository on lab1), while random faults are injected every few
# seconds from a seeded generator (SOAK_SEED; printed, so a run can be
# repeated with the same schedule):
#   sshd-kill   a host's sshd and its session processes SIGKILLed, started
#               again after 3-15 s
#   blackhole   a host's address and port dropped by an nftables table of
#               ours for 5-20 s (its session and reconnects hang)
#   sigstop     a host's sshd and sessions SIGSTOPped for 5-20 s, then SIGCONT
#   hung-probe  the host's df hangs (a sleep child) for 35-50 s (df runs at
#               its own 30 s cadence)
#   pg-restart  PostgreSQL stopped (immediate) and started 2-10 s later
#   resize      100 terminal resizes, then back to 120x30
# One fault at a time per host (and for PostgreSQL); several hosts can be
# down at once. Every 10 s fleetdeck's RSS, open fds and threads (/proc) and
# the screen's clock are recorded.
#
# The reference for RSS and fds is taken after the warm-up (the first 5
# minutes, a fifth of shorter runs): faults are paused, every host ok again,
# and the median of 5 samples is taken; the same is done after the last
# fault. What fails the soak, each said in words:
#   - fleetdeck died, or its clock stood still (no frame) for 20 s;
#   - after the last fault, a host (or the whole fleet: database, backup,
#     alerts) not ok again within SOAK_RECOVER_S (150 s: the SSH backoff cap
#     of 60 s + the backups' 60 s cadence + 30 s; scaled in a sanitizer
#     build);
#   - RSS at the end more than 10 % above the reference, or the open fd
#     count more than 10 % off it;
#   - q does not end fleetdeck with status 0, or any sanitizer report (ASan,
#     UBSan, LSan at exit) in a --enable-sanitizers build.
#
#   make soak [SOAK_MINUTES=30] [SOAK_SEED=N]
#   sudo SOAK_MINUTES=3 tests/soak/soak.sh       (from a built source tree)
# Logs: SOAK_OUT (default tests/soak/out in the build tree)/DATE-seedN/:
# soak.log (what this prints), samples.tsv, faults.tsv, the last screen,
# fleetdeck's stderr. Needs root (the lab), tmux and nft; PostgreSQL and
# restic when installed. LAB_NET 88 (addresses 127.0.88.x, 10.250 unused).
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=88

MINUTES=${SOAK_MINUTES:-30}
case $MINUTES in ''|*[!0-9]*|0) echo "soak: SOAK_MINUTES must be a whole number of minutes (>= 1), not '$MINUTES'" >&2; exit 2 ;; esac
SEED=${SOAK_SEED:-}
[ -n "$SEED" ] || SEED=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') + 1 ))
case $SEED in *[!0-9]*) echo "soak: SOAK_SEED must be a number, not '$SEED'" >&2; exit 2 ;; esac
TOTAL_S=$((MINUTES * 60))
WARM_S=$((TOTAL_S / 5)); [ "$WARM_S" -gt 300 ] && WARM_S=300; [ "$WARM_S" -lt 20 ] && WARM_S=20
MAIN_S=$((TOTAL_S - WARM_S))
NHOSTS=4
W=120 H=30

lab_test_begin soak $((TOTAL_S + 900))
lab_require_root "the soak's lab runs sshd on loopback addresses and needs root"
lab_require_tool tmux nft od
RECOVER_S=$(lab_scaled "${SOAK_RECOVER_S:-150}")

OUT=${SOAK_OUT:-$TOP_BUILDDIR/tests/soak/out}/$(date -u +%Y%m%dT%H%MZ)-seed$SEED
mkdir -p "$OUT" || exit 1
exec > >(tee -a "$OUT/soak.log") 2>&1
TEE_PID=$!

# ms since the epoch in NOW (no fork)
tick() { NOW=${EPOCHREALTIME/./}; NOW=$((NOW / 1000)); }
stamp() { printf '%(%H:%M:%S)T' -1; }
say() { printf '%s %s\n' "$(stamp)" "$*"; }
tick; START=$NOW
el() { tick; printf '%d.%d' $(((NOW - START) / 1000)) $(((NOW - START) % 1000 / 100)); }

say "soak: $MINUTES min (warm-up $WARM_S s, then $MAIN_S s), SOAK_SEED=$SEED, $NHOSTS hosts, LAB_NET $LAB_NET"
say "soak: repeat this schedule with SOAK_SEED=$SEED; logs in $OUT"
say "soak: machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
say "soak: fleetdeck $("$FLEETDECK" --version 2>/dev/null | head -1) ($FLEETDECK)"

# --- the lab -------------------------------------------------------------------
# every host's PATH starts with $T/bin: its df hangs while $T/hang/ADDR exists
# (ADDR = the host's address, from the session's SSH_CONNECTION)
HANG=fdsoak${LAB_NET}hang
mkdir -p "$T/bin" "$T/hang"
cp "$(command -v sleep)" "$T/bin/$HANG"
cat >"$T/bin/df" <<EOF
#!/bin/sh
a=\${SSH_CONNECTION#* * }; a=\${a%% *}
if [ -e "$T/hang/\$a" ]; then "$T/bin/$HANG" 600; exit 1; fi
exec /bin/df "\$@"
EOF
chmod +x "$T/bin/df"
LAB_SSHD_SETENV="PATH=$T/bin:/usr/local/bin:/usr/bin:/bin"
lab_up $NHOSTS
[ "$LAB_NET" = 88 ] || say "soak: LAB_NET 88 is taken, using $LAB_NET"
sed -i '/^\[host lab[0-9]*\]/a containers = none\ngpus = none' "$LAB_FLEET"

PG=0
. "$TOP_SRCDIR/tests/databases/pglab.sh"
if [ -x "$PG_BIN/initdb" ] && id postgres >/dev/null 2>&1; then
	PGA=127.0.$LAB_NET.10 PGP=$(lab_free_port $((5400 + LAB_NET)))
	pglab_start "$PGA" "$PGP"
	PG=1
	cat >>"$LAB_FLEET" <<EOF

[database pg]
dsn = host=$PGA port=$PGP dbname=postgres user=monitor
password_file = $T/pgpass
EOF
	say "soak: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PGA:$PGP"
else
	say "soak: no PostgreSQL here (initdb, user postgres): no database, no pg-restart faults"
fi
if command -v restic >/dev/null; then
	mkdir -p "$T/saved" && echo data >"$T/saved/file"
	( umask 077; printf 'soak-%s\n' "$$" >"$T/restic.pass" )
	if restic init -q -r "$T/restic" --password-file "$T/restic.pass" >/dev/null 2>&1 &&
	   restic backup -q -r "$T/restic" --password-file "$T/restic.pass" "$T/saved" >/dev/null 2>&1; then
		cat >>"$LAB_FLEET" <<EOF

[backup restic]
source = restic
host = lab1
repo = $T/restic
password_file = $T/restic.pass
rpo = 1h
EOF
		say "soak: restic repository on lab1 (one snapshot of now, rpo 1h)"
	fi
fi

# --- faults ----------------------------------------------------------------------
tree_of() {  # sshd listener of host $1 and all its descendants
	local p
	p=$(cat "$(eval "echo \"\$LAB_HOST_${1}_PIDFILE\"")" 2>/dev/null) || return 0
	_lab_pid_is "$p" "$(eval "echo \"\$LAB_HOST_${1}_DIR\"")/" || return 0
	echo "$p $(_lab_descendants "$p")"
}
nft_table() { echo "fdsoak${LAB_NET}h$1"; }
hang_pids() {
	local s p
	for s in /proc/[0-9]*/stat; do
		{ read -r p c _ <"$s"; } 2>/dev/null || continue
		[ "$c" = "($HANG)" ] && echo "$p"
	done
}
declare -a STOPPED

fault_do() {  # KIND HOST: inject
	local h=$2 p k victims
	case $1 in
	sshd-kill)
		p=$(cat "$(eval "echo \"\$LAB_HOST_${h}_PIDFILE\"")" 2>/dev/null)
		[ -n "$p" ] || return 0
		victims=$p
		for k in $(_lab_descendants "$p"); do
			[ "$(cat "/proc/$k/comm" 2>/dev/null)" = sshd ] && victims="$victims $k"
		done
		# shellcheck disable=SC2086
		[ -n "$victims" ] && kill -KILL $victims 2>/dev/null ;;
	blackhole)
		local t a P
		t=$(nft_table "$h") a=$(lab_addr "$h") P=$(lab_port "$h")
		nft add table inet "$t" &&
		nft "add chain inet $t in { type filter hook input priority -10; }" &&
		nft "add rule inet $t in ip daddr $a tcp dport $P drop" &&
		nft "add rule inet $t in ip saddr $a tcp sport $P drop" ;;
	sigstop)
		STOPPED[$h]=$(tree_of "$h")
		# shellcheck disable=SC2086
		kill -STOP ${STOPPED[$h]} 2>/dev/null ;;
	hung-probe) touch "$T/hang/$(lab_addr "$h")" ;;
	pg-restart) pglab_stop ;;
	resize)
		# 100 resizes from one tmux command line: as fast as tmux applies them
		local i a=()
		for i in $(seq 1 50); do
			a+=(resize-window -t "$TMUX_SESSION" -x $((20 + i * 3)) -y $((6 + i)) \;)
			a+=(resize-window -t "$TMUX_SESSION" -x $((200 - i * 3)) -y $((60 - i)) \;)
		done
		_tmux "${a[@]}" resize-window -t "$TMUX_SESSION" -x $W -y $H ;;
	esac
}

fault_undo() {  # KIND HOST
	local h=$2
	case $1 in
	sshd-kill) lab_start_host "$h" >/dev/null 2>&1 || { sleep 1; lab_start_host "$h"; } ||
		say "soak: WARNING: lab$h's sshd did not start again" ;;
	blackhole) nft delete table inet "$(nft_table "$h")" 2>/dev/null ;;
	sigstop)
		# shellcheck disable=SC2086
		kill -CONT ${STOPPED[$h]} $(tree_of "$h") 2>/dev/null
		STOPPED[$h]= ;;
	hung-probe) rm -f "$T/hang/$(lab_addr "$h")" ;;
	pg-restart) pglab_startonly || { sleep 1; pglab_startonly; } || say "soak: WARNING: PostgreSQL did not start again" ;;
	esac
}

# Everything undone, whatever happens (also on failure and interrupt)
undo_all() {
	local h
	for h in $(seq 1 $NHOSTS); do
		nft delete table inet "$(nft_table "$h")" 2>/dev/null
		# shellcheck disable=SC2086
		[ -n "${STOPPED[$h]:-}" ] && kill -CONT ${STOPPED[$h]} 2>/dev/null
	done
	rm -f "$T"/hang/* 2>/dev/null
	# shellcheck disable=SC2046
	kill -KILL $(hang_pids) 2>/dev/null
}
soak_cleanup() {
	local rc=$?
	undo_all
	pglab_stop
	[ -n "${FD_PID:-}" ] && fd_alive "$FD_PID" && [ -n "${OUT:-}" ] && tmux_capture >"$OUT/screen-last.txt" 2>/dev/null
	[ -n "${OUT:-}" ] && [ -f "$T/ui.stderr" ] && cp "$T/ui.stderr" "$OUT/fleetdeck.stderr"
	(exit $rc)
	_lab_cleanup
}
trap soak_cleanup EXIT

# --- the schedule (from the seed only) -----------------------------------------------
# One list per phase: start (ms into the phase), kind, host (0: the database,
# or none), duration (ms). A host fault goes to a host free at that moment of
# the schedule; if none is, it becomes a resize storm.
RANDOM=$SEED
rnd() { R=$(($1 + RANDOM % ($2 - $1 + 1))); }
declare -a S_PHASE S_AT S_KIND S_HOST S_DUR
gen_phase() {  # PHASE LENGTH_S
	local t=0 len=$(($2 * 1000)) kind h n i
	local -a free
	local -a busy=(0 0 0 0 0 0 0 0 0)
	while :; do
		rnd 2000 6000; t=$((t + R))
		[ "$t" -lt "$len" ] || break
		rnd 0 99
		if [ "$R" -lt 22 ]; then kind=sshd-kill
		elif [ "$R" -lt 42 ]; then kind=blackhole
		elif [ "$R" -lt 62 ]; then kind=sigstop
		elif [ "$R" -lt 72 ]; then kind=hung-probe
		elif [ "$R" -lt 85 ]; then kind=pg-restart
		else kind=resize; fi
		h=0
		case $kind in
		pg-restart) [ "$PG" = 1 ] && [ "${busy[0]}" -le "$t" ] || kind=resize ;;
		resize) ;;
		*)
			free=()
			for ((i = 1; i <= NHOSTS; i++)); do [ "${busy[$i]}" -le "$t" ] && free+=("$i"); done
			if [ "${#free[@]}" = 0 ]; then kind=resize; else
				rnd 0 $((${#free[@]} - 1)); h=${free[$R]}
			fi ;;
		esac
		case $kind in
		sshd-kill) rnd 3000 15000 ;;
		blackhole|sigstop) rnd 5000 20000 ;;
		hung-probe) rnd 35000 50000 ;;
		pg-restart) rnd 2000 10000 ;;
		resize) R=0 ;;
		esac
		# a host is free again 3 s after its fault ends (it reconnects)
		[ "$kind" = resize ] || busy[$h]=$((t + R + 3000))
		n=${#S_AT[@]}
		S_PHASE[$n]=$1 S_AT[$n]=$t S_KIND[$n]=$kind S_HOST[$n]=$h S_DUR[$n]=$R
	done
}
gen_phase warm-up $WARM_S
gen_phase main $MAIN_S
printf 'n\tphase\tplanned_s\tkind\ttarget\tduration_s\tstarted_s\tended_s\tshown\n' >"$OUT/faults.tsv"
say "soak: $(printf '%s\n' "${S_KIND[@]}" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}') scheduled (${#S_AT[@]} faults)"

# --- the dashboard -----------------------------------------------------------------
screen_clock() { tmux_capture 2>/dev/null | head -1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *$' | tr -d ' '; }
host_ok() { tmux_capture | grep -qE "^ *OK +lab$1 "; }
all_hosts_ok() { local i; for i in $(seq 1 $NHOSTS); do host_ok "$i" || return 1; done; }
fleet_ok() { local s; s=$(tmux_capture) || return 1
	printf '%s\n' "$s" | head -1 | grep -qE '^ *[^ ]+ +OK ' && printf '%s\n' "$s" | grep -qF 'No open alerts'; }
drawn_whole() {  # the header, the tab bar and every host's row
	local s i
	s=$(tmux_capture) || return 1
	printf '%s\n' "$s" | head -1 | grep -qE '^ lab +[A-Z]+ +Overview' &&
		printf '%s\n' "$s" | grep -qF ' 1 Overview  2 Topology' || return 1
	for i in $(seq 1 $NHOSTS); do printf '%s\n' "$s" | grep -qE "^ *[A-Z]+ +lab$i " || return 1; done
}
target_shown() {  # HOST|0: its row (or an alert naming pg) is not ok now
	if [ "$1" = 0 ]; then tmux_capture | grep -qE '(^| |/)pg( |:|$)'
	else tmux_capture | grep -E " lab$1 " | grep -vqE '^ *OK '; fi
}

fd_tmux ui $W $H -- -c "$LAB_FLEET"
[ -n "$FD_PID" ] || { bad "fleetdeck started in tmux" "$(cat "$T/ui.stderr" 2>/dev/null)"; lab_finish; }
if wait_for 30 all_hosts_ok; then ok "all $NHOSTS hosts ok on the dashboard ($(el) s)"
else bad "all $NHOSTS hosts ok on the dashboard at the start" "$(tmux_show)"; lab_finish; fi
wait_for 30 fleet_ok || say "soak: note: the fleet is not all ok at the start: $(tmux_capture | head -1)"

# --- samples -----------------------------------------------------------------------
printf 't_s\trss_kb\tfds\tthreads\tload1\tclock\tfaults_active\n' >"$OUT/samples.tsv"
LAST_CLOCK= CLOCK_SAME_SINCE= STALLS=0
sample() {  # appends one line; sets S_RSS S_FDS
	local st
	tick
	S_RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$FD_PID/status" 2>/dev/null)
	st=$(awk '/^Threads:/ {print $2}' "/proc/$FD_PID/status" 2>/dev/null)
	S_FDS=$(ls "/proc/$FD_PID/fd" 2>/dev/null | wc -l)
	S_CLOCK=$(screen_clock)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(el)" "$S_RSS" "$S_FDS" "$st" "$(cut -d' ' -f1 /proc/loadavg)" \
		"$S_CLOCK" "$ACTIVE" >>"$OUT/samples.tsv"
	if [ -n "$S_CLOCK" ] && [ "$S_CLOCK" != "$LAST_CLOCK" ]; then
		LAST_CLOCK=$S_CLOCK CLOCK_SAME_SINCE=$NOW
	elif [ $((NOW - CLOCK_SAME_SINCE)) -ge 20000 ]; then
		STALLS=$((STALLS + 1))
		bad "the dashboard draws: its clock stood still at '$S_CLOCK' for $(((NOW - CLOCK_SAME_SINCE) / 1000)) s (at $(el) s)" "$(tmux_show)"
		CLOCK_SAME_SINCE=$NOW
	fi
}
# quiet_ref NAME: the median of 5 samples 1 s apart in REF_RSS / REF_FDS
quiet_ref() {
	local i rs="" fs=""
	for i in 1 2 3 4 5; do
		sample; rs="$rs $S_RSS" fs="$fs $S_FDS"
		sleep 1
	done
	REF_RSS=$(printf '%s\n' $rs | sort -n | sed -n 3p)
	REF_FDS=$(printf '%s\n' $fs | sort -n | sed -n 3p)
	say "soak: $1: RSS $REF_RSS kB, $REF_FDS fds (median of 5: RSS$rs; fds$fs)"
}

alive_or_die() {
	fd_alive "$FD_PID" && return 0
	bad "fleetdeck is still running (it died at $(el) s into the soak)" \
		"its stderr: $(tail -c 3000 "$T/ui.stderr" 2>/dev/null)" "$(tmux_show)"
	lab_finish
}

tick; CLOCK_SAME_SINCE=$NOW ACTIVE=0 LAG_MAX=0
quiet_ref "start (all ok, before any fault)"
START_RSS=$REF_RSS START_FDS=$REF_FDS
declare -A DONE_KIND SHOWN_KIND
declare -a ACT_END ACT_KIND ACT_N

run_phase() {  # PHASE LENGTH_S
	local phase=$1 len=$(($2 * 1000)) t0 k next_sample h
	tick; t0=$NOW next_sample=$NOW LAG_MAX=0
	k=0
	while [ "$k" -lt "${#S_AT[@]}" ] && [ "${S_PHASE[$k]}" != "$phase" ]; do k=$((k + 1)); done
	say "soak: phase $phase: $2 s of faults"
	while :; do
		tick
		[ $((NOW - t0)) -lt "$len" ] || break
		alive_or_die
		for h in $(seq 0 $NHOSTS); do
			[ "${ACT_END[$h]:-0}" -gt 0 ] && [ "$NOW" -ge "${ACT_END[$h]}" ] && end_fault "$h"
		done
		# one fault per turn: behind schedule (a loaded machine: restarts
		# and storms take seconds), the loop still ends faults and samples
		if [ "$k" -lt "${#S_AT[@]}" ] && [ "${S_PHASE[$k]}" = "$phase" ] &&
			[ $((NOW - t0)) -ge "${S_AT[$k]}" ]; then
			[ $((NOW - t0 - S_AT[k])) -gt "$LAG_MAX" ] && LAG_MAX=$((NOW - t0 - S_AT[k]))
			start_fault "$k"
			k=$((k + 1))
			tick
		fi
		if [ "$NOW" -ge "$next_sample" ]; then
			sample
			next_sample=$((NOW + 10000))
		fi
		sleep 0.5
	done
	for h in $(seq 0 $NHOSTS); do
		[ "${ACT_END[$h]:-0}" -gt 0 ] && end_fault "$h"
	done
	[ "$k" -lt "${#S_AT[@]}" ] && [ "${S_PHASE[$k]}" = "$phase" ] &&
		say "soak: phase $phase: the machine was too slow for the schedule: $(for ((i = k; i < ${#S_AT[@]}; i++)); do [ "${S_PHASE[$i]}" = "$phase" ] && echo; done | wc -l) of its faults not injected"
	say "soak: phase $phase: faults started up to $((LAG_MAX / 1000)) s after their planned time"
	return 0
}
start_fault() {
	local k=$1 h=${S_HOST[$1]} kind=${S_KIND[$1]} tgt
	tgt=lab$h; [ "$h" = 0 ] && tgt=pg; [ "$kind" = resize ] && tgt=terminal
	# a loaded machine runs late: the target's previous fault (planned to
	# be over) is ended first, never two at once on one target
	[ "$kind" != resize ] && [ "${ACT_END[$h]:-0}" -gt 0 ] && end_fault "$h"
	FSTART[$k]=$(el)
	fault_do "$kind" "$h"
	DONE_KIND[$kind]=$((${DONE_KIND[$kind]:-0} + 1))
	if [ "$kind" = resize ]; then
		# shown = drawn again at 120x30, nothing past the edge
		local shown=no
		wait_for 5 drawn_whole &&
			tmux_capture | LC_ALL=C.UTF-8 sed 's/./x/g' | awk -v w=$W 'length > w { b = 1 } END { exit b }' && shown=yes
		[ "$shown" = yes ] && SHOWN_KIND[$kind]=$((${SHOWN_KIND[$kind]:-0} + 1))
		printf '%d\t%s\t%d.%03d\t%s\t%s\t0\t%s\t%s\t%s\n' "$k" "${S_PHASE[$k]}" $((S_AT[k] / 1000)) $((S_AT[k] % 1000)) \
			"$kind" "$tgt" "${FSTART[$k]}" "$(el)" "$shown" >>"$OUT/faults.tsv"
		[ "$shown" = yes ] || bad "after a resize storm (fault $k) the screen is drawn whole again within ${W}x$H" "a garbled screen stays until something redraws it (Ctrl-L)" "$(tmux_show)"
		return 0
	fi
	tick
	ACT_END[$h]=$((NOW + S_DUR[k])) ACT_KIND[$h]=$kind ACT_N[$h]=$k
	ACTIVE=$((ACTIVE + 1))
}
end_fault() {
	local h=$1 k=${ACT_N[$1]} kind=${ACT_KIND[$1]} shown=no tgt
	tgt=lab$h; [ "$h" = 0 ] && tgt=pg
	target_shown "$h" && shown=yes
	fault_undo "$kind" "$h"
	[ "$shown" = yes ] && SHOWN_KIND[$kind]=$((${SHOWN_KIND[$kind]:-0} + 1))
	printf '%d\t%s\t%d.%03d\t%s\t%s\t%d.%d\t%s\t%s\t%s\n' "$k" "${S_PHASE[$k]}" $((S_AT[k] / 1000)) $((S_AT[k] % 1000)) \
		"$kind" "$tgt" $((S_DUR[k] / 1000)) $((S_DUR[k] % 1000 / 100)) "${FSTART[$k]}" "$(el)" "$shown" >>"$OUT/faults.tsv"
	ACT_END[$h]=0
	ACTIVE=$((ACTIVE - 1))
}

# recover WHAT: after the faults of a phase: every host ok, then the fleet
recover() {
	local t0
	tick; t0=$NOW
	if wait_for "$RECOVER_S" all_hosts_ok; then
		tick; say "soak: $1: every host ok again $(((NOW - t0) / 1000)).$(((NOW - t0) % 1000 / 100)) s after the last fault"
		RECOVER_HOSTS=$(((NOW - t0) / 1000))
	else
		bad "$1: every host ok again within $RECOVER_S s of the last fault" \
			"not ok: $(for i in $(seq 1 $NHOSTS); do host_ok "$i" || printf 'lab%s ' "$i"; done)" "$(tmux_show)"
		return 1
	fi
	if wait_for "$RECOVER_S" fleet_ok; then
		tick; say "soak: $1: the whole fleet ok (header OK, no open alerts) $(((NOW - t0) / 1000)).$(((NOW - t0) % 1000 / 100)) s after the last fault"
		RECOVER_FLEET=$(((NOW - t0) / 1000))
	else
		bad "$1: the whole fleet (database, backup, alerts) ok again within $RECOVER_S s of the last fault" "$(tmux_show)"
		return 1
	fi
	sleep 3
}

run_phase warm-up $WARM_S
recover "after the warm-up" || say "soak: the reference below is taken with something not ok"
quiet_ref "reference (after the $WARM_S s warm-up, all ok again)"
WARM_RSS=$REF_RSS WARM_FDS=$REF_FDS
run_phase main $MAIN_S
alive_or_die
recover "after the last fault"
quiet_ref "end (after the last fault, all ok again)"
END_RSS=$REF_RSS END_FDS=$REF_FDS
tmux_capture >"$OUT/screen-end.txt"

# --- verdict ---------------------------------------------------------------------------
alive_or_die
c1=$(screen_clock)
wait_for 10 eval '[ "$(screen_clock)" != "$c1" ]'; c2=$(screen_clock)
[ -n "$c1" ] && [ "$c1" != "$c2" ] && ok "the dashboard still draws at the end (clock $c1 -> $c2)" ||
	bad "the dashboard still draws at the end: its clock moves" "'$c1' then '$c2'" "$(tmux_show)"
[ "$STALLS" = 0 ] && ok "its clock never stood still for 20 s during the soak" ||
	bad "its clock never stood still for 20 s during the soak ($STALLS times; see above)"

MAX_RSS=$(awk -F'\t' 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$OUT/samples.tsv")
MAX_FDS=$(awk -F'\t' 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$OUT/samples.tsv")
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (b > 0 ? 100 * (a - b) / b : 0) }'; }
say "soak: RSS kB: start $START_RSS, reference $WARM_RSS, end $END_RSS ($(pct "$END_RSS" "$WARM_RSS") % of the reference), max $MAX_RSS"
say "soak: fds:    start $START_FDS, reference $WARM_FDS, end $END_FDS ($(pct "$END_FDS" "$WARM_FDS") % of the reference), max $MAX_FDS"
if awk -v e="$END_RSS" -v r="$WARM_RSS" 'BEGIN { exit !(e <= r * 1.10) }'; then
	ok "RSS at the end within 10 % of the reference after the warm-up ($WARM_RSS -> $END_RSS kB, $(pct "$END_RSS" "$WARM_RSS") %)"
else
	bad "RSS at the end within 10 % of the reference after the warm-up" \
		"fleetdeck grew from $WARM_RSS kB (after the warm-up) to $END_RSS kB ($(pct "$END_RSS" "$WARM_RSS") %) over $((MAIN_S / 60)) min of faults: likely a leak." \
		"Samples: $OUT/samples.tsv. A sanitizer build (./configure --enable-sanitizers; make soak) names the leak at exit (LeakSanitizer)."
fi
if awk -v e="$END_FDS" -v r="$WARM_FDS" 'BEGIN { d = e - r; if (d < 0) d = -d; exit !(d <= r * 0.10) }'; then
	ok "open fds at the end within 10 % of the reference ($WARM_FDS -> $END_FDS)"
else
	bad "open fds at the end within 10 % of the reference ($WARM_FDS -> $END_FDS)" \
		"fleetdeck holds $END_FDS fds against $WARM_FDS after the warm-up, with the same hosts up: a leaked (more) or lost (fewer) connection or pipe." \
		"Now: $(ls -l "/proc/$FD_PID/fd" 2>/dev/null | awk 'NR > 1 {print $NF}' | sed 's/:\[.*//' | sort | uniq -c | tr '\n' ' ')"
fi

tmux_send q
if wait_for 10 tmux_has "EXITED:"; then
	code=$(tmux_capture | grep -oE 'EXITED:[0-9]+' | head -1)
	[ "$code" = EXITED:0 ] && ok "q ends fleetdeck with status 0" ||
		bad "q ends fleetdeck with status 0 ($code)" "a sanitizer build exits non-zero after a report: see below" "$(tail -c 2000 "$T/ui.stderr")"
else
	bad "q ends fleetdeck within 10 s" "$(tmux_show)"
fi
# sanitizer reports: the files of tests/sanitized's log_path (make soak), or
# fleetdeck's stderr when run without it
san_path=$(printf '%s' "${ASAN_OPTIONS:-}" | tr ':' '\n' | sed -n 's/^log_path=//p' | head -1)
reports=
[ -n "$san_path" ] && reports=$(ls "$san_path".* 2>/dev/null)
if [ -n "$reports" ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/ui.stderr" 2>/dev/null; then
	bad "no sanitizer report" "fleetdeck had a memory error, undefined behaviour or a leak: ${reports:-see $OUT/fleetdeck.stderr}" \
		"$(for r in $reports; do sed -n 1,30p "$r"; done)"
else
	ok "no sanitizer report$( [ -n "$san_path" ] && echo " (reports would be in $san_path.*)")"
fi

say "soak: faults injected (shown = the target was not ok on screen when the fault ended; resize: drawn again within ${W}x$H):"
for kind in sshd-kill blackhole sigstop hung-probe pg-restart resize; do
	[ -n "${DONE_KIND[$kind]:-}" ] && printf '   %-11s %4d injected, %4d shown\n' "$kind" "${DONE_KIND[$kind]}" "${SHOWN_KIND[$kind]:-0}"
done
say "soak: largest gap between two samples (the waits for recovery included): $(awk -F'\t' 'NR > 2 && $1 - p > m { m = $1 - p } NR > 1 { p = $1 } END { printf "%.0f", m }' "$OUT/samples.tsv") s"
say "soak: recovery after the last fault: hosts ${RECOVER_HOSTS:-?} s, whole fleet ${RECOVER_FLEET:-?} s (bound $RECOVER_S s)"
say "soak: load at the end $(cut -d' ' -f1-3 /proc/loadavg); SOAK_SEED=$SEED; logs in $OUT"
lab_finish
