/* The model: samples published by reference, snapshots that take only what
 * changed, storage per configured target only. */
#include "config.h"
#include "model/model.h"
#include "domain/domain.h"
#include "util/util.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct host_sample host_at(double t)
{
	struct host_sample s = { 0 };

	s.conn = HC_OK;
	s.sampled_at = t;
	s.valid = HV_LOAD;
	s.load[0] = t;
	return s;
}

static void publish_hosts(struct model *m, size_t n, double t)
{
	for (size_t i = 0; i < n; i++) {
		struct host_sample s = host_at(t + (double)i);
		model_publish_host(m, i, &s);
	}
}

START_TEST(test_snapshot_takes_only_what_changed)
{
	struct model m;
	struct snapshot s = { 0 };
	struct host_sample h = host_at(100);

	model_init(&m, 100);
	publish_hosts(&m, 100, 1);
	ck_assert(model_snapshot(&m, &s));
	ck_assert(s.changed_all);                       /* a new reader takes everything */
	ck_assert_uint_eq(s.nhosts, 100);
	ck_assert_double_eq(snap_host(&s, 42)->load[0], 43);
	ck_assert(!model_snapshot(&m, &s));              /* nothing new: nothing taken */
	ck_assert_uint_eq(s.nchanged, 0);
	model_publish_host(&m, 7, &h);
	ck_assert(model_snapshot(&m, &s));
	ck_assert(!s.changed_all);
	ck_assert_uint_eq(s.nchanged, 1);                /* one host changed: one taken */
	ck_assert_uint_eq(s.changed[0].dom, DOM_HOST);
	ck_assert_uint_eq(s.changed[0].index, 7);
	ck_assert_double_eq(snap_host(&s, 7)->load[0], 100);
	ck_assert_double_eq(snap_host(&s, 8)->load[0], 9);
	ck_assert_uint_gt(snapshot_gen(&s, DOM_HOST, 7), snapshot_gen(&s, DOM_HOST, 8));
	snapshot_free(&s);
	model_free(&m);
}
END_TEST

/* A snapshot keeps what it took while the collector publishes newer
 * samples, and both share one copy until then. */
START_TEST(test_samples_are_shared_and_immutable)
{
	struct model m;
	struct snapshot a = { 0 }, b = { 0 };
	struct host_sample h = host_at(5);
	const struct host_sample *old;

	model_init(&m, 2);
	model_publish_host(&m, 0, &h);
	model_snapshot(&m, &a);
	model_snapshot(&m, &b);
	ck_assert_ptr_eq(snap_host(&a, 0), snap_host(&b, 0));   /* one copy, two readers */
	old = snap_host(&a, 0);
	h = host_at(6);
	model_publish_host(&m, 0, &h);
	ck_assert_double_eq(old->load[0], 5);                    /* a's view did not move */
	model_snapshot(&m, &a);
	ck_assert_double_eq(snap_host(&a, 0)->load[0], 6);
	ck_assert_double_eq(snap_host(&b, 0)->load[0], 5);
	snapshot_free(&b);
	snapshot_free(&a);
	model_free(&m);
}
END_TEST

/* More changes than the journal holds: the reader takes every target that
 * differs, and still ends up equal to the model. */
START_TEST(test_journal_overflow)
{
	struct model m;
	struct snapshot s = { 0 };

	model_init(&m, 10);
	model_snapshot(&m, &s);
	for (int k = 0; k < MODEL_JOURNAL / 10 + 5; k++)
		publish_hosts(&m, 10, 1000 * k);
	ck_assert(model_snapshot(&m, &s));
	ck_assert(s.changed_all);
	for (size_t i = 0; i < 10; i++)
		ck_assert_double_eq(snap_host(&s, i)->load[0], 1000.0 * (MODEL_JOURNAL / 10 + 4) + (double)i);
	snapshot_free(&s);
	model_free(&m);
}
END_TEST

/* Hosts added later (discovery) and targets never published read as zeros;
 * a domain resized is taken whole. */
