/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console file: the guest's serial output lands in it, up to
 * CONSOLE_FILE_MAX bytes per run, then one note and nothing more, so a guest
 * that prints for ever cannot fill the host's disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "console.h"

static char path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/ozone-console-test.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static off_t file_size(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void open_file_console(struct console *c)
{
	struct vmm_config cfg = {.console = CONSOLE_FILE, .console_path = path};

	assert_int_equal(console_open(c, &cfg), 0);
}

static void test_output_reaches_the_file(void **state)
{
	struct console c;
	const char *msg = "hello\n";

	(void)state;
	open_file_console(&c);
	for (const char *p = msg; *p; p++)
		console_tx(&c, (uint8_t)*p);
	console_close(&c);
	assert_int_equal(file_size(), strlen(msg));
}

static void test_output_past_the_cap_is_dropped(void **state)
{
	static const char note[] = "\nozone-vmm: console output past 16 MiB dropped\n";
	struct console c;
	char buf[128];
	FILE *f;

	(void)state;
	open_file_console(&c);
	/* As if the guest had already printed all but 10 bytes of the allowance. */
	c.out_bytes = CONSOLE_FILE_MAX - 10;
	for (int i = 0; i < 1000; i++)
		console_tx(&c, 'x');
	console_close(&c);
	assert_int_equal(file_size(), 10 + strlen(note));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 10 + strlen(note));
	fclose(f);
	assert_memory_equal(buf, "xxxxxxxxxx", 10);
	assert_memory_equal(buf + 10, note, strlen(note));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_output_reaches_the_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_output_past_the_cap_is_dropped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
