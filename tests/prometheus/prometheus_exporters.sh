#!/bin/bash
# prometheus_exporters.sh — containers and GPUs of a [prometheus] section's
# hosts, read through Prometheus from the exporters it scrapes beside
# node_exporter (issue #11 item 6). A real Prometheus 2.42 scrapes two real
# prometheus-node-exporter 1.5 (the hosts, 127.0.71.2-3) and, on the same
# addresses, STAND-INS for cAdvisor and NVIDIA's DCGM exporter: neither can
# run here (cAdvisor is not packaged in Debian and needs a container
# runtime's cgroups; the DCGM exporter needs an NVIDIA GPU), so
# exporter_standin.py serves recorded-format /metrics files with the metric
# names and labels the vendors publish (cAdvisor 0.47 container_*,
# dcgm-exporter 3.3 default counters DCGM_FI_DEV_*). The values fleetdeck
# shows must be the ones served: --once --json, the GPU rule (a GPU over
# 85 °C warns), the RAM and GPU views; a stand-in stopped (up == 0) is
# said as such, not shown as "no GPUs". A section without cadvisor/dcgm
# keys fetches neither. (PostgreSQL from postgres_exporter: prometheus_postgres.sh.)
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lab/lib.sh"
. "${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/prometheus/lib.sh"
LAB_NET=71
lab_test_begin prometheus_exporters
lab_require_root "the lab listens on 127.0.71.x"
lab_require_tool prometheus prometheus-node-exporter python3 curl ss jq
FAILED=0

PP=$(lab_free_port 9090) && XP=$(lab_free_port 9100) && CP=$(lab_free_port 8080) &&
	DP=$(lab_free_port 9400) || { printf 'FAIL: no free TCP port\n'; exit 1; }
URL=http://127.0.$LAB_NET.1:$PP
A=127.0.$LAB_NET.2 B=127.0.$LAB_NET.3
cd "$T" || exit 1

for a in $A $B; do node_exporter_start "$a:$XP"; done

# cAdvisor stand-in, host A: two containers and the cgroup roots cAdvisor
# also reports (name="": not containers). "db" has a 1 GiB limit, "web"
# none (cAdvisor's 0); db uses 0.25 s of CPU per second, web 0.05.
cat >"$T/cadvisor-a.prom" <<'P'
# HELP container_memory_working_set_bytes Current working set of the container in bytes
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{id="/",image="",name=""} 7.5e+09
container_memory_working_set_bytes{id="/system.slice/docker.service",image="",name=""} 1.2e+08
container_memory_working_set_bytes{container_label_com_docker_compose_service="db",id="/system.slice/docker-3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef.scope",image="postgres:16",name="db"} 5.24288e+08
container_memory_working_set_bytes{id="/docker/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2",image="nginx:1.25",name="web"} 6.7108864e+07
# HELP container_spec_memory_limit_bytes Memory limit for the container.
# TYPE container_spec_memory_limit_bytes gauge
container_spec_memory_limit_bytes{id="/",image="",name=""} 0
container_spec_memory_limit_bytes{id="/system.slice/docker-3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef.scope",image="postgres:16",name="db"} 1.073741824e+09
container_spec_memory_limit_bytes{id="/docker/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2",image="nginx:1.25",name="web"} 0
# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{cpu="total",id="/",image="",name=""} RATE(1.5)
container_cpu_usage_seconds_total{cpu="total",id="/system.slice/docker-3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef.scope",image="postgres:16",name="db"} RATE(0.25)
container_cpu_usage_seconds_total{cpu="total",id="/docker/a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2",image="nginx:1.25",name="web"} RATE(0.05)
P
# host B: one container, "cache"
cat >"$T/cadvisor-b.prom" <<'P'
# TYPE container_memory_working_set_bytes gauge
container_memory_working_set_bytes{id="/docker/c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0",image="redis:7",name="cache"} 3.3554432e+07
# TYPE container_spec_memory_limit_bytes gauge
container_spec_memory_limit_bytes{id="/docker/c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0",image="redis:7",name="cache"} 2.68435456e+08
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{cpu="total",id="/docker/c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0",image="redis:7",name="cache"} RATE(0.1)
P
# DCGM exporter stand-in, host A only: two GPUs; GPU 1 runs hot (91 °C).
# FB_USED/FB_FREE are MiB, as dcgm-exporter serves them.
L0='gpu="0",UUID="GPU-5fd3e0b4-1c2d-4e5f-8a9b-0c1d2e3f4a5b",device="nvidia0",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-a",DCGM_FI_DRIVER_VERSION="535.104.05"'
L1='gpu="1",UUID="GPU-7a8b9c0d-2e3f-4a5b-9c8d-1e2f3a4b5c6d",device="nvidia1",modelName="NVIDIA A100-SXM4-40GB",Hostname="gpu-a",DCGM_FI_DRIVER_VERSION="535.104.05"'
cat >"$T/dcgm-a.prom" <<P
# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
# TYPE DCGM_FI_DEV_GPU_UTIL gauge
DCGM_FI_DEV_GPU_UTIL{$L0} 87
DCGM_FI_DEV_GPU_UTIL{$L1} 3
# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).
# TYPE DCGM_FI_DEV_FB_USED gauge
DCGM_FI_DEV_FB_USED{$L0} 30000
DCGM_FI_DEV_FB_USED{$L1} 512
# HELP DCGM_FI_DEV_FB_FREE Framebuffer memory free (in MiB).
# TYPE DCGM_FI_DEV_FB_FREE gauge
DCGM_FI_DEV_FB_FREE{$L0} 10960
DCGM_FI_DEV_FB_FREE{$L1} 40448
# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).
# TYPE DCGM_FI_DEV_GPU_TEMP gauge
DCGM_FI_DEV_GPU_TEMP{$L0} 64
DCGM_FI_DEV_GPU_TEMP{$L1} 91
# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).
# TYPE DCGM_FI_DEV_POWER_USAGE gauge
DCGM_FI_DEV_POWER_USAGE{$L0} 312.5
DCGM_FI_DEV_POWER_USAGE{$L1} 61.25
P
standin() {
	python3 "$TOP_SRCDIR/tests/prometheus/exporter_standin.py" "$1" "$2" "$3" \
		>>"$T/standin.log" 2>&1 &
	lab_bg $!
	STANDIN=$!
}
standin $A "$CP" "$T/cadvisor-a.prom"
standin $B "$CP" "$T/cadvisor-b.prom"
CADVISOR_B=$STANDIN
standin $A "$DP" "$T/dcgm-a.prom"
DCGM_A=$STANDIN

