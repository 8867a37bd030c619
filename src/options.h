/* Command-line options (fleetdeck(1)); one table in options.c describes them
 * all and drives getopt, --help and the man page's option list. */
#ifndef FLEETDECK_OPTIONS_H
#define FLEETDECK_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum run_mode { MODE_TUI, MODE_ONCE, MODE_CHECK, MODE_WALL, MODE_VALIDATE, MODE_HEADLESS };

/* --once output: --format text|json|csv|openmetrics (--json = json). */
enum out_format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_OPENMETRICS };

struct options {
	enum run_mode mode;
	const char *config;      /* -c, NULL: resolve per fleetdeck(1) */
	double interval;         /* -i, 0: from the fleet file (default 2s) */
	double timeout;          /* --timeout, 0: from the fleet file (default 5s) */
	bool read_only;
	const char *theme;       /* NULL: "default" */
	bool ascii;              /* also set when the locale is not UTF-8 */
	bool no_color;           /* also set by NO_COLOR */
	enum out_format format;  /* with --once */
	const char *view;        /* --view NAME */
	double rotate;           /* --wall rotation, default 20 */
	const char *serve_metrics;   /* --serve-metrics ADDR:PORT, NULL: off */
	bool serve_remote;       /* --serve-metrics-remote: a non-loopback address is allowed */
	const char *record;      /* --record FILE, NULL: the fleet file's record key */
	const char *replay;      /* --replay FILE: a recording instead of the live fleet */
	bool has_at;
	double at;               /* --at TIME (Unix seconds) */
};

/* One row of the option table in options.c: getopt, --help, fleetdeck(1)
 * and the generated bash completion (src/gen_completion.c) follow it. */
struct opt_def {
	const char *name;
	int short_name;        /* 0: long only */
	const char *arg;       /* NULL: no argument */
	int id;
	const char *help;
};

/* The whole table, n rows. */
const struct opt_def *options_table(size_t *n);

/* The --format names in enum out_format order, NULL-terminated. */
extern const char *const options_format_names[];

/* Parses argv. Returns -1 to exit successfully (--help, --version printed),
 * 0 to run, 2 on a usage error (message printed to stderr). */
int options_parse(int argc, char **argv, struct options *o);
void options_usage(FILE *fp);

#endif
