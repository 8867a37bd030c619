#include "config.h"
#include "options.h"
#include "ui/views.h"
#include "util/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_ONCE = 256, OPT_CHECK, OPT_WALL, OPT_VALIDATE, OPT_READ_ONLY, OPT_THEME,
	OPT_ASCII, OPT_NO_COLOR, OPT_TIMEOUT, OPT_JSON, OPT_VIEW, OPT_ROTATE,
	OPT_FORMAT, OPT_SERVE_METRICS, OPT_SERVE_REMOTE, OPT_HEADLESS, OPT_RECORD, OPT_REPLAY, OPT_AT,
};

/* Every option once: getopt, --help, fleetdeck(1) and the bash completion
 * follow this table. */
static const struct opt_def opt_defs[] = {
	{ "config", 'c', "FILE", 'c', "fleet file (default: $FLEETDECK_CONFIG, then ~/.config/fleetdeck/fleet.conf, then this machine)" },
	{ "interval", 'i', "DUR", 'i', "poll interval, e.g. 2s (default: the fleet file's, else 2s)" },
	{ "once", 0, NULL, OPT_ONCE, "poll every target once, print a table, exit" },
	{ "json", 0, NULL, OPT_JSON, "with --once: print the JSON document instead (= --format json)" },
	{ "format", 0, "FMT", OPT_FORMAT, "with --once: text (default), json, csv or openmetrics" },
	{ "check", 0, NULL, OPT_CHECK, "poll once, print one monitoring-plugin line, exit 0/1/2/3" },
	{ "wall", 0, NULL, OPT_WALL, "wall display for a screen across a room (read-only; doc/wall.md)" },
	{ "rotate", 0, "DUR", OPT_ROTATE, "with --wall: time per detail panel (default 20s)" },
	{ "serve-metrics", 0, "ADDR:PORT", OPT_SERVE_METRICS, "serve the live fleet in the OpenMetrics text format at http://ADDR:PORT/metrics (loopback only)" },
	{ "serve-metrics-remote", 0, NULL, OPT_SERVE_REMOTE, "allow --serve-metrics on an address other than loopback" },
	{ "headless", 0, NULL, OPT_HEADLESS, "no dashboard: poll, serve --serve-metrics and record (--record or record =) until SIGTERM (a service)" },
	{ "record", 0, "FILE", OPT_RECORD, "record every change, status change and action to FILE (zstd; see --replay)" },
	{ "replay", 0, "FILE", OPT_REPLAY, "show a recording instead of the live fleet (actions disabled)" },
	{ "at", 0, "TIME", OPT_AT, "with --replay: the moment to show (Unix seconds or ISO 8601)" },
	{ "validate", 0, NULL, OPT_VALIDATE, "check the fleet file, print every problem, exit" },
	{ "read-only", 0, NULL, OPT_READ_ONLY, "disable every action key" },
	{ "theme", 0, "NAME", OPT_THEME, "colour theme: a name from the themes directory, or a path" },
	{ "ascii", 0, NULL, OPT_ASCII, "no UTF-8 box drawing or block characters" },
	{ "no-color", 0, NULL, OPT_NO_COLOR, "monochrome (also when NO_COLOR is set)" },
	{ "timeout", 0, "DUR", OPT_TIMEOUT, "per-target I/O timeout (default 5s)" },
	{ "view", 0, "NAME", OPT_VIEW, "start on a view (listed below)" },
	{ "version", 'V', NULL, 'V', "print the version and exit" },
	{ "help", 'h', NULL, 'h', "print this help and exit" },
};

const char *const options_format_names[] = { "text", "json", "csv", "openmetrics", NULL };

const struct opt_def *options_table(size_t *n)
{
	*n = ARRAY_LEN(opt_defs);
	return opt_defs;
}

void options_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: fleetdeck [-c FILE] [options]         interactive dashboard\n"
		"       fleetdeck --once [--json] [-c FILE]   one poll round, print, exit\n"
		"       fleetdeck --once --format csv|openmetrics\n"
		"       fleetdeck --check [-c FILE]           monitoring-plugin check\n"
		"       fleetdeck --wall [--rotate 20s]       read-only wall display\n"
		"       fleetdeck --validate [-c FILE]        check the fleet file\n"
		"       fleetdeck --headless --serve-metrics 127.0.0.1:9187   a service\n"
		"       fleetdeck --replay FILE [--once --at TIME]   a recording\n\n"
		"Options:\n");
	for (size_t i = 0; i < ARRAY_LEN(opt_defs); i++) {
		const struct opt_def *d = &opt_defs[i];
		char left[48];
		if (d->short_name)
			str_fmt(left, sizeof(left), "-%c, --%s%s%s", d->short_name, d->name,
				d->arg ? " " : "", d->arg ? d->arg : "");
		else
			str_fmt(left, sizeof(left), "    --%s%s%s", d->name,
				d->arg ? " " : "", d->arg ? d->arg : "");
		fprintf(fp, "  %-24s %s\n", left, d->help);
	}
	views_usage(fp);
	fprintf(fp, "\nExit status: 0 ok, 1 runtime failure, 2 usage or fleet-file error;\n"
		"with --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
		"See fleetdeck(1) and fleetdeck.fleet(5).\n");
}

static int bad_value(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "fleetdeck: --%s: '%s' is not %s\n", opt, val, expected);
	fprintf(stderr, "Try 'fleetdeck --help'.\n");
	return 2;
}

