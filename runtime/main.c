/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ozone: the runc-compatible command line. The verbs arrive with the
 * runtime; for now it identifies itself.
 */
#include <stdio.h>
#include <string.h>

#include "common/version.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ozone [--version] [--help] COMMAND [ARGS...]\n"
		   "ozone runs OCI containers, each in its own KVM microVM.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v")) {
		printf("ozone version %s\nspec: %s\n", OZONE_VERSION, OZONE_OCI_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "ozone: %s: unknown command\n", argv[1]);
	return 2;
}
