# tests/containers/podman-setup.sh — a private, real Podman for the
# container tests (sourced after tests/lab/lib.sh, inside lab_test_begin).
#
# pm_setup DIR: storage in DIR (runroot in $PM_RUNROOT if set: podman wants
# it under 50 characters) (vfs driver, cgroupfs, no events: nothing of
# the system's podman is touched), an image imported from busybox-static
# (no network pull), and a `podman` wrapper in DIR/bin that uses that
# storage, for lab hosts whose sshd puts DIR/bin first in PATH.
# pm_service: `podman system service --time=0` on DIR/podman.sock (the
# Docker-compatible API), registered for cleanup; waits until it answers.
# pm_once LIMIT FLEET OUT: fleetdeck --once --json -c FLEET into OUT (at most
# LIMIT s), which must be one JSON document (else the test ends there).
# pm_check_three OUT HOST VIA: HOST's containers in OUT are the three every
# podman test creates (web1 --memory 256m, nolimit, tf-worker --memory
# 128m): by name, their limits, and nolimit's "no memory limit" warning.
# pm_create NAME [podman create options]: a container from that image
# running `sleep $PM_SLEEP` (default 1000 s)
# (--network none: the tests need no network stack, whichever one the
# machine has, CNI plugins or netavark).
# Starting containers fails in this sandbox (setrlimit is not permitted to
# the OCI runtime), so containers stay "created"; running-container numbers
# come from recordings in tests/data/containers.

pm_setup() {
	PM_DIR=$1
	lab_require_tool podman busybox curl
	mkdir -p "$PM_DIR/rootfs/bin" "$PM_DIR/bin" "$PM_DIR/xdg" || return 1
	PM_ARGS="--root $PM_DIR/storage --runroot ${PM_RUNROOT:-$PM_DIR/runroot} --storage-driver vfs --cgroup-manager cgroupfs --events-backend none"
	cat >"$PM_DIR/bin/podman" <<W
#!/bin/sh
# test wrapper: the test's private podman storage
XDG_RUNTIME_DIR=$PM_DIR/xdg XDG_CONFIG_HOME=$PM_DIR/xdg; export XDG_RUNTIME_DIR XDG_CONFIG_HOME
exec $(command -v podman) $PM_ARGS "\$@"
W
	chmod 755 "$PM_DIR/bin/podman"
	cp "$(command -v busybox)" "$PM_DIR/rootfs/bin/busybox" || return 1
	ln -sf busybox "$PM_DIR/rootfs/bin/sh"
	ln -sf busybox "$PM_DIR/rootfs/bin/sleep"
	tar -C "$PM_DIR/rootfs" -cf "$PM_DIR/rootfs.tar" . || return 1
	"$PM_DIR/bin/podman" import -q "$PM_DIR/rootfs.tar" localhost/fdbox:latest >/dev/null 2>"$PM_DIR/import.err" ||
		{ printf 'podman import failed: %s\n' "$(head -c 500 "$PM_DIR/import.err")"; return 1; }
}

pm_create() {
	local name=$1
	shift
	"$PM_DIR/bin/podman" create -q --network none --name "$name" "$@" localhost/fdbox:latest sleep "${PM_SLEEP:-1000}" >/dev/null 2>"$PM_DIR/create.err" ||
		{ printf 'podman create %s failed: %s\n' "$name" "$(head -c 500 "$PM_DIR/create.err")"; return 1; }
}

# /_ping is the API's liveness check; /version is not: podman 4.3 answers it
# by running `dpkg -S` on crun and conmon, which takes seconds on a machine
# with many packages installed (8 s seen here), so a 1 s probe never passed.
_pm_answers() { curl -sf --max-time 2 --unix-socket "$PM_DIR/podman.sock" http://d/_ping >/dev/null; }

pm_service() {
	"$PM_DIR/bin/podman" system service --time=0 "unix://$PM_DIR/podman.sock" >"$PM_DIR/service.log" 2>&1 9>&- &
	lab_bg $!
	wait_for 10 _pm_answers || { printf 'podman system service did not answer: %s\n' "$(tail -c 500 "$PM_DIR/service.log")"; return 1; }
}

pm_once() {
	fd_run "$1" "$3" --once --json -c "$2"
	echo "fleetdeck --once --json: exit $FD_RC after ${FD_SECS}s"
	json_valid "$3" || { bad "one JSON document" "$(head -c 1500 "$3")" "$(head -c 800 "$3.err")"; lab_finish; }
}

pm_check_three() {
	local f=$1 h=$2 via=$3
	json_check "$f" "$h ($via): the 3 containers by name" \
		'[.hosts[] | select(.name == $h) | .containers[].name] | sort == ["nolimit","tf-worker","web1"]' --arg h "$h"
	json_check "$f" "$h: web1 mem_limit = 268435456 (256m), tf-worker 134217728 (128m)" \
		'[.hosts[] | select(.name == $h) | .containers[] | select(.name == "web1" or .name == "tf-worker") | .mem_limit] | sort == [134217728, 268435456]' --arg h "$h"
	json_check "$f" "$h: nolimit has mem_limit null, status warn, problem \"no memory limit\"" \
		'.hosts[] | select(.name == $h) | .containers[] | select(.name == "nolimit") | .mem_limit == null and .status == "warn" and (.problems | index("no memory limit"))' --arg h "$h"
}
