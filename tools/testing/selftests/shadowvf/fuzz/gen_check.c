// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side check of the blob generator against the decoder built in user
 * space: every valid variant must decode, and every generated stream must
 * be refused by svf_blob_decode() (with -EINVAL) and by svfg_check(). It
 * runs the in-kernel fuzz test's streams in seconds, without a device.
 *
 * Usage: gen_check [COUNT [SEED]]
 */
#include <errno.h>
#include <stdlib.h>
#include "blob_gen.h"
#include "models.h"

static struct svfg_case c;
static unsigned long tried[SVFG_NR_CAT], bad[SVFG_NR_CAT];

static int valid_both(const __u8 *b, size_t len)
{
	struct svf_model m;
	const char *field;

	return !svf_blob_decode(b, len, SVFG_VENDOR, SVFG_DEVICE, &m, &field) &&
	       !svfg_check(b, len, SVFG_VENDOR, SVFG_DEVICE);
}

int main(int argc, char **argv)
{
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
	__u64 seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	static __u8 models[SVFM_NR][SVF_MAX_BLOB], base[SVF_MAX_BLOB];
	unsigned long i, seq[SVFG_NR_CAT] = {}, fails = 0;
	int len[SVFM_NR], n, ret;
	struct svf_model m;
	const char *field;
	struct svfg_rng r;

	for (n = 0; n < SVFM_NR; n++) {
		svfm_build(n, &m);
		len[n] = svf_blob_encode(&m, SVFG_VENDOR, SVFG_DEVICE, models[n],
					 sizeof(models[n]));
		if (len[n] <= 0 || !valid_both(models[n], len[n])) {
			printf("model %s: not a valid blob\n", svfm_name(n));
			return 1;
		}
	}
	for (i = 0; i < count; i++) {
		n = i % SVFM_NR;
		svfg_seed(&r, seed, i);
		memcpy(base, models[n], len[n]);
		if (svfg_below(&r, 4))
			svfg_randomize(&r, base, len[n]);
		if (!valid_both(base, len[n])) {
			if (fails++ < 20)
				printf("blob %lu: valid variant refused\n", i);
			continue;
		}
		c.cat = svfg_cat_of(i);
		svfg_mutate(&r, c.cat, seq[c.cat]++, base, len[n], &c);
		tried[c.cat]++;
		ret = svf_blob_decode(c.buf, c.len, SVFG_VENDOR, SVFG_DEVICE, &m,
				      &field);
		if (ret == -EINVAL && field &&
		    svfg_check(c.buf, c.len, SVFG_VENDOR, SVFG_DEVICE))
			continue;
		bad[c.cat]++;
		if (fails++ < 20)
			printf("blob %lu (%s: %s): decode %d, rules %s\n", i,
			       svfg_cat_name(c.cat), c.what, ret,
			       svfg_check(c.buf, c.len, SVFG_VENDOR,
					  SVFG_DEVICE) ?: "accept");
	}
	for (n = 0; n < SVFG_NR_CAT; n++)
		printf("%-9s %7lu tried, %7lu refused\n", svfg_cat_name(n),
		       tried[n], tried[n] - bad[n]);
	printf("gen_check: %lu streams (seed %llu), %lu failures\n", count,
	       (unsigned long long)seed, fails);
	return fails ? 1 : 0;
}
