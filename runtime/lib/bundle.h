/* SPDX-License-Identifier: Apache-2.0 */
/* A bundle: its absolute path, its config.json, its rootfs. */
#ifndef OZONE_RUNTIME_BUNDLE_H
#define OZONE_RUNTIME_BUNDLE_H

#include <limits.h>

#include "common/oci_spec.h"

struct bundle {
	char path[PATH_MAX];   /* absolute */
	char rootfs[PATH_MAX]; /* absolute */
	struct oci_spec spec;
};

/*
 * Loads the bundle at dir (NULL: the current directory) for create/run:
 * config.json parsed and validated, process present, rootfs an existing
 * directory. Free with bundle_free().
 */
int bundle_load(const char *dir, struct bundle *b);
void bundle_free(struct bundle *b);

#endif
