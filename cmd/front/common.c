#include <stdio.h>
#include <string.h>

#include "front/front.h"
#include "core/banned.h"

static void
sub_usage(const char *tool, const struct front_sub *subs, FILE *f)
{
	fprintf(f, "usage: %s <command> [options]\n\ncommands:\n", tool);
	for (const struct front_sub *s = subs; s->name != NULL; s++)
		fprintf(f, "  %-12s %s\n", s->name, s->summary);
	fprintf(f, "\n'%s <command> --help' describes each.\n", tool);
}

int
front_dispatch(const char *tool, const struct front_sub *subs, int argc, char **argv)
{
	if (argc < 2) {
		sub_usage(tool, subs, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		sub_usage(tool, subs, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--list-options") == 0) {
		for (const struct front_sub *s = subs; s->name != NULL; s++)
			printf("%s\n", s->name);
		return EXIT_OK;
	}
	for (const struct front_sub *s = subs; s->name != NULL; s++) {
		if (strcmp(argv[1], s->name) == 0)
			return s->run(argc - 1, argv + 1);
	}
	cli_usage_error(tool, "unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
