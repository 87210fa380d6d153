// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the seed corpus of blob_fuzz into DIR: valid blobs encoded by
 * svf_blob_encode() (blob.c in user space), valid blobs of a later minor
 * version, and invalid variants from blob_gen.h, two per category and
 * model, each close to valid. Deterministic: the checked-in corpus is
 * what "make corpus" writes.
 *
 * Usage: mkcorpus DIR
 */
#include <stdlib.h>
#include "blob_gen.h"
#include "models.h"

static const char *dir;
static int errors;

static void put(const char *name, const __u8 *b, size_t len, int valid)
{
	const char *rule = svfg_check(b, len, SVFG_VENDOR, SVFG_DEVICE);
	char path[512];
	FILE *f;

	if (valid == !!rule) {
		fprintf(stderr, "mkcorpus: %s: expected %s, rules say %s\n",
			name, valid ? "valid" : "invalid", rule ?: "valid");
		errors++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* Valid by the compatibility rules: what a later minor's writer may send. */
static void later_minor(const char *model, const __u8 *blob, size_t len)
{
	static const __u8 extra[] = { 6, 0, 5, 0, 'f', 'u', 't', 'u', 'r' };
	__u8 b[SVF_MAX_BLOB];
	char name[64];
	size_t pos;
	__u32 i, n = 5;

	/* an unknown section appended */
	memcpy(b, blob, len);
	memcpy(b + len, extra, sizeof(extra));
	svfg_put16(b, SVFG_H(minor), SVF_VERSION_MINOR + 1);
	svfg_put32(b, SVFG_H(nr_sections), 6);
	svfg_fix(b, len + sizeof(extra));
	snprintf(name, sizeof(name), "valid-%s-later-minor-new-section", model);
	put(name, b, len + sizeof(extra), 1);

	/* the QUEUES section grown by 8 bytes */
	memcpy(b, blob, len);
	pos = svfg_sect(b, len, SVF_SECT_QUEUES) + sizeof(struct svf_queues);
	memmove(b + pos + 8, b + pos, len - pos);
	memset(b + pos, 0xa5, 8);
	pos -= sizeof(struct svf_queues) + 2;
	svfg_put16(b, pos, svfg_get16(b, pos) + 8);
	svfg_put16(b, SVFG_H(minor), SVF_VERSION_MINOR + 1);
	svfg_fix(b, len + 8);
	snprintf(name, sizeof(name), "valid-%s-later-minor-grown-section", model);
	put(name, b, len + 8, 1);

	/* an unknown section of odd length first: the rest is unaligned */
	memcpy(b, blob, sizeof(struct svf_header));
	memcpy(b + sizeof(struct svf_header), extra, sizeof(extra));
	memcpy(b + sizeof(struct svf_header) + sizeof(extra),
	       blob + sizeof(struct svf_header), len - sizeof(struct svf_header));
	svfg_put16(b, SVFG_H(minor), SVF_VERSION_MINOR + 1);
	svfg_put32(b, SVFG_H(nr_sections), 6);
	svfg_fix(b, len + sizeof(extra));
	snprintf(name, sizeof(name), "valid-%s-later-minor-odd-section-first", model);
	put(name, b, len + sizeof(extra), 1);

	/* the sections in reverse order */
	pos = sizeof(struct svf_header);
	for (i = n; i-- > 0;) {
		size_t at = svfg_nth(blob, len, i);
		size_t slen = sizeof(struct svf_sect) + svfg_get16(blob, at + 2);

		memcpy(b + pos, blob + at, slen);
		pos += slen;
	}
	memcpy(b, blob, sizeof(struct svf_header));
	svfg_fix(b, len);
	snprintf(name, sizeof(name), "valid-%s-reordered", model);
	put(name, b, len, 1);
}

int main(int argc, char **argv)
{
	static struct svfg_case c;
	__u8 blob[SVF_MAX_BLOB];
	unsigned int cat, k;
	struct svf_model m;
	struct svfg_rng r;
	char name[64];
	int n, len;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 2;
	}
	dir = argv[1];
	for (n = 0; n < SVFM_NR; n++) {
		svfm_build(n, &m);
		len = svf_blob_encode(&m, SVFG_VENDOR, SVFG_DEVICE, blob,
				      sizeof(blob));
		if (len <= 0)
			return 1;
		snprintf(name, sizeof(name), "valid-%s", svfm_name(n));
		put(name, blob, len, 1);
		later_minor(svfm_name(n), blob, len);
		for (cat = 0; cat < SVFG_NR_CAT; cat++) {
			for (k = 0; k < 2; k++) {
				svfg_seed(&r, 0x5f5f, (n * SVFG_NR_CAT + cat) * 2 + k);
				svfg_mutate(&r, cat, k * 5 + n, blob, len, &c);
				snprintf(name, sizeof(name), "bad-%s-%s-%u",
					 svfm_name(n), svfg_cat_name(cat), k);
				put(name, c.buf, c.len, 0);
			}
		}
	}
	return errors ? 1 : 0;
}
