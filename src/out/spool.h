/* Output written in sections out of order and read back in order: the
 * export formats group their lines by metric family (OpenMetrics) or by
 * kind (CSV) while the §4 document is walked host by host, so each
 * family's lines go to a section of their own and the sections are
 * written one after the other at the end. What a section holds past
 * SPOOL_CHUNK bytes moves to one temporary file ($TMPDIR, else /tmp;
 * without one it stays in memory), so memory stays a few KiB a section
 * whatever the fleet's size (issue #11: 100,000 hosts). */
#ifndef FLEETDECK_OUT_SPOOL_H
#define FLEETDECK_OUT_SPOOL_H

#include <stddef.h>
#include <stdio.h>

#define SPOOL_CHUNK 16384

struct spool;

struct spool *spool_new(size_t nsections);
/* Where section i's next bytes go (never NULL). */
FILE *spool_fp(struct spool *sp, size_t i);
/* Called after each part of the output: every SPOOL_SETTLE_PARTS parts,
 * moves the sections that grew past SPOOL_CHUNK to the temporary file
 * (flushing every section after every part would cost more than it
 * saves). */
#define SPOOL_SETTLE_PARTS 32
void spool_part_done(struct spool *sp);
/* Writes every section in order to out and frees the spool; 0, or -1
 * when anything could not be written or read back. */
int spool_finish(struct spool *sp, FILE *out);

#endif
