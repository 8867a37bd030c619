#include "config.h"
#include "collect/ssh.h"
#include "collect/knownhosts.h"
#include "collect/sshconfig.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <libssh2.h>

#define BACKOFF_MIN 1.0
#define BACKOFF_MAX 60.0
#define KEEPALIVE_S 15
#define TUNNEL_BUF 32768

enum ssh_state {
	SS_IDLE,        /* not connected, may connect */
	SS_BACKOFF,     /* failed; retry_at says when to try again */
	SS_QUEUED,      /* waiting for a setup slot (ssh_sched): no deadline */
	SS_TUNNEL,      /* waiting for the jump host's direct-tcpip channel */
	SS_RESOLVE,     /* the name lookup runs on a resolver thread */
	SS_CONNECT,     /* TCP connect in progress */
	SS_HANDSHAKE,
	SS_AUTH_LIST,
	SS_AUTH_AGENT,
	SS_AUTH_KEY,
	SS_CHANNEL,
	SS_EXEC,
	SS_READY,
};

/* A channel carried by one session for someone else: direct-tcpip to
 * host:port, or direct-streamlocal to a unix socket on the host (path);
 * the other end of a socketpair is the client's socket. */
struct ssh_tunnel {
	struct ssh_conn *via;
	LIBSSH2_CHANNEL *ch;
	int fd;                  /* our end */
	char host[256];
	int port;
	char path[108];          /* "": direct-tcpip */
	enum { TN_OPENING, TN_OPEN, TN_CLOSED } state;
	bool open_tried;         /* the channel open went out once */
	bool refused;            /* the far end refused to open the channel */
	char error[160];
	bool client_released;    /* the client closed its end and let go */
	bool fd_eof;
	bool ch_eof;             /* the far end sent EOF (to_fd still flushed) */
	char to_ch[TUNNEL_BUF];
	size_t to_ch_len;
	char to_fd[TUNNEL_BUF];
	size_t to_fd_len;
	int poll_idx;
	struct ssh_tunnel *next;
};

/* A loopback listener whose connections ride this session (ssh -L). */
struct forward {
	int fd;
	char path[108];          /* the Unix socket listened on */
	char host[256];
	int dest_port;
	int poll_idx;
	struct forward *next;
};

/* Every block libssh2 allocates for a session is on that session's list,
 * and what is left on it when libssh2_session_free() returns is freed
 * then: libssh2 1.10 leaves a key exchange's own blocks (the curve25519
 * key pair) behind when its session is freed before the exchange ended —
 * at each key exchange that timed out, and at a quit during one. */
struct ssh_mem {
	struct ssh_mem *prev, *next;
};

union ssh_mem_block {
	struct ssh_mem link;
	max_align_t align;
};

struct ssh_conn {
	struct ssh_params p;
	struct forward *forwards;
	char *name, *alias, *user, *identity_file, *known_hosts, *ssh_config;
	struct kh_files kh;          /* the host key files (knownhosts_files()) */
	bool resolved;
	int resolve_rc;
	char resolve_err[256];
	struct ssh_target target;

	enum ssh_state state;
	double deadline;         /* of the current setup phase */
	double retry_at;
	double backoff;
	bool counted;            /* holds a setup slot */
	struct ssh_conn *qprev, *qnext;  /* in the scheduler's queue */
	bool queued;
	enum ssh_phase phase;    /* of the setup, while in_setup() or answering */
	double phase_start;
	double took[SP__COUNT];  /* how long each phase of the last setup took */
	bool answered;           /* the shell printed its first bytes */

	struct resolve_req *dns;
	int sock;
	LIBSSH2_SESSION *session;
	struct ssh_mem mem;          /* what libssh2 holds for it (ssh_mem_*) */
	LIBSSH2_CHANNEL *channel;
	struct ssh_tunnel *via_tunnel;   /* ours, on the jump host's conn */
	LIBSSH2_AGENT *agent;
	struct libssh2_agent_publickey *agent_id;
	int key_index;
	char *auth_methods;
	char tried[160];         /* what authentication tried, for the message */
	int poll_idx;
	double next_keepalive;

	struct shell shell;
	struct ssh_tunnel *tunnels;  /* carried for others */
	/* the tunnel whose channel open is under way: libssh2 keeps one open's
	 * state per session, so opens go one at a time */
	struct ssh_tunnel *opening;
	int jump_setups;         /* clients setting up through us */

	enum host_conn fail_kind;
	char fail_msg[MODEL_ERR_LEN];
	char fingerprint[96];

	/* an action's ask to log in again (ssh_conn_relogin), with relogin_key
	 * tried first; the newest login and what authenticated it */
	char *relogin_key;
	bool relogin_pending;
	uint64_t logins;
	double login_at;         /* wall */
	char *login_key;
};

#define RELOGIN_KEY_INDEX (-2)   /* key_index: the relogin key */

static int libssh2_ready;

struct ssh_conn *ssh_conn_new(const struct ssh_params *p)
{
	struct ssh_conn *c = xcalloc(1, sizeof(*c));

	c->mem.prev = c->mem.next = &c->mem;
	if (!libssh2_ready) {
		if (libssh2_init(0) != 0)
			fatal("libssh2_init failed");
		libssh2_ready = 1;
	}
	c->p = *p;
	c->name = xstrdup(p->name);
	c->alias = xstrdup(p->alias);
	c->user = p->user ? xstrdup(p->user) : NULL;
	c->identity_file = p->identity_file ? xstrdup(p->identity_file) : NULL;
	c->known_hosts = p->known_hosts ? xstrdup(p->known_hosts) : NULL;
	c->ssh_config = p->ssh_config ? xstrdup(p->ssh_config) : NULL;
	c->sock = -1;
	c->poll_idx = -1;
	c->backoff = BACKOFF_MIN;
	shell_init(&c->shell);
	return c;
}

struct shell *ssh_conn_shell(struct ssh_conn *c)
{
	return &c->shell;
}

bool ssh_conn_ready(const struct ssh_conn *c)
{
	return c->state == SS_READY;
}

double ssh_conn_slow_login(const struct ssh_conn *c)
{
	if (c->state != SS_READY || !c->answered)
		return 0;
	return c->took[SP_ANSWER] > c->p.timeout ? c->took[SP_ANSWER] : 0;
}

enum host_conn ssh_conn_last_fail(const struct ssh_conn *c, const char **msg,
				  const char **fingerprint)
{
	*msg = c->fail_msg;
	*fingerprint = c->fingerprint;
	return c->fail_kind;
}

static bool in_setup(const struct ssh_conn *c)
{
	return c->state >= SS_TUNNEL && c->state < SS_READY;
}

static void release_slot(struct ssh_conn *c)
{
	if (!c->counted)
		return;
	c->counted = false;
	c->p.sched->in_flight--;
	if (c->p.dest_setups)
		(*c->p.dest_setups)--;
	if (c->p.jump)
		c->p.jump->jump_setups--;
}

/* ---- the scheduler: a global cap on setups, FIFO ---- */

