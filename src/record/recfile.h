/* A recording on disk (doc/history.md, "Recording format"): zstd frames,
 * each one self-contained (a header line, a keyframe, then rounds, status
 * changes and actions as JSON lines), in FILE and its rotated siblings
 * FILE.1 (newer) .. FILE.N (older). `zstd -dc FILE` shows the lines.
 *
 * The reader never fails on damage: a frame cut short by a crash yields
 * every complete line before the tear, garbage ends that file with a
 * message, a line that is not JSON is skipped and counted. */
#ifndef FLEETDECK_RECORD_RECFILE_H
#define FLEETDECK_RECORD_RECFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fleet/fleet.h"

#define REC_VERSION 1
#define REC_MAGIC "fdrec"
#define REC_MAX_LINE (64u << 20)   /* a keyframe of a very large fleet fits */
#define REC_MAX_FILES 100          /* FILE plus rotated siblings read */

/* ---- the fleet as recorded (fleetconf.c) ---- */

/* The fleet file as a recording keeps it: sections and the keys the rules
 * and views need, never commands, secret files, paths or DSNs (malloc'd). */
char *rec_fleet_text(const struct fleet *f);
/* Every host with its name and role (discovered ones too), as JSON. */
json_t *rec_fleet_hosts(const struct fleet *f);
/* Rebuilds a fleet from a recording's header (read-only). */
void rec_fleet_load(struct fleet *f, const char *name, const char *text, json_t *hosts);

/* A recording's round: the fleet's shortest interval (0.2 s to 60 s), so
 * no round a host makes is missed. */
double rec_fleet_period(const struct fleet *f);

/* ---- reading (reader.c) ---- */

/* Where a frame starts: file index (oldest first) and byte offset. */
struct rec_pos {
	int file;
	uint64_t off;
};

struct rec_reader {
	char **files;                /* oldest first; the last is FILE itself */
	int nfiles;
	int cur;                     /* open file, -1 none */
	int fd;
	const unsigned char *mem;    /* rec_reader_open_mem: the one "file" */
	size_t memlen, mempos;
	void *dctx;                  /* ZSTD_DCtx */
	unsigned char *in;
	size_t inlen, inpos;
	uint64_t in_off;             /* file offset of in[0] */
	uint64_t frame_off;          /* file offset where the current frame began */
	bool frame_open;             /* inside a frame (not at a boundary) */
	unsigned char *out;
	size_t outlen, outpos;
	char *line;
	size_t llen, lcap;
	bool line_skip;              /* the current line is too long: drop it */
	bool file_dead;              /* damage: no more lines from this file */
	/* what went wrong, for the user */
	char damage[512];
	int bad_lines;
	int torn;
	bool live;                   /* FILE ended mid-frame because a recorder is writing it */
};

/* The recorder's claim on the file it writes: an open-file-description
 * lock (Linux F_OFD_SETLK), released when the file is closed. A second
 * recorder is refused; a reader that meets the end of a frame still being
 * written is not told of a tear. rec_file_lock returns 0, or -1 (errno). */
int rec_file_lock(int fd);
bool rec_file_in_use(int fd);

/* Finds FILE and its rotated siblings. Returns 0, or -1 with a sentence. */
int rec_reader_open(struct rec_reader *r, const char *path, char *err, size_t errlen);
/* FILE alone, without its rotated siblings. */
int rec_reader_open_file(struct rec_reader *r, const char *path, char *err, size_t errlen);
/* A recording held in memory (the fuzz target, tests). */
void rec_reader_open_mem(struct rec_reader *r, const void *data, size_t len);
/* The next complete line (not NUL-terminated in general: use len), with
 * the position of the frame it is in. Returns 1, or 0 at the end. */
int rec_reader_next(struct rec_reader *r, const char **line, size_t *len, struct rec_pos *pos);
/* Continues from the start of the frame at pos. */
void rec_reader_seek(struct rec_reader *r, const struct rec_pos *pos);
void rec_reader_close(struct rec_reader *r);

/* The rotated name of path: path.N (N >= 1), malloc'd. */
char *rec_rotated_name(const char *path, int n);

#endif
