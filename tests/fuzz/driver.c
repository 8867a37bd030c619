/* A standalone driver for libFuzzer targets: make check runs every fuzz
 * target with gcc, no clang or libFuzzer needed.
 *
 * It calls the target's LLVMFuzzerTestOneInput() on every file of the corpus
 * directories (or files) given as arguments, then on a seeded, deterministic
 * series of mutations of them: every truncation of small inputs, bit flips,
 * interesting bytes, inserted random bytes, duplicated and deleted chunks,
 * chunks spliced in from other inputs, and pure random buffers. It stops
 * after -runs runs or -max_total_time seconds, whichever comes first, and
 * exits 0 if nothing crashed. Memory errors are caught by the sanitizer
 * build (./configure --enable-sanitizers); on a crash the input is saved to
 * PREFIXcrash-TARGET-SEED so that `fuzz_TARGET PREFIXcrash-...` replays it.
 *
 *   usage: fuzz_TARGET [-seed=N] [-runs=N] [-max_total_time=S]
 *                      [-artifact_prefix=DIR/] CORPUS_DIR_OR_FILE...
 *
 * The flags are libFuzzer's, so tests/fuzz/run drives both builds with one
 * command line; libFuzzer flags this driver has no use for are ignored.
 *
 * Adding a fuzz target: see mk/fuzz.mk.
 *
 * This file uses only libc; with ./configure --enable-fuzzing it is left
 * out and libFuzzer supplies main(). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

#define CORPUS_MAX (1 << 16)   /* bytes read from one corpus file */
#define MUTANT_MAX (1 << 18)  /* a mutant never grows beyond this */
#define SMALL 256             /* inputs this short get every truncation */

struct input {
	uint8_t *data;
	size_t len;
};

static struct input *inputs;
static size_t ninputs;

/* The input being run, saved by the crash handlers. */
static const uint8_t *cur_data;
static size_t cur_len;
static char crash_path[4096];

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64*: small, fast and the same on every platform */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static size_t rng_below(size_t n)
{
	return n ? (size_t)(rng_next() % n) : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Writes the current input where the crash message says; async-signal-safe. */
static void save_crash(void)
{
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	static const char msg[] = "fuzz driver: crashing input saved to ";

	if (fd >= 0) {
		if (cur_len)
			(void)!write(fd, cur_data, cur_len);
		close(fd);
	}
	(void)!write(2, msg, sizeof(msg) - 1);
	(void)!write(2, crash_path, strlen(crash_path));
	(void)!write(2, "\n", 1);
}

static void on_signal(int sig)
{
	save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void add_input(const uint8_t *data, size_t len)
{
	inputs = realloc(inputs, (ninputs + 1) * sizeof(*inputs));
	if (!inputs)
		abort();
	inputs[ninputs].data = malloc(len ? len : 1);
	if (!inputs[ninputs].data)
		abort();
	if (len)
		memcpy(inputs[ninputs].data, data, len);
	inputs[ninputs++].len = len;
}

static void load_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	size_t len;

	if (!fp) {
		fprintf(stderr, "fuzz driver: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	buf = malloc(CORPUS_MAX);
	if (!buf)
		abort();
	len = fread(buf, 1, CORPUS_MAX, fp);
	fclose(fp);
	add_input(buf, len);
	free(buf);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order so that runs are reproducible. */
static void load_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2)))
			abort();
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	if (dp)
		closedir(dp);
	if (n)      /* an empty directory (a first run's learned corpus): names is NULL */
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			load_file(names[i]);
		free(names[i]);
	}
	free(names);
}

static void load_arg(const char *arg)
{
	struct stat st;

	if (stat(arg, &st) < 0) {
		fprintf(stderr, "fuzz driver: %s: %s\n", arg, strerror(errno));
		exit(2);
	}
	if (S_ISDIR(st.st_mode))
		load_dir(arg);
	else
		load_file(arg);
}

/* Runs the target on an exact-size copy, so that ASan sees any overread. */
static void run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	cur_data = copy;
	cur_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	cur_data = NULL;
	cur_len = 0;
	free(copy);
}

/* ---- mutations: each writes into out (capacity MUTANT_MAX) ---- */

static size_t mut_flip_bits(uint8_t *out, const struct input *in)
{
	size_t n = in->len;

	memcpy(out, in->data, n);
	for (int k = 1 + (int)rng_below(8); n && k > 0; k--)
		out[rng_below(n)] ^= (uint8_t)(1u << rng_below(8));
	return n;
}

static size_t mut_interesting_bytes(uint8_t *out, const struct input *in)
{
	static const uint8_t bytes[] = {
		0, 0xff, 0x80, '\n', '\r', '\t', ' ', '[', ']', '=', '#', ';', '"', '\\',
		'~', ':', '@', '/', '.', '-', '>', ',', '{', '}', '%', '\'',
	};
	size_t n = in->len;

	memcpy(out, in->data, n);
	for (int k = 1 + (int)rng_below(4); n && k > 0; k--)
		out[rng_below(n)] = bytes[rng_below(sizeof(bytes))];
	return n;
}

static size_t mut_insert_random(uint8_t *out, const struct input *in)
{
	size_t at = rng_below(in->len + 1), k = 1 + rng_below(32);

	if (in->len + k > MUTANT_MAX)
		k = 0;
	memcpy(out, in->data, at);
	for (size_t i = 0; i < k; i++)
		out[at + i] = (uint8_t)rng_next();
	memcpy(out + at + k, in->data + at, in->len - at);
	return in->len + k;
}

