/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp to a libseccomp filter, with runc's reading of the spec:
 *  - defaultAction and each rule's action: SCMP_ACT_KILL (= KILL_THREAD),
 *    KILL_PROCESS, KILL_THREAD, TRAP, ERRNO (errnoRet, else
 *    defaultErrnoRet for the default, else EPERM), TRACE (same number),
 *    ALLOW, LOG; SCMP_ACT_NOTIFY needs a listener socket, which the guest
 *    has no use for, and is refused by name;
 *  - architectures ("SCMP_ARCH_X86_64") are added beside the native one;
 *  - a syscall name this libseccomp does not know is skipped (profiles
 *    list syscalls of newer kernels), a rule whose action is the default
 *    one is dropped (libseccomp refuses it);
 *  - args: conditions on the same argument index cannot be ANDed by
 *    libseccomp, so when an index repeats each condition becomes a rule of
 *    its own (an OR), otherwise all of them form one rule;
 *  - flags: SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW.
 * The filter never sets no_new_privs itself: that is noNewPrivileges' job.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_internal.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"

#define CTR_SECCOMP_MAX_ERRNO 4095

/* Keeps the message of a failed getter, with where it happened in front. */
static int ctr_seccomp_bad(int ret, const char *where)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", err_msg());
	(void)ret; /* every profile error is the profile's: EINVAL */
	return err_setx(EINVAL, "linux.seccomp%s: %s", where, msg);
}

static int ctr_seccomp_action(const char *name, uint32_t errno_ret, uint32_t *act)
{
	if (!strcmp(name, "SCMP_ACT_KILL") || !strcmp(name, "SCMP_ACT_KILL_THREAD"))
		*act = SCMP_ACT_KILL_THREAD;
	else if (!strcmp(name, "SCMP_ACT_KILL_PROCESS"))
		*act = SCMP_ACT_KILL_PROCESS;
	else if (!strcmp(name, "SCMP_ACT_TRAP"))
		*act = SCMP_ACT_TRAP;
	else if (!strcmp(name, "SCMP_ACT_ERRNO"))
		*act = SCMP_ACT_ERRNO(errno_ret);
	else if (!strcmp(name, "SCMP_ACT_TRACE"))
		*act = SCMP_ACT_TRACE(errno_ret);
	else if (!strcmp(name, "SCMP_ACT_ALLOW"))
		*act = SCMP_ACT_ALLOW;
	else if (!strcmp(name, "SCMP_ACT_LOG"))
		*act = SCMP_ACT_LOG;
	else if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return err_setx(EINVAL, "SCMP_ACT_NOTIFY is not supported (no seccomp agent "
					"in the guest)");
	else
		return err_setx(EINVAL, "unknown action '%.64s'", name);
	return 0;
}

static int ctr_seccomp_op(const char *name, enum scmp_compare *op)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
	    {"SCMP_CMP_NE", SCMP_CMP_NE},
	    {"SCMP_CMP_LT", SCMP_CMP_LT},
	    {"SCMP_CMP_LE", SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", SCMP_CMP_GE},
	    {"SCMP_CMP_GT", SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(name, ops[i].name)) {
			*op = ops[i].op;
			return 0;
		}
	return err_setx(EINVAL, "unknown operator '%.64s'", name);
}

static int ctr_seccomp_arch(scmp_filter_ctx ctx, const char *name)
{
	char lower[32];
	uint32_t arch;
	size_t i;
	int ret;

	if (strncmp(name, "SCMP_ARCH_", 10) != 0 || strlen(name + 10) >= sizeof(lower))
		return err_setx(EINVAL, "unknown architecture '%.64s'", name);
	for (i = 0; name[10 + i]; i++)
		lower[i] = (char)(name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] + 32
									     : name[10 + i]);
	lower[i] = '\0';
	arch = seccomp_arch_resolve_name(lower);
	if (!arch)
		return err_setx(EINVAL, "unknown architecture '%.64s'", name);
	ret = seccomp_arch_add(ctx, arch);
	if (ret < 0 && ret != -EEXIST)
		return err_set(-ret, "add architecture %s", name);
	return 0;
}