static uint64_t rng_next(uint64_t *st)
{
	uint64_t x = *st;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void ssh_sched_init(struct ssh_sched *s, int cap, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->cap = cap > 0 ? cap : ssh_sched_default_cap();
	if (!seed)
		seed = (uint64_t)(now_wall() * 1e6) ^ ((uint64_t)getpid() << 32);
	s->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
}

double ssh_sched_rand01(struct ssh_sched *s)
{
	return (double)(rng_next(&s->rng) >> 11) * 0x1.0p-53;
}

int ssh_sched_default_cap(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	long cap = 8 * (n > 0 ? n : 1);

	return (int)(cap < 8 ? 8 : cap > 64 ? 64 : cap);
}

static void queue_remove(struct ssh_conn *c)
{
	struct ssh_sched *s = c->p.sched;

	if (!c->queued)
		return;
	if (c->qprev)
		c->qprev->qnext = c->qnext;
	else
		s->qhead = c->qnext;
	if (c->qnext)
		c->qnext->qprev = c->qprev;
	else
		s->qtail = c->qprev;
	c->qprev = c->qnext = NULL;
	c->queued = false;
}

static void queue_append(struct ssh_conn *c)
{
	struct ssh_sched *s = c->p.sched;

	if (c->queued)
		return;
	c->qprev = s->qtail;
	c->qnext = NULL;
	if (s->qtail)
		s->qtail->qnext = c;
	else
		s->qhead = c;
	s->qtail = c;
	c->queued = true;
}

/* ---- tunnels carried by this conn ---- */

static void tunnel_close(struct ssh_tunnel *t, const char *why)
{
	if (t->state == TN_CLOSED)
		return;
	if (why && !t->error[0])
		str_copy(t->error, why, sizeof(t->error));
	t->state = TN_CLOSED;
	if (t->ch) {
		/* freed with the session if it would block; see teardown */
		if (libssh2_channel_free(t->ch) == 0)
			t->ch = NULL;
	}
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}

static void tunnels_reap(struct ssh_conn *c)
{
	struct ssh_tunnel **pp = &c->tunnels;

	while (*pp) {
		struct ssh_tunnel *t = *pp;
		if (t->state == TN_CLOSED && t->client_released && !t->ch) {
			*pp = t->next;
			free(t);
		} else {
			pp = &t->next;
		}
	}
}

/* Whether a client waits for one of c's tunnels to open. */
static bool tunnels_waiting(const struct ssh_conn *c)
{
	for (const struct ssh_tunnel *t = c->tunnels; t; t = t->next)
		if (t->state == TN_OPENING)
			return true;
	return false;
}

/* A tunnel from fd (ours from now on) to host:port through via. */
static struct ssh_tunnel *tunnel_new(struct ssh_conn *via, const char *host, int port, int fd)
{
	struct ssh_tunnel *t = xcalloc(1, sizeof(*t));

	fcntl(fd, F_SETFL, O_NONBLOCK);
	t->via = via;
	t->fd = fd;
	t->poll_idx = -1;
	str_copy(t->host, host, sizeof(t->host));
	t->port = port;
	t->state = TN_OPENING;
	t->next = via->tunnels;
	via->tunnels = t;
	return t;
}

static struct ssh_tunnel *tunnel_open(struct ssh_conn *via, const char *host, int port, int *client_fd)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	*client_fd = sv[1];
	return tunnel_new(via, host, port, sv[0]);
}

