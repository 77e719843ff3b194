/* SPDX-License-Identifier: Apache-2.0 */
/* Container ids (runc's rule) and the state JSON: runc's layout, a round trip, bad files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/util.h"
#include "common/error.h"
#include "common/oci_state.h"

static void test_id_valid(void **state)
{
	static const char *const good[] = {"a", "abc-123", "A_b.c+d", "..a", "a..", "x.y", "0"};
	char longest[OCI_ID_MAX + 1];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(oci_id_check(good[i]), 0);
	memset(longest, 'a', OCI_ID_MAX);
	longest[OCI_ID_MAX] = '\0';
	assert_int_equal(oci_id_check(longest), 0);
}

static void test_id_invalid(void **state)
{
	static const char *const bad[] = {"",	 ".",	"..",	"a/b", "/a", "a b",
					  "a,b", "a:b", "a\nb", "é",   "a*", "../x"};
	char toolong[OCI_ID_MAX + 2];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(oci_id_check(bad[i]), -EINVAL);
	assert_int_equal(oci_id_check("a/b"), -EINVAL);
	assert_string_equal(err_msg(), "invalid container id 'a/b'");
	memset(toolong, 'a', OCI_ID_MAX + 1);
	toolong[OCI_ID_MAX + 1] = '\0';
	assert_int_equal(oci_id_check(toolong), -EINVAL);
}

static struct oci_kv annotations[] = {{"io.kubernetes.cri.container-type", "sandbox"}};

static const struct oci_state sample = {
    .oci_version = "1.0.2",
    .id = "c1",
    .pid = 4242,
    .status = "running",
    .bundle = "/b",
    .rootfs = "/b/rootfs",
    .created = "2026-01-02T03:04:05.123456789Z",
    .owner = "",
    .annotations = annotations,
    .n_annotations = 1,
    .pid_start = 987654,
};

static void test_state_runc_layout(void **state)
{
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(oci_state_to_json(&sample, true, false, &text, &len), 0);
	assert_string_equal(text, "{\n"
				  "  \"ociVersion\": \"1.0.2\",\n"
				  "  \"id\": \"c1\",\n"
				  "  \"pid\": 4242,\n"
				  "  \"status\": \"running\",\n"
				  "  \"bundle\": \"/b\",\n"
				  "  \"rootfs\": \"/b/rootfs\",\n"
				  "  \"created\": \"2026-01-02T03:04:05.123456789Z\",\n"
				  "  \"owner\": \"\",\n"
				  "  \"annotations\": {\n"
				  "    \"io.kubernetes.cri.container-type\": \"sandbox\"\n"
				  "  }\n"
				  "}");
	assert_int_equal(len, strlen(text));
	free(text);
}

static void test_state_round_trip(void **state)
{
	struct oci_state st;
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(oci_state_to_json(&sample, false, true, &text, &len), 0);
	assert_int_equal(oci_state_parse("state.json", text, len, &st), 0);
	free(text);
	assert_string_equal(st.oci_version, sample.oci_version);
	assert_string_equal(st.id, sample.id);
	assert_int_equal(st.pid, sample.pid);
	assert_string_equal(st.status, sample.status);
	assert_string_equal(st.bundle, sample.bundle);
	assert_string_equal(st.rootfs, sample.rootfs);
	assert_string_equal(st.created, sample.created);
	assert_string_equal(st.owner, "");
	assert_int_equal(st.n_annotations, 1);
	assert_string_equal(st.annotations[0].value, "sandbox");
	assert_int_equal(st.pid_start, sample.pid_start);
	oci_state_free(&st);
}

static void test_state_no_annotations(void **state)
{
	struct oci_state s = sample;
	char *text;
	size_t len;

	(void)state;
	s.n_annotations = 0;
	assert_int_equal(oci_state_to_json(&s, false, false, &text, &len), 0);
	assert_null(strstr(text, "annotations"));
	assert_null(strstr(text, "pidStartTime"));
	free(text);
}

static void test_state_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"{}", "state.json: ociVersion: required field missing"},
	    {"{\"ociVersion\":\"1\",\"id\":\"a/b\",\"pid\":1,\"status\":\"running\",\"bundle\":\"/"
	     "b\",\"rootfs\":\"/r\",\"created\":\"t\"}",
	     "state.json: id: invalid container id 'a/b'"},
	    {"{\"ociVersion\":\"1\",\"id\":\"a\",\"pid\":-1,\"status\":\"running\",\"bundle\":\"/"
	     "b\",\"rootfs\":\"/r\",\"created\":\"t\"}",
	     "state.json: pid: must not be negative"},
	    {"{\"ociVersion\":\"1\",\"id\":\"a\",\"pid\":1,\"status\":\"zombie\",\"bundle\":\"/"
	     "b\",\"rootfs\":\"/r\",\"created\":\"t\"}",
	     "state.json: status: unknown status 'zombie'"},
	    {"[1]", "state.json: must hold a JSON object"},
	    {"{", "state.json: invalid JSON"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct oci_state st;
		int ret = oci_state_parse("state.json", bad[i].text, strlen(bad[i].text), &st);

		if (ret == 0 || strncmp(err_msg(), bad[i].msg, strlen(bad[i].msg)))
			fail_msg("case %zu: got %d '%s', want '%s'", i, ret, err_msg(), bad[i].msg);
		assert_null(st.id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_valid),
	    cmocka_unit_test(test_id_invalid),
	    cmocka_unit_test(test_state_runc_layout),
	    cmocka_unit_test(test_state_round_trip),
	    cmocka_unit_test(test_state_no_annotations),
	    cmocka_unit_test(test_state_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
