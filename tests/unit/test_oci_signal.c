/* SPDX-License-Identifier: Apache-2.0 */
/* Signal names as `kill` takes them: with or without SIG, any case, numbers, RT signals. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/util.h"
#include "common/error.h"
#include "common/oci_signal.h"

static void test_names(void **state)
{
	static const struct {
		const char *s;
		int sig;
	} ok[] = {
	    {"KILL", SIGKILL},	  {"SIGKILL", SIGKILL}, {"kill", SIGKILL},  {"sigterm", SIGTERM},
	    {"TERM", SIGTERM},	  {"9", SIGKILL},	{"15", SIGTERM},    {"1", SIGHUP},
	    {"SIGUSR1", SIGUSR1}, {"WINCH", SIGWINCH},	{"CHLD", SIGCHLD},  {"CLD", SIGCHLD},
	    {"IOT", SIGABRT},	  {"RTMIN", 32},	{"SIGRTMIN+3", 35}, {"RTMAX-1", 63},
	    {"RTMAX", 64},	  {"64", 64},		{"SIGPWR", SIGPWR}, {"STOP", SIGSTOP},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		int sig = -1;

		if (oci_signal_parse(ok[i].s, &sig) != 0 || sig != ok[i].sig)
			fail_msg("'%s': got %d, want %d", ok[i].s, sig, ok[i].sig);
	}
}

static void test_unknown(void **state)
{
	static const char *const bad[] = {"FOO",     "",   "0",		"65",	    "-9",
					  "SIG",     "9x", "SIGKILLX",	"RTMIN+40", "RTMIN+",
					  "1000000", " 9", "SIGSIGKILL"};
	int sig;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (oci_signal_parse(bad[i], &sig) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(oci_signal_parse("FOO", &sig), -EINVAL);
	assert_string_equal(err_msg(), "unknown signal \"FOO\"");
}

static void test_name_of(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(oci_signal_name(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	assert_string_equal(oci_signal_name(35, buf, sizeof(buf)), "SIGRTMIN+3");
	assert_null(oci_signal_name(0, buf, sizeof(buf)));
	assert_null(oci_signal_name(65, buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_unknown),
	    cmocka_unit_test(test_name_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
