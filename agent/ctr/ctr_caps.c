/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The five capability sets of process.capabilities, with libcap. Names are
 * checked before the fork (an unknown name fails `create`); names the
 * running kernel does not have yet (a newer spec on an older kernel) are
 * left out, as runc does. In the child the bounding set is cut first, while
 * still root; after the user switch (done with PR_SET_KEEPCAPS so that the
 * permitted set survives it) the effective, permitted and inheritable sets
 * are set in one capset, and the ambient ones raised last, since the kernel
 * only lets a capability be ambient if it is permitted and inheritable.
 */
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "ctr_internal.h"
#include "common/error.h"

int ctr_cap_from_name(const char *name, int *cap)
{
	cap_value_t v;

	/* libcap also takes numbers and lower case; the spec speaks only of "CAP_X". */
	if (strncmp(name, "CAP_", 4) != 0 || !name[4] ||
	    strspn(name + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(name + 4) ||
	    cap_from_name(name, &v) < 0 || v < 0 || v > 63)
		return err_setx(EINVAL, "unknown capability '%.64s'", name);
	*cap = v;
	return 0;
}

static int ctr_caps_mask(const char *set, char **names, uint64_t *mask)
{
	int last = cap_max_bits() - 1;

	*mask = 0;
	for (char **n = names; n && *n; n++) {
		int cap = 0, ret = ctr_cap_from_name(*n, &cap);

		if (ret < 0)
			return err_setx(
			    EINVAL, "process.capabilities.%s: unknown capability '%.64s'", set, *n);
		if (cap <= last)
			*mask |= 1ull << cap;
	}
	return 0;
}

int ctr_caps_parse(const struct oci_caps *c, struct ctr_caps *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	out->set = true;
	if ((ret = ctr_caps_mask("bounding", c->bounding, &out->bounding)) < 0 ||
	    (ret = ctr_caps_mask("effective", c->effective, &out->effective)) < 0 ||
	    (ret = ctr_caps_mask("inheritable", c->inheritable, &out->inheritable)) < 0 ||
	    (ret = ctr_caps_mask("permitted", c->permitted, &out->permitted)) < 0 ||
	    (ret = ctr_caps_mask("ambient", c->ambient, &out->ambient)) < 0)
		return ret;
	return 0;
}

int ctr_caps_apply_bounding(const struct ctr_caps *c)
{
	int last = cap_max_bits() - 1;

	if (!c->set)
		return 0;
	for (int cap = 0; cap <= last; cap++) {
		if (c->bounding & (1ull << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return err_set(errno, "drop capability %d from the bounding set", cap);
	}
	return 0;
}

static int ctr_caps_flag(cap_t caps, cap_flag_t flag, uint64_t mask)
{
	cap_value_t list[64];
	int n = 0;

	for (int cap = 0; cap < 64; cap++)
		if (mask & (1ull << cap))
			list[n++] = cap;
	return n ? cap_set_flag(caps, flag, n, list, CAP_SET) : 0;
}

int ctr_caps_apply(const struct ctr_caps *c)
{
	cap_t caps;
	int ret = 0;

	if (!c->set)
		return 0;
	caps = cap_init();
	if (!caps)
		return err_set(errno, "capabilities");
	if (ctr_caps_flag(caps, CAP_EFFECTIVE, c->effective) < 0 ||
	    ctr_caps_flag(caps, CAP_PERMITTED, c->permitted) < 0 ||
	    ctr_caps_flag(caps, CAP_INHERITABLE, c->inheritable) < 0)
		ret = err_set(errno ? errno : EINVAL, "capabilities");
	else if (cap_set_proc(caps) < 0)
		ret = err_set(errno, "set the capabilities (effective %#llx, permitted %#llx)",
			      (unsigned long long)c->effective, (unsigned long long)c->permitted);
	cap_free(caps);
	if (ret < 0)
		return ret;
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return err_set(errno, "clear the ambient capabilities");
	for (int cap = 0; cap < 64; cap++) {
		if (!(c->ambient & (1ull << cap)))
			continue;
		/*
		 * The kernel raises only what is permitted and inheritable. runc's
		 * own default spec lists ambient capabilities without inheritable
		 * ones, and runc goes on without them: so do we (EPERM), as any
		 * other error still fails create.
		 */
		if (cap_set_ambient(cap, CAP_SET) < 0 && errno != EPERM)
			return err_set(errno, "raise ambient capability %d", cap);
	}
	return 0;
}