cat >"$T/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs: [{ targets: ['$A:$XP', '$B:$XP'] }]
  - job_name: cadvisor
    static_configs: [{ targets: ['$A:$CP', '$B:$CP'] }]
  - job_name: dcgm
    static_configs: [{ targets: ['$A:$DP'] }]
EOF
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.$LAB_NET.1:$PP" >"$T/prometheus.log" 2>&1 &
lab_bg $!

# every target up, and the section's rate window (rate_window = 5s below)
# filled: before, rate() divides what a few scrapes saw by the whole window
ready() {
	promql_count_is 5 'up == 1' &&
		promql_count_is 1 'rate(container_cpu_usage_seconds_total{name="db"}[5s]) > 0.2' &&
		promql_count_is 2 'avg by (instance) (rate(node_cpu_seconds_total[1m]))'
}
if wait_for 30 ready; then
	ok "Prometheus scrapes 2 node_exporters, 2 cAdvisor and 1 DCGM stand-ins"
else
	bad "Prometheus scrapes the 5 targets" "$(tail -5 "$T/prometheus.log"; tail -5 "$T/standin.log")"
	lab_finish
fi

cat >"$T/p.fleet" <<EOF
[prometheus p]
url = $URL
match = {job="node"}
cadvisor = {job="cadvisor"}
dcgm = {job="dcgm"}
rate_window = 5s
EOF
HA=$A:$XP HB=$B:$XP
fd_run 20 "$T/once.json" -c "$T/p.fleet" --once --json
check "--once --json exits 0" test "$FD_RC" = 0
json_check "$T/once.json" "the 2 hosts come from node_exporter, as before" \
	"[.hosts[].name] == [\"$HA\", \"$HB\"]"
ha=".hosts[] | select(.name == \"$HA\")"
hb=".hosts[] | select(.name == \"$HB\")"
json_check "$T/once.json" "host A's containers are cAdvisor's named ones, not the cgroup roots (db, web)" \
	"[$ha | .containers[].name] | sort == [\"db\", \"web\"]"
json_check "$T/once.json" "db: image, short id, working set 500 MiB, limit 1 GiB, running" \
	"$ha | .containers[] | select(.name == \"db\") | .image == \"postgres:16\" and .id == \"3f2a9c1b7d4e\"
	 and .mem_used == 524288000 and .mem_limit == 1073741824 and .state == \"running\""
json_check "$T/once.json" "db's CPU is the counter's rate: 25 % (20..30)" \
	"$ha | .containers[] | select(.name == \"db\") | .cpu_pct >= 20 and .cpu_pct <= 30"
json_check "$T/once.json" "web: no limit (cAdvisor's 0), 64 MiB, CPU 5 % (2..8)" \
	"$ha | .containers[] | select(.name == \"web\") | .mem_limit == null and .mem_limit_known
	 and .mem_used == 67108864 and .cpu_pct >= 2 and .cpu_pct <= 8"
