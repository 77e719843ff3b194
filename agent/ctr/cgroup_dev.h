/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's group, as runc and crun make it.
 * Without it, a container with CAP_MKNOD (in Docker's default set) could
 * make and open any device node of the guest (/dev/mem: the guest's whole
 * memory, the agent's included).
 *
 * The rules are the spec's followed by runc's always-allowed devices
 * (mknod of any node; null, zero, full, random, urandom, tty, ptmx and
 * the ptys), read so that the last rule matching a request decides, and a
 * request no rule matches is denied.
 */
#ifndef OZONE_AGENT_CGROUP_DEV_H
#define OZONE_AGENT_CGROUP_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct cg_dev_rule {
	bool allow;
	char type;	 /* 'a', 'c' or 'b' */
	int64_t major;	 /* -1: any */
	int64_t minor;	 /* -1: any */
	uint32_t access; /* BPF_DEVCG_ACC_* bits */
};

struct cg_dev_rules {
	struct cg_dev_rule *r;
	size_t n;
	bool given; /* the resources had a "devices" array (an update replaces the rules then) */
};

/* The spec's rules (resources_json may be NULL or lack "devices") and runc's defaults. */
int cg_dev_rules_parse(const char *resources_json, struct cg_dev_rules *out);
void cg_dev_rules_free(struct cg_dev_rules *rules);
/* The program for the rules: malloc'd instructions. */
int cg_dev_prog(const struct cg_dev_rules *rules, struct bpf_insn **insns, size_t *n);
/* Whether the rules let a request through (the program's logic, for tests). */
bool cg_dev_allowed(const struct cg_dev_rules *rules, char type, uint32_t major, uint32_t minor,
		    uint32_t access);
/* Loads the program and attaches it to the group at dir, replacing the one attached before. */
int cg_dev_apply(const char *dir, const struct cg_dev_rules *rules);

#endif
