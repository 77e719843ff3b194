/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI mount options to mount(2) terms, with runc's table: the options that
 * are flags of the mount itself, the propagation ones, the recursive
 * attributes ("rro", "rnosuid": mount_setattr with AT_RECURSIVE), and the
 * rest, which is handed to the filesystem as its data string.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "ctr_internal.h"
#include "common/error.h"
#include "common/util.h"

struct ctr_flag_opt {
	const char *name;
	bool clear; /* the option removes the flag ("rw", "suid") */
	unsigned long flag;
};

static const struct ctr_flag_opt ctr_flag_opts[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
};

static const struct {
	const char *name;
	unsigned long flags;
} ctr_prop_opts[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive attributes (runc 1.1+): "r" + the flag option, applied to every submount too. */
static const struct {
	const char *name;
	bool clear;
	uint64_t attr;
} ctr_rec_opts[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

int ctr_propagation_parse(const char *name, unsigned long *flags)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctr_prop_opts); i++)
		if (!strcmp(name, ctr_prop_opts[i].name)) {
			*flags = ctr_prop_opts[i].flags;
			return 0;
		}
	return err_setx(EINVAL, "unknown propagation '%.64s'", name);
}

static bool ctr_opt_flag(struct ctr_mount_opts *o, const char *opt)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctr_flag_opts); i++) {
		const struct ctr_flag_opt *f = &ctr_flag_opts[i];

		if (strcmp(opt, f->name))
			continue;
		if (f->clear) {
			o->flags &= ~f->flag;
		} else {
			o->flags |= f->flag;
			/* The atime options exclude each other; the last one wins. */
			if (f->flag & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
				o->flags &=
				    ~((MS_NOATIME | MS_RELATIME | MS_STRICTATIME) & ~f->flag);
		}
		if (f->flag & MS_BIND)
			o->bind = true;
		return true;
	}
	return false;
}

static bool ctr_opt_rec(struct ctr_mount_opts *o, const char *opt)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctr_rec_opts); i++) {
		if (strcmp(opt, ctr_rec_opts[i].name))
			continue;
		if (ctr_rec_opts[i].attr == MOUNT_ATTR_RELATIME ||
		    (ctr_rec_opts[i].attr & MOUNT_ATTR__ATIME)) {
			/* One of three access-time modes (relatime is 0): replace the mode. */
			o->attr_set =
			    (o->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | ctr_rec_opts[i].attr;
			o->attr_clr |= MOUNT_ATTR__ATIME;
		} else if (ctr_rec_opts[i].clear) {
			o->attr_clr |= ctr_rec_opts[i].attr;
			o->attr_set &= ~ctr_rec_opts[i].attr;
		} else {
			o->attr_set |= ctr_rec_opts[i].attr;
			o->attr_clr &= ~ctr_rec_opts[i].attr;
		}
		return true;
	}
	return false;
}

static int ctr_opt_data(struct ctr_mount_opts *o, const char *opt)
{
	size_t have = strlen(o->data), len = strlen(opt);

	if (!len)
		return 0;
	if (have + len + 2 > sizeof(o->data))
		return err_setx(EINVAL, "mount options longer than %d bytes", CTR_MOUNT_DATA_MAX);
	if (have)
		o->data[have++] = ',';
	memcpy(o->data + have, opt, len + 1);
	return 0;
}

int ctr_mount_opts_parse(char *const *opts, size_t n, struct ctr_mount_opts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const char *opt = opts[i];
		unsigned long prop = 0;
		int ret;

		if (ctr_opt_flag(out, opt) || ctr_opt_rec(out, opt))
			continue;
		if (!strcmp(opt, "tmpcopyup"))
			continue; /* runc's tmpfs-over-image copy: nothing to copy on a fresh rootfs
				   */
		if (!strcmp(opt, "idmap") || !strcmp(opt, "ridmap"))
			return err_setx(EINVAL, "mount option '%s': no user namespaces here", opt);
		ret = ctr_propagation_parse(opt, &prop);
		if (ret == 0) {
			out->propagation = prop;
			continue;
		}
		ret = ctr_opt_data(out, opt);
		if (ret < 0)
			return ret;
	}
	return 0;
}
