#!/bin/bash
# hostile_text.sh — issue #12 item 4: remote text is inert everywhere. A
# lying lab host ("liar", a real sshd whose ForceCommand bind-mounts a file
# over /proc/sys/kernel/osrelease in its own mount namespace, with a STAND-IN
# `docker` CLI and a STAND-IN `nvidia-smi` on its PATH) names its kernel,
# container, image, GPU and GPU process with ESC ] 0;title BEL (retitle the
# terminal), ESC [ 2J (clear it), C1 CSI (raw 0x9b and U+009B), the bidi
# override U+202E and isolate U+2067, and 100 kB of text. Then:
#  - --once --json is valid, `jq -r` of every string prints no control, C1
#    or bidi character, and the names are still there (cleaned, not lost);
#  - --once text (piped, as through `cat -v`) has no control byte at all;
#  - the TUI's pane title stays ours, its screen keeps our header and rows,
#    and holds no bidi control, in the Overview, RAM, GPUs and detail views.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=94
lab_test_begin hostile_text 90
lab_require_tool tmux python3 unshare
mkdir -p "$T/bin" "$T/gpus"
# the hostile text: retitle, clear, C1 CSI in both forms, RLO, RLI
python3 - "$T" <<'EOF'
import json, sys
T = sys.argv[1]
evil = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e\u2067evil"
big = "B" * 100000
open(T + "/osrelease", "wb").write(b"6.1.0-liar\x1b]0;pwned\x07\x1b[2J\x9b31m\xe2\x80\xaekernel\n")
ins = [{"Id": "c0ffee" * 10 + "abcd", "Name": "/" + evil + "-ctr" + big,
        "State": {"Status": "running", "Running": True, "Pid": 0},
        "Image": "sha256:00", "RestartCount": 0, "HostConfig": {"Memory": 0},
        "Config": {"Image": evil + "-img"}}]
open(T + "/inspect.json", "w").write(json.dumps(ins))
ev = evil.encode() + b"\x9b"
open(T + "/gpus/liar.query.csv", "wb").write(
    b"0, GPU-11111111-2222-3333-4444-555555555555, " + ev + b"-gpu" + b"G" * 100000 +
    b", 10, 100, 1000, 40, 50.00, 100.00\n")
open(T + "/gpus/liar.apps.csv", "wb").write(
    b"GPU-11111111-2222-3333-4444-555555555555, 4242, " + ev + b"-proc" + b"P" * 100000 + b", 50\n")
EOF
cat >"$T/bin/docker" <<EOF
#!/bin/sh
# STAND-IN docker CLI: one container, its inspect answer from a file
case "\$1" in
ps) echo c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ffeeabcd ;;
inspect) cat '$T/inspect.json' ;;
*) echo "stand-in docker: \$*" >&2; exit 1 ;;
esac
EOF
chmod +x "$T/bin/docker"
cp "$TOP_SRCDIR/tests/services/fake-nvidia-smi" "$T/bin/nvidia-smi"
echo liar >"$T/gpus/current"
LAB_SSHD_SETENV="PATH=$T/bin:/usr/local/bin:/usr/bin:/bin FAKE_SMI_DATA=$T/gpus"
lab_up 1
lab_add_host_with_forcecommand liar \
	"exec unshare -m sh -c 'mount --bind $T/osrelease /proc/sys/kernel/osrelease && exec sh'"
sed -i '/^\[host lab1\]/a containers = none\ngpus = none' "$LAB_FLEET"
sed -i '/^\[host liar\]/a containers = docker\ngpus = nvidia' "$LAB_FLEET"

# control characters (C0 but tab/newline, DEL), C1 as UTF-8, bidi controls
BAD_RE=$'[\x01-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xe2\x80[\x8e\x8f]'
has_bad() { LC_ALL=C grep -aqE "$BAD_RE" "$1"; }
valid_utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }

F=$T/out.json
fd_run 40 "$F" --once --json -c "$LAB_FLEET"
echo "--once --json took ${FD_SECS}s"
json_valid "$F" || { bad "--once --json is one valid JSON object" "$(head -c 600 "$F")" "$(head -c 600 "$F.err")"; lab_finish; }
ok "--once --json is one valid JSON object ($(wc -c <"$F") bytes)"
json_check "$F" "liar: kernel, container, image, GPU and process names are kept (cleaned)" \
	'(.hosts[] | select(.name == "liar")) as $h | ($h.kernel | test("liar.*kernel"))
	 and ($h.containers[0].name | test("evil-ctrBBB")) and ($h.containers[0].image | test("evil-img"))
	 and ($h.gpus[0].name | test("evil.*-gpuGGG")) and ($h.gpus[0].processes[0].name | test("evil.*-procPPP"))'
jq -r '.. | strings' "$F" >"$T/strings.txt"
has_bad "$T/strings.txt" && bad "jq -r of every JSON string prints no control, C1 or bidi character" \
	"$(LC_ALL=C grep -naE "$BAD_RE" "$T/strings.txt" | cut -c1-200 | cat -v | head -5)" ||
	ok "jq -r of every JSON string prints no control, C1 or bidi character"
check "the JSON is valid UTF-8" valid_utf8 "$F"

fd_run 40 "$T/once.txt" --once -c "$LAB_FLEET"
echo "--once took ${FD_SECS}s"
grep -q '^liar\|  liar  ' "$T/once.txt" && ok "--once lists liar" || bad "--once lists liar" "$(head -c 800 "$T/once.txt")"
cat -v "$T/once.txt" >"$T/once.v"
if has_bad "$T/once.txt" || ! valid_utf8 "$T/once.txt" || grep -q '\^\[\|\^G\|M-\^' "$T/once.v"; then
	bad "--once | cat -v shows no control byte" "$(grep -n '\^\[\|\^G\|M-\^' "$T/once.v" | cut -c1-200 | head -5)"
else
	ok "--once | cat -v shows no control byte"
fi

# The TUI: our title, our screen, in every view that shows the liar's names
screen_ours() {  # DESC: the title is not the host's, the header is ours, no bidi on screen
	local title
	sleep 1   # a few frames with the hostile text on screen
	title=$(_tmux display-message -p -t "$TMUX_SESSION" '#{pane_title}')
	[ "$title" != pwned ] && ok "$1: pane title stays ours ('$title')" || bad "$1: pane title stays ours" "it became '$title'"
	tmux_capture >"$T/screen.txt"
	has_bad "$T/screen.txt" && bad "$1: no control or bidi character on screen" "$(cat -v "$T/screen.txt" | head -5)" ||
		ok "$1: no control or bidi character on screen"
	head -n 1 "$T/screen.txt" | grep -q 'fleetdeck\|lab' && ok "$1: our header is still on the first line" ||
		bad "$1: our header is still on the first line (ESC [ 2J did not clear it)" "$(tmux_show)"
}
fd_tmux ui 160 40 -- -c "$LAB_FLEET"
wait_for 15 eval 'tmux_has liar && tmux_has lab1' && ok "Overview lists lab1 and liar" || bad "Overview lists lab1 and liar" "$(tmux_show)"
screen_ours "Overview"
tmux_send Down
tmux_send Enter
# each view is read once its own title or lines are drawn, not while the
# previous one (which names the liar too) is still on screen
wait_for 5 tmux_has "Overview > liar" && ok "liar's detail" || bad "liar's detail" "$(tmux_show)"
screen_ours "Detail"
tmux_send Escape
tmux_send 3
wait_for 10 eval 'tmux_has "RAM by container" && tmux_has pwned' && ok "RAM view shows the (cleaned) container" ||
	bad "RAM view shows the (cleaned) container" "$(tmux_show)"
screen_ours "RAM view"
tmux_send 4
wait_for 10 eval 'tmux_has "liar  GPU 0" && tmux_has pwned' && ok "GPUs view shows the (cleaned) GPU" ||
	bad "GPUs view shows the (cleaned) GPU" "$(tmux_show)"
screen_ours "GPUs view"
fd_alive "$FD_PID" && ok "the TUI still runs" || bad "the TUI still runs" "$(head -c 600 "$T/ui.stderr")"
tmux_send q
wait_for 5 tmux_has "EXITED:0" || bad "q quits" "$(tmux_show)"
lab_finish
