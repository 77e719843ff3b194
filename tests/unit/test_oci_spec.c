/* SPDX-License-Identifier: Apache-2.0 */
/* config.json: a full spec parsed field by field, and bad ones refused with one line naming the
 * field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/util.h"
#include "common/error.h"
#include "common/oci_spec.h"

static const char full_spec[] =
    "{\"ociVersion\":\"1.0.2-dev\","
    "\"process\":{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
    "\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,\"additionalGids\":[5,6]},"
    "\"args\":[\"sh\",\"-c\",\"echo hi\"],\"env\":[\"PATH=/bin\",\"TERM=xterm\"],\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"],"
    "\"permitted\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"ambient\":[]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}],"
    "\"noNewPrivileges\":true,\"oomScoreAdj\":-500},"
    "\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
    "\"hostname\":\"box\",\"domainname\":\"example.org\","
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\","
    "\"ro\"]}],"
    "\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\"},"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/"
    "net\"}],"
    "\"resources\":{\"memory\":{\"limit\":268435456},\"cpu\":{\"quota\":150000,\"period\":100000,"
    "\"shares\":1024,\"cpus\":\"0-1\"},\"pids\":{\"limit\":100},\"devices\":[{\"allow\":false,"
    "\"access\":\"rwm\"}]},"
    "\"cgroupsPath\":\"system.slice:ozone:abc\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
    "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
    "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
    "\"fileMode\":438,\"uid\":0,\"gid\":0}],"
    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],"
    "\"action\":\"SCMP_ACT_ALLOW\"}]}}}";

static void test_full_spec(void **state)
{
	struct oci_spec s;

	(void)state;
	assert_int_equal(oci_spec_parse(full_spec, strlen(full_spec), &s), 0);
	assert_string_equal(s.oci_version, "1.0.2-dev");
	assert_true(s.has_process);
	assert_true(s.process.terminal);
	assert_true(s.process.has_console_size);
	assert_int_equal(s.process.console_height, 24);
	assert_int_equal(s.process.console_width, 80);
	assert_int_equal(s.process.uid, 1000);
	assert_int_equal(s.process.gid, 100);
	assert_true(s.process.has_umask);
	assert_int_equal(s.process.umask, 18);
	assert_int_equal(s.process.n_additional_gids, 2);
	assert_int_equal(s.process.additional_gids[1], 6);
	assert_int_equal(s.process.n_args, 3);
	assert_string_equal(s.process.args[2], "echo hi");
	assert_null(s.process.args[3]);
	assert_string_equal(s.process.env[1], "TERM=xterm");
	assert_string_equal(s.process.cwd, "/");
	assert_true(s.process.has_caps);
	assert_string_equal(s.process.caps.permitted[1], "CAP_CHOWN");
	assert_null(s.process.caps.ambient[0]);
	assert_null(s.process.caps.inheritable);
	assert_int_equal(s.process.n_rlimits, 1);
	assert_string_equal(s.process.rlimits[0].type, "RLIMIT_NOFILE");
	assert_int_equal(s.process.rlimits[0].hard, 1024);
	assert_int_equal(s.process.rlimits[0].soft, 512);
	assert_true(s.process.no_new_privileges);
	assert_int_equal(s.process.oom_score_adj, -500);
	assert_string_equal(s.root_path, "rootfs");
	assert_true(s.root_readonly);
	assert_string_equal(s.hostname, "box");
	assert_string_equal(s.domainname, "example.org");
	assert_int_equal(s.n_mounts, 2);
	assert_string_equal(s.mounts[1].source, "/srv");
	assert_int_equal(s.mounts[1].n_options, 2);
	assert_string_equal(s.mounts[1].options[1], "ro");
	assert_null(s.mounts[0].options);
	assert_string_equal(oci_spec_annotation(&s, "io.kubernetes.cri.container-type"), "sandbox");
	assert_null(oci_spec_annotation(&s, "nope"));
	assert_true(s.has_linux);
	assert_int_equal(s.lnx.n_namespaces, 2);
	assert_null(s.lnx.namespaces[0].path);
	assert_string_equal(s.lnx.namespaces[1].path, "/proc/1/ns/net");
	assert_true(s.lnx.has_resources);
	assert_true(s.lnx.resources.has_memory_limit);
	assert_int_equal(s.lnx.resources.memory_limit, 268435456);
	assert_int_equal(s.lnx.resources.cpu_quota, 150000);
	assert_int_equal(s.lnx.resources.cpu_period, 100000);
	assert_int_equal(s.lnx.resources.cpu_shares, 1024);
	assert_string_equal(s.lnx.resources.cpu_cpus, "0-1");
	assert_int_equal(s.lnx.resources.pids_limit, 100);
	assert_non_null(strstr(s.lnx.resources.raw, "\"access\":\"rwm\""));
	assert_string_equal(s.lnx.cgroups_path, "system.slice:ozone:abc");
	assert_int_equal(s.lnx.n_sysctl, 1);
	assert_string_equal(s.lnx.sysctl[0].value, "1");
	assert_string_equal(s.lnx.masked_paths[0], "/proc/kcore");
	assert_string_equal(s.lnx.readonly_paths[0], "/proc/sys");
	assert_int_equal(s.lnx.n_devices, 1);
	assert_int_equal(s.lnx.devices[0].type, 'c');
	assert_int_equal(s.lnx.devices[0].major, 10);
	assert_int_equal(s.lnx.devices[0].minor, 229);
	assert_int_equal(s.lnx.devices[0].file_mode, 438);
	assert_non_null(strstr(s.lnx.seccomp, "SCMP_ACT_ERRNO"));
	/* The original text, unchanged, for the agent. */
	assert_int_equal(s.text_len, strlen(full_spec));
	assert_string_equal(s.text, full_spec);
	oci_spec_free(&s);
}

