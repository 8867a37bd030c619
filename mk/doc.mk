# doc: man pages and design notes
dist_man_MANS += doc/fleetdeck.1
EXTRA_DIST += doc/architecture.md doc/rules.md
EXTRA_DIST += bench/run bench/ssh.sh bench/ssh_host.sh bench/containers.sh bench/model.sh
EXTRA_DIST += doc/measurements.md doc/reliability.md doc/performance.md
