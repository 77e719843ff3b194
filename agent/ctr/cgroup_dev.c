/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device rules of a group as a cgroup v2 BPF program (cgroup_dev.h).
 * The program reads the request from struct bpf_cgroup_dev_ctx (type in
 * the low 16 bits of access_type, access in the high ones, major, minor),
 * then tests the rules from the last to the first: the first that matches
 * returns its verdict; none matching returns "deny".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_dev.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"

#define CG_DEV_RULES_MAX 1024
#define CG_DEV_ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

/* runc's AllowedDevices: what every container may use whatever its spec says. */
static const struct cg_dev_rule cg_dev_defaults[] = {
    {true, 'c', -1, -1, BPF_DEVCG_ACC_MKNOD}, {true, 'b', -1, -1, BPF_DEVCG_ACC_MKNOD},
    {true, 'c', 1, 3, CG_DEV_ACC_ALL},	  /* null */
    {true, 'c', 1, 8, CG_DEV_ACC_ALL},	  /* random */
    {true, 'c', 1, 7, CG_DEV_ACC_ALL},	  /* full */
    {true, 'c', 5, 0, CG_DEV_ACC_ALL},	  /* tty */
    {true, 'c', 1, 5, CG_DEV_ACC_ALL},	  /* zero */
    {true, 'c', 1, 9, CG_DEV_ACC_ALL},	  /* urandom */
    {true, 'c', 136, -1, CG_DEV_ACC_ALL}, /* /dev/pts/N */
    {true, 'c', 5, 2, CG_DEV_ACC_ALL},	  /* ptmx */
};

static int cg_dev_num(yajl_val o, const char *key, size_t i, int64_t max, int64_t *out)
{
	yajl_val v = NULL;
	int ret = json_get(o, key, false, &v);

	*out = -1;
	if (ret < 0)
		return err_setx(EINVAL, "linux.resources.devices[%zu].%s: given twice", i, key);
	if (ret == 1 || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < -1 || YAJL_GET_INTEGER(v) > max)
		return err_setx(EINVAL, "linux.resources.devices[%zu].%s: not a device number", i,
				key);
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int cg_dev_rule_parse(yajl_val o, size_t i, struct cg_dev_rule *r)
{
	char type[4] = "a", access[8] = "rwm";
	int ret;

	if (!YAJL_IS_OBJECT(o))
		return err_setx(EINVAL, "linux.resources.devices[%zu]: must be an object", i);
	if ((ret = json_get_bool(o, "allow", true, &r->allow)) < 0 ||
	    (ret = json_get_strbuf(o, "type", false, type, sizeof(type))) < 0 ||
	    (ret = json_get_strbuf(o, "access", false, access, sizeof(access))) < 0) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err_msg());
		return err_setx(EINVAL, "linux.resources.devices[%zu]: %s", i, msg);
	}
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return err_setx(EINVAL, "linux.resources.devices[%zu].type: must be a, c or b", i);
	r->type = type[0];
	r->access = 0;
	for (const char *a = access; *a; a++) {
		uint32_t bit = *a == 'r'   ? BPF_DEVCG_ACC_READ
			       : *a == 'w' ? BPF_DEVCG_ACC_WRITE
			       : *a == 'm' ? BPF_DEVCG_ACC_MKNOD
					   : 0;

		if (!bit || (r->access & bit))
			return err_setx(EINVAL,
					"linux.resources.devices[%zu].access: '%s' is not a subset "
					"of rwm",
					i, access);
		r->access |= bit;
	}
	if (!*access)
		r->access = CG_DEV_ACC_ALL;
	if ((ret = cg_dev_num(o, "major", i, 4095, &r->major)) < 0 ||
	    (ret = cg_dev_num(o, "minor", i, 1048575, &r->minor)) < 0)
		return ret;
	return 0;
}

int cg_dev_rules_parse(const char *json, struct cg_dev_rules *out)
{
	yajl_val root = NULL, arr = NULL;
	size_t n = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (json) {
		ret = json_parse(json, strlen(json), &root);
		if (ret < 0)
			return err_setx(EINVAL, "linux.resources: not JSON");
		if (!YAJL_IS_OBJECT(root)) {
			ret = err_setx(EINVAL, "linux.resources: must be an object");
			goto out;
		}
		ret = json_get(root, "devices", false, &arr);
		if (ret < 0) {
			ret = err_setx(EINVAL, "linux.resources.devices: given twice");
			goto out;
		}
		ret = 0;
		if (arr && YAJL_IS_NULL(arr))
			arr = NULL;
		if (arr && !YAJL_IS_ARRAY(arr)) {
			ret = err_setx(EINVAL, "linux.resources.devices: must be an array");
			goto out;
		}
		n = arr ? arr->u.array.len : 0;
		out->given = arr != NULL;
		if (n > CG_DEV_RULES_MAX) {
			ret = err_setx(EINVAL, "linux.resources.devices: more than %d rules",
				       CG_DEV_RULES_MAX);
			goto out;
		}
	}
	out->r = calloc(n + ARRAY_SIZE(cg_dev_defaults), sizeof(*out->r));
	if (!out->r) {
		ret = err_set(ENOMEM, "linux.resources.devices");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ret = cg_dev_rule_parse(arr->u.array.values[i], i, &out->r[i]);
		if (ret < 0)
			goto out;
	}
	memcpy(out->r + n, cg_dev_defaults, sizeof(cg_dev_defaults));
	out->n = n + ARRAY_SIZE(cg_dev_defaults);
out:
	yajl_tree_free(root);
	if (ret < 0) {
		cg_dev_rules_free(out);
		out->given = false;
	}
	return ret;
}

