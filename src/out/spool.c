#include "config.h"
#include "out/spool.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

struct chunk {
	off_t off;
	size_t len;
};

struct section {
	FILE *fp;                  /* open_memstream over buf, or NULL */
	char *buf;
	size_t len;
	struct chunk *chunks;      /* what moved to the temporary file, in order */
	size_t nchunks, cap;
};

struct spool {
	struct section *s;
	size_t n;
	FILE *tmp;                 /* the temporary file, once needed */
	off_t tmplen;
	int err;
	size_t nparts;             /* spool_part_done() calls */
};

struct spool *spool_new(size_t nsections)
{
	struct spool *sp = xcalloc(1, sizeof(*sp));

	sp->s = xcalloc(nsections ? nsections : 1, sizeof(*sp->s));
	sp->n = nsections;
	return sp;
}

FILE *spool_fp(struct spool *sp, size_t i)
{
	struct section *s = &sp->s[i];

	if (!s->fp && !(s->fp = open_memstream(&s->buf, &s->len)))
		fatal("out of memory (an output section)");
	return s->fp;
}

/* A temporary file in $TMPDIR (tmpfile(3) ignores it), mode 0600,
 * deleted at once; NULL when none can be made. */
static FILE *temp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/fleetdeck-out.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	FILE *fp = NULL;

	if (fd >= 0) {
		unlink(path);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (!(fp = fdopen(fd, "w+")))
			close(fd);
	}
	free(path);
	return fp;
}

/* The section's bytes so far to the end of the temporary file. */
static void spill(struct spool *sp, struct section *s)
{
	if (!sp->tmp && !(sp->tmp = temp_file()))
		return;  /* no temporary file: the section stays in memory */
	if (fwrite(s->buf, 1, s->len, sp->tmp) != s->len) {
		sp->err = -1;
		return;
	}
	if (s->nchunks == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->chunks = xrealloc(s->chunks, s->cap * sizeof(*s->chunks));
	}
	s->chunks[s->nchunks++] = (struct chunk){ sp->tmplen, s->len };
	sp->tmplen += (off_t)s->len;
	fclose(s->fp);
	free(s->buf);
	s->fp = NULL;
	s->buf = NULL;
	s->len = 0;
}

void spool_part_done(struct spool *sp)
{
	if (++sp->nparts % SPOOL_SETTLE_PARTS != 0)
		return;
	for (size_t i = 0; i < sp->n; i++) {
		struct section *s = &sp->s[i];
		if (s->fp && fflush(s->fp) == 0 && s->len >= SPOOL_CHUNK)
			spill(sp, s);
	}
}

static int copy_back(struct spool *sp, const struct chunk *c, FILE *out)
{
	char buf[65536];
	size_t left = c->len;

	if (fseeko(sp->tmp, c->off, SEEK_SET) != 0)
		return -1;
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);
		if (fread(buf, 1, n, sp->tmp) != n || fwrite(buf, 1, n, out) != n)
			return -1;
		left -= n;
	}
	return 0;
}

int spool_finish(struct spool *sp, FILE *out)
{
	int rc = sp->err;

	if (sp->tmp && fflush(sp->tmp) != 0)
		rc = -1;
	for (size_t i = 0; i < sp->n; i++) {
		struct section *s = &sp->s[i];
		for (size_t k = 0; k < s->nchunks && rc == 0; k++)
			rc = copy_back(sp, &s->chunks[k], out);
		if (s->fp) {
			if (fclose(s->fp) != 0)
				rc = -1;
			if (rc == 0 && s->len && fwrite(s->buf, 1, s->len, out) != s->len)
				rc = -1;
		}
		free(s->buf);
		free(s->chunks);
	}
	if (sp->tmp)
		fclose(sp->tmp);
	free(sp->s);
	free(sp);
	return rc;
}
