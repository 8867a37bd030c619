#define _GNU_SOURCE 1  /* F_OFD_SETLK: the recorder's lock on its file */
#include "config.h"
#include "record/recfile.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define IN_CHUNK (64u << 10)

char *rec_rotated_name(const char *path, int n)
{
	return xasprintf("%s.%d", path, n);
}

int rec_file_lock(int fd)
{
#ifdef F_OFD_SETLK
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	return fcntl(fd, F_OFD_SETLK, &l);
#else
	(void)fd;
	return 0;
#endif
}

bool rec_file_in_use(int fd)
{
#ifdef F_OFD_GETLK
	struct flock l = { .l_type = F_RDLCK, .l_whence = SEEK_SET };

	return fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
#else
	(void)fd;
	return false;
#endif
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int reader_open(struct rec_reader *r, const char *path, bool siblings, char *err,
		       size_t errlen)
{
	int newest = 0;

	memset(r, 0, sizeof(*r));
	r->cur = -1;
	r->fd = -1;
	if (!is_file(path)) {
		str_fmt(err, errlen, "%s: %s", path, access(path, F_OK) == 0 ?
			"not a regular file" : strerror(errno ? errno : ENOENT));
		return -1;
	}
	/* path.1 is newer than path.2: read from the oldest */
	for (int n = 1; siblings && n < REC_MAX_FILES; n++) {
		char *p = rec_rotated_name(path, n);
		bool there = is_file(p);
		free(p);
		if (!there)
			break;
		newest = n;
	}
	r->files = xcalloc((size_t)newest + 1, sizeof(*r->files));
	for (int n = newest; n >= 1; n--)
		r->files[r->nfiles++] = rec_rotated_name(path, n);
	r->files[r->nfiles++] = xstrdup(path);
	r->dctx = ZSTD_createDCtx();
	r->in = xmalloc(IN_CHUNK);
	r->out = xmalloc(ZSTD_DStreamOutSize());
	return 0;
}

int rec_reader_open(struct rec_reader *r, const char *path, char *err, size_t errlen)
{
	return reader_open(r, path, true, err, errlen);
}

int rec_reader_open_file(struct rec_reader *r, const char *path, char *err, size_t errlen)
{
	return reader_open(r, path, false, err, errlen);
}

void rec_reader_open_mem(struct rec_reader *r, const void *data, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->cur = -1;
	r->fd = -1;
	r->mem = data;
	r->memlen = len;
	r->files = xcalloc(1, sizeof(*r->files));
	r->files[r->nfiles++] = xstrdup("(memory)");
	r->dctx = ZSTD_createDCtx();
	r->in = xmalloc(IN_CHUNK);
	r->out = xmalloc(ZSTD_DStreamOutSize());
}

static void damage(struct rec_reader *r, const char *fmt, const char *what)
{
	/* the first problem is the one worth telling */
	if (!r->damage[0])
		str_fmt(r->damage, sizeof(r->damage), fmt, r->files[r->cur],
			(unsigned long long)(r->in_off + r->inpos), what);
	r->file_dead = true;
}

static void file_close(struct rec_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->cur = -1;
}

/* Opens file k at offset off, at a frame boundary. */
static bool file_open(struct rec_reader *r, int k, uint64_t off)
{
	file_close(r);
	r->fd = r->mem ? -1 : open(r->files[k], O_RDONLY | O_CLOEXEC);
	r->cur = k;
	r->inlen = r->inpos = 0;
	r->outlen = r->outpos = 0;
	r->llen = 0;
	r->line_skip = false;
	r->file_dead = false;
	r->frame_open = false;
	r->in_off = off;
	r->frame_off = off;
	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	if (r->mem) {
		r->mempos = off < r->memlen ? (size_t)off : r->memlen;
		return true;
	}
	if (r->fd < 0) {
		if (!r->damage[0])
			str_fmt(r->damage, sizeof(r->damage), "%s: %s", r->files[k], strerror(errno));
		r->file_dead = true;
		return false;
	}
	if (off && lseek(r->fd, (off_t)off, SEEK_SET) < 0)
		r->file_dead = true;
	return !r->file_dead;
}

void rec_reader_seek(struct rec_reader *r, const struct rec_pos *pos)
{
	if (pos->file >= 0 && pos->file < r->nfiles)
		file_open(r, pos->file, pos->off);
}

/* Decompresses more output; false at the end of the current file. */
static bool refill(struct rec_reader *r)
{
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = { r->out, ZSTD_DStreamOutSize(), 0 };
		size_t ret;

		if (r->file_dead)
			return false;
		if (r->inpos == r->inlen) {
			ssize_t n;
			r->in_off += r->inlen;
			r->inlen = r->inpos = 0;
			if (r->mem) {
				n = (ssize_t)(r->memlen - r->mempos < IN_CHUNK ? r->memlen - r->mempos : IN_CHUNK);
				memcpy(r->in, r->mem + r->mempos, (size_t)n);
				r->mempos += (size_t)n;
			} else {
				n = read(r->fd, r->in, IN_CHUNK);
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n < 0)
					damage(r, "%s: read error at byte %llu: %s", strerror(errno));
				else if ((r->frame_open || r->llen) && r->fd >= 0 && rec_file_in_use(r->fd))
					r->live = true;   /* being recorded: its end is the last round written */
				else if (r->frame_open || r->llen) {
					/* a crash mid-write: every whole line before it counts */
					r->torn++;
					damage(r, "%s: ends in the middle of a record at byte %llu%s",
					       " (torn write, e.g. a crash); the rest is replayed");
				}
				r->file_dead = true;
				return false;
			}
			r->inlen = (size_t)n;
		}
		if (!r->frame_open)
			r->frame_off = r->in_off + r->inpos;
		in = (ZSTD_inBuffer){ r->in, r->inlen, r->inpos };
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		r->inpos = in.pos;
		if (ZSTD_isError(ret)) {
			damage(r, "%s: damaged at byte %llu (%s); what came before is replayed",
			       ZSTD_getErrorName(ret));
			return false;
		}
		r->frame_open = ret != 0;
		if (out.pos) {
			r->outlen = out.pos;
			r->outpos = 0;
			return true;
		}
	}
}

