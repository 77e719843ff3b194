/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a bundle's config.json (oci_spec_parse), the same bytes
 * as an `exec --process` file (oci_process_parse), and as a container id
 * (oci_id_check). The caller of ozone is not trusted to be careful, and the
 * spec is handed on to the agent. Beyond the sanitizers: a refused spec is
 * left empty; an accepted spec keeps the text unchanged, has
 * args and an absolute cwd when it has a process; an accepted id follows
 * runc's rule. Seeds: tests/fuzz/corpus/oci_spec/.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_oci_spec.c common/oci_*.c common/json.c common/error.c \
 *     -lyajl -o fuzz_oci_spec
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "common/oci_spec.h"
#include "common/oci_state.h"

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void check_process(const struct oci_process *p)
{
	if (p->n_args == 0 || !p->args || !p->args[0] || p->args[p->n_args])
		abort();
	if (!p->cwd || p->cwd[0] != '/')
		abort();
}

static void check_id(const char *id, size_t len)
{
	if (oci_id_check(id) < 0)
		return;
	if (len == 0 || len > OCI_ID_MAX || !strcmp(id, ".") || !strcmp(id, ".."))
		abort();
	if (strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+.-") != len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct oci_spec spec;
	struct oci_process p;
	char *id;

	memset(&spec, 0xa5, sizeof(spec)); /* the parser must not rely on a zeroed struct */
	if (oci_spec_parse(text, size, &spec) == 0) {
		if (spec.text_len != size || memcmp(spec.text, data, size) || spec.text[size])
			abort();
		if (spec.has_process)
			check_process(&spec.process);
		for (size_t i = 0; i < spec.n_annotations; i++)
			if (!oci_spec_annotation(&spec, spec.annotations[i].key))
				abort();
	} else if (!all_zero(&spec, sizeof(spec))) {
		abort(); /* a refused spec must be left empty */
	}
	oci_spec_free(&spec);

	memset(&p, 0xa5, sizeof(p));
	if (oci_process_parse("process.json", text, size, &p) == 0) {
		check_process(&p);
		oci_process_free(&p); /* a refused one is freed by the parser */
	}

	id = strndup(text, size);
	if (!id)
		abort();
	check_id(id, strlen(id));
	free(id);
	return 0;
}
