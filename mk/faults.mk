# faults (issue #13, doc/reliability.md): fault injection on the lab, each
# bounded in time, each asserting that fleetdeck keeps drawing, marks
# exactly the affected targets with a clear reason and recovers by itself.
# LAB_NET 74-79.
FAULT_TESTS = \
	tests/faults/hung_probe.sh \
	tests/faults/audit_full.sh \
	tests/faults/signals.sh \
	tests/faults/resize_storm.sh \
	tests/faults/big_line.sh \
	tests/faults/blackhole_restore.sh \
	tests/faults/hung_host.sh \
	tests/faults/sshd_restart.sh \
	tests/faults/pg_restart.sh \
	tests/faults/engine_socket.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS)
