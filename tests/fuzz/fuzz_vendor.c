/* Fuzz target: what the DigitalOcean, GitHub and Forgejo APIs answer
 * (provider/doapi.c): droplet pages, sizes and prices, error bodies, GitHub's
 * runners and queued runs, Forgejo's task list; remote JSON that only ever
 * becomes data. */
#include "config.h"
#include "provider/doapi.h"
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_text(data, size), next[512], err[512], base[512];
	static struct do_droplet v[32];
	static struct runners_sample r;
	struct do_status st;
	size_t n = 0;
	double price;
	int queued, running;

	doapi_parse_droplets(body, v, 32, &n, next, sizeof(next));
	doapi_foreign_next(next, "https://api.digitalocean.com", err, sizeof(err));
	doapi_parse_price(body, "s-1vcpu-1gb", &price);
	doapi_describe_error("https://api.digitalocean.com", 429, body, "1700000000", err,
			     sizeof(err));
	doapi_describe_error("https://api.github.com", 503, body, body, err, sizeof(err));
	doapi_apply_github_runners(body, v, n);
	doapi_parse_queued(body);
	doapi_parse_forgejo_tasks(body, &queued, &running);
	doapi_fill_sample(&r, v, n, true);
	/* user input too: a [runners] status = and a repository URL */
	doapi_status_of(body, &st);
	doapi_forgejo_base(body, base, sizeof(base));
	free(body);
	return 0;
}
