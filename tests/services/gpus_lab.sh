#!/bin/bash
# gpus_lab.sh — the nvidia back end end to end over SSH: a fake nvidia-smi
# (tests/services/fake-nvidia-smi printing tests/data/gpus recordings) on
# lab1's PATH only. lab1 (gpus = nvidia) shows its two GPUs with values,
# processes and the temp/memory warnings; lab2 (gpus = auto, no nvidia-smi)
# has no GPUs and no GPU alert; a driver error and a hung nvidia-smi are
# crit with nvidia-smi's words and cost only their own timeout; in the TUI's
# GPUs view a GPU that disappears turns crit.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=50
lab_test_begin gpus_lab
mkdir -p "$T/bin" "$T/gpus"
cp "$TOP_SRCDIR/tests/services/fake-nvidia-smi" "$T/bin/nvidia-smi"
cp "$TOP_SRCDIR"/tests/data/gpus/* "$T/gpus/"
echo rtx4090x2 >"$T/gpus/current"
LAB_SSHD_SETENV="PATH=$T/bin:/usr/local/bin:/usr/bin:/bin FAKE_SMI_DATA=$T/gpus"
lab_up 2
# lab2 without the fake: restart its sshd with the default PATH
sed -i "s| PATH=[^ ']*||; s| FAKE_SMI_DATA=[^ ']*||" "$LAB_HOST_2_DIR/start"
lab_start_host 2 || { bad "lab2 restarted"; lab_finish; }
sed -i '/^\[host lab1\]/a gpus = nvidia' "$LAB_FLEET"
# containers are another test's business: keep this one about GPUs
sed -i '/^\[host lab[12]\]/a containers = none' "$LAB_FLEET"
F=$T/out.json

fd_run 30 "$F" --once --json -c "$LAB_FLEET"
B=$FD_SECS   # the baseline of the hung nvidia-smi's timing check
json_valid "$F" || { bad "--once --json is JSON" "$(head -c 800 "$F.err")"; lab_finish; }
json_check "$F" 'lab1 has 2 GPUs' '.hosts[0].gpus | length == 2'
json_check "$F" 'GPU 0 is an RTX 4090 at 87 %, 71 °C, 398.52/450 W' \
	'.hosts[0].gpus[0] | .name == "NVIDIA GeForce RTX 4090" and .util_pct == 87 and .temp_c == 71 and .power_w == 398.52 and .power_limit_w == 450'
json_check "$F" 'GPU 0 memory in bytes (21034/24564 MiB)' \
	'.hosts[0].gpus[0] | .mem_used == 21034*1048576 and .mem_total == 24564*1048576'
json_check "$F" 'GPU 0 ok' '.hosts[0].gpus[0].status == "ok"'
json_check "$F" 'GPU 1 warn: hot and memory full' \
	'.hosts[0].gpus[1] | .status == "warn" and any(.problems[]; test("88 °C")) and any(.problems[]; test("96%"))'
json_check "$F" 'GPU 1 lists its 2 processes' \
	'.hosts[0].gpus[1].processes | map(.pid) == [21877, 30412]'
json_check "$F" 'lab2 (auto, no nvidia-smi): no GPUs, no GPU alert' \
	'(.hosts[1].gpus == []) and (all(.alerts[]; (.target | startswith("gpu/lab2")) | not))'

echo driver_error >"$T/gpus/current"
fd_run 30 "$F" --once --json -c "$LAB_FLEET"
json_check "$F" 'driver error: crit alert with nvidia-smi words' \
	'any(.alerts[]; .target == "gpu/lab1" and .severity == "crit" and (.message | test("communicate with the NVIDIA driver")))'
json_check "$F" 'driver error: no made-up GPUs' '.hosts[0].gpus == []'
fd_run 30 "$T/check.txt" --check -c "$LAB_FLEET"
[ "$FD_RC" = 2 ] && ok "--check exits 2 on a broken GPU driver" || bad "--check exits 2" "exit $FD_RC" "$(cat "$T/check.txt")"

echo hang >"$T/gpus/current"
fd_run 30 "$F" --once --json -c "$LAB_FLEET"
json_check "$F" 'hung nvidia-smi: crit, bounded by timeout' \
	'any(.alerts[]; .target == "gpu/lab1" and .severity == "crit" and (.message | test("did not answer within 5 s")))'
json_check "$F" 'hung nvidia-smi: both hosts stay reachable' '[.hosts[] | select(.reachable == true)] | length == 2'
LIM=$(lab_time_limit 5 "$B")
flt "$FD_SECS" "$LIM" && ok "hung nvidia-smi costs its own timeout only (${FD_SECS}s < max(B, 5) + B + 1 = ${LIM}s, B = ${B}s answering)" ||
	bad "hung nvidia-smi bounded" "run took ${FD_SECS}s, limit ${LIM}s (B = ${B}s answering)"

echo rtx4090x2 >"$T/gpus/current"
fd_tmux g 120 40 -- -c "$LAB_FLEET" --view gpus
tmux_wait_for "GPU 1  NVIDIA GeForce RTX 4090" 10 && ok "GPUs view shows both GPUs" ||
	bad "GPUs view shows both GPUs" "$(tmux_show)"
tmux_has "procs: python3[21877]" && ok "GPUs view lists processes" || bad "GPUs view lists processes" "$(tmux_show)"
tmux_has "21G/24G 86%" && ok "GPUs view shows memory" || bad "GPUs view shows memory" "$(tmux_show)"
echo rtx4090x1 >"$T/gpus/current"
tmux_wait_line "CRIT" "GPU 1" 10 && tmux_has "GPU 1 is gone" && ok "a GPU that disappears turns CRIT" ||
	bad "a GPU that disappears turns CRIT" "$(tmux_show)"
tmux_send q
lab_finish
