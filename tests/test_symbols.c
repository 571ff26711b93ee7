/*
 * The libraries export only ohv_ names: the static archive's global
 * symbols and the shared object's dynamic ones (nm, from binutils).
 */
#include <stdlib.h>

#include "run.h"
#include "t.h"

/* Runs nm with args on the built file; counts names not starting with
 * ohv_ (printing the first few) and all names. */
static void only_ohv(const char *nm_args, const char *file)
{
	const char *build = t_env("OHV_BUILD");
	char cmd[1024], line[512];

	snprintf(cmd, sizeof(cmd), "nm %s %s/%s 2>/dev/null", nm_args, build,
		 file);
	FILE *p = popen(cmd, "r");

	REQUIRE(p);
	size_t all = 0, bad = 0;

	while (fgets(line, sizeof(line), p)) {
		char addr[64], type[8], name[400];

		if (sscanf(line, "%63s %7s %399s", addr, type, name) != 3)
			continue;	/* archive member headers, blank lines */
		all++;
		if (strncmp(name, "ohv_", 4) != 0) {
			if (bad++ < 5)
				CHECK_MSG(0, "%s exports %s", file, name);
		}
	}
	int rc = pclose(p);

	if (rc != 0 && all == 0)
		SKIP("nm could not read %s", file);
	CHECK_EQ(bad, 0);
	/* The public API is there: ohv_open and ohv_hypercall at least. */
	CHECK(all >= 2);
}

TEST(symbols_static_only_ohv)
{
	only_ohv("-g --defined-only", "libopenhv.a");
}

TEST(symbols_shared_only_ohv)
{
	only_ohv("-D --defined-only", "libopenhv.so");
}
