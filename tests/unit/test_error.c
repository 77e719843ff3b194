/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/error.c: context is put before a recorded message without the
 * buffer being formatted into itself, and an error is never success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/error.h"

static void test_prefix(void **state)
{
	(void)state;
	assert_int_equal(err_set(ENOENT, "open %s", "/x"), -ENOENT);
	assert_int_equal(err_prefix(-ENOENT, "vCPU %u", 0u), -ENOENT);
	assert_string_equal(err_msg(), "vCPU 0: open /x: No such file or directory");
	/* Twice: each layer once, in order (formatting into itself repeated the first). */
	assert_int_equal(err_prefix(-ENOENT, "boot"), -ENOENT);
	assert_string_equal(err_msg(), "boot: vCPU 0: open /x: No such file or directory");
}

static void test_prefix_long(void **state)
{
	char big[600];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_setx(EINVAL, "%s", big);
	assert_int_equal(err_prefix(-EINVAL, "ctx"), -EINVAL);
	assert_memory_equal(err_msg(), "ctx: aaaa", 9);
	assert_true(strlen(err_msg()) < 512);
}

static void test_never_success(void **state)
{
	(void)state;
	/* errno after a short write is 0: still an error. */
	assert_int_equal(err_set(0, "write %s", "f"), -EIO);
	assert_string_equal(err_msg(), "write f: Input/output error");
	assert_int_equal(err_setx(0, "short"), -EIO);
	assert_int_equal(err_prefix(0, "ctx"), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix),
	    cmocka_unit_test(test_prefix_long),
	    cmocka_unit_test(test_never_success),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
