/* Fuzz target: the shell's end-marker framing (collect/shell.c), the one
 * place where a host's raw output is cut into answers: the input is what
 * the "host" prints on stdout (in chunks whose sizes the first byte picks)
 * for three queued requests, one of them with a tiny output cap (their
 * stderr end markers arrive whole on stderr). The
 * channel's token is fixed here so that inputs can hold real markers
 * ("\n@@FDEND-" 32 zeros "-SEQ STATUS\n"; sequence 0 is the prelude's). */
#include "config.h"
#include "collect/shell.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *data;
	size_t size, pos, chunk;
	int answers;
	bool err_sent;
};

static ssize_t f_write(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return (ssize_t)len;
}

static ssize_t f_read(void *ctx, int stream, char *buf, size_t len)
{
	struct feed *f = ctx;
	size_t n;

	if (stream == 1) {
		/* stderr: every request's end marker (and some text), at once */
		static const char err[] =
			"banner\n\n@@FDERR-00000000000000000000000000000000-0\n"
			"\n@@FDERR-00000000000000000000000000000000-1\n"
			"oops\n\n@@FDERR-00000000000000000000000000000000-2\n"
			"\n@@FDERR-00000000000000000000000000000000-3\n";
		if (f->err_sent || len < sizeof(err) - 1)
			return SHELL_AGAIN;
		f->err_sent = true;
		memcpy(buf, err, sizeof(err) - 1);
		return (ssize_t)(sizeof(err) - 1);
	}
	if (f->pos >= f->size)
		return SHELL_AGAIN;
	n = f->size - f->pos;
	if (n > f->chunk)
		n = f->chunk;
	if (n > len)
		n = len;
	memcpy(buf, f->data + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static const struct shell_io io = { f_write, f_read };

static void on_answer(void *arg, const struct shell_result *r)
{
	struct feed *f = arg;

	/* what a collector does with an answer: read all of it */
	if (r->out && r->outlen && memchr(r->out, '\0', r->outlen + 1) == NULL)
		__builtin_trap();
	f->answers++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shell sh;
	struct feed f = { 0 };
	struct shell_limits tiny = { .timeout = 5, .max_output = 64 };
	char msg[256];

	if (size < 1)
		return 0;
	f.chunk = 1 + data[0] % 64 * 97;
	f.data = data + 1;
	f.size = size - 1;
	shell_init(&sh);
	shell_restart(&sh);
	memset(sh.token, '0', 32);
	sh.token[32] = '\0';
	shell_submit(&sh, "echo one", 5, on_answer, &f);
	shell_submit_limited(&sh, "echo two", &tiny, on_answer, &f);
	shell_submit_builtins(&sh, "echo three", 5, on_answer, &f);
	for (int i = 0; i < 10000 && f.pos < f.size; i++)
		if (shell_pump(&sh, &io, &f, 1.0 + i, msg, sizeof(msg)) < 0)
			break;
	(void)shell_deadline(&sh);
	shell_fail_all(&sh, HC_PROBE, "fuzz: done");
	shell_free(&sh);
	return 0;
}
