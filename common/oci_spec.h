/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bundle's config.json (OCI runtime spec 1.0/1.1), parsed and validated
 * into what ozone uses on the host (sizing the VM, cgroups, the console)
 * and what the agent uses in the guest. The original text is kept too: it
 * is sent to the agent unchanged. The parser treats the file as hostile:
 * size, depth and value count are capped, every type and range checked, and
 * every error is one line naming the field:
 *   config.json: process.args: must be a non-empty array of strings
 */
#ifndef OZONE_COMMON_OCI_SPEC_H
#define OZONE_COMMON_OCI_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/oci_field.h"

#define OCI_SPEC_SIZE_MAX (4u << 20) /* config.json */
#define OCI_SPEC_STR_MAX 65536	     /* one string (an env entry, an annotation) */
#define OCI_SPEC_PATH_MAX 4096	     /* one path */
#define OCI_SPEC_RAW_MAX (1u << 20)  /* resources, seccomp as JSON text */

struct oci_rlimit {
	char *type; /* "RLIMIT_NOFILE" */
	uint64_t hard;
	uint64_t soft;
};

struct oci_caps {
	char **bounding, **effective, **inheritable, **permitted, **ambient; /* NULL if absent */
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char **args; /* non-empty */
	size_t n_args;
	char **env; /* NULL if absent */
	char *cwd;  /* absolute */
	bool has_caps;
	struct oci_caps caps;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
};

struct oci_mount {
	char *destination;
	char *type;   /* NULL if absent */
	char *source; /* NULL if absent */
	char **options;
	size_t n_options;
};

struct oci_namespace {
	char *type; /* pid network mount ipc uts user cgroup time */
	char *path; /* NULL: a new namespace */
};

struct oci_device {
	char *path;
	char type; /* c b u p */
	int64_t major, minor;
	bool has_file_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

/* The limits the host needs to size the VM; the whole object is in raw. */
struct oci_resources {
	bool has_memory_limit;
	int64_t memory_limit; /* bytes; -1: unlimited */
	bool has_cpu_quota, has_cpu_period, has_cpu_shares;
	int64_t cpu_quota;   /* µs per period; -1: unlimited */
	uint64_t cpu_period; /* µs */
	uint64_t cpu_shares;
	char *cpu_cpus; /* "0-3", NULL if absent */
	bool has_pids_limit;
	int64_t pids_limit;
	char *raw; /* the whole linux.resources object as JSON text */
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	bool has_resources;
	struct oci_resources resources;
	char *cgroups_path; /* NULL if absent */
	struct oci_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths, **readonly_paths; /* NULL if absent */
	size_t n_masked_paths, n_readonly_paths;
	struct oci_device *devices;
	size_t n_devices;
	char *seccomp; /* JSON text, NULL if absent */
};

struct oci_spec {
	char *oci_version;
	bool has_process;
	struct oci_process process;
	char *root_path; /* as written: relative to the bundle or absolute */
	bool root_readonly;
	char *hostname, *domainname; /* NULL if absent */
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_kv *annotations;
	size_t n_annotations;
	bool has_linux;
	struct oci_linux lnx;
	char *text; /* the original config.json, NUL-terminated */
	size_t text_len;
};

/* Parses config.json text (len bytes). On failure *spec is left empty (safe to free). */
int oci_spec_parse(const char *text, size_t len, struct oci_spec *spec);
/* Reads and parses <bundle>/config.json. */
int oci_spec_load(const char *bundle, struct oci_spec *spec);
void oci_spec_free(struct oci_spec *spec);

/* A process object on its own (`exec --process FILE`); "file" names it in messages. */
int oci_process_parse(const char *file, const char *text, size_t len, struct oci_process *p);
void oci_process_free(struct oci_process *p);

/* The annotation's value, or NULL. */
const char *oci_spec_annotation(const struct oci_spec *spec, const char *key);

/* Internal to the parser: the linux object (oci_spec_linux.c). */
int oci_spec_parse_linux(const struct oci_where *w, yajl_val obj, struct oci_linux *lx);
void oci_linux_free(struct oci_linux *lx);

#endif
