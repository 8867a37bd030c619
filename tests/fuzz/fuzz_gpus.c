/* Fuzz target: the GPU parsers (remote, untrusted text): nvidia-smi's CSV
 * framed as gpu_nvidia_script() prints it, the bare query and apps CSV, the
 * http-json metrics document with a fixed field map, and a remote check's
 * answer. */
#include "config.h"
#include "collect/gpu_parse.h"
#include "collect/svc_check.h"
#include "util/util.h"

#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fields[] = "list=/gpus index=/index name=/name util=/utilization_pct "
	"mem_used=/memory/used_bytes mem_total=/memory/total_bytes temp=/temperature_c "
	"power=/power/draw_w power_limit=/power/limit_w";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host_gpus hg;
	struct service_sample s;
	struct svc_check tcp, http;
	char *text = xstrndup((const char *)data, size), err[64];

	memset(&hg, 0, sizeof(hg));
	gpu_parse_nvidia_output(text, &hg);
	gpu_parse_query(text, &hg);
	gpu_parse_apps(text, &hg);
	gpu_parse_json((const char *)data, size, fields, &hg);
	svc_check_parse("tcp 127.0.0.1:1", &tcp, err, sizeof(err));
	svc_check_parse("http://x/", &http, err, sizeof(err));
	memset(&s, 0, sizeof(s));
	svc_remote_parse(&tcp, "ok", text, strlen(text), text, 1, &s);
	svc_remote_parse(&http, "ok", text, strlen(text), text, 1, &s);
	svc_check_parse(text, &tcp, err, sizeof(err));
	free(text);
	return 0;
}
