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
	tests/faults/engine_socket.sh \
	tests/faults/quit_inflight.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS)

# make soak [SOAK_MINUTES=30] [SOAK_SEED=N] (issue #13; not in make check):
# the dashboard in tmux on a lab with random faults every few seconds; RSS
# and open fds at the end against a reference after the warm-up
# (tests/soak/soak.sh, doc/reliability.md "Soak"). Under tests/sanitized, so
# a --enable-sanitizers build fails on any ASan/UBSan/LSan report.
soak: src/fleetdeck
	$(AM_TESTS_ENVIRONMENT) \
	SOAK_MINUTES='$(SOAK_MINUTES)'; SOAK_SEED='$(SOAK_SEED)'; export SOAK_MINUTES SOAK_SEED; \
	$(SHELL) $(srcdir)/tests/sanitized $(srcdir)/tests/soak/soak.sh
EXTRA_DIST += tests/soak/soak.sh
.PHONY: soak
