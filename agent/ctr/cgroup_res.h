/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An OCI linux.resources object as the cgroup v2 files to write, with
 * runc's conversions: cpu.weight from shares, cpu.max from quota/period,
 * memory.swap.max from the v1-style memory+swap total, io.weight from the
 * blkio weight (io.bfq.weight when the kernel has it), io.max from the
 * throttles; `unified` written as given, last. Pure: no file is touched
 * until cg_writes_apply().
 */
#ifndef OZONE_AGENT_CGROUP_RES_H
#define OZONE_AGENT_CGROUP_RES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cg_write {
	char file[64];	   /* "memory.max" */
	char *value;	   /* malloc'd */
	char alt_file[64]; /* written instead when file does not exist ("" if none) */
	char *alt_value;
	bool optional; /* a missing file is no error (no swap accounting, and no swap asked) */
};

struct cg_writes {
	struct cg_write *w;
	size_t n, cap;
};

/* Translates resources_json (NULL: nothing) into writes. -EINVAL with the field named. */
int cg_resources_translate(const char *resources_json, struct cg_writes *out);
void cg_writes_free(struct cg_writes *w);
/* Writes each value into <dir>/<file>, in order. */
int cg_writes_apply(const char *dir, const struct cg_writes *w);

/* runc's conversions, exposed for tests. */
uint64_t cg_cpu_weight_from_shares(uint64_t shares);
uint64_t cg_io_weight_from_blkio(uint64_t weight);
/* memory.swap.max from OCI memory.swap and memory.limit; *skip set when nothing is to be written.
 */
int cg_swap_max(int64_t swap, int64_t limit, int64_t *out, int *skip);

#endif
