// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the device-state blob decoder (blob.c, built in
 * user space). Every input is decoded as for an 82576 VF; the verdict must
 * agree with the rules of Documentation/igbvf-state.rst as restated in
 * svfg_check(), and an accepted blob must survive encode and decode again
 * as the identical model. Any disagreement aborts.
 *
 * The Makefile maps fuzz_one_input and fuzz_custom_mutator to libFuzzer's
 * entry points and fuzz_mutate to its mutator.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "blob_gen.h"
#include "model.h"

size_t fuzz_mutate(__u8 *data, size_t size, size_t max_size);

static void fail(const char *what, const char *field, const char *rule)
{
	fprintf(stderr, "blob_fuzz: %s (decoder: %s, rules: %s)\n", what,
		field ?: "accept", rule ?: "accept");
	abort();
}

int fuzz_one_input(const __u8 *data, size_t size)
{
	static struct svf_model m, again;
	static __u8 buf[SVF_MAX_BLOB];
	const char *field, *rule;
	int ret, len;

	ret = svf_blob_decode(data, size, SVFG_VENDOR, SVFG_DEVICE, &m, &field);
	rule = svfg_check(data, size, SVFG_VENDOR, SVFG_DEVICE);
	if (ret && (ret != -EINVAL || !field))
		fail("refused without -EINVAL and a field name", field, rule);
	if (!ret && rule)
		fail("decoder accepted a blob the rules refuse", NULL, rule);
	if (ret && !rule)
		fail("decoder refused a blob the rules accept", field, NULL);
	if (ret)
		return 0;

	len = svf_blob_encode(&m, SVFG_VENDOR, SVFG_DEVICE, buf, sizeof(buf));
	if (len != (int)SVF_BLOB_SIZE)
		fail("re-encoding failed", NULL, NULL);
	rule = svfg_check(buf, len, SVFG_VENDOR, SVFG_DEVICE);
	if (rule)
		fail("re-encoded blob breaks the rules", NULL, rule);
	/* the decoder clears the model first, so padding compares equal */
	ret = svf_blob_decode(buf, len, SVFG_VENDOR, SVFG_DEVICE, &again, &field);
	if (ret)
		fail("re-encoded blob refused", field, NULL);
	/*
	 * The re-encoding is of this minor: a blob of an older one (five
	 * counters) comes back with all nine, the four new ones zero.
	 */
	if (m.nr_stats < again.nr_stats)
		again.nr_stats = m.nr_stats;
	if (memcmp(&m, &again, sizeof(m)))
		fail("re-encoded blob decodes to another model", NULL, NULL);
	return 0;
}

/*
 * Random bytes almost never carry the right total_len and CRC-32: fix
 * both in three mutants out of four so that most reach the field checks.
 */
size_t fuzz_custom_mutator(__u8 *data, size_t size, size_t max_size,
			   unsigned int seed)
{
	size = fuzz_mutate(data, size, max_size);
	if (seed % 4 && size >= sizeof(struct svf_header))
		svfg_fix(data, size);
	return size;
}
