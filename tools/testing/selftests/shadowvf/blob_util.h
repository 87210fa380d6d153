/* SPDX-License-Identifier: GPL-2.0 */
/* Device-state blob helpers for the shadowvf selftests. */
#ifndef _SHADOWVF_BLOB_UTIL_H
#define _SHADOWVF_BLOB_UTIL_H

#include <stddef.h>
#include <linux/types.h>
#include <linux/shadowvf/igbvf_state.h>

/* The blob's checksum: CRC-32 (IEEE 802.3), as the kernel's crc32_le. */
static inline __u32 crc32_ieee(const void *buf, size_t len)
{
	const __u8 *p = buf;
	__u32 crc = ~0U;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1));
	}
	return ~crc;
}

/* Recompute the checksum of an edited blob. */
static inline void blob_fix_crc(__u8 *blob, size_t len)
{
	struct svf_header *h = (void *)blob;

	h->crc32 = 0;
	h->crc32 = crc32_ieee(blob, len);
}

/* Locate section @id's payload in a well-formed blob. */
static inline void *blob_section(__u8 *blob, __u16 id)
{
	struct svf_header *h = (void *)blob;
	size_t pos = sizeof(*h);
	__u32 i;

	for (i = 0; i < h->nr_sections; i++) {
		struct svf_sect *s = (void *)(blob + pos);

		if (s->id == id)
			return s + 1;
		pos += sizeof(*s) + s->len;
	}
	return NULL;
}

#endif