static void test_minimal_spec(void **state)
{
	static const char text[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/r\"}}";
	struct oci_spec s;

	(void)state;
	assert_int_equal(oci_spec_parse(text, strlen(text), &s), 0);
	assert_false(s.has_process);
	assert_false(s.has_linux);
	assert_false(s.root_readonly);
	assert_null(s.hostname);
	assert_int_equal(s.n_mounts, 0);
	oci_spec_free(&s);
}

/* Each bad config: the exact one-line message. */
static const struct {
	const char *text;
	const char *msg;
} bad_specs[] = {
    {"", "config.json: invalid JSON: "},
    {"{\"a\":", "config.json: invalid JSON: "},
    {"[]", "config.json: must hold a JSON object"},
    {"{\"root\":{\"path\":\"r\"}}", "config.json: ociVersion: required field missing"},
    {"{\"ociVersion\":2,\"root\":{\"path\":\"r\"}}", "config.json: ociVersion: must be a string"},
    {"{\"ociVersion\":\"2.0\",\"root\":{\"path\":\"r\"}}",
     "config.json: ociVersion: '2.0' is not a 1.x version"},
    {"{\"ociVersion\":\"1.0\"}", "config.json: root: required field missing"},
    {"{\"ociVersion\":\"1.0\",\"root\":{}}", "config.json: root.path: required field missing"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"\"}}",
     "config.json: root.path: must be a non-empty string"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\",\"readonly\":1}}",
     "config.json: root.readonly: must be true or false"},
    {"{\"ociVersion\":\"1.0\",\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"}}",
     "config.json: ociVersion: given twice"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[],\"cwd\":\"/\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[1],\"cwd\":\"/\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":\"sh\",\"cwd\":\"/"
     "\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"]}}",
     "config.json: process.cwd: required field missing"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"tmp\"}}",
     "config.json: process.cwd: must be an absolute path"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"env\":[\"NOEQUALS\"]}}",
     "config.json: process.env: 'NOEQUALS' is not of the form NAME=VALUE"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"user\":{\"uid\":-1,\"gid\":0}}}",
     "config.json: process.user.uid: must not be negative"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}}",
     "config.json: process.user.uid: 4294967296 is out of range [0, 4294967294]"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"user\":{\"uid\":1.5,\"gid\":0}}}",
     "config.json: process.user.uid: must be an integer"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"user\":{\"uid\":0,\"gid\":0,\"umask\":512}}}",
     "config.json: process.user.umask: 512 is out of range [0, 511]"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"user\":{\"uid\":99999999999999999999999,\"gid\":0}}}",
     "config.json: process.user.uid: 99999999999999999999999 is out of range"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"oomScoreAdj\":1001}}",
     "config.json: process.oomScoreAdj: 1001 is out of range [-1000, 1000]"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"consoleSize\":{\"height\":70000,\"width\":80}}}",
     "config.json: process.consoleSize.height: 70000 is out of range [0, 65535]"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"capabilities\":{\"bounding\":[\"KILL\"]}}}",
     "config.json: process.capabilities.bounding: 'KILL' is not a capability name"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"hard\":1,\"soft\":1}]}}",
     "config.json: process.rlimits[0].type: unknown resource limit 'RLIMIT_FOO'"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"sh\"],\"cwd\":"
     "\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1,\"soft\":2}]}}",
     "config.json: process.rlimits[0].soft: 2 exceeds hard (1)"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"mounts\":[{\"type\":\"proc\"}]}",
     "config.json: mounts[0].destination: required field missing"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"mounts\":{}}",
     "config.json: mounts: must be an array of objects"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"annotations\":{\"a\":1}}",
     "config.json: annotations: value of 'a' must be a string"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"hostname\":"
     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
     "config.json: hostname: string of 65 bytes exceeds the limit of 64"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":"
     "\"foo\"}]}}",
     "config.json: linux.namespaces[0].type: unknown namespace type 'foo'"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":[{\"type\":"
     "\"pid\"},{\"type\":\"pid\"}]}}",
     "config.json: linux.namespaces[1].type: namespace 'pid' given twice"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{"
     "\"limit\":\"1G\"}}}}",
     "config.json: linux.resources.memory.limit: must be an integer"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":{"
     "\"limit\":-2}}}}",
     "config.json: linux.resources.memory.limit: -2 is out of range [-1, "
     "9223372036854775807]"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"cpu\":{"
     "\"cpus\":\"all\"}}}}",
     "config.json: linux.resources.cpu.cpus: 'all' is not a CPU list"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":[]}}",
     "config.json: linux.resources: must be an object"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"devices\":[{\"path\":\"/"
     "dev/x\",\"type\":\"q\"}]}}",
     "config.json: linux.devices[0].type: must be one of c, b, u, p"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"devices\":[{\"path\":\"/"
     "dev/x\",\"type\":\"c\",\"minor\":1}]}}",
     "config.json: linux.devices[0].major: required field missing"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"seccomp\":\"x\"}}",
     "config.json: linux.seccomp: must be an object"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"maskedPaths\":[\"proc\"]}}",
     "config.json: linux.maskedPaths: 'proc' is not an absolute path"},
    {"{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"sysctl\":{\"../x\":\"1\"}}}",
     "config.json: linux.sysctl: '../x' is not a sysctl name"},
};