START_TEST(test_resize_and_unpublished)
{
	struct model m;
	struct snapshot s = { 0 };
	struct host_containers hc = { .collected = true, .n = 1 };

	model_init(&m, 1);
	model_resize(&m, DOM_CONTAINER, 0, true);
	model_snapshot(&m, &s);
	ck_assert_uint_eq(snapshot_count(&s, DOM_CONTAINER), 1);
	ck_assert(!snap_containers(&s, 0)->collected);
	ck_assert(!snap_containers(&s, 5)->collected);           /* out of range: zeros too */
	model_resize(&m, DOM_HOST, 3, true);
	str_copy(hc.c[0].name, "web", sizeof(hc.c[0].name));
	model_put(&m, DOM_CONTAINER, 2, &hc, host_containers_size(&hc));
	ck_assert(model_snapshot(&m, &s));
	ck_assert_uint_eq(s.nhosts, 3);
	ck_assert_uint_eq(snapshot_count(&s, DOM_CONTAINER), 3);
	ck_assert_str_eq(snap_containers(&s, 2)->c[0].name, "web");
	snapshot_free(&s);
	model_free(&m);
}
END_TEST

/* A host without containers or GPUs costs what it uses: its sample and
 * the headers saying "none here", not 128 container and 16 GPU slots. */
START_TEST(test_bare_host_costs_at_most_4k)
{
	struct model m;
	struct host_containers hc = { .collected = true, .err = CE_NO_ENGINE };
	struct host_gpus hg = { .collected = true, .absent = true };
	size_t n = 100, bytes;

	model_init(&m, n);
	model_resize(&m, DOM_CONTAINER, 0, true);
	model_resize(&m, DOM_GPU, 0, true);
	publish_hosts(&m, n, 1);
	for (size_t i = 0; i < n; i++) {
		model_put(&m, DOM_CONTAINER, i, &hc, host_containers_size(&hc));
		model_put(&m, DOM_GPU, i, &hg, host_gpus_size(&hg));
	}
	bytes = model_bytes(&m, DOM__COUNT);
	ck_assert_msg(bytes / n <= 4096, "%zu bytes per bare host", bytes / n);
	/* and one with three containers pays for three */
	hc.err = CE_NONE;
	hc.n = 3;
	model_put(&m, DOM_CONTAINER, 0, &hc, host_containers_size(&hc));
	ck_assert_uint_eq(model_bytes(&m, DOM__COUNT) - bytes, 3 * sizeof(hc.c[0]));
	model_free(&m);
}
END_TEST

/* The domain table: every domain has its row, in place, its sample fits
 * what an unpublished target reads as, a row that writes JSON or is
 * recorded names its array (one writer: top level or per host), and every
 * row has its recorded fields. */
START_TEST(test_domain_table_rows)
{
	DOMAINS_FOREACH(d) {
		ck_assert_int_eq(d->id, d - domains);
		ck_assert_ptr_nonnull(d->name);
		ck_assert_uint_gt(d->sample_size, 0);
		ck_assert_uint_le(d->sample_size, MODEL_SAMPLE_MAX);
		ck_assert(!(d->json || d->json_host || d->record) || d->json_key != NULL);
		ck_assert(!(d->json && d->json_host));
		ck_assert(d->id == DOM_HOST || d->source != NULL);
		ck_assert(d->id == DOM_HOST || d->rules != NULL);
		/* every domain is recorded (record/codec.c reads only .record),
		 * but the sections judged on the server */
		ck_assert_msg(d->id == DOM_PROMFLEET || d->record != NULL, "%s is not recorded", d->name);
		for (const char *const *h = d->help; h && h[0]; h += 2)
			ck_assert_ptr_nonnull(h[1]);
	}
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_snapshot_takes_only_what_changed);
	tcase_add_test(tc, test_samples_are_shared_and_immutable);
	tcase_add_test(tc, test_journal_overflow);
	tcase_add_test(tc, test_resize_and_unpublished);
	tcase_add_test(tc, test_bare_host_costs_at_most_4k);
	tcase_add_test(tc, test_domain_table_rows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(model_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