int rec_reader_next(struct rec_reader *r, const char **line, size_t *len, struct rec_pos *pos)
{
	for (;;) {
		if (r->cur < 0 || r->file_dead) {
			int next = r->cur < 0 ? 0 : r->cur + 1;
			if (next >= r->nfiles)
				return 0;
			file_open(r, next, 0);
			continue;
		}
		if (r->outpos == r->outlen && !refill(r))
			continue;   /* the next file */
		/* complete lines out of the decompressed bytes */
		const unsigned char *p = r->out + r->outpos;
		size_t avail = r->outlen - r->outpos;
		const unsigned char *nl = memchr(p, '\n', avail);
		size_t take = nl ? (size_t)(nl - p) : avail;

		if (!r->line_skip) {
			if (r->llen + take > REC_MAX_LINE) {
				r->line_skip = true;
				r->bad_lines++;
			} else {
				if (r->llen + take + 1 > r->lcap) {
					r->lcap = (r->llen + take + 1) * 2;
					r->line = xrealloc(r->line, r->lcap);
				}
				memcpy(r->line + r->llen, p, take);
				r->llen += take;
			}
		}
		r->outpos += take + (nl ? 1 : 0);
		if (!nl)
			continue;
		if (r->line_skip) {
			r->line_skip = false;
			r->llen = 0;
			continue;
		}
		r->line[r->llen] = '\0';
		*line = r->line;
		*len = r->llen;
		pos->file = r->cur;
		pos->off = r->frame_off;
		r->llen = 0;
		return 1;
	}
}

void rec_reader_close(struct rec_reader *r)
{
	file_close(r);
	for (int i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->out);
	free(r->line);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->cur = -1;
}
