/* The openhv command-line tool: one table of subcommands. */
#include <stdio.h>
#include <string.h>

#include <openhv/openhv.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("openhv %s\n", ohv_version());
		return 0;
	}
	fprintf(stderr, "usage: openhv --version\n");
	return 2;
}