void cg_dev_rules_free(struct cg_dev_rules *rules)
{
	free(rules->r);
	memset(rules, 0, sizeof(*rules));
}

static bool cg_dev_match(const struct cg_dev_rule *r, char type, uint32_t major, uint32_t minor,
			 uint32_t access)
{
	if (r->type != 'a' && r->type != type)
		return false;
	if ((access & r->access) != access)
		return false;
	if (r->major >= 0 && (uint32_t)r->major != major)
		return false;
	if (r->minor >= 0 && (uint32_t)r->minor != minor)
		return false;
	return true;
}

bool cg_dev_allowed(const struct cg_dev_rules *rules, char type, uint32_t major, uint32_t minor,
		    uint32_t access)
{
	for (size_t i = rules->n; i-- > 0;)
		if (cg_dev_match(&rules->r[i], type, major, minor, access))
			return rules->r[i].allow;
	return false;
}

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

int cg_dev_prog(const struct cg_dev_rules *rules, struct bpf_insn **insns, size_t *n)
{
	/* Prologue 6, each rule at most 8, epilogue 2. */
	size_t cap = 8 + rules->n * 8, len = 0;
	struct bpf_insn *p = calloc(cap, sizeof(*p));

	if (!p)
		return err_set(ENOMEM, "device rules");
	/* r2 = type, r3 = access, r4 = major, r5 = minor */
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
	p[len++] = INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_3, BPF_REG_1, 0, 0);
	p[len++] = INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
	p[len++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t i = rules->n; i-- > 0;) {
		const struct cg_dev_rule *r = &rules->r[i];
		struct bpf_insn blk[8];
		size_t b = 0;

		if (r->type != 'a')
			blk[b++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
					r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
		if (r->access != CG_DEV_ACC_ALL) {
			/* The request's access must lie within the rule's: (r3 & mask) == r3. */
			blk[b++] = INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
			blk[b++] =
			    INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)r->access);
			blk[b++] = INSN(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		}
		if (r->major >= 0)
			blk[b++] =
			    INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)r->major);
		if (r->minor >= 0)
			blk[b++] =
			    INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)r->minor);
		blk[b++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
		blk[b++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		/* Every test jumps past the rest of its block: to the next rule. */
		for (size_t k = 0; k < b; k++)
			if ((blk[k].code & 0xf0) == BPF_JNE && (blk[k].code & 0x07) == BPF_JMP)
				blk[k].off = (int16_t)(b - k - 1);
		memcpy(p + len, blk, b * sizeof(*blk));
		len += b;
		/* A rule that matches everything ends the program: the verifier refuses dead code.
		 */
		if (b == 2)
			goto done;
	}
	p[len++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[len++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
done:
	*insns = p;
	*n = len;
	return 0;
}

static long cg_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The ids of the device programs attached to the group now. */
static int cg_dev_attached(int dirfd, uint32_t *ids, uint32_t *n)
{
	union bpf_attr q;

	memset(&q, 0, sizeof(q));
	q.query.target_fd = (uint32_t)dirfd;
	q.query.attach_type = BPF_CGROUP_DEVICE;
	q.query.prog_ids = (uint64_t)(uintptr_t)ids;
	q.query.prog_cnt = *n;
	if (cg_bpf(BPF_PROG_QUERY, &q) < 0)
		return -errno;
	*n = q.query.prog_cnt;
	return 0;
}

int cg_dev_apply(const char *dir, const struct cg_dev_rules *rules)
{
	static char log[4096];
	struct bpf_insn *insns = NULL;
	uint32_t old[64], n_old = 64;
	union bpf_attr a;
	size_t n = 0;
	int dirfd, prog = -1, ret;

	if ((ret = cg_dev_prog(rules, &insns, &n)) < 0)
		return ret;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = err_set(errno, "cgroup %s", dir);
		goto out;
	}
	if (cg_dev_attached(dirfd, old, &n_old) < 0 || n_old > 64)
		n_old = 0;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t) "Apache-2.0";
	prog = (int)cg_bpf(BPF_PROG_LOAD, &a);
	if (prog < 0) {
		int err = errno;

		/* Again with the verifier's log, for the message (a full log is ENOSPC). */
		a.log_buf = (uint64_t)(uintptr_t)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		log[0] = '\0';
		prog = (int)cg_bpf(BPF_PROG_LOAD, &a);
		log[sizeof(log) - 1] = '\0';
		ret = err_set(err, "cgroup %s: load the device program (%.200s)", dir, log);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (cg_bpf(BPF_PROG_ATTACH, &a) < 0) {
		ret = err_set(errno, "cgroup %s: attach the device program", dir);
		goto out;
	}
	/* The new program is in: the old ones (an update's predecessors) can go. */
	for (uint32_t i = 0; i < n_old; i++) {
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_id = old[i];
		fd = (int)cg_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.target_fd = (uint32_t)dirfd;
		a.attach_bpf_fd = (uint32_t)fd;
		a.attach_type = BPF_CGROUP_DEVICE;
		if (cg_bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
			ret = err_set(errno, "cgroup %s: detach the old device program", dir);
		close(fd);
	}
out:
	if (prog >= 0)
		close(prog);
	if (dirfd >= 0)
		close(dirfd);
	free(insns);
	return ret;
}
