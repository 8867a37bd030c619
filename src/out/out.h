/* Non-interactive outputs: --once (text table), --once --json (SPEC §4) and
 * --check (monitoring-plugin line). All read the same snapshot and evaluation
 * as the views. */
#ifndef FLEETDECK_OUT_H
#define FLEETDECK_OUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "options.h"
#include "fleet/fleet.h"
#include "model/model.h"
#include "rules/rules.h"

/* Each returns 0, or -1 if writing failed. */
int out_text(FILE *fp, const struct fleet *f, const struct snapshot *s,
	     const struct evaluation *ev, double now);
int out_json(FILE *fp, const struct fleet *f, const struct snapshot *s,
	     const struct evaluation *ev, double now);
/* --once in the chosen format (text, json, csv, openmetrics). */
int out_format(FILE *fp, enum out_format fmt, const struct fleet *f, const struct snapshot *s,
	       const struct evaluation *ev, double now);
/* The §4 document itself (new reference; the caller decrefs it). The
 * export formats below are renderings of it. */
json_t *out_json_document(const struct fleet *f, const struct snapshot *s,
			  const struct evaluation *ev, double now);
/* The same document part by part, for a reader that needs no tree: fn
 * gets each top-level member that is not an array (key, value) and each
 * element of one that is (key: the array's), in document order; v is
 * freed after fn returns. out_json_parts() makes each part as it hands it
 * over (what it holds does not grow with the fleet); out_json_doc_parts()
 * hands over those of a whole document. */
typedef void (*out_part_fn)(void *arg, const char *key, json_t *v);
void out_json_parts(const struct fleet *f, const struct snapshot *s,
		    const struct evaluation *ev, double now, out_part_fn fn, void *arg);
void out_json_doc_parts(json_t *doc, out_part_fn fn, void *arg);
/* --format openmetrics (OpenMetrics 1.0 text) and csv (one long table),
 * from the parts as they are made. */
int out_openmetrics(FILE *fp, const struct fleet *f, const struct snapshot *s,
		    const struct evaluation *ev, double now);
int out_csv(FILE *fp, const struct fleet *f, const struct snapshot *s,
	    const struct evaluation *ev, double now);
/* --serve-metrics' body: OpenMetrics (openmetrics) or the classic
 * Prometheus text format 0.0.4. */
int out_metrics(FILE *fp, const struct fleet *f, const struct snapshot *s,
		const struct evaluation *ev, double now, bool openmetrics);
/* The same from a document: OpenMetrics (openmetrics) or the classic
 * Prometheus text format 0.0.4; CSV rows with or without the header line. */
int out_metrics_doc(FILE *fp, json_t *doc, bool openmetrics);
int out_csv_doc(FILE *fp, json_t *doc, bool header);
/* Prints the one-line summary; returns the plugin exit code 0/1/2/3. */
int out_check(FILE *fp, const struct fleet *f, const struct snapshot *s,
	      const struct evaluation *ev, double now);

#endif
