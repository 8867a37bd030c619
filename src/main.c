#include "config.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct options o;
	int rc = options_parse(argc, argv, &o);
	return rc < 0 ? 0 : rc;
}
