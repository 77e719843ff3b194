/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ozone features`: runc's `features` document (OCI runtime features),
 * listing what ozone accepts in a config.json. Capabilities come from
 * libcap's table and seccomp architectures from libseccomp; an annotation
 * says that containers run in KVM microVMs.
 */
#include "runtime/cmd/verbs.h"
#include "common/error.h"
#include "common/json.h"
#include "common/util.h"
#include "common/version.h"

#include <ctype.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

static const char *const features_hooks[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static const char *const features_mount_options[] = {
    "acl",	    "async",	   "atime",	     "bind",
    "defaults",	    "dev",	   "diratime",	     "dirsync",
    "exec",	    "iversion",	   "lazytime",	     "loud",
    "mand",	    "noacl",	   "noatime",	     "nodev",
    "nodiratime",   "noexec",	   "noiversion",     "nolazytime",
    "nomand",	    "norelatime",  "nostrictatime",  "nosuid",
    "nosymfollow",  "private",	   "ratime",	     "rbind",
    "rdev",	    "rdiratime",   "relatime",	     "remount",
    "rexec",	    "rnoatime",	   "rnodev",	     "rnodiratime",
    "rnoexec",	    "rnorelatime", "rnostrictatime", "rnosuid",
    "rnosymfollow", "ro",	   "rprivate",	     "rrelatime",
    "rro",	    "rrw",	   "rshared",	     "rslave",
    "rstrictatime", "rsuid",	   "rsymfollow",     "runbindable",
    "rw",	    "shared",	   "silent",	     "slave",
    "strictatime",  "suid",	   "symfollow",	     "sync",
    "tmpcopyup",    "unbindable",
};

static const char *const features_namespaces[] = {
    "cgroup", "ipc", "mount", "network", "pid", "user", "uts",
};

static const char *const features_seccomp_actions[] = {
    "SCMP_ACT_ALLOW",	     "SCMP_ACT_ERRNO",	     "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
    "SCMP_ACT_NOTIFY",	     "SCMP_ACT_TRACE",	     "SCMP_ACT_TRAP",
};

static const char *const features_seccomp_operators[] = {
    "SCMP_CMP_EQ", "SCMP_CMP_GE",	 "SCMP_CMP_GT", "SCMP_CMP_LE",
    "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

/* The OCI names; each is listed only if this libseccomp knows it. */
static const char *const features_seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",   "SCMP_ARCH_ARM",	 "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PARISC",	   "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC",      "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE",   "SCMP_ARCH_RISCV64",	 "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",
    "SCMP_ARCH_X32",	   "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",
};

static void features_list(struct json_out *o, const char *key, const char *const *v, size_t n)
{
	json_out_str(o, key);
	json_out_array_open(o);
	for (size_t i = 0; i < n; i++)
		json_out_str(o, v[i]);
	json_out_array_close(o);
}

/* libcap's names ("cap_chown") in the OCI spelling ("CAP_CHOWN"), in number order. */
static void features_capabilities(struct json_out *o)
{
	json_out_str(o, "capabilities");
	json_out_array_open(o);
	for (cap_value_t c = 0; c < 64; c++) {
		char *name = cap_to_name(c);
		char up[64];
		size_t i;

		if (!name)
			break;
		/* Past libcap's table, cap_to_name() gives the number. */
		if (isdigit((unsigned char)name[0])) {
			cap_free(name);
			break;
		}
		for (i = 0; name[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)toupper((unsigned char)name[i]);
		up[i] = '\0';
		cap_free(name);
		json_out_str(o, up);
	}
	json_out_array_close(o);
}

static void features_seccomp(struct json_out *o)
{
	json_out_str(o, "seccomp");
	json_out_map_open(o);
	json_out_kbool(o, "enabled", true);
	features_list(o, "actions", features_seccomp_actions, ARRAY_SIZE(features_seccomp_actions));
	features_list(o, "operators", features_seccomp_operators,
		      ARRAY_SIZE(features_seccomp_operators));
	json_out_str(o, "archs");
	json_out_array_open(o);
	for (size_t i = 0; i < ARRAY_SIZE(features_seccomp_archs); i++) {
		char lower[32];
		const char *s = features_seccomp_archs[i] + strlen("SCMP_ARCH_");
		size_t k;

		for (k = 0; s[k] && k < sizeof(lower) - 1; k++)
			lower[k] = (char)tolower((unsigned char)s[k]);
		lower[k] = '\0';
		if (seccomp_arch_resolve_name(lower) != 0)
			json_out_str(o, features_seccomp_archs[i]);
	}
	json_out_array_close(o);
	json_out_map_close(o);
}

static void features_doc(struct json_out *o)
{
	const struct scmp_version *v = seccomp_version();
	char seccomp_ver[32] = "unknown";

	if (v)
		snprintf(seccomp_ver, sizeof(seccomp_ver), "%u.%u.%u", v->major, v->minor,
			 v->micro);
	json_out_map_open(o);
	json_out_kstr(o, "ociVersionMin", "1.0.0");
	json_out_kstr(o, "ociVersionMax", OZONE_OCI_VERSION);
	features_list(o, "hooks", features_hooks, ARRAY_SIZE(features_hooks));
	features_list(o, "mountOptions", features_mount_options,
		      ARRAY_SIZE(features_mount_options));
	json_out_str(o, "linux");
	json_out_map_open(o);
	features_list(o, "namespaces", features_namespaces, ARRAY_SIZE(features_namespaces));
	features_capabilities(o);
	json_out_str(o, "cgroup");
	json_out_map_open(o);
	json_out_kbool(o, "v1", true);
	json_out_kbool(o, "v2", true);
	json_out_kbool(o, "systemd", true);
	json_out_kbool(o, "systemdUser", true);
	json_out_map_close(o);
	features_seccomp(o);
	/* The guest kernel runs no LSM: profiles and labels are not applied. */
	json_out_str(o, "apparmor");
	json_out_map_open(o);
	json_out_kbool(o, "enabled", false);
	json_out_map_close(o);
	json_out_str(o, "selinux");
	json_out_map_open(o);
	json_out_kbool(o, "enabled", false);
	json_out_map_close(o);
	json_out_map_close(o);
	json_out_str(o, "annotations");
	json_out_map_open(o);
	json_out_kstr(o, "io.github.seccomp.libseccomp.version", seccomp_ver);
	json_out_kstr(o, "org.ozone.runtime.isolation", "kvm-microvm");
	json_out_kstr(o, "org.ozone.runtime.version", OZONE_VERSION);
	json_out_map_close(o);
	json_out_map_close(o);
}

static const struct option features_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int ozone_cmd_features(struct ozone_globals *g, int argc, char **argv)
{
	struct ozone_args a = {
	    .verb = "features",
	    .usage = "features\n\nShows what this runtime supports, as JSON (OCI runtime "
		     "features).",
	    .longopts = features_opts,
	};
	struct json_out o;
	char *text;
	size_t len;
	int ret;

	(void)g;
	if (ozone_args_next(&a, argc, argv) != -1)
		return OZONE_EXIT_FAIL;
	if (a.help)
		return 0;
	if (ozone_args_count(&a, argc, argv, 0, 0) < 0)
		return OZONE_EXIT_FAIL;
	ret = json_out_init(&o);
	if (ret < 0)
		return ozone_fail(ret);
	yajl_gen_config(o.g, yajl_gen_beautify, 1);
	features_doc(&o);
	ret = json_out_finish(&o, &text, &len);
	if (ret < 0)
		return ozone_fail(ret);
	fwrite(text, 1, len, stdout);
	free(text);
	return 0;
}
