# actions: this domain's collector(s), rules, outputs, views and tests.
src_libfleetdeck_a_SOURCES += \
	src/collect/runners.c \
	src/collect/keys.c \
	src/model/logins.c \
	src/rules/rules_actions.c \
	src/out/out_actions.c \
	src/action/action.h src/action/action.c \
	src/action/audit.h src/action/audit.c \
	src/provider/provider.h src/provider/providers.c \
	src/provider/exec.h src/provider/exec.c \
	src/provider/sshcmd.h src/provider/sshcmd.c \
	src/provider/parse.h src/provider/parse.c \
	src/provider/runner_command.c \
	src/provider/key_command.c \
	src/provider/key_pgapikey.c \
	src/provider/sshkey.h src/provider/key_sshkey.c \
	src/provider/doapi.h src/provider/doapi.c src/provider/runner_do.c \
	src/provider/runner_systemd.c
src_libfleetdeck_a_SOURCES += \
	src/ui/confirm.h src/ui/confirm.c \
	src/ui/view_runners.c src/ui/view_keys.c src/ui/view_events.c

ACTIONS_LAB_TESTS = tests/actions/runners_command.sh tests/actions/readonly.sh tests/actions/pg_apikey.sh \
	tests/actions/ssh_key_rotate.sh tests/actions/digitalocean_contract.sh \
	tests/actions/key_injection.sh tests/actions/do_forgejo.sh tests/actions/forgejo_status.sh tests/actions/systemd_runners.sh \
	tests/actions/pg_apikey_tunnel.sh tests/actions/ssh_key_jump.sh
TESTS += $(ACTIONS_LAB_TESTS)
EXTRA_DIST += $(ACTIONS_LAB_TESTS) tests/actions/scale.sh tests/actions/fake_vendor_api.py \
	tests/actions/fake_systemctl.sh doc/actions.md

check_PROGRAMS += tests/unit/test_actions
tests_unit_test_actions_SOURCES = tests/unit/test_actions.c
tests_unit_test_actions_CFLAGS = $(UNITFLAGS)
tests_unit_test_actions_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_actions
