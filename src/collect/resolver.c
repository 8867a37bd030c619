#include "config.h"
#include "collect/resolver.h"
#include "loop/wake.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum rq_state { RQ_QUEUED, RQ_RUNNING, RQ_DONE };

struct resolve_req {
	struct resolver *r;
	char *host;
	char port[8];
	enum rq_state state;
	bool cancelled;          /* the caller let go: whoever finishes frees it */
	struct addrinfo *res;
	int rc;
	struct resolve_req *next;  /* in the queue */
};

/* Shared with the workers, under lock. Freed by whoever lets go last (the
 * owner's resolver_free() or the last worker to end), so a worker stuck in
 * getaddrinfo() never touches freed memory and never delays exit. */
struct resolver {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct resolve_req *qhead, *qtail;
	int max_threads, threads, idle;
	bool closing;
	struct wake wake;        /* poked when a lookup finished */
};

static void resolver_release(struct resolver *r)
{
	/* under lock; the last one out frees */
	if (!r->closing || r->threads > 0) {
		pthread_mutex_unlock(&r->lock);
		return;
	}
	pthread_mutex_unlock(&r->lock);
	wake_close(&r->wake);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void req_free(struct resolve_req *q)
{
	if (q->res)
		freeaddrinfo(q->res);
	free(q->host);
	free(q);
}

static void *worker(void *arg)
{
	struct resolver *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct resolve_req *q;
		struct addrinfo hints = { 0 }, *res = NULL;
		int rc;

		while (!r->qhead && !r->closing) {
			r->idle++;
			pthread_cond_wait(&r->cond, &r->lock);
			r->idle--;
		}
		if (r->closing)
			break;
		q = r->qhead;
		r->qhead = q->next;
		if (!r->qhead)
			r->qtail = NULL;
		q->state = RQ_RUNNING;
		pthread_mutex_unlock(&r->lock);

		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
		rc = getaddrinfo(q->host, q->port, &hints, &res);

		pthread_mutex_lock(&r->lock);
		if (q->cancelled) {
			if (res)
				freeaddrinfo(res);
			req_free(q);
			continue;
		}
		q->res = rc == 0 ? res : NULL;
		q->rc = rc == 0 && !res ? EAI_NONAME : rc;
		q->state = RQ_DONE;
		wake_poke(&r->wake);
	}
	r->threads--;
	resolver_release(r);
	return NULL;
}

struct resolver *resolver_new(int max_threads)
{
	struct resolver *r = xcalloc(1, sizeof(*r));

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->max_threads = max_threads > 0 ? max_threads : 4;
	wake_open_or_die(&r->wake, "resolver");
	return r;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->closing = true;
	while (r->qhead) {
		struct resolve_req *q = r->qhead;
		r->qhead = q->next;
		if (q->cancelled)
			req_free(q);
		else
			q->r = NULL;  /* its owner still holds it */
	}
	r->qtail = NULL;
	pthread_cond_broadcast(&r->cond);
	resolver_release(r);
}

int resolver_fd(const struct resolver *r)
{
	return wake_fd(&r->wake);
}

void resolver_drain(struct resolver *r)
{
	wake_drain(&r->wake);
}

/* Under lock: one more worker if the queue is longer than the idle ones. */
static void maybe_spawn(struct resolver *r)
{
	pthread_t t;
	pthread_attr_t attr;
	sigset_t all, old;

	if (r->idle > 0 || r->threads >= r->max_threads)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* signals belong to the UI thread */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&t, &attr, worker, r) == 0)
		r->threads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

struct resolve_req *resolver_lookup(struct resolver *r, const char *host, int port)
{
	struct resolve_req *q = xcalloc(1, sizeof(*q));
	struct addrinfo hints = { 0 };

	q->r = r;
	q->host = xstrdup(host);
	snprintf(q->port, sizeof(q->port), "%d", port);
	/* an address needs no lookup and no thread */
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	q->rc = getaddrinfo(host, q->port, &hints, &q->res);
	if (q->rc != EAI_NONAME) {
		if (q->rc != 0)
			q->res = NULL;
		q->state = RQ_DONE;
		return q;
	}
	q->rc = 0;
	q->res = NULL;
	pthread_mutex_lock(&r->lock);
	q->state = RQ_QUEUED;
	if (r->qtail)
		r->qtail->next = q;
	else
		r->qhead = q;
	r->qtail = q;
	maybe_spawn(r);
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return q;
}

bool resolve_req_done(struct resolve_req *q, struct addrinfo **res, int *rc)
{
	bool done;

	if (q->r)
		pthread_mutex_lock(&q->r->lock);
	done = q->state == RQ_DONE;
	if (done) {
		*res = q->res;
		*rc = q->rc;
		q->res = NULL;
	}
	if (q->r)
		pthread_mutex_unlock(&q->r->lock);
	return done;
}

void resolve_req_cancel(struct resolve_req *q)
{
	struct resolver *r;

	if (!q)
		return;
	r = q->r;
	if (!r) {
		req_free(q);
		return;
	}
	pthread_mutex_lock(&r->lock);
	if (q->state == RQ_RUNNING) {
		q->cancelled = true;  /* its worker frees it */
		pthread_mutex_unlock(&r->lock);
		return;
	}
	if (q->state == RQ_QUEUED) {
		struct resolve_req **pp = &r->qhead, *prev = NULL;
		while (*pp && *pp != q) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (*pp)
			*pp = q->next;
		if (r->qtail == q)
			r->qtail = prev;
	}
	pthread_mutex_unlock(&r->lock);
	req_free(q);
}
