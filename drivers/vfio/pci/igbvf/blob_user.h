/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel interfaces blob.c uses, for building it in user space
 * (the blob fuzzers in tools/testing/selftests/shadowvf/fuzz).
 */
#ifndef _IGBVF_VFIO_BLOB_USER_H
#define _IGBVF_VFIO_BLOB_USER_H

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;

#define cpu_to_le16(x)	((__le16)htole16(x))
#define cpu_to_le32(x)	((__le32)htole32(x))
#define le16_to_cpu(x)	le16toh((__u16)(x))
#define le32_to_cpu(x)	le32toh((__u32)(x))

/* As lib/crc32.c: reflected, polynomial 0xEDB88320, no pre/post inversion. */
static inline u32 crc32_le(u32 crc, const u8 *p, size_t len)
{
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320 & -(crc & 1));
	}
	return crc;
}

#endif