static int ctr_seccomp_flags(scmp_filter_ctx ctx, yajl_val arr)
{
	if (!YAJL_IS_ARRAY(arr))
		return err_setx(EINVAL, "linux.seccomp.flags: must be an array of strings");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		const char *f = YAJL_GET_STRING(arr->u.array.values[i]);
		enum scmp_filter_attr attr;
		int ret;

		if (!f)
			return err_setx(EINVAL, "linux.seccomp.flags: must be an array of strings");
		if (!strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC"))
			attr = SCMP_FLTATR_CTL_TSYNC;
		else if (!strcmp(f, "SECCOMP_FILTER_FLAG_LOG"))
			attr = SCMP_FLTATR_CTL_LOG;
		else if (!strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			attr = SCMP_FLTATR_CTL_SSB;
		else
			return err_setx(EINVAL, "linux.seccomp.flags: unknown flag '%.64s'", f);
		ret = seccomp_attr_set(ctx, attr, 1);
		if (ret < 0)
			return err_set(-ret, "linux.seccomp.flags: %s", f);
	}
	return 0;
}

static int ctr_seccomp_args(yajl_val arr, const char *where, struct scmp_arg_cmp *cmp, unsigned *n)
{
	if (!YAJL_IS_ARRAY(arr))
		return err_setx(EINVAL, "linux.seccomp.%s.args: must be an array of objects",
				where);
	if (arr->u.array.len > 6)
		return err_setx(EINVAL, "linux.seccomp.%s.args: more than 6 conditions", where);
	*n = 0;
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val o = arr->u.array.values[i];
		char op[32], ctx[96];
		uint64_t value, value2 = 0;
		uint32_t index;
		int ret;

		snprintf(ctx, sizeof(ctx), ".%s.args[%zu]", where, i);
		if (!YAJL_IS_OBJECT(o))
			return err_setx(EINVAL, "linux.seccomp%s: must be an object", ctx);
		if ((ret = json_get_u32(o, "index", true, 0, 5, &index)) < 0 ||
		    (ret = json_get_u64(o, "value", true, 0, UINT64_MAX, &value)) < 0 ||
		    (ret = json_get_u64(o, "valueTwo", false, 0, UINT64_MAX, &value2)) < 0 ||
		    (ret = json_get_strbuf(o, "op", true, op, sizeof(op))) < 0)
			return ctr_seccomp_bad(ret, ctx);
		cmp[i].arg = index;
		cmp[i].datum_a = value;
		cmp[i].datum_b = value2;
		if ((ret = ctr_seccomp_op(op, &cmp[i].op)) < 0)
			return ctr_seccomp_bad(ret, ctx);
		(*n)++;
	}
	return 0;
}

/* The rules of one syscalls[] entry, for each name this libseccomp knows. */
static int ctr_seccomp_rule(scmp_filter_ctx ctx, yajl_val o, size_t idx, uint32_t def_act)
{
	struct scmp_arg_cmp cmp[6];
	char where[48], action[48];
	uint32_t errno_ret = EPERM, act;
	unsigned n_args = 0, count[6] = {0};
	bool split = false;
	yajl_val names = NULL, args = NULL;
	int ret;

	snprintf(where, sizeof(where), "syscalls[%zu]", idx);
	if (!YAJL_IS_OBJECT(o))
		return err_setx(EINVAL, "linux.seccomp.%s: must be an object", where);
	if ((ret = json_get(o, "names", true, &names)) < 0 ||
	    (ret = json_get_strbuf(o, "action", true, action, sizeof(action))) < 0 ||
	    (ret = json_get_u32(o, "errnoRet", false, 0, CTR_SECCOMP_MAX_ERRNO, &errno_ret)) < 0 ||
	    (ret = json_get(o, "args", false, &args)) < 0) {
		char ctxs[64];

		snprintf(ctxs, sizeof(ctxs), ".%s", where);
		return ctr_seccomp_bad(ret, ctxs);
	}
	if (!YAJL_IS_ARRAY(names))
		return err_setx(EINVAL, "linux.seccomp.%s.names: must be an array of strings",
				where);
	if ((ret = ctr_seccomp_action(action, errno_ret, &act)) < 0) {
		char ctxs[64];

		snprintf(ctxs, sizeof(ctxs), ".%s.action", where);
		return ctr_seccomp_bad(ret, ctxs);
	}
	if (args && !YAJL_IS_NULL(args) && (ret = ctr_seccomp_args(args, where, cmp, &n_args)) < 0)
		return ret;
	for (unsigned i = 0; i < n_args; i++)
		if (++count[cmp[i].arg] > 1)
			split = true;

	for (size_t i = 0; i < names->u.array.len; i++) {
		const char *name = YAJL_GET_STRING(names->u.array.values[i]);
		int nr;

		if (!name)
			return err_setx(
			    EINVAL, "linux.seccomp.%s.names: must be an array of strings", where);
		nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* a syscall this libseccomp does not know: runc skips it too */
		if (act == def_act)
			continue;
		if (!split) {
			ret = seccomp_rule_add_array(ctx, act, nr, n_args, cmp);
		} else {
			ret = 0;
			for (unsigned k = 0; k < n_args && ret == 0; k++)
				ret = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[k]);
		}
		if (ret < 0)
			return err_set(-ret, "linux.seccomp.%s: rule for '%.64s'", where, name);
	}
	return 0;
}

