#!/bin/bash
# replicas/storyforge.sh — the live replica of data/storyforge.fleet
# (tests/lab/up --fleet storyforge): the Tinybox reached through its gateway
# (jump), its six GPUs read from the box's HTTP JSON endpoint (gpu_fields
# as in the seed), the inference API's health, the gateway's link to it.
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
LAB_NET=33
lab_test_begin replica_storyforge 120
. "$TOP_SRCDIR/tests/lab/replica.sh"
lab_require_tool python3
replica_test_up storyforge

fd_run 40 "$T/once.json" -c "$REPLICA_FLEET" --once --json
replica_check "$T/once.json" storyforge
json_check "$T/once.json" "tinybox: 6 GPUs with the endpoint's values (GPU 0: 93 %, 74 °C, 331.5 W)" \
	'.hosts[] | select(.name == "tinybox") | (.gpus | length) == 6 and .gpus[0].util_pct == 93
	 and .gpus[0].temp_c == 74 and .gpus[0].power_w == 331.5 and .gpus[5].mem_total == 25769803776'
json_check "$T/once.json" "everything is ok" '.status == "ok"'
lab_finish