printf 'note: containers CPU %% as read: %s\n' \
	"$(jq -c "[.hosts[] | .containers[] | [.name, .cpu_pct]]" "$T/once.json")"
json_check "$T/once.json" "host B's container is its own (cache, redis:7, 32 MiB of 256 MiB)" \
	"[$hb | .containers[] | [.name, .image, .mem_used, .mem_limit]] ==
	 [[\"cache\", \"redis:7\", 33554432, 268435456]]"
json_check "$T/once.json" "host A's GPUs from DCGM: 2, named, util 87/3, memory in bytes, temperature, power" \
	"[$ha | .gpus[] | [.index, .name, .uuid, .util_pct, .mem_used, .mem_total, .temp_c, .power_w]] ==
	 [[0, \"NVIDIA A100-SXM4-40GB\", \"GPU-5fd3e0b4-1c2d-4e5f-8a9b-0c1d2e3f4a5b\", 87, 31457280000, 42949672960, 64, 312.5],
	  [1, \"NVIDIA A100-SXM4-40GB\", \"GPU-7a8b9c0d-2e3f-4a5b-9c8d-1e2f3a4b5c6d\", 3, 536870912, 42949672960, 91, 61.25]]"
json_check "$T/once.json" "host B has no GPUs (no DCGM series for it)" "[$hb | .gpus[]] == []"
json_check "$T/once.json" "the same GPU rule as over SSH: GPU 1 at 91 °C warns, GPU 0 is ok" \
	"[$ha | .gpus[] | .status] == [\"ok\", \"warn\"] and
	 ($ha | .gpus[1].problems | join(\" \") | test(\"91\"))"

# Without the keys nothing is asked of those exporters.
printf '[prometheus p]\nurl = %s\nmatch = {job="node"}\n' "$URL" >"$T/plain.fleet"
fd_run 20 "$T/plain.json" -c "$T/plain.fleet" --once --json
json_check "$T/plain.json" "a section without cadvisor/dcgm keys has no containers or GPUs" \
	'all(.hosts[]; (.containers | length) == 0 and (.gpus | length) == 0)'

# The dashboard: the GPU view lists the GPUs, the RAM view the containers.
fd_tmux exp 160 40 -- -c "$T/p.fleet" --view gpus
if tmux_wait_for 'NVIDIA A100-SXM4-40GB' 15 && tmux_wait_for '87%' 5 &&
	tmux_wait_line 'GPU 1' 'GPU 1 at 91 °C' 5; then
	ok "the GPU view shows the DCGM exporter's GPUs (A100, 87 %, GPU 1 at 91 °C)"
else
	bad "the GPU view shows the DCGM exporter's GPUs" "$(tmux_show)"
fi

# An exporter that stops answering is said, not taken for "no GPUs" or
# "no containers": Prometheus has its target with up == 0.
kill -TERM "$DCGM_A" "$CADVISOR_B"
_lab_wait_gone "$DCGM_A" 10
_lab_wait_gone "$CADVISOR_B" 10
if wait_for 15 promql_count_is 2 'up{job=~"dcgm|cadvisor"} == 0'; then
	ok "Prometheus sees the stopped DCGM and cAdvisor stand-ins (up == 0)"
else
	bad "Prometheus sees the stopped stand-ins (up == 0)"
fi
fd_run 20 "$T/down.json" -c "$T/p.fleet" --once --json
json_check "$T/down.json" "host A's GPUs are unknown: the DCGM exporter does not answer" \
	"[.alerts[] | select(.target == \"gpu/$HA\" and .severity == \"unknown\"
	  and (.message | test(\"DCGM exporter on this host does not answer\")))] | length == 1"
json_check "$T/down.json" "host B's containers are unknown: cAdvisor does not answer" \
	"[.alerts[] | select((.target | startswith(\"container\")) and (.target | contains(\"$HB\"))
	  and .severity == \"unknown\" and (.message | test(\"cAdvisor on this host does not answer\")))] | length == 1"
json_check "$T/down.json" "host A's containers are still read" \
	"[$ha | .containers[].name] | sort == [\"db\", \"web\"]"

if tmux_wait_for 'does not answer' 10; then
	ok "the GPU view then says the DCGM exporter stopped answering"
else
	bad "the GPU view says the DCGM exporter stopped answering" "$(tmux_show)"
fi
tmux_send 3
# 'db' and 'web' are short words another view may show: read them once the
# RAM view's title is drawn
if tmux_wait_for 'RAM by container' 10 && tmux_wait_for 'db' 10 && tmux_wait_for 'web' 5; then
	ok "the RAM view shows cAdvisor's containers (db, web)"
else
	bad "the RAM view shows cAdvisor's containers" "$(tmux_show)"
fi
tmux_send q
if wait_for 5 tmux_has EXITED:0; then ok "q quits"; else bad "q quits" "$(tmux_show)"; fi

lab_finish