static void test_bad_specs(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_specs); i++) {
		struct oci_spec s;
		int ret = oci_spec_parse(bad_specs[i].text, strlen(bad_specs[i].text), &s);

		if (ret == 0 || strncmp(err_msg(), bad_specs[i].msg, strlen(bad_specs[i].msg)))
			fail_msg("case %zu: got %d '%s', want '%s'", i, ret, err_msg(),
				 bad_specs[i].msg);
		assert_null(s.oci_version);
		assert_null(s.text);
		oci_spec_free(&s);
	}
}

static void test_deep_nesting(void **state)
{
	size_t depth = 100000, len = 0;
	char *text = malloc(depth * 2 + 64);
	struct oci_spec s;

	(void)state;
	len += sprintf(text, "{\"ociVersion\":\"1.0\",\"root\":{\"path\":\"r\"},\"x\":");
	memset(text + len, '[', depth);
	memset(text + len + depth, ']', depth);
	len += depth * 2;
	text[len++] = '}';
	assert_int_equal(oci_spec_parse(text, len, &s), -EINVAL);
	assert_non_null(strstr(err_msg(), "nested deeper than 32 levels"));
	free(text);
}

static void test_huge_file(void **state)
{
	size_t len = OCI_SPEC_SIZE_MAX + 1;
	char *text = malloc(len);
	struct oci_spec s;

	(void)state;
	memset(text, ' ', len);
	assert_int_equal(oci_spec_parse(text, len, &s), -EFBIG);
	assert_non_null(strstr(err_msg(), "exceeds the limit of 4194304"));
	free(text);
}

static void test_load_missing(void **state)
{
	struct oci_spec s;

	(void)state;
	assert_int_equal(oci_spec_load("/nonexistent-bundle", &s), -ENOENT);
	assert_string_equal(err_msg(),
			    "open /nonexistent-bundle/config.json: No such file or directory");
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/ozone-spec-XXXXXX", path[64];
	struct oci_spec s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(full_spec, f);
	fclose(f);
	assert_int_equal(oci_spec_load(dir, &s), 0);
	assert_string_equal(s.text, full_spec);
	oci_spec_free(&s);
	unlink(path);
	rmdir(dir);
}

static void test_process_json(void **state)
{
	static const char ok[] = "{\"args\":[\"ls\"],\"cwd\":\"/tmp\",\"terminal\":false}";
	static const char bad[] = "{\"args\":[],\"cwd\":\"/\"}";
	struct oci_process p;

	(void)state;
	assert_int_equal(oci_process_parse("process.json", ok, strlen(ok), &p), 0);
	assert_string_equal(p.args[0], "ls");
	assert_string_equal(p.cwd, "/tmp");
	oci_process_free(&p);
	assert_int_equal(oci_process_parse("process.json", bad, strlen(bad), &p), -EINVAL);
	assert_string_equal(err_msg(), "process.json: args: must be a non-empty array of strings");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_spec), cmocka_unit_test(test_minimal_spec),
	    cmocka_unit_test(test_bad_specs), cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_huge_file), cmocka_unit_test(test_load_missing),
	    cmocka_unit_test(test_load_file), cmocka_unit_test(test_process_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
