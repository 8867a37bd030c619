# src/ui: files of this area
src_libfleetdeck_a_SOURCES += \
	src/ui/ui.h src/ui/ui.c \
	src/ui/curses_inc.h \
	src/ui/cells.h src/ui/cells.c \
	src/ui/theme.h src/ui/theme.c \
	src/ui/present.h src/ui/present.c \
	src/ui/views.h src/ui/views.c \
	src/ui/frame.c src/ui/nav.c \
	src/ui/view_overview.c src/ui/view_detail.c src/ui/view_help.c \
	src/ui/wall.h src/ui/view_wall.c \
	src/ui/bigtext.h src/ui/bigtext.c src/ui/tilegrid.h src/ui/tilegrid.c

dist_themes_DATA += themes/default themes/light themes/mono themes/high-contrast
EXTRA_DIST += doc/ui.md doc/wall.md tests/unit/cells_find.h

check_PROGRAMS += tests/unit/test_ui
tests_unit_test_ui_SOURCES = tests/unit/test_ui.c
tests_unit_test_ui_CFLAGS = $(UNITFLAGS)
tests_unit_test_ui_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_ui

check_PROGRAMS += tests/unit/test_views80
tests_unit_test_views80_SOURCES = tests/unit/test_views80.c
tests_unit_test_views80_CFLAGS = $(UNITFLAGS)
tests_unit_test_views80_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_views80

check_PROGRAMS += tests/unit/test_wall
tests_unit_test_wall_SOURCES = tests/unit/test_wall.c
tests_unit_test_wall_CFLAGS = $(UNITFLAGS)
tests_unit_test_wall_LDADD = $(UNITLIBS)
TESTS += tests/unit/test_wall

# make bench: the model and screen part (bench/model.sh); built on demand
EXTRA_PROGRAMS = bench/model_bench
bench_model_bench_SOURCES = bench/model_bench.c
bench_model_bench_LDADD = src/libfleetdeck.a $(LIBS_ALL)
CLEANFILES += bench/model_bench