int options_parse(int argc, char **argv, struct options *o)
{
	struct option longopts[ARRAY_LEN(opt_defs) + 1];
	char shortopts[64];
	size_t ns = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->rotate = 20;
	for (size_t i = 0; i < ARRAY_LEN(opt_defs); i++) {
		longopts[i] = (struct option){ opt_defs[i].name,
			opt_defs[i].arg ? required_argument : no_argument, NULL, opt_defs[i].id };
		if (opt_defs[i].short_name) {
			shortopts[ns++] = (char)opt_defs[i].short_name;
			if (opt_defs[i].arg)
				shortopts[ns++] = ':';
		}
	}
	longopts[ARRAY_LEN(opt_defs)] = (struct option){ 0, 0, 0, 0 };
	shortopts[ns] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'i':
			if (parse_duration(optarg, &o->interval) < 0 || o->interval <= 0)
				return bad_value("interval", optarg, "a duration like 2s or 500ms");
			break;
		case OPT_TIMEOUT:
			if (parse_duration(optarg, &o->timeout) < 0 || o->timeout <= 0)
				return bad_value("timeout", optarg, "a duration like 5s");
			break;
		case OPT_ROTATE:
			if (parse_duration(optarg, &o->rotate) < 0 || o->rotate <= 0)
				return bad_value("rotate", optarg, "a duration like 20s");
			break;
		case OPT_ONCE: o->mode = MODE_ONCE; break;
		case OPT_CHECK: o->mode = MODE_CHECK; break;
		case OPT_WALL: o->mode = MODE_WALL; o->read_only = true; break;
		case OPT_VALIDATE: o->mode = MODE_VALIDATE; break;
		case OPT_READ_ONLY: o->read_only = true; break;
		case OPT_THEME: o->theme = optarg; break;
		case OPT_ASCII: o->ascii = true; break;
		case OPT_NO_COLOR: o->no_color = true; break;
		case OPT_JSON: o->format = FMT_JSON; break;
		case OPT_SERVE_METRICS: o->serve_metrics = optarg; break;
		case OPT_SERVE_REMOTE: o->serve_remote = true; break;
		case OPT_HEADLESS: o->mode = MODE_HEADLESS; break;
		case OPT_RECORD: o->record = optarg; break;
		case OPT_REPLAY: o->replay = optarg; break;
		case OPT_AT:
			if (parse_time(optarg, &o->at) < 0)
				return bad_value("at", optarg,
					"a time: Unix seconds or ISO 8601 such as 2026-11-27T03:12:09Z");
			o->has_at = true;
			break;
		case OPT_FORMAT: {
			size_t k = 0;
			while (options_format_names[k] && strcmp(optarg, options_format_names[k]) != 0)
				k++;
			if (!options_format_names[k])
				return bad_value("format", optarg, "one of text, json, csv, openmetrics");
			o->format = (enum out_format)k;
			break;
		}
		case OPT_VIEW: {
			char names[256], expected[300];

			int v = views_find(optarg);

			/* by name only: "3" is a key on screen, not a --view name */
			if (v < 0 || strcmp(views_table[v]->name, optarg) != 0) {
				views_names(names, sizeof(names));
				str_fmt(expected, sizeof(expected), "a view (%s)", names);
				return bad_value("view", optarg, expected);
			}
			o->view = optarg;
			break;
		}
		case 'V':
			printf("fleetdeck %s\n", PACKAGE_VERSION);
			return -1;
		case 'h':
			options_usage(stdout);
			return -1;
		case '?':
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "fleetdeck: unknown or incomplete option '-%c'\n", optopt);
			else
				fprintf(stderr, "fleetdeck: unknown or incomplete option '%s'\n", argv[optind - 1]);
			fprintf(stderr, "Try 'fleetdeck --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fleetdeck: unexpected argument '%s'\nTry 'fleetdeck --help'.\n", argv[optind]);
		return 2;
	}
	if (o->format != FMT_TEXT && o->mode != MODE_ONCE) {
		fprintf(stderr, "fleetdeck: --json and --format go with --once\nTry 'fleetdeck --help'.\n");
		return 2;
	}
	if (o->serve_metrics && o->mode != MODE_TUI && o->mode != MODE_WALL && o->mode != MODE_HEADLESS) {
		fprintf(stderr, "fleetdeck: --serve-metrics goes with the dashboard, --wall or --headless\n"
			"Try 'fleetdeck --help'.\n");
		return 2;
	}
	if (o->record && o->mode != MODE_TUI && o->mode != MODE_WALL && o->mode != MODE_HEADLESS) {
		fprintf(stderr, "fleetdeck: --record goes with the dashboard, --wall or --headless\n"
			"Try 'fleetdeck --help'.\n");
		return 2;
	}
	if (o->replay && o->mode != MODE_ONCE && o->mode != MODE_TUI) {
		fprintf(stderr, "fleetdeck: --replay goes with the dashboard or --once\n"
			"Try 'fleetdeck --help'.\n");
		return 2;
	}
	if (o->replay && (o->record || o->serve_metrics)) {
		fprintf(stderr, "fleetdeck: --replay shows a recording: it does not record or serve metrics\n"
			"Try 'fleetdeck --help'.\n");
		return 2;
	}
	if (o->has_at && !o->replay) {
		fprintf(stderr, "fleetdeck: --at goes with --replay FILE\n"
			"Try 'fleetdeck --help'.\n");
		return 2;
	}
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		o->no_color = true;
	return 0;
}
