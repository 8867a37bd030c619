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
