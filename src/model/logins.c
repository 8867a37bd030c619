/* Each host's newest SSH login and the actions' asks for a new one
 * (model.h: model_login_*, model_relogin_*). An ssh-authorized-key
 * rotation asks the collector to log every host in again with the newly
 * installed key and drops the old key only once the collector's own
 * login with it is newer than the install (provider/key_sshkey.c). */
#include "config.h"
#include "model/model.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

struct model_login {
	double at;                   /* wall time of the newest login, 0: none */
	char *key;                   /* what it authenticated with */
	char *ask;                   /* an action's ask: log in again with this key first */
};

/* Host i's slot (under the lock), grown on demand. */
static struct model_login *slot(struct model *m, size_t i)
{
	if (i >= m->nlogins) {
		m->logins = xrealloc(m->logins, (i + 1) * sizeof(*m->logins));
		memset(m->logins + m->nlogins, 0, (i + 1 - m->nlogins) * sizeof(*m->logins));
		m->nlogins = i + 1;
	}
	return &m->logins[i];
}

static void set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

void model_login_done(struct model *m, size_t i, double at, const char *key)
{
	pthread_mutex_lock(&m->lock);
	slot(m, i)->at = at;
	set_str(&m->logins[i].key, key ? key : "");
	pthread_mutex_unlock(&m->lock);
}

double model_login_get(struct model *m, size_t i, char *key, size_t keylen)
{
	double at = 0;

	if (keylen)
		key[0] = '\0';
	pthread_mutex_lock(&m->lock);
	if (i < m->nlogins) {
		at = m->logins[i].at;
		if (m->logins[i].key)
			str_copy(key, m->logins[i].key, keylen);
	}
	pthread_mutex_unlock(&m->lock);
	return at;
}

void model_relogin_ask(struct model *m, size_t i, const char *key)
{
	pthread_mutex_lock(&m->lock);
	set_str(&slot(m, i)->ask, key);
	m->relogin_gen++;
	pthread_mutex_unlock(&m->lock);
}

uint64_t model_relogin_gen(struct model *m)
{
	uint64_t g;

	pthread_mutex_lock(&m->lock);
	g = m->relogin_gen;
	pthread_mutex_unlock(&m->lock);
	return g;
}

bool model_relogin_take(struct model *m, size_t i, char *key, size_t keylen)
{
	bool asked = false;

	pthread_mutex_lock(&m->lock);
	if (i < m->nlogins && m->logins[i].ask) {
		str_copy(key, m->logins[i].ask, keylen);
		set_str(&m->logins[i].ask, NULL);
		asked = true;
	}
	pthread_mutex_unlock(&m->lock);
	return asked;
}

void model_logins_free(struct model *m)
{
	for (size_t i = 0; i < m->nlogins; i++) {
		free(m->logins[i].key);
		free(m->logins[i].ask);
	}
	free(m->logins);
	m->logins = NULL;
	m->nlogins = 0;
}
