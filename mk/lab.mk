# tests/lab: the real-sshd test lab, the end-to-end integration tests and the
# TUI tests (tmux). Each test uses its own LAB_NET, so they run in parallel.
LAB_TESTS = \
	tests/integration/hosts_json.sh \
	tests/integration/host_down.sh \
	tests/integration/hostkey.sh \
	tests/integration/blackhole.sh \
	tests/integration/garbage.sh \
	tests/integration/bad_config.sh \
	tests/integration/reconnect.sh \
	tests/integration/jump_agent.sh \
	tests/integration/maxstartups.sh \
	tests/integration/rsa_key.sh \
	tests/integration/handshake_cap.sh \
	tests/integration/dns.sh \
	tests/integration/host_cost.sh \
	tests/integration/slow_login.sh \
	tests/integration/kex_timeout.sh \
	tests/integration/sim_fleet.sh \
	tests/tui/tui_overview.sh \
	tests/tui/tui_nocolor.sh \
	tests/tui/frame_pacing.sh \
	tests/tui/wall.sh \
	tests/tui/wall_stale.sh \
	tests/tui/startup.sh \
	tests/tui/wall_themes.sh \
	tests/tui/wall_kiosk.sh

TESTS += $(LAB_TESTS)
EXTRA_DIST += $(LAB_TESTS) tests/integration/dnsd.py tests/lab/sim tests/lab/simssh.py \
	tests/lab/up tests/lab/down tests/lab/lib.sh tests/lab/README.md \
	tests/tui/wall_common.sh \
	doc/testing.md