int ssh_conn_forward(struct ssh_conn *c, const char *host, int port, const char *path,
		     char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct forward *fw;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		str_fmt(err, errlen, "the socket path %s is too long", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		str_fmt(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* a Unix socket in our own 0700 directory: no other local user can
	 * connect (a loopback TCP port would let any of them through) */
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, 16) < 0) {
		str_fmt(err, errlen, "cannot listen on %s for the tunnel: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	fw = xcalloc(1, sizeof(*fw));
	fw->fd = fd;
	str_copy(fw->path, path, sizeof(fw->path));
	str_copy(fw->host, host, sizeof(fw->host));
	fw->dest_port = port;
	fw->poll_idx = -1;
	fw->next = c->forwards;
	c->forwards = fw;
	return 0;
}

static void forwards_prepare(struct ssh_conn *c, struct pollset *ps)
{
	for (struct forward *fw = c->forwards; fw; fw = fw->next)
		fw->poll_idx = pollset_add(ps, fw->fd, POLLIN);
}

/* New local connections become tunnels; they open once the session is up. */
static void forwards_accept(struct ssh_conn *c, const struct pollset *ps, double now)
{
	for (struct forward *fw = c->forwards; fw; fw = fw->next) {
		int fd;
		if (!pollset_revents(ps, fw->poll_idx))
			continue;
		while ((fd = accept(fw->fd, NULL, NULL)) >= 0) {
			struct ssh_tunnel *t;
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			t = tunnel_new(c, fw->host, fw->dest_port, fd);
			t->client_released = true;  /* nobody else holds it */
			if (c->state == SS_BACKOFF && now < c->retry_at)
				tunnel_close(t, c->fail_msg);
		}
		if (c->state == SS_IDLE || c->state == SS_BACKOFF)
			ssh_conn_kick(c, now);
	}
}

/* Moves bytes between the socketpair and the channel until both would block. */
static void tunnel_pump(struct ssh_tunnel *t)
{
	bool progress = true;

	while (progress && t->state == TN_OPEN) {
		ssize_t n;
		progress = false;
		if (!t->fd_eof && t->to_ch_len < TUNNEL_BUF) {
			n = read(t->fd, t->to_ch + t->to_ch_len, TUNNEL_BUF - t->to_ch_len);
			if (n > 0) {
				t->to_ch_len += (size_t)n;
				progress = true;
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				t->fd_eof = true;
			}
		}
		if (t->to_ch_len) {
			n = libssh2_channel_write(t->ch, t->to_ch, t->to_ch_len);
			if (n > 0) {
				memmove(t->to_ch, t->to_ch + n, t->to_ch_len - (size_t)n);
				t->to_ch_len -= (size_t)n;
				progress = true;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				tunnel_close(t, "the tunnel's channel failed");
				return;
			}
		}
		if (t->to_fd_len < TUNNEL_BUF && !t->ch_eof) {
			n = libssh2_channel_read(t->ch, t->to_fd + t->to_fd_len, TUNNEL_BUF - t->to_fd_len);
			if (n > 0) {
				t->to_fd_len += (size_t)n;
				progress = true;
			} else if (n != LIBSSH2_ERROR_EAGAIN && (n < 0 || libssh2_channel_eof(t->ch))) {
				t->ch_eof = true;
				progress = true;
			}
		}
		if (t->to_fd_len) {
			n = write(t->fd, t->to_fd, t->to_fd_len);
			if (n > 0) {
				memmove(t->to_fd, t->to_fd + n, t->to_fd_len - (size_t)n);
				t->to_fd_len -= (size_t)n;
				progress = true;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				tunnel_close(t, "the tunnel's client went away");
				return;
			}
		}
		if (t->fd_eof && !t->to_ch_len) {
			tunnel_close(t, "the tunnel's client closed it");
			return;
		}
		/* what came before the far end's EOF reaches the client first */
		if (t->ch_eof && !t->to_fd_len) {
			tunnel_close(t, "the far end closed the tunnel");
			return;
		}
	}
}

/* OpenSSH's PROTOCOL 2.4: the channel type's data is string socket path,
 * string reserved, uint32 reserved (libssh2 1.10 has no helper for it). */
static LIBSSH2_CHANNEL *open_streamlocal(LIBSSH2_SESSION *s, const char *path)
{
	static const char type[] = "direct-streamlocal@openssh.com";
	unsigned char msg[4 + sizeof(((struct ssh_tunnel *)0)->path) + 8];
	size_t n = strlen(path), k = 0;

	msg[k++] = (unsigned char)(n >> 24); msg[k++] = (unsigned char)(n >> 16);
	msg[k++] = (unsigned char)(n >> 8); msg[k++] = (unsigned char)n;
	memcpy(msg + k, path, n);
	k += n;
	memset(msg + k, 0, 8);   /* "" and 0 */
	k += 8;
	return libssh2_channel_open_ex(s, type, sizeof(type) - 1, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
				       LIBSSH2_CHANNEL_PACKET_DEFAULT, (const char *)msg, (unsigned)k);
}

/* Starts or continues t's channel open (one at a time per session). */
static void tunnel_try_open(struct ssh_conn *c, struct ssh_tunnel *t)
{
	char *emsg = NULL;

	if (c->opening && c->opening != t)
		return;
	c->opening = t;
	t->open_tried = true;
	t->ch = t->path[0] ? open_streamlocal(c->session, t->path)
			   : libssh2_channel_direct_tcpip_ex(c->session, t->host, t->port, "127.0.0.1", 22);
	if (t->ch) {
		c->opening = NULL;
		t->state = TN_OPEN;
		return;
	}
	if (libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_EAGAIN)
		return;
	c->opening = NULL;
	libssh2_session_last_error(c->session, &emsg, NULL, 0);
	t->refused = libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_CHANNEL_FAILURE;
	/* OpenSSH answers "connect failed" both when nothing listens there and
	 * when its AllowStreamLocalForwarding is off */
	if (t->path[0])
		str_fmt(t->error, sizeof(t->error), "%s refused a stream to its socket %s (%s: "
			"forwarding to sockets off in its sshd, or nothing listening there)",
			c->name, t->path, emsg ? emsg : "refused");
	else
		str_fmt(t->error, sizeof(t->error), "%s cannot open a tunnel to %s:%d (%s)",
			c->name, t->host, t->port, emsg ? emsg : "refused");
	tunnel_close(t, NULL);
}

static void tunnels_service(struct ssh_conn *c)
{
	for (struct ssh_tunnel *t = c->tunnels; t; t = t->next) {
		/* a closed channel is freed once the far end confirmed the close */
		if (t->state == TN_CLOSED && t->ch && libssh2_channel_free(t->ch) == 0)
			t->ch = NULL;
		if (t->state == TN_OPENING)
			tunnel_try_open(c, t);
		if (t->state == TN_OPEN)
			tunnel_pump(t);
	}
	tunnels_reap(c);
}

struct ssh_tunnel *ssh_conn_open_socket(struct ssh_conn *c, const char *path, int *fd, double now)
{
	struct ssh_tunnel *t;

	if (strlen(path) >= sizeof(t->path))
		return NULL;
	t = tunnel_open(c, path, 0, fd);
	if (!t)
		return NULL;
	str_copy(t->path, path, sizeof(t->path));
	if (c->state == SS_BACKOFF && now < c->retry_at)
		tunnel_close(t, c->fail_msg);
	else if (c->state == SS_IDLE || c->state == SS_BACKOFF)
		ssh_conn_kick(c, now);
	return t;
}

const char *ssh_tunnel_error(const struct ssh_tunnel *t)
{
	return t->error;
}

bool ssh_tunnel_refused(const struct ssh_tunnel *t)
{
	return t->refused;
}

void ssh_tunnel_release(struct ssh_tunnel *t)
{
	t->client_released = true;
	/* an open under way must finish (libssh2's state is per session): the
	 * tunnel then finds its client gone and closes */
	if (t->via->opening != t)
		tunnel_close(t, "released");
}

static void ssh_mem_link(struct ssh_mem *list, struct ssh_mem *m)
{
	m->prev = list;
	m->next = list->next;
	list->next->prev = m;
	list->next = m;
}

static void ssh_mem_unlink(struct ssh_mem *m)
{
	m->prev->next = m->next;
	m->next->prev = m->prev;
}

static LIBSSH2_ALLOC_FUNC(ssh_mem_alloc)
{
	struct ssh_conn *c = *abstract;
	union ssh_mem_block *b = malloc(sizeof(*b) + count);

	if (!b)
		return NULL;
	ssh_mem_link(&c->mem, &b->link);
	return b + 1;
}

static LIBSSH2_FREE_FUNC(ssh_mem_free)
{
	union ssh_mem_block *b;

	(void)abstract;
	/* libssh2 frees NULL (its agent code does): no arithmetic on it */
	if (!ptr)
		return;
	b = (union ssh_mem_block *)ptr - 1;
	ssh_mem_unlink(&b->link);
	free(b);
}

static LIBSSH2_REALLOC_FUNC(ssh_mem_realloc)
{
	struct ssh_conn *c = *abstract;
	union ssh_mem_block *b, *n;

	if (!ptr)
		return ssh_mem_alloc(count, abstract);
	b = (union ssh_mem_block *)ptr - 1;
	ssh_mem_unlink(&b->link);
	n = realloc(b, sizeof(*b) + count);
	if (!n) {
		ssh_mem_link(&c->mem, &b->link);
		return NULL;
	}
	ssh_mem_link(&c->mem, &n->link);
	return n + 1;
}

/* after libssh2_session_free(): what it left behind */
static void ssh_mem_release(struct ssh_conn *c)
{
	while (c->mem.next != &c->mem) {
		struct ssh_mem *m = c->mem.next;

		ssh_mem_unlink(m);
		free(m);
	}
}

/* ---- teardown and failure ---- */

static void teardown(struct ssh_conn *c)
{
	release_slot(c);
	queue_remove(c);
	resolve_req_cancel(c->dns);
	c->dns = NULL;
	for (struct ssh_tunnel *t = c->tunnels; t; t = t->next)
		tunnel_close(t, "the jump host's session ended");
	if (c->sock >= 0)
		shutdown(c->sock, SHUT_RDWR);  /* libssh2's goodbyes fail fast now */
	if (c->agent) {
		libssh2_agent_disconnect(c->agent);
		libssh2_agent_free(c->agent);
		c->agent = NULL;
	}
	if (c->session) {
		libssh2_session_free(c->session);  /* frees every channel too */
		c->session = NULL;
	}
	ssh_mem_release(c);
	c->channel = NULL;
	c->opening = NULL;
	for (struct ssh_tunnel *t = c->tunnels; t; t = t->next)
		t->ch = NULL;
	tunnels_reap(c);
	if (c->sock >= 0) {
		close(c->sock);
		c->sock = -1;
	}
	if (c->via_tunnel) {
		c->via_tunnel->client_released = true;
		c->via_tunnel = NULL;
	}
	free(c->auth_methods);
	c->auth_methods = NULL;
	c->poll_idx = -1;
}

double ssh_backoff_next(double *backoff, enum host_conn kind, double rnd01)
{
	double wait;

	if (*backoff < BACKOFF_MIN)
		*backoff = BACKOFF_MIN;
	if (kind == HC_HOSTKEY || kind == HC_AUTH) {
		/* a refused key or login will not fix itself in a second: no retry storm */
		*backoff = BACKOFF_MAX;
		return BACKOFF_MAX * (0.5 + 0.5 * rnd01);
	}
	/* full jitter: a fleet that failed together (a network blip) spreads its
	 * retries over the whole window and never re-synchronises */
	wait = *backoff * rnd01;
	*backoff = *backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : *backoff * 2;
	return wait;
}

static void fail(struct ssh_conn *c, double now, enum host_conn kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct ssh_conn *c, double now, enum host_conn kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fail_msg, sizeof(c->fail_msg), fmt, ap);
	va_end(ap);
	c->fail_kind = kind;
	teardown(c);
	c->state = SS_BACKOFF;
	c->retry_at = now + ssh_backoff_next(&c->backoff, kind, ssh_sched_rand01(c->p.sched));
	shell_fail_all(&c->shell, kind, c->fail_msg);
}

static const char *session_error(struct ssh_conn *c)
{
	char *msg = NULL;

	if (!c->session)
		return "no session";
	libssh2_session_last_error(c->session, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

static const char *const phase_names[SP__COUNT] = {
	[SP_DNS] = "name lookup",
	[SP_TCP] = "TCP connect", [SP_KEX] = "key exchange", [SP_AUTH] = "authentication",
	[SP_SHELL] = "shell start", [SP_ANSWER] = "the shell's first answer",
};

/* What a phase that ran out of time usually means. */
static const char *const phase_hints[SP__COUNT] = {
	[SP_DNS] = "the DNS server does not answer: check /etc/resolv.conf, or use an address",
	[SP_TCP] = "host down, or a firewall dropping packets?",
	[SP_KEX] = "sshd overloaded (MaxStartups), or a slow link?",
	[SP_AUTH] = "sshd doing slow lookups (UseDNS, PAM, LDAP)?",
	[SP_SHELL] = "sshd overloaded, or MaxSessions reached?",
	[SP_ANSWER] = "a slow login shell: ~/.bashrc, ~/.profile or /etc/profile?",
};

/* A login shell may legitimately take a while (bash sourcing ~/.bashrc for
 * sshd): the shell's phases get three times the I/O timeout. */
static double phase_limit(const struct ssh_conn *c, enum ssh_phase p)
{
	return p >= SP_SHELL ? 3 * c->p.timeout : c->p.timeout;
}

/* Ends the current phase (measured) and starts p: its deadline starts now,
 * so time spent queued or in earlier phases never counts against it. */
static void phase_begin(struct ssh_conn *c, enum ssh_phase p, double now)
{
	struct ssh_stats *st = &c->p.sched->stats;

	if (c->phase_start > 0 && p > c->phase) {
		double took = now - c->phase_start;
		c->took[c->phase] = took;
		if (took > st->phase_max[c->phase])
			st->phase_max[c->phase] = took;
	}
	c->phase = p;
	c->phase_start = now;
	c->deadline = now + phase_limit(c, p);
}

/* "key exchange 0.02 s, authentication 0.04 s": the phases done so far. */
static void phases_done(const struct ssh_conn *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	/* only the phases that took a noticeable time: the message is short */
	for (int p = 0; p < (int)c->phase && n < len; p++)
		if (c->took[p] >= 0.05)
			n += (size_t)snprintf(buf + n, len - n, "%s%s %.2f s", n ? ", " : "",
					      phase_names[p], c->took[p]);
}

static void phase_timeout(struct ssh_conn *c, double now)
{
	char done[160];

	phases_done(c, done, sizeof(done));
	fail(c, now, c->phase == SP_ANSWER ? HC_PROBE : HC_UNREACHABLE,
	     "%s:%d: %s timed out after %.0f s (%s%s%s)", c->target.host, c->target.port,
	     phase_names[c->phase], phase_limit(c, c->phase), phase_hints[c->phase],
	     done[0] ? "; before it: " : "", done);
}

/* ---- setup phases ---- */

void ssh_conn_set_target(struct ssh_conn *c, const struct sshconfig_req *r)
{
	if (c->resolved)
		ssh_target_free(&c->target);
	ssh_target_copy(&c->target, &r->target);
	/* the host key rule of every path (collect/knownhosts.h) */
	knownhosts_files_free(&c->kh);
	knownhosts_files(c->known_hosts, &c->target, &c->kh);
	c->resolve_rc = r->rc;
	str_copy(c->resolve_err, r->err, sizeof(c->resolve_err));
	c->resolved = true;
}

void ssh_conn_resolve_key(const struct ssh_conn *c, const char **alias, const char **user,
			  int *port)
{
	*alias = c->alias;
	*user = c->user;
	*port = c->p.port;
}

const char *ssh_conn_proxyjump(const struct ssh_conn *c)
{
	return c->resolved && c->resolve_rc == 0 ? c->target.proxyjump : "";
}

void ssh_conn_set_jump(struct ssh_conn *c, struct ssh_conn *jump)
{
	c->p.jump = jump;
}

bool ssh_conn_has_jump(const struct ssh_conn *c)
{
	return c->p.jump != NULL;
}

static int resolve_target(struct ssh_conn *c, char *err, size_t errlen)
{
	if (!c->resolved) {
		str_fmt(err, errlen, "%s: the ssh configuration was not read yet", c->alias);
		return -1;
	}
	if (c->resolve_rc < 0) {
		str_copy(err, c->resolve_err, errlen);
		return -1;
	}
	if (c->target.proxyjump[0] && !c->p.jump) {
		str_fmt(err, errlen, "ssh config sets ProxyJump %s for %s: add it as a [host] "
			"and set jump = NAME in the fleet file", c->target.proxyjump, c->alias);
		return -1;
	}
	return 0;
}

/* Connects to the first address of res (which it frees). */
static int start_tcp(struct ssh_conn *c, double now, struct addrinfo *res)
{
	int rc, one = 1;

	c->sock = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->sock < 0) {
		freeaddrinfo(res);
		fail(c, now, HC_UNREACHABLE, "socket: %s", strerror(errno));
		return -1;
	}
	/* small request/response packets: Nagle would add ~40 ms a poll */
	setsockopt(c->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(c->sock, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	rc = connect(c->sock, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc < 0 && errno != EINPROGRESS) {
		fail(c, now, HC_UNREACHABLE, "cannot connect to %s port %d: %s",
		     c->target.host, c->target.port, strerror(errno));
		return -1;
	}
	c->state = SS_CONNECT;
	phase_begin(c, SP_TCP, now);
	return 0;
}

/* The name lookup finished (or was an address): connect, or say why not. */
static void lookup_done(struct ssh_conn *c, double now)
{
	struct addrinfo *res = NULL;
	int rc = 0;

	if (!resolve_req_done(c->dns, &res, &rc))
		return;
	resolve_req_cancel(c->dns);
	c->dns = NULL;
	if (!res) {
		fail(c, now, HC_UNREACHABLE, "cannot resolve %s: %s", c->target.host, gai_strerror(rc));
		return;
	}
	start_tcp(c, now, res);
}

static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; (p = strstr(p, item)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static void list_add(char *list, size_t cap, const char *item)
{
	size_t len = strlen(list);
	str_fmt(list + len, cap - len, "%s%s", len ? "," : "", item);
}

/* The host key algorithms to ask for: those known_hosts has for this host
 * first (as OpenSSH does, so a host with several keys is not taken for a
 * changed one), then the others this libssh2 supports. Never an unsupported
 * or repeated name: libssh2 1.10's method_pref() memcpy()s overlapping
 * memory when it removes one. */
static char *hostkey_pref(LIBSSH2_SESSION *s, const char *known)
{
	const char **algs = NULL;
	int n = libssh2_session_supported_algs(s, LIBSSH2_METHOD_HOSTKEY, &algs);
	size_t cap = 64;
	char *pref, *list = xstrdup(known), *save = NULL;

	for (int i = 0; i < n; i++)
		cap += strlen(algs[i]) + 1;
	pref = xcalloc(1, cap);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
		for (int i = 0; i < n; i++)
			if (strcmp(t, algs[i]) == 0 && !list_has(pref, t))
				list_add(pref, cap, t);
	for (int i = 0; i < n; i++)
		if (!list_has(pref, algs[i]))
			list_add(pref, cap, algs[i]);
	if (n > 0)
		libssh2_free(s, algs);
	free(list);
	return pref;
}

/* libssh2's socket I/O, counted: a wait in the wrong direction shows up
 * as EAGAINs (make bench reports them). */
static LIBSSH2_RECV_FUNC(counted_recv)
{
	struct ssh_conn *c = *abstract;
	ssize_t n = recv(socket, buffer, length, flags);

	c->p.sched->stats.recv_calls++;
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		c->p.sched->stats.recv_eagain++;
	return -errno;
}

static LIBSSH2_SEND_FUNC(counted_send)
{
	struct ssh_conn *c = *abstract;
	ssize_t n = send(socket, buffer, length, flags | MSG_NOSIGNAL);

	c->p.sched->stats.send_calls++;
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		c->p.sched->stats.send_eagain++;
	return -errno;
}

static void start_session(struct ssh_conn *c, double now)
{
	char *types;
	const char *kname;
	int kport;

	c->session = libssh2_session_init_ex(ssh_mem_alloc, ssh_mem_free, ssh_mem_realloc, c);
	if (!c->session) {
		fail(c, now, HC_UNREACHABLE, "cannot create an SSH session (out of memory?)");
		return;
	}
	libssh2_session_set_blocking(c->session, 0);
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_RECV, (void *)counted_recv);
	libssh2_session_callback_set(c->session, LIBSSH2_CALLBACK_SEND, (void *)counted_send);
	kname = ssh_target_keyname(&c->target, &kport);
	types = knownhosts_types_for_files(&c->kh, kname, kport);
	if (types) {
		char *pref = hostkey_pref(c->session, types);
		if (pref[0])
			libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY, pref);
		free(pref);
		free(types);
	}
	libssh2_keepalive_config(c->session, 1, KEEPALIVE_S);
	c->state = SS_HANDSHAKE;
	phase_begin(c, SP_KEX, now);
}

static void begin(struct ssh_conn *c, double now)
{
	char err[MODEL_ERR_LEN];

	if (resolve_target(c, err, sizeof(err)) < 0) {
		fail(c, now, HC_UNREACHABLE, "%s", err);
		return;
	}
	c->key_index = -1;
	c->tried[0] = '\0';
	c->counted = true;
	c->answered = false;
	memset(c->took, 0, sizeof(c->took));
	c->phase_start = 0;
	phase_begin(c, c->p.jump ? SP_TCP : SP_DNS, now);
	c->p.sched->in_flight++;
	c->p.sched->stats.setups++;
	if (c->p.sched->in_flight > c->p.sched->max_in_flight)
		c->p.sched->max_in_flight = c->p.sched->in_flight;
	if (c->p.dest_setups)
		(*c->p.dest_setups)++;
	if (c->p.jump) {
		int fd = -1;
		c->p.jump->jump_setups++;
		c->via_tunnel = tunnel_open(c->p.jump, c->target.host, c->target.port, &fd);
		if (!c->via_tunnel) {
			fail(c, now, HC_UNREACHABLE, "cannot create a socket pair: %s", strerror(errno));
			return;
		}
		c->sock = fd;
		c->state = SS_TUNNEL;
		/* the jump host's conn must be up for the tunnel to open */
		ssh_conn_kick(c->p.jump, now);
		return;
	}
	/* a name is looked up on a resolver thread: DNS never blocks the loop */
	c->dns = resolver_lookup(c->p.sched->resolver, c->target.host, c->target.port);
	c->state = SS_RESOLVE;
	lookup_done(c, now);
}

static bool slot_free(const struct ssh_conn *c)
{
	if (c->p.sched->in_flight >= c->p.sched->cap)
		return false;
	if (c->p.dest_setups && *c->p.dest_setups >= SSH_MAX_HANDSHAKES)
		return false;
	if (c->p.jump && c->p.jump->jump_setups >= SSH_MAX_HANDSHAKES)
		return false;
	return true;
}

int ssh_conn_kick(struct ssh_conn *c, double now)
{
	if (c->state == SS_BACKOFF) {
		if (now < c->retry_at)
			return -1;
		c->state = SS_IDLE;
	}
	if (c->state != SS_IDLE)
		return 0;
	/* the ssh configuration is read off the UI's path (hosts.c); until
	 * then the conn waits, with its requests, in SS_IDLE */
	if (!c->resolved)
		return 0;
	/* first come, first served: nobody overtakes the queue */
	if (c->p.sched->qhead || !slot_free(c)) {
		c->state = SS_QUEUED;
		queue_append(c);
		return 0;
	}
	begin(c, now);
	return 0;
}

void ssh_sched_admit(struct ssh_sched *s, double now)
{
	struct ssh_conn *c = s->qhead, *next;

	/* a conn whose destination or jump host is full waits without
	 * holding up the others behind it */
	for (; c && s->in_flight < s->cap; c = next) {
		next = c->qnext;
		if (!slot_free(c))
			continue;
		queue_remove(c);
		begin(c, now);
	}
}

static void check_hostkey(struct ssh_conn *c, double now)
{
	size_t len = 0;
	int type = 0;
	const char *key = libssh2_session_hostkey(c->session, &len, &type);
	char err[MODEL_ERR_LEN] = "";
	enum kh_result r;
	const char *kname, *where = "";
	int kport;

	if (!key) {
		fail(c, now, HC_HOSTKEY, "the server sent no host key");
		return;
	}
	knownhosts_fingerprint((const unsigned char *)key, len, c->fingerprint, sizeof(c->fingerprint));
	kname = ssh_target_keyname(&c->target, &kport);
	r = knownhosts_check_files(&c->kh, kname, kport, (const unsigned char *)key, len,
				   err, sizeof(err), &where);
	switch (r) {
	case KH_MATCH:
		c->state = SS_AUTH_LIST;
		phase_begin(c, SP_AUTH, now);
		return;
	case KH_REVOKED:
		fail(c, now, HC_HOSTKEY, "host key %s is marked @revoked in %s: refusing to connect",
		     c->fingerprint, where);
		return;
	case KH_MISMATCH:
		fail(c, now, HC_HOSTKEY, "HOST KEY CHANGED: now %s, not as in %s; not connecting "
		     "(verify, then fix known_hosts)", c->fingerprint, where);
		return;
	case KH_ERROR:
		fail(c, now, HC_HOSTKEY, "%s", err);
		return;
	case KH_NOTFOUND:
		break;
	}
	if (c->p.policy != HKP_ACCEPT_NEW) {
		if (err[0])
			fail(c, now, HC_HOSTKEY, "unknown host key %s: %s", c->fingerprint, err);
		else
			fail(c, now, HC_HOSTKEY, "unknown host key %s (not in %s, policy strict): "
			     "verify it, then ssh-keyscan -p %d %s >> %s", c->fingerprint,
			     c->kh.file[0], c->target.port, c->target.host, c->kh.file[0]);
		return;
	}
	if (knownhosts_add(c->kh.file[0], kname, kport,
			   (const unsigned char *)key, len, err, sizeof(err)) < 0) {
		fail(c, now, HC_HOSTKEY, "%s", err);
		return;
	}
	c->state = SS_AUTH_LIST;
	phase_begin(c, SP_AUTH, now);
}

static void authenticated(struct ssh_conn *c, double now, const char *with)
{
	c->logins++;
	c->login_at = now_wall();
	free(c->login_key);
	c->login_key = xstrdup(with);
	c->state = SS_CHANNEL;
	phase_begin(c, SP_SHELL, now);
}

static bool is_rsa_key(const char *privkey)
{
	char *pub = xasprintf("%s.pub", privkey);
	FILE *fp = fopen(pub, "r");
	char head[16] = "";
	bool rsa;

	free(pub);
	if (!fp)
		return false;
	rsa = fgets(head, sizeof(head), fp) && str_starts(head, "ssh-rsa");
	fclose(fp);
	return rsa;
}

static void tried_add(struct ssh_conn *c, const char *what)
{
	size_t len = strlen(c->tried);
	str_fmt(c->tried + len, sizeof(c->tried) - len, "%s%s", len ? ", " : "", what);
}

static const char *key_path(const struct ssh_conn *c, int i)
{
	if (i == RELOGIN_KEY_INDEX)
		return c->relogin_key;
	if (i < 0)
		return NULL;
	if (c->identity_file) {
		if (i == 0)
			return c->identity_file;
		i--;
	}
	return i < c->target.nidentity ? c->target.identity_files[i] : NULL;
}

/* Next identity file that exists, or none left: authentication failed. */
static void next_key(struct ssh_conn *c, double now)
{
	const char *path;

	for (c->key_index++; (path = key_path(c, c->key_index)); c->key_index++) {
		if (access(path, R_OK) == 0) {
			c->state = SS_AUTH_KEY;
			return;
		}
	}
	fail(c, now, HC_AUTH, "authentication failed for %s@%s (tried: %s); the server accepts: %s",
	     c->target.user, c->target.host, c->tried[0] ? c->tried : "no usable key",
	     c->auth_methods ? c->auth_methods : "?");
}

static void auth_default(struct ssh_conn *c, double now);

static void auth_list(struct ssh_conn *c, double now)
{
	const char *u = c->target.user;
	char *methods = libssh2_userauth_list(c->session, u, (unsigned)strlen(u));

	if (!methods) {
		if (libssh2_userauth_authenticated(c->session)) {
			authenticated(c, now, "none");
			return;
		}
		if (libssh2_session_last_errno(c->session) == LIBSSH2_ERROR_EAGAIN)
			return;
		fail(c, now, HC_UNREACHABLE, "%s:%d closed the connection during authentication: %s",
		     c->target.host, c->target.port, session_error(c));
		return;
	}
	c->auth_methods = xstrdup(methods);
	if (!strstr(methods, "publickey")) {
		fail(c, now, HC_AUTH, "%s@%s does not accept public keys (accepts: %s)",
		     c->target.user, c->target.host, methods);
		return;
	}
	/* asked to log in with this key (a rotation's new one): it goes first */
	if (c->relogin_pending && c->relogin_key) {
		c->relogin_pending = false;
		if (access(c->relogin_key, R_OK) == 0) {
			c->key_index = RELOGIN_KEY_INDEX;
			c->state = SS_AUTH_KEY;
			return;
		}
	}
	auth_default(c, now);
}

/* The usual order: the agent's keys, then the identity files. */
static void auth_default(struct ssh_conn *c, double now)
{
	c->key_index = -1;
	if (getenv("SSH_AUTH_SOCK") && (c->agent = libssh2_agent_init(c->session)) &&
	    libssh2_agent_connect(c->agent) == 0 && libssh2_agent_list_identities(c->agent) == 0) {
		c->agent_id = NULL;
		if (libssh2_agent_get_identity(c->agent, &c->agent_id, NULL) == 0) {
			tried_add(c, "ssh-agent");
			c->state = SS_AUTH_AGENT;
			return;
		}
	}
	next_key(c, now);
}

static void auth_agent(struct ssh_conn *c, double now)
{
	int rc = libssh2_agent_userauth(c->agent, c->target.user, c->agent_id);
	struct libssh2_agent_publickey *prev = c->agent_id;

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc == 0) {
		authenticated(c, now, "ssh-agent");
		return;
	}
	if (libssh2_agent_get_identity(c->agent, &c->agent_id, prev) == 0)
		return;  /* try the agent's next identity */
	next_key(c, now);
}

static void auth_key(struct ssh_conn *c, double now)
{
	const char *path = key_path(c, c->key_index);
	const char *u = c->target.user;
	int rc = libssh2_userauth_publickey_fromfile_ex(c->session, u, (unsigned)strlen(u),
							NULL, path, NULL);
	char what[200];

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc == 0) {
		authenticated(c, now, path);
		return;
	}
	if (rc == LIBSSH2_ERROR_FILE)
		str_fmt(what, sizeof(what), "%s (unreadable, or has a passphrase: use ssh-agent)", path);
	else if (is_rsa_key(path))
		str_fmt(what, sizeof(what), "%s (RSA: libssh2 1.10 cannot sign with rsa-sha2 "
			"against OpenSSH >= 8.8; use an ed25519 key)", path);
	else
		str_copy(what, path, sizeof(what));
	tried_add(c, what);
	if (c->key_index == RELOGIN_KEY_INDEX)
		auth_default(c, now);
	else
		next_key(c, now);
}

static void open_channel(struct ssh_conn *c, double now)
{
	c->channel = libssh2_channel_open_session(c->session);
	if (c->channel) {
		c->state = SS_EXEC;
		return;
	}
	if (libssh2_session_last_errno(c->session) != LIBSSH2_ERROR_EAGAIN)
		fail(c, now, HC_PROBE, "%s refused a session channel: %s", c->target.host,
		     session_error(c));
}

static void exec_shell(struct ssh_conn *c, double now)
{
	int rc = libssh2_channel_exec(c->channel, "sh");

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return;
	if (rc != 0) {
		fail(c, now, HC_PROBE, "%s refused to start sh: %s", c->target.host, session_error(c));
		return;
	}
	c->state = SS_READY;
	phase_begin(c, SP_ANSWER, now);
	c->p.sched->stats.setups_ok++;
	c->backoff = BACKOFF_MIN;
	c->fail_kind = HC_OK;
	c->fail_msg[0] = '\0';
	release_slot(c);
	shell_restart(&c->shell);
}

/* ---- the shell's byte stream over the channel ---- */

static ssize_t chan_write(void *ctx, const char *buf, size_t len)
{
	struct ssh_conn *c = ctx;
	ssize_t n = libssh2_channel_write(c->channel, buf, len);

	if (n == LIBSSH2_ERROR_EAGAIN)
		return SHELL_AGAIN;
	return n < 0 ? SHELL_ERR : n;
}

static ssize_t chan_read(void *ctx, int stream, char *buf, size_t len)
{
	struct ssh_conn *c = ctx;
	ssize_t n = stream ? libssh2_channel_read_stderr(c->channel, buf, len)
			   : libssh2_channel_read(c->channel, buf, len);

	if (n == LIBSSH2_ERROR_EAGAIN)
		return libssh2_channel_eof(c->channel) ? 0 : SHELL_AGAIN;
	if (n > 0 && !c->answered) {
		/* the login shell is done: the phase that measures it ends */
		double now = now_mono(), took = now - c->phase_start;
		struct ssh_stats *st = &c->p.sched->stats;
		c->answered = true;
		c->took[SP_ANSWER] = took;
		if (took > st->phase_max[SP_ANSWER])
			st->phase_max[SP_ANSWER] = took;
	}
	if (n == 0)
		return libssh2_channel_eof(c->channel) ? 0 : SHELL_AGAIN;
	return n < 0 ? SHELL_ERR : n;
}

static const struct shell_io chan_io = { chan_write, chan_read };

/* Data libssh2 holds for this channel that nobody read yet. */
static bool queued(LIBSSH2_CHANNEL *ch)
{
	unsigned long avail = 0;

	if (!ch)
		return false;
	libssh2_channel_window_read_ex(ch, &avail, NULL);
	return avail > 0;
}

static bool tunnels_queued(const struct ssh_conn *c)
{
	for (const struct ssh_tunnel *t = c->tunnels; t; t = t->next)
		if (t->state == TN_OPEN && t->to_fd_len < TUNNEL_BUF && queued(t->ch))
			return true;
	return false;
}

static void service_ready(struct ssh_conn *c, double now)
{
	char msg[MODEL_ERR_LEN];
	int next = 0;

	if (shell_pump(&c->shell, &chan_io, c, now, msg, sizeof(msg)) < 0) {
		int e = libssh2_session_last_errno(c->session);
		/* the connection itself died (host down, sshd killed, jump host
		 * gone): that is unreachable, not a probe problem */
		if (e == LIBSSH2_ERROR_SOCKET_RECV || e == LIBSSH2_ERROR_SOCKET_SEND ||
		    e == LIBSSH2_ERROR_SOCKET_DISCONNECT || e == LIBSSH2_ERROR_SOCKET_TIMEOUT)
			fail(c, now, HC_UNREACHABLE, "connection to %s lost (%s)", c->name,
			     session_error(c));
		else
			fail(c, now, HC_PROBE, "%s", msg);
		return;
	}
	if (!c->answered && now > c->deadline) {
		phase_timeout(c, now);
		return;
	}
	if (c->answered && shell_deadline(&c->shell) && now > shell_deadline(&c->shell)) {
		if (c->shell.outlen)
			fail(c, now, HC_PROBE, "%s answered, but not as a POSIX sh running the probe "
			     "would, within %.0fs (a ForceCommand or a login banner in the way?)",
			     c->name, c->p.timeout);
		else
			fail(c, now, HC_PROBE, "no answer from %s's shell within %.0fs (is the host "
			     "overloaded, or a ForceCommand in the way?)", c->name, c->p.timeout);
		return;
	}
	if (now >= c->next_keepalive) {
		int rc = libssh2_keepalive_send(c->session, &next);
		if (rc == 0)
			c->next_keepalive = now + (next > 0 ? next : KEEPALIVE_S);
		else if (rc != LIBSSH2_ERROR_EAGAIN) {
			fail(c, now, HC_UNREACHABLE, "keepalive to %s failed: %s", c->name, session_error(c));
			return;
		}
	}
	/* libssh2 takes in every packet that has arrived whichever channel it
	 * reads or writes for (the shell's stderr, a tunnel, a keepalive): what
	 * it queued for another channel would wait, with the socket drained,
	 * until some timer of ours, so serve the channels until none has data
	 * queued (a few rounds at most: new data also wakes the socket) */
	for (int round = 0; round < 4; round++) {
		if (c->tunnels)
			tunnels_service(c);
		if (!queued(c->channel) && !tunnels_queued(c))
			return;
		if (shell_pump(&c->shell, &chan_io, c, now, msg, sizeof(msg)) < 0) {
			fail(c, now, HC_PROBE, "%s", msg);
			return;
		}
	}
}

static void step(struct ssh_conn *c, double now, short revents)
{
	enum ssh_state before;

	do {
		before = c->state;
		switch (c->state) {
		case SS_TUNNEL:
			if (c->via_tunnel->state == TN_OPEN) {
				start_session(c, now);
			} else if (c->p.jump->state == SS_BACKOFF) {
				/* the jump host's own failure says more than "tunnel closed" */
				fail(c, now, HC_UNREACHABLE, "jump host %s is down: %s", c->p.jump->name,
				     c->p.jump->fail_msg);
			} else if (c->via_tunnel->state == TN_CLOSED) {
				fail(c, now, HC_UNREACHABLE, "through jump host %s: %s", c->p.jump->name,
				     c->via_tunnel->error[0] ? c->via_tunnel->error : "tunnel closed");
			}
			break;
		case SS_RESOLVE:
			lookup_done(c, now);
			break;
		case SS_CONNECT: {
			int err = 0;
			socklen_t len = sizeof(err);
			if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
				break;
			getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err) {
				fail(c, now, HC_UNREACHABLE, "cannot connect to %s port %d: %s",
				     c->target.host, c->target.port, strerror(err));
				break;
			}
			start_session(c, now);
			break;
		}
		case SS_HANDSHAKE: {
			int rc = libssh2_session_handshake(c->session, c->sock);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				break;
			if (rc) {
				fail(c, now, HC_UNREACHABLE, "SSH handshake with %s:%d failed: %s",
				     c->target.host, c->target.port, session_error(c));
				break;
			}
			check_hostkey(c, now);
			break;
		}
		case SS_AUTH_LIST: auth_list(c, now); break;
		case SS_AUTH_AGENT: auth_agent(c, now); break;
		case SS_AUTH_KEY: auth_key(c, now); break;
		case SS_CHANNEL: open_channel(c, now); break;
		case SS_EXEC: exec_shell(c, now); break;
		case SS_READY: service_ready(c, now); break;
		default: break;
		}
	} while (c->state != before && c->state != SS_BACKOFF && c->state != SS_READY);
	if (c->state == SS_READY && before != SS_READY)
		service_ready(c, now);
}

