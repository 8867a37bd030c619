/* Name lookups off the collector's loop.
 *
 * getaddrinfo() blocks for as long as the system resolver likes (a DNS
 * server that never answers: timeout x attempts x servers, 10 s and more by
 * default), so on the collector thread one dead resolver would stall every
 * host. Lookups of names run on a few worker threads (libcurl's threaded
 * resolver, pooled); a numeric address is answered at once without one. A
 * finished lookup makes resolver_fd() readable, for the loop's poll(). The
 * caller gives up on a lookup with its own deadline: the worker finishes it
 * in the background and the result is thrown away. */
#ifndef FLEETDECK_RESOLVER_H
#define FLEETDECK_RESOLVER_H

#include <stdbool.h>
#include <netdb.h>

struct resolver;
struct resolve_req;

/* At most max_threads lookups at once; more wait their turn. */
struct resolver *resolver_new(int max_threads);
/* Lookups still running finish on their own and are thrown away. */
void resolver_free(struct resolver *r);
/* Readable when a lookup finished; resolver_drain() empties it. */
int resolver_fd(const struct resolver *r);
void resolver_drain(struct resolver *r);

/* Starts looking up host:port for a TCP connection (never NULL). */
struct resolve_req *resolver_lookup(struct resolver *r, const char *host, int port);
/* Whether it finished; then *res (the caller frees it with freeaddrinfo)
 * or, when *res is NULL, *rc (a getaddrinfo error for gai_strerror()). */
bool resolve_req_done(struct resolve_req *q, struct addrinfo **res, int *rc);
/* Frees q now (finished) or when its worker is done with it. */
void resolve_req_cancel(struct resolve_req *q);

#endif
