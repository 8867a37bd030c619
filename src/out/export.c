#include "config.h"
#include "out/out.h"

/* --once --format: one entry point for every rendering of one moment. */
int out_format(FILE *fp, enum out_format fmt, const struct fleet *f, const struct snapshot *s,
	       const struct evaluation *ev, double now)
{
	switch (fmt) {
	case FMT_JSON:
		return out_json(fp, f, s, ev, now);
	case FMT_CSV:
		return out_csv(fp, f, s, ev, now);
	case FMT_OPENMETRICS:
		return out_openmetrics(fp, f, s, ev, now);
	case FMT_TEXT:
		break;
	}
	return out_text(fp, f, s, ev, now);
}