void ssh_conn_prepare(struct ssh_conn *c, struct pollset *ps, double *deadline)
{
	short ev = POLLIN;

	c->poll_idx = -1;
	forwards_prepare(c, ps);
	if (c->state == SS_BACKOFF || c->state == SS_IDLE) {
		if (c->state == SS_BACKOFF && shell_busy(&c->shell))
			deadline_min(deadline, c->retry_at);
		return;
	}
	if (c->state == SS_QUEUED)
		return;  /* ssh_sched_admit() starts it; waiting is not a timeout */
	if (c->state == SS_RESOLVE) {
		deadline_min(deadline, c->deadline);  /* the resolver's fd wakes us */
		return;
	}
	if (c->state == SS_TUNNEL) {
		/* the jump host's conn opens the tunnel; look again shortly */
		deadline_min(deadline, now_mono() + 0.01);
		return;
	}
	if (c->state == SS_CONNECT) {
		ev = POLLOUT;
	} else if (c->session) {
		int dir = libssh2_session_block_directions(c->session);
		if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			ev |= POLLOUT;
		/* work waiting to go out: wake as soon as the socket takes it */
		if (c->state == SS_READY && shell_wants_write(&c->shell))
			ev |= POLLOUT;
		/* (a tunnel opens once the session is up: before that, POLLOUT on
		 * a connecting socket would spin) */
		for (struct ssh_tunnel *t = c->tunnels; t && c->state == SS_READY; t = t->next)
			if (t->to_ch_len || (t->state == TN_OPENING && !t->open_tried && !c->opening))
				ev |= POLLOUT;
	}
	c->poll_idx = pollset_add(ps, c->sock, ev);
	if (in_setup(c) || (c->state == SS_READY && !c->answered))
		deadline_min(deadline, c->deadline);
	else
		deadline_min(deadline, shell_deadline(&c->shell));
	if (c->state == SS_READY)
		deadline_min(deadline, c->next_keepalive);
	for (struct ssh_tunnel *t = c->tunnels; t; t = t->next) {
		short tev = 0;
		t->poll_idx = -1;
		if (t->state != TN_OPEN)
			continue;
		if (!t->fd_eof && t->to_ch_len < TUNNEL_BUF)
			tev |= POLLIN;
		if (t->to_fd_len)
			tev |= POLLOUT;
		t->poll_idx = pollset_add(ps, t->fd, tev);
	}
}

