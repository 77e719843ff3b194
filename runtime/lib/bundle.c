/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lib/bundle.h"
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int bundle_load(const char *dir, struct bundle *b)
{
	struct stat st;
	int ret;

	memset(b, 0, sizeof(*b));
	if (!dir || !*dir)
		dir = ".";
	if (!realpath(dir, b->path))
		return err_set(errno, "bundle %s", dir);
	ret = oci_spec_load(b->path, &b->spec);
	if (ret < 0)
		return ret;
	if (!b->spec.has_process) {
		bundle_free(b);
		return err_setx(EINVAL, "config.json: process: required field missing");
	}
	if (b->spec.root_path[0] == '/')
		ret = snprintf(b->rootfs, sizeof(b->rootfs), "%s", b->spec.root_path);
	else
		ret = snprintf(b->rootfs, sizeof(b->rootfs), "%s/%s", b->path, b->spec.root_path);
	if ((size_t)ret >= sizeof(b->rootfs)) {
		bundle_free(b);
		return err_setx(ENAMETOOLONG, "config.json: root.path: path too long");
	}
	if (stat(b->rootfs, &st) < 0) {
		ret = errno == ENOENT
			  ? err_setx(ENOENT, "rootfs (\"%s\") does not exist", b->rootfs)
			  : err_set(errno, "rootfs %s", b->rootfs);
		bundle_free(b);
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		bundle_free(b);
		return err_setx(ENOTDIR, "rootfs (\"%s\") is not a directory", b->rootfs);
	}
	return 0;
}

void bundle_free(struct bundle *b)
{
	oci_spec_free(&b->spec);
}
