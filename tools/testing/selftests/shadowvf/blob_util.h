/* SPDX-License-Identifier: GPL-2.0 */
/* Device-state blob helpers for the shadowvf selftests. */
#ifndef _SHADOWVF_BLOB_UTIL_H
#define _SHADOWVF_BLOB_UTIL_H

#include <stddef.h>
#include <string.h>
#include <sys/types.h>
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

/* A saved stream: the compatibility and guest records, then the blob. */
#define SVF_COMPAT_SIZE	SVF_COMPAT_LEN
#define SVF_STREAM_SIZE	(SVF_COMPAT_SIZE + SVF_BLOB_SIZE)

/*
 * Check the records that open a saved stream of an 82576 VF and drop them,
 * leaving the bare blob (which a destination also accepts) at @b; the
 * guest record's MAC (pf.mac) goes to @mac if it is not NULL. Returns the blob's
 * length, or -1 if a record is wrong.
 */
static inline ssize_t stream_take_blob_mac(__u8 *b, ssize_t len, __u8 *mac)
{
	struct svf_compat c;
	struct svf_guest g;
	__u32 crc;

	if (len < (ssize_t)SVF_COMPAT_SIZE)
		return -1;
	memcpy(&c, b, sizeof(c));
	crc = c.crc32;
	c.crc32 = 0;
	if (c.magic != SVF_COMPAT_MAGIC || crc32_ieee(&c, sizeof(c)) != crc ||
	    c.major != SVF_VERSION_MAJOR || c.minor != SVF_VERSION_MINOR ||
	    c.vendor != 0x8086 || c.device != 0x10ca ||
	    c.required != SVF_REQUIRED_KNOWN ||
	    c.reserved)
		return -1;
	memcpy(&g, b + sizeof(c), sizeof(g));
	crc = g.crc32;
	g.crc32 = 0;
	if (g.magic != SVF_GUEST_MAGIC || crc32_ieee(&g, sizeof(g)) != crc ||
	    (g.port_vlan & ~SVF_PORT_VLAN_VALID &&
	     g.port_vlan != SVF_PORT_VLAN_UNKNOWN))
		return -1;
	if (mac)
		memcpy(mac, g.pf.mac, sizeof(g.pf.mac));
	memmove(b, b + SVF_COMPAT_SIZE, len - SVF_COMPAT_SIZE);
	return len - SVF_COMPAT_SIZE;
}

/* The source VF's port VLAN in a stream's guest record (SVF_PORT_VLAN_*). */
static inline __u32 stream_port_vlan(const __u8 *b)
{
	struct svf_guest g;

	memcpy(&g, b + sizeof(struct svf_compat), sizeof(g));
	return g.port_vlan;
}

static inline ssize_t stream_take_blob(__u8 *b, ssize_t len)
{
	return stream_take_blob_mac(b, len, NULL);
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