static bool tunnels_ready(const struct ssh_conn *c, const struct pollset *ps)
{
	for (const struct ssh_tunnel *t = c->tunnels; t; t = t->next)
		if (pollset_revents(ps, t->poll_idx))
			return true;
	return false;
}

static bool timer_due(const struct ssh_conn *c, double now)
{
	double sd = shell_deadline(&c->shell);

	if (c->state != SS_READY)
		return false;
	return now >= c->next_keepalive || (!c->answered && now > c->deadline) ||
	       (c->answered && sd > 0 && now > sd);
}

/* An asked-for login starts once the session is idle: no request in
 * flight (a setup under way tries the key when it authenticates, or logs
 * in again once ready); past any backoff. */
static void relogin_step(struct ssh_conn *c, double now)
{
	if (!c->relogin_pending)
		return;
	switch (c->state) {
	case SS_READY:
		if (shell_busy(&c->shell))
			return;
		teardown(c);
		c->state = SS_IDLE;
		break;
	case SS_BACKOFF:
		c->state = SS_IDLE;
		break;
	case SS_IDLE:
		break;
	default:
		return;
	}
	ssh_conn_kick(c, now);
}

void ssh_conn_relogin(struct ssh_conn *c, const char *key, double now)
{
	free(c->relogin_key);
	c->relogin_key = xstrdup(key);
	c->relogin_pending = true;
	relogin_step(c, now);
}

