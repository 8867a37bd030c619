# src/fleet: the fleet file (fleetdeck.fleet(5)): schema, parser, validator,
# secrets; its unit test, its man page and the example fleets in data/.
src_libfleetdeck_a_SOURCES += \
	src/fleet/fleet.h src/fleet/internal.h \
	src/fleet/schema.c src/fleet/schema.h src/fleet/schema_man.c \
	src/fleet/parse.c src/fleet/values.c src/fleet/values.h \
	src/fleet/validate.c src/fleet/secret.c src/fleet/fleet.c

check_PROGRAMS += tests/unit/test_fleet
tests_unit_test_fleet_SOURCES = tests/unit/test_fleet.c
tests_unit_test_fleet_CFLAGS = $(UNITFLAGS)
tests_unit_test_fleet_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_fleet

dist_man_MANS += doc/fleetdeck.fleet.5
EXTRA_DIST += doc/fleet-file.md \
	data/cocotte.fleet data/toneforge.fleet data/storyforge.fleet \
	data/orbisvoice.fleet data/toolcall.fleet

# The key reference in doc/fleetdeck.fleet.5 is generated from the schema
# table; test_fleet fails when it is stale. This rewrites it in place.
update-fleet-man: tests/unit/test_fleet
	$(AM_V_GEN)tests/unit/test_fleet --print-man > $(srcdir)/doc/fleetdeck.fleet.5.keys && \
	awk -v keys=$(srcdir)/doc/fleetdeck.fleet.5.keys \
	  '/^\.\\" BEGIN KEYS/ { print; while ((getline l < keys) > 0) print l; skip = 1; next } \
	   /^\.\\" END KEYS/ { skip = 0 } !skip' \
	  $(srcdir)/doc/fleetdeck.fleet.5 > $(srcdir)/doc/fleetdeck.fleet.5.new && \
	mv $(srcdir)/doc/fleetdeck.fleet.5.new $(srcdir)/doc/fleetdeck.fleet.5 && \
	rm -f $(srcdir)/doc/fleetdeck.fleet.5.keys

.PHONY: update-fleet-man