/* Repeats one chunk many times: long lines, many sections, deep nesting. */
static size_t mut_duplicate(uint8_t *out, const struct input *in)
{
	size_t start = rng_below(in->len + 1);
	size_t clen = rng_below(in->len - start + 1);
	size_t times = 1 + rng_below(rng_below(4) == 0 ? 2000 : 4);
	size_t o = 0;

	memcpy(out, in->data, start);
	o = start;
	for (size_t t = 0; t < times && o + clen <= MUTANT_MAX - in->len; t++, o += clen)
		memcpy(out + o, in->data + start, clen);
	memcpy(out + o, in->data + start, in->len - start);
	return o + in->len - start;
}

static size_t mut_delete(uint8_t *out, const struct input *in)
{
	size_t start = rng_below(in->len + 1);
	size_t clen = rng_below(in->len - start + 1);

	memcpy(out, in->data, start);
	memcpy(out + start, in->data + start + clen, in->len - start - clen);
	return in->len - clen;
}

/* A prefix of one input and a suffix of another. */
static size_t mut_splice(uint8_t *out, const struct input *in)
{
	const struct input *other = &inputs[rng_below(ninputs)];
	size_t a = rng_below(in->len + 1), b = rng_below(other->len + 1);

	memcpy(out, in->data, a);
	memcpy(out + a, other->data + b, other->len - b);
	return a + other->len - b;
}

/* A chunk of another input inserted: brings its tokens along. */
static size_t mut_crossover(uint8_t *out, const struct input *in)
{
	const struct input *other = &inputs[rng_below(ninputs)];
	size_t at = rng_below(in->len + 1);
	size_t start = rng_below(other->len + 1);
	size_t clen = rng_below(other->len - start + 1);

	memcpy(out, in->data, at);
	memcpy(out + at, other->data + start, clen);
	memcpy(out + at + clen, in->data + at, in->len - at);
	return in->len + clen;
}

static size_t mut_random(uint8_t *out, const struct input *in)
{
	size_t n = rng_below(4097);

	(void)in;
	for (size_t i = 0; i < n; i++)
		out[i] = rng_below(4) ? (uint8_t)(32 + rng_below(95)) : (uint8_t)rng_next();
	return n;
}

static size_t (*const mutators[])(uint8_t *, const struct input *) = {
	mut_flip_bits, mut_interesting_bytes, mut_insert_random, mut_duplicate,
	mut_delete, mut_splice, mut_crossover, mut_random,
};

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_TARGET [-seed=N] [-runs=N] [-max_total_time=S] "
		"[-artifact_prefix=P] CORPUS_DIR_OR_FILE...\n");
	exit(2);
}

/* "-name=value": the value if arg is that flag, else NULL. */
static const char *flag(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (arg[0] != '-' || strncmp(arg + 1, name, n) != 0 || arg[1 + n] != '=')
		return NULL;
	return arg + n + 2;
}

int main(int argc, char **argv)
{
	unsigned long seed = 1, max_runs = 20000;
	double seconds = 5, start;
	unsigned long runs = 0;
	const char *target = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *prefix = "", *v;
	uint8_t *out;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			continue;
		if ((v = flag(argv[i], "seed")))
			seed = strtoul(v, NULL, 10);
		else if ((v = flag(argv[i], "runs")))
			max_runs = strtoul(v, NULL, 10);
		else if ((v = flag(argv[i], "max_total_time")))
			seconds = strtod(v, NULL);
		else if ((v = flag(argv[i], "artifact_prefix")))
			prefix = v;
		else if (!strchr(argv[i], '='))
			usage();
		/* any other -flag=value is libFuzzer's */
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			load_arg(argv[i]);
	if (ninputs == 0)
		add_input((const uint8_t *)"", 0);
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

	snprintf(crash_path, sizeof(crash_path), "%scrash-%s-%lu", prefix, target, seed);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_crash);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);

	start = now();
	/* 1. The corpus as is, and every truncation of its small inputs. */
	for (size_t i = 0; i < ninputs; i++, runs++)
		run_one(inputs[i].data, inputs[i].len);
	for (size_t i = 0; i < ninputs; i++)
		for (size_t n = 0; inputs[i].len <= SMALL && n < inputs[i].len; n++, runs++)
			run_one(inputs[i].data, n);
	/* 2. Mutations, round-robin over the mutators, until a limit. */
	out = malloc(MUTANT_MAX);
	if (!out)
		abort();
	for (unsigned long k = 0; runs < max_runs && now() - start < seconds; k++, runs++) {
		const struct input *in = &inputs[rng_below(ninputs)];
		size_t len;

		/* Inputs are at most CORPUS_MAX = MUTANT_MAX / 4: any mutant fits. */
		len = mutators[k % (sizeof(mutators) / sizeof(mutators[0]))](out, in);
		if (len > MUTANT_MAX)
			abort();   /* a mutator bug, not the target's */
		run_one(out, len);
	}
	free(out);
	fprintf(stderr, "%s: %zu inputs, %lu runs in %.1fs (seed %lu), no crash\n", target,
		ninputs, runs, now() - start, seed);
	/* the line tests/fuzz/fuzz-all reads, as libFuzzer prints it */
	fprintf(stderr, "stat::number_of_executed_units: %lu\n", runs);
	for (size_t i = 0; i < ninputs; i++)
		free(inputs[i].data);
	free(inputs);
	return 0;
}