uint64_t ssh_conn_login(const struct ssh_conn *c, double *at, const char **key)
{
	*at = c->login_at;
	*key = c->login_key ? c->login_key : "";
	return c->logins;
}

void ssh_conn_dispatch(struct ssh_conn *c, const struct pollset *ps, double now)
{
	short rev = pollset_revents(ps, c->poll_idx);

	relogin_step(c, now);

	if (c->forwards)
		forwards_accept(c, ps, now);
	tunnels_reap(c);
	if (c->state == SS_BACKOFF || c->state == SS_IDLE) {
		/* work of its own, or a client's tunnel waiting: a ProxyJump hop
		 * whose ssh configuration came in after its client asked */
		if (shell_busy(&c->shell) || tunnels_waiting(c))
			ssh_conn_kick(c, now);
		return;
	}
	if (c->state == SS_QUEUED)
		return;
	if (in_setup(c) && now > c->deadline) {
		phase_timeout(c, now);
		return;
	}
	/* No busy loop: a session is touched only when its socket is ready in
	 * the direction libssh2 asked for, a tunnel's socket is, or a timer of
	 * its own is due; a socket with nothing to read is never read. */
	if (!rev && c->state != SS_TUNNEL && !(c->state == SS_RESOLVE && c->p.sched->dns_ready) &&
	    !tunnels_ready(c, ps) && !timer_due(c, now))
		return;
	/* libssh2 may have data buffered for channels other than the one that
	 * read it, so every wake-up services the whole session. */
	step(c, now, rev);
	relogin_step(c, now);
}

void ssh_conn_disconnect(struct ssh_conn *c)
{
	teardown(c);
	c->state = SS_IDLE;
}

void ssh_conn_free(struct ssh_conn *c)
{
	if (!c)
		return;
	teardown(c);
	for (struct ssh_tunnel *t = c->tunnels, *n; t; t = n) {
		n = t->next;
		free(t);
	}
	c->tunnels = NULL;
	while (c->forwards) {
		struct forward *fw = c->forwards;
		c->forwards = fw->next;
		close(fw->fd);
		unlink(fw->path);
		free(fw);
	}
	shell_free(&c->shell);
	ssh_target_free(&c->target);
	free(c->name);
	free(c->alias);
	free(c->user);
	free(c->identity_file);
	free(c->relogin_key);
	free(c->login_key);
	free(c->known_hosts);
	knownhosts_files_free(&c->kh);
	free(c->ssh_config);
	free(c);
}