int ctr_seccomp_build(const char *json, void **out)
{
	char def_name[48];
	uint32_t def_errno = EPERM, def_act;
	yajl_val root = NULL, v = NULL;
	scmp_filter_ctx ctx = NULL;
	int ret;

	*out = NULL;
	if (!json)
		return 0;
	ret = json_parse(json, strlen(json), &root);
	if (ret < 0)
		return ctr_seccomp_bad(ret, "");
	if (!YAJL_IS_OBJECT(root)) {
		ret = err_setx(EINVAL, "linux.seccomp: must be an object");
		goto out;
	}
	if ((ret = json_get_strbuf(root, "defaultAction", true, def_name, sizeof(def_name))) < 0 ||
	    (ret = json_get_u32(root, "defaultErrnoRet", false, 0, CTR_SECCOMP_MAX_ERRNO,
				&def_errno)) < 0) {
		ret = ctr_seccomp_bad(ret, "");
		goto out;
	}
	if ((ret = ctr_seccomp_action(def_name, def_errno, &def_act)) < 0) {
		ret = ctr_seccomp_bad(ret, ".defaultAction");
		goto out;
	}
	if (json_get(root, "listenerPath", false, &v) == 0 && YAJL_IS_STRING(v) &&
	    *YAJL_GET_STRING(v)) {
		ret =
		    err_setx(EINVAL, "linux.seccomp.listenerPath: not supported (no seccomp agent "
				     "in the guest)");
		goto out;
	}
	ctx = seccomp_init(def_act);
	if (!ctx) {
		ret = err_setx(EINVAL, "linux.seccomp: libseccomp refused the default action");
		goto out;
	}
	/* no_new_privs is process.noNewPrivileges' to set, not the filter's. */
	if ((ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0) {
		ret = err_set(-ret, "linux.seccomp");
		goto out;
	}
	v = NULL;
	if ((ret = json_get(root, "architectures", false, &v)) < 0) {
		ret = ctr_seccomp_bad(ret, "");
		goto out;
	}
	if (v && !YAJL_IS_NULL(v)) {
		if (!YAJL_IS_ARRAY(v)) {
			ret = err_setx(EINVAL, "linux.seccomp.architectures: must be an array");
			goto out;
		}
		for (size_t i = 0; i < v->u.array.len; i++) {
			const char *a = YAJL_GET_STRING(v->u.array.values[i]);

			ret = a ? ctr_seccomp_arch(ctx, a)
				: err_setx(EINVAL, "must be an array of strings");
			if (ret < 0) {
				ret = ctr_seccomp_bad(ret, ".architectures");
				goto out;
			}
		}
	}
	v = NULL;
	if ((ret = json_get(root, "flags", false, &v)) < 0) {
		ret = ctr_seccomp_bad(ret, "");
		goto out;
	}
	if (v && !YAJL_IS_NULL(v) && (ret = ctr_seccomp_flags(ctx, v)) < 0)
		goto out;
	v = NULL;
	if ((ret = json_get(root, "syscalls", false, &v)) < 0) {
		ret = ctr_seccomp_bad(ret, "");
		goto out;
	}
	if (v && !YAJL_IS_NULL(v)) {
		if (!YAJL_IS_ARRAY(v)) {
			ret = err_setx(EINVAL, "linux.seccomp.syscalls: must be an array");
			goto out;
		}
		for (size_t i = 0; i < v->u.array.len; i++)
			if ((ret = ctr_seccomp_rule(ctx, v->u.array.values[i], i, def_act)) < 0)
				goto out;
	}
	*out = ctx;
	ctx = NULL;
	ret = 0;
out:
	if (ctx)
		seccomp_release(ctx);
	yajl_tree_free(root);
	return ret;
}

int ctr_seccomp_load(void *ctx)
{
	int ret;

	if (!ctx)
		return 0;
	ret = seccomp_load(ctx);
	if (ret < 0)
		return err_set(-ret, "load the seccomp filter");
	return 0;
}

void ctr_seccomp_free(void *ctx)
{
	if (ctx)
		seccomp_release(ctx);
}
