/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generator of igbvf-vfio-pci device-state blobs for the fuzzers.
 *
 * From a valid blob it derives random valid variants, and invalid blobs in
 * categories where each mutation breaks a rule of
 * Documentation/igbvf-state.rst by construction: the caller knows that
 * every generated blob must be refused. svfg_check() states those rules a
 * second time, from the documentation rather than from blob.c, to
 * cross-check the decoder. Only the uapi layout is shared with the driver.
 * Everything is deterministic in a 64-bit seed.
 */
#ifndef _SHADOWVF_BLOB_GEN_H
#define _SHADOWVF_BLOB_GEN_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/shadowvf/igbvf_state.h>

/* The rules of Documentation/igbvf-state.rst, restated. */
#define SVFG_VENDOR		0x8086
#define SVFG_DEVICE		0x10ca
#define SVFG_MAX_SECTIONS	64
#define SVFG_XDCTL_VALID	0x023F3F3F
#define SVFG_XDCTL_EN		0x02000000
#define SVFG_SRRCTL_VALID	0xFE7F3F7F
#define SVFG_RXCTL_VALID	0xFF00AAE0
#define SVFG_TXCTL_VALID	0xFF002A20
#define SVFG_PSRTYPE_VALID	0xE0001FFE
#define SVFG_TDWBAL_RSVD	0x2
#define SVFG_IVAR_VALID		0x83838383
#define SVFG_IVAR_MISC_VALID	0x83
#define SVFG_EITR_VALID		0x80007FFC
#define SVFG_R2C_VALID		0xB0
#define SVFG_MBX_VFU		0x04	/* from minor 3 */
#define SVFG_PROMISC_VALID	0x30000
#define SVFG_MAX_FRAME		9728
#define SVFG_MAX_VLAN		4095
#define SVFG_PF_MAC_SET		0x1
#define SVFG_PF_MC_OVERFLOW	0x8	/* needs nr_mc == SVF_MAX_MC */
#define SVFG_PF_STRIP_SET	0x10	/* from minor 3 */
#define SVFG_PF_STRIP		0x20	/* needs SVFG_PF_STRIP_SET */
#define SVFG_PF_FLAGS_V2	0xf
#define SVFG_PF_FLAGS		0x3f
#define SVFG_MAX_UC		3

/* room for streams beyond SVF_MAX_BLOB, which the data fd refuses */
#define SVFG_BUF		(2 * SVF_MAX_BLOB)

#define SVFG_H(f)	offsetof(struct svf_header, f)
#define SVFG_RXQ(i, f)	(offsetof(struct svf_queues, rx) + \
			 (i) * sizeof(struct svf_rxq) + offsetof(struct svf_rxq, f))
#define SVFG_TXQ(i, f)	(offsetof(struct svf_queues, tx) + \
			 (i) * sizeof(struct svf_txq) + offsetof(struct svf_txq, f))
#define SVFG_IRQ(f)	offsetof(struct svf_irq, f)
#define SVFG_PF(f)	offsetof(struct svf_pfcfg, f)

enum svfg_cat {
	SVFG_BITFLIP,	/* bits flipped, checksum left alone */
	SVFG_TRUNCATE,	/* cut at (or next to) every section boundary */
	SVFG_LENGTH,	/* total_len, section len, nr_sections, > 4096 bytes */
	SVFG_VERSION,	/* magic, major, PCI ids */
	SVFG_RING,	/* ring base, length, head, tail, enable */
	SVFG_RESERVED,	/* reserved bits in registers and flags */
	SVFG_PFCFG,	/* multicast and VLAN counts, VLAN ids, MAC, frame */
	SVFG_SECTION,	/* duplicate, missing, short sections */
	SVFG_TRAILING,	/* bytes after a complete blob */
	SVFG_CRC,	/* valid content, wrong checksum */
	SVFG_NR_CAT
};

static inline const char *svfg_cat_name(unsigned int cat)
{
	static const char *const names[SVFG_NR_CAT] = {
		"bitflip", "truncate", "length", "version", "ring",
		"reserved", "pfcfg", "section", "trailing", "crc",
	};

	return cat < SVFG_NR_CAT ? names[cat] : "?";
}

/* Blob @i's category: a fixed rotation weighted towards the field rules. */
static inline enum svfg_cat svfg_cat_of(unsigned long i)
{
	static const unsigned char rot[20] = {
		SVFG_BITFLIP, SVFG_RING, SVFG_RESERVED, SVFG_TRUNCATE,
		SVFG_PFCFG, SVFG_BITFLIP, SVFG_LENGTH, SVFG_RING, SVFG_CRC,
		SVFG_RESERVED, SVFG_BITFLIP, SVFG_SECTION, SVFG_TRUNCATE,
		SVFG_RING, SVFG_VERSION, SVFG_RESERVED, SVFG_BITFLIP,
		SVFG_PFCFG, SVFG_LENGTH, SVFG_TRAILING,
	};

	return rot[i % 20];
}

/* One generated stream for a RESUMING data fd. */
struct svfg_case {
	__u8 buf[SVFG_BUF];
	size_t len;
	unsigned int nw;	/* write() calls ... */
	size_t w[3];		/* ... of these sizes, adding up to len */
	enum svfg_cat cat;
	/*
	 * The stream is invalid by construction. Only scattered bit flips
	 * are not: CRC-32 misses such a pattern with probability 2^-32.
	 */
	int sure;
	char what[96];		/* the rule broken, for the log */
};

/* splitmix64: small, and every seed gives a full-period stream */
struct svfg_rng {
	__u64 s;
};

static inline __u64 svfg_rand64(struct svfg_rng *r)
{
	__u64 z = (r->s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Blob @i of run @seed gets its own stream, so any blob can be redone. */
static inline void svfg_seed(struct svfg_rng *r, __u64 seed, __u64 i)
{
	r->s = seed ^ (i * 0xD1B54A32D192ED03ULL);
	svfg_rand64(r);
}

static inline __u32 svfg_rand32(struct svfg_rng *r)
{
	return svfg_rand64(r) >> 32;
}

/* uniform in [0, n), 0 if n is 0 */
static inline __u32 svfg_below(struct svfg_rng *r, __u32 n)
{
	return n ? svfg_rand64(r) % n : 0;
}

/* in [lo, hi], one time in four an end: off-by-one bugs live there */
static inline __u32 svfg_range(struct svfg_rng *r, __u32 lo, __u32 hi)
{
	switch (svfg_below(r, 8)) {
	case 0:
		return lo;
	case 1:
		return hi;
	default:
		return lo + svfg_rand64(r) % ((__u64)hi - lo + 1);
	}
}

/* @keep with one or more bits set outside @valid (within @width) */
static inline __u32 svfg_bad_bits(struct svfg_rng *r, __u32 keep, __u32 valid,
				  __u32 width)
{
	__u32 rsvd = ~valid & width, bit;

	do
		bit = 1U << svfg_below(r, 32);
	while (!(bit & rsvd));
	if (!svfg_below(r, 4))
		bit |= svfg_rand32(r) & rsvd;
	return keep | bit;
}

static inline __u32 svfg_get32(const __u8 *b, size_t off)
{
	__u32 v;

	memcpy(&v, b + off, sizeof(v));
	return le32toh(v);
}

static inline void svfg_put32(__u8 *b, size_t off, __u32 v)
{
	v = htole32(v);
	memcpy(b + off, &v, sizeof(v));
}

static inline __u16 svfg_get16(const __u8 *b, size_t off)
{
	__u16 v;

	memcpy(&v, b + off, sizeof(v));
	return le16toh(v);
}

static inline void svfg_put16(__u8 *b, size_t off, __u16 v)
{
	v = htole16(v);
	memcpy(b + off, &v, sizeof(v));
}

static inline __u32 svfg_crc_update(__u32 crc, const __u8 *p, size_t len)
{
	static __u32 table[256];
	__u32 i, k, c;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			for (c = i, k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xEDB88320 & -(c & 1));
			table[i] = c;
		}
	}
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

/* The checksum a blob of @len (>= header) bytes must carry. */
static inline __u32 svfg_crc(const __u8 *b, size_t len)
{
	static const __u8 zero[4];
	size_t at = SVFG_H(crc32);
	__u32 crc;

	crc = svfg_crc_update(~0U, b, at);
	crc = svfg_crc_update(crc, zero, sizeof(zero));
	crc = svfg_crc_update(crc, b + at + 4, len - at - 4);
	return ~crc;
}

/* Make the header agree with @len bytes: total_len and checksum. */
static inline void svfg_fix(__u8 *b, size_t len)
{
	svfg_put32(b, SVFG_H(total_len), len);
	svfg_put32(b, SVFG_H(crc32), svfg_crc(b, len));
}

static inline void svfg_fix_crc(__u8 *b, size_t len)
{
	svfg_put32(b, SVFG_H(crc32), svfg_crc(b, len));
}

/* The least a section must hold in a blob of @minor. */
static inline size_t svfg_sect_size(__u16 id, __u16 minor)
{
	switch (id) {
	case SVF_SECT_QUEUES:
		return sizeof(struct svf_queues);
	case SVF_SECT_IRQ:
		return sizeof(struct svf_irq);
	case SVF_SECT_MBX:
		return sizeof(struct svf_mbx);
	case SVF_SECT_STATS:
		/* five counters up to minor 2, nine from 3 */
		return minor >= 3 ? sizeof(struct svf_stats) : 5 * 4;
	case SVF_SECT_PFCFG:
		/* unicast filters from minor 3 */
		return minor >= 3 ? sizeof(struct svf_pfcfg) :
		       offsetof(struct svf_pfcfg, nr_uc);
	}
	return 0;
}

/* A MAC address the PF can filter: unicast and not zero. */
static inline int svfg_unicast(const __u8 *a)
{
	return !(a[0] & 1) && (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]);
}

/* Offset of the @n-th section's header (the end if fewer fit in @len). */
static inline size_t svfg_nth(const __u8 *b, size_t len, __u32 n)
{
	size_t pos = sizeof(struct svf_header);
	__u32 i;

	for (i = 0; i < n && pos + sizeof(struct svf_sect) <= len; i++)
		pos += sizeof(struct svf_sect) + svfg_get16(b, pos + 2);
	return pos;
}

/* Offset of section @id's payload within @len bytes, 0 if absent. */
static inline size_t svfg_sect(const __u8 *b, size_t len, __u16 id)
{
	size_t pos = sizeof(struct svf_header);
	__u32 i, nr;

	if (len < pos)
		return 0;
	nr = svfg_get32(b, SVFG_H(nr_sections));
	for (i = 0; i < nr && pos + sizeof(struct svf_sect) <= len; i++) {
		pos += sizeof(struct svf_sect);
		if (svfg_get16(b, pos - 4) == id)
			return pos + svfg_get16(b, pos - 2) <= len ? pos : 0;
		pos += svfg_get16(b, pos - 2);
	}
	return 0;
}

/* Field offsets of ring @n (rx0 rx1 tx0 tx1) in the QUEUES payload. */
struct svfg_ring {
	const char *name;
	size_t lo, len, head, tail, ctl;
};

static inline void svfg_ring(unsigned int n, struct svfg_ring *g)
{
	static const char *const names[] = { "rx0", "rx1", "tx0", "tx1" };
	unsigned int i = n & 1;

	g->name = names[n & 3];
	if (n < 2) {
		g->lo = SVFG_RXQ(i, rdbal);
		g->len = SVFG_RXQ(i, rdlen);
		g->head = SVFG_RXQ(i, rdh);
		g->tail = SVFG_RXQ(i, rdt);
		g->ctl = SVFG_RXQ(i, rxdctl);
	} else {
		g->lo = SVFG_TXQ(i, tdbal);
		g->len = SVFG_TXQ(i, tdlen);
		g->head = SVFG_TXQ(i, tdh);
		g->tail = SVFG_TXQ(i, tdt);
		g->ctl = SVFG_TXQ(i, txdctl);
	}
}

static inline const char *svfg_check_ring(const __u8 *q, unsigned int n)
{
	static char why[32];
	struct svfg_ring g;
	const char *bad = NULL;
	__u32 len, nr_desc;

	svfg_ring(n, &g);
	len = svfg_get32(q, g.len);
	nr_desc = len / 16;
	if (svfg_get32(q, g.lo) % SVF_RING_ALIGN)
		bad = "base";
	else if (len % SVF_RING_ALIGN || len > SVF_RING_MAX)
		bad = "len";
	else if (svfg_get32(q, g.head) && svfg_get32(q, g.head) >= nr_desc)
		bad = "head";
	else if (svfg_get32(q, g.tail) && svfg_get32(q, g.tail) >= nr_desc)
		bad = "tail";
	else if (svfg_get32(q, g.ctl) & ~SVFG_XDCTL_VALID)
		bad = "dctl";
	else if ((svfg_get32(q, g.ctl) & SVFG_XDCTL_EN) && !len)
		bad = "enabled without ring";
	if (!bad)
		return NULL;
	snprintf(why, sizeof(why), "%s.%s", g.name, bad);
	return why;
}

static inline const char *svfg_check_fields(const __u8 *q, const __u8 *irq,
					    const __u8 *mbx, const __u8 *pf,
					    __u16 minor)
{
	__u32 r2c_valid = SVFG_R2C_VALID | (minor >= 3 ? SVFG_MBX_VFU : 0);
	__u16 pf_flags = minor >= 3 ? SVFG_PF_FLAGS : SVFG_PF_FLAGS_V2;
	const char *why;
	__u16 nr_vlans, nr_uc, v;
	unsigned int i, j;

	for (i = 0; i < 4; i++) {
		why = svfg_check_ring(q, i);
		if (why)
			return why;
	}
	for (i = 0; i < SVF_NR_QUEUES; i++) {
		if (svfg_get32(q, SVFG_RXQ(i, srrctl)) & ~SVFG_SRRCTL_VALID)
			return "srrctl";
		if (svfg_get32(q, SVFG_RXQ(i, rxctl)) & ~SVFG_RXCTL_VALID)
			return "rxctl";
		if (svfg_get32(q, SVFG_TXQ(i, tdwbal)) & SVFG_TDWBAL_RSVD)
			return "tdwbal";
		if (svfg_get32(q, SVFG_TXQ(i, txctl)) & ~SVFG_TXCTL_VALID)
			return "txctl";
	}
	if (svfg_get32(q, offsetof(struct svf_queues, psrtype)) &
	    ~SVFG_PSRTYPE_VALID)
		return "psrtype";
	if ((svfg_get32(irq, SVFG_IRQ(eims)) | svfg_get32(irq, SVFG_IRQ(eiac)) |
	     svfg_get32(irq, SVFG_IRQ(eiam)) |
	     svfg_get32(irq, SVFG_IRQ(pending))) & ~SVF_VECTOR_MASK)
		return "irq vector bits";
	if (svfg_get32(irq, SVFG_IRQ(ivar0)) & ~SVFG_IVAR_VALID)
		return "ivar0";
	if (svfg_get32(irq, SVFG_IRQ(ivar_misc)) & ~SVFG_IVAR_MISC_VALID)
		return "ivar_misc";
	for (i = 0; i < SVF_NR_VECTORS; i++)
		if (svfg_get32(irq, SVFG_IRQ(eitr) + 4 * i) & ~SVFG_EITR_VALID)
			return "eitr";
	if (svfg_get32(mbx, offsetof(struct svf_mbx, r2c)) & ~r2c_valid)
		return "r2c";
	if (svfg_get16(pf, SVFG_PF(flags)) & ~pf_flags)
		return "pf.flags";
	if ((svfg_get16(pf, SVFG_PF(flags)) &
	     (SVFG_PF_STRIP | SVFG_PF_STRIP_SET)) == SVFG_PF_STRIP)
		return "pf.flags strip without strip set";
	if (svfg_get16(pf, SVFG_PF(flags)) & SVFG_PF_MAC_SET) {
		if (pf[0] & 1)
			return "pf.mac multicast";
		if (!(pf[0] | pf[1] | pf[2] | pf[3] | pf[4] | pf[5]))
			return "pf.mac zero";
	}
	if (svfg_get32(pf, SVFG_PF(max_frame)) > SVFG_MAX_FRAME)
		return "pf.max_frame";
	if (svfg_get32(pf, SVFG_PF(promisc)) & ~SVFG_PROMISC_VALID)
		return "pf.promisc";
	if (svfg_get16(pf, SVFG_PF(nr_mc)) > SVF_MAX_MC)
		return "pf.nr_mc";
	if ((svfg_get16(pf, SVFG_PF(flags)) & SVFG_PF_MC_OVERFLOW) &&
	    svfg_get16(pf, SVFG_PF(nr_mc)) != SVF_MAX_MC)
		return "pf.nr_mc below 30 with multicast overflow";
	nr_vlans = svfg_get16(pf, SVFG_PF(nr_vlans));
	if (nr_vlans > SVF_MAX_VLANS)
		return "pf.nr_vlans";
	for (i = 0; i < nr_vlans; i++) {
		v = svfg_get16(pf, SVFG_PF(vlans) + 2 * i);
		if (v < 1 || v > SVFG_MAX_VLAN)
			return "pf.vlans id";
		for (j = 0; j < i; j++)
			if (svfg_get16(pf, SVFG_PF(vlans) + 2 * j) == v)
				return "pf.vlans duplicate";
	}
	if (minor < 3)
		return NULL;
	nr_uc = svfg_get16(pf, SVFG_PF(nr_uc));
	if (nr_uc > SVFG_MAX_UC)
		return "pf.nr_uc";
	for (i = 0; i < nr_uc; i++) {
		if (!svfg_unicast(pf + SVFG_PF(uc) + 6 * i))
			return "pf.uc not unicast";
		for (j = 0; j < i; j++)
			if (!memcmp(pf + SVFG_PF(uc) + 6 * j,
				    pf + SVFG_PF(uc) + 6 * i, 6))
				return "pf.uc duplicate";
	}
	return NULL;
}

/* NULL if the rules accept the @len bytes at @b, else the first broken. */
static inline const char *svfg_check(const __u8 *b, size_t len, __u16 vendor,
				     __u16 device)
{
	size_t pos = sizeof(struct svf_header), off[SVF_SECT_PFCFG + 1] = {};
	__u32 nr, i, seen = 0;
	__u16 id, slen, minor;

	if (len < pos)
		return "header";
	if (svfg_get32(b, SVFG_H(magic)) != SVF_MAGIC)
		return "magic";
	if (svfg_get16(b, SVFG_H(major)) != SVF_VERSION_MAJOR)
		return "major";
	minor = svfg_get16(b, SVFG_H(minor));
	if (svfg_get32(b, SVFG_H(total_len)) != len || len > SVF_MAX_BLOB)
		return "total_len";
	if (svfg_get16(b, SVFG_H(vendor)) != vendor ||
	    svfg_get16(b, SVFG_H(device)) != device)
		return "device";
	if (svfg_get32(b, SVFG_H(crc32)) != svfg_crc(b, len))
		return "crc32";
	nr = svfg_get32(b, SVFG_H(nr_sections));
	if (nr > SVFG_MAX_SECTIONS)
		return "nr_sections";
	for (i = 0; i < nr; i++) {
		if (len - pos < sizeof(struct svf_sect))
			return "section header";
		id = svfg_get16(b, pos);
		slen = svfg_get16(b, pos + 2);
		pos += sizeof(struct svf_sect);
		if (len - pos < slen)
			return "section.len";
		if (id >= SVF_SECT_QUEUES && id <= SVF_SECT_PFCFG) {
			if (seen & (1U << id))
				return "section twice";
			seen |= 1U << id;
			if (slen < svfg_sect_size(id, minor))
				return "section short";
			off[id] = pos;
		}
		pos += slen;
	}
	if (pos != len)
		return "bytes after the sections";
	if (seen != 0x3e)
		return "section missing";
	return svfg_check_fields(b + off[SVF_SECT_QUEUES], b + off[SVF_SECT_IRQ],
				 b + off[SVF_SECT_MBX], b + off[SVF_SECT_PFCFG],
				 minor);
}

/* a macro, so that the compiler checks the format */
#define svfg_what(c, ...)	snprintf((c)->what, sizeof((c)->what), __VA_ARGS__)

/* A random valid ring @n in the QUEUES payload @q. */
static inline void svfg_ring_valid(struct svfg_rng *r, __u8 *q, unsigned int n)
{
	struct svfg_ring g;
	__u32 len, nr_desc, ctl;

	svfg_ring(n, &g);
	len = svfg_range(r, 0, SVF_RING_MAX / SVF_RING_ALIGN) * SVF_RING_ALIGN;
	nr_desc = len / 16;
	svfg_put32(q, g.lo, svfg_rand32(r) & ~(SVF_RING_ALIGN - 1));
	svfg_put32(q, g.len, len);
	svfg_put32(q, g.head, nr_desc ? svfg_range(r, 0, nr_desc - 1) : 0);
	svfg_put32(q, g.tail, nr_desc ? svfg_range(r, 0, nr_desc - 1) : 0);
	ctl = svfg_rand32(r) & SVFG_XDCTL_VALID;
	if (!len)
		ctl &= ~SVFG_XDCTL_EN;
	svfg_put32(q, g.ctl, ctl);
}

/* A random valid PFCFG payload at @pf. */
static inline void svfg_pf_valid(struct svfg_rng *r, __u8 *pf)
{
	__u16 flags = svfg_rand32(r) & SVFG_PF_FLAGS, nr, v;
	unsigned int i, j;
	__u8 *uc;

	if (flags & SVFG_PF_STRIP)
		flags |= SVFG_PF_STRIP_SET;
	/* unicast filters: distinct unicast addresses; bytes past nr_uc random */
	nr = svfg_range(r, 0, SVFG_MAX_UC);
	svfg_put16(pf, SVFG_PF(nr_uc), nr);
	for (i = 0; i < SVFG_MAX_UC; i++) {
		uc = pf + SVFG_PF(uc) + 6 * i;
		for (j = 0; j < 6; j++)
			uc[j] = svfg_rand32(r);
		if (i >= nr)
			continue;
		uc[0] &= ~1;
		uc[4] = 0x5f;
		uc[5] = i;	/* distinct, and never zero */
	}

	for (i = 0; i < 6; i++)
		pf[i] = svfg_rand32(r);
	pf[0] &= ~1;
	if (!(pf[0] | pf[1] | pf[2] | pf[3] | pf[4] | pf[5]))
		pf[5] = 1;
	svfg_put16(pf, SVFG_PF(flags), flags);
	svfg_put32(pf, SVFG_PF(max_frame), svfg_range(r, 0, SVFG_MAX_FRAME));
	svfg_put32(pf, SVFG_PF(promisc), svfg_rand32(r) & SVFG_PROMISC_VALID);
	svfg_put16(pf, SVFG_PF(nr_mc), flags & SVFG_PF_MC_OVERFLOW ?
		   SVF_MAX_MC : svfg_range(r, 0, SVF_MAX_MC));
	for (i = 0; i < SVF_MAX_MC; i++)
		svfg_put16(pf, SVFG_PF(mc) + 2 * i, svfg_rand32(r));
	/* ids past nr_vlans are don't-care: random there */
	nr = svfg_range(r, 0, SVF_MAX_VLANS);
	svfg_put16(pf, SVFG_PF(nr_vlans), nr);
	for (i = 0; i < SVF_MAX_VLANS; i++) {
		if (i >= nr) {
			svfg_put16(pf, SVFG_PF(vlans) + 2 * i, svfg_rand32(r));
			continue;
		}
again:
		v = svfg_range(r, 1, SVFG_MAX_VLAN);
		for (j = 0; j < i; j++)
			if (svfg_get16(pf, SVFG_PF(vlans) + 2 * j) == v)
				goto again;
		svfg_put16(pf, SVFG_PF(vlans) + 2 * i, v);
	}
}

/*
 * Randomize the fields of a valid blob @b within the rules, each group
 * with probability 1/2; the result is valid. @b must hold all sections.
 */
static inline void svfg_randomize(struct svfg_rng *r, __u8 *b, size_t len)
{
	size_t q = svfg_sect(b, len, SVF_SECT_QUEUES);
	size_t irq = svfg_sect(b, len, SVF_SECT_IRQ);
	size_t mbx = svfg_sect(b, len, SVF_SECT_MBX);
	size_t st = svfg_sect(b, len, SVF_SECT_STATS);
	size_t pf = svfg_sect(b, len, SVF_SECT_PFCFG);
	unsigned int i;

	if (!q || !irq || !mbx || !st || !pf)
		return;
	for (i = 0; i < 4; i++)
		if (svfg_below(r, 2))
			svfg_ring_valid(r, b + q, i);
	for (i = 0; i < SVF_NR_QUEUES; i++) {
		if (svfg_below(r, 2))
			continue;
		svfg_put32(b, q + SVFG_RXQ(i, rdbah), svfg_rand32(r));
		svfg_put32(b, q + SVFG_RXQ(i, srrctl),
			   svfg_rand32(r) & SVFG_SRRCTL_VALID);
		svfg_put32(b, q + SVFG_RXQ(i, rxctl),
			   svfg_rand32(r) & SVFG_RXCTL_VALID);
		svfg_put32(b, q + SVFG_TXQ(i, tdbah), svfg_rand32(r));
		svfg_put32(b, q + SVFG_TXQ(i, txctl),
			   svfg_rand32(r) & SVFG_TXCTL_VALID);
		svfg_put32(b, q + SVFG_TXQ(i, tdwbal),
			   svfg_rand32(r) & ~SVFG_TDWBAL_RSVD);
		svfg_put32(b, q + SVFG_TXQ(i, tdwbah), svfg_rand32(r));
	}
	if (svfg_below(r, 2))
		svfg_put32(b, q + offsetof(struct svf_queues, psrtype),
			   svfg_rand32(r) & SVFG_PSRTYPE_VALID);
	if (svfg_below(r, 2)) {
		svfg_put32(b, irq + SVFG_IRQ(eims), svfg_rand32(r) & 7);
		svfg_put32(b, irq + SVFG_IRQ(eiac), svfg_rand32(r) & 7);
		svfg_put32(b, irq + SVFG_IRQ(eiam), svfg_rand32(r) & 7);
		svfg_put32(b, irq + SVFG_IRQ(pending), svfg_rand32(r) & 7);
		svfg_put32(b, irq + SVFG_IRQ(ivar0),
			   svfg_rand32(r) & SVFG_IVAR_VALID);
		svfg_put32(b, irq + SVFG_IRQ(ivar_misc),
			   svfg_rand32(r) & SVFG_IVAR_MISC_VALID);
		for (i = 0; i < SVF_NR_VECTORS; i++)
			svfg_put32(b, irq + SVFG_IRQ(eitr) + 4 * i,
				   svfg_rand32(r) & SVFG_EITR_VALID);
	}
	if (svfg_below(r, 2)) {
		for (i = 0; i < SVF_MBX_WORDS; i++)
			svfg_put32(b, mbx + 4 * i, svfg_rand32(r));
		svfg_put32(b, mbx + offsetof(struct svf_mbx, r2c),
			   svfg_rand32(r) & (SVFG_R2C_VALID | SVFG_MBX_VFU));
	}
	if (svfg_below(r, 2))
		for (i = 0; i < SVF_NR_STATS; i++)
			svfg_put32(b, st + 4 * i, svfg_rand32(r));
	if (svfg_below(r, 2))
		svfg_pf_valid(r, b + pf);
	svfg_fix_crc(b, len);
}

static inline void svfg_bitflip(struct svfg_rng *r, struct svfg_case *c)
{
	size_t at, crc_at = SVFG_H(crc32), bits[16];
	unsigned int n, i, j;
	__u32 used = 0;

	if (svfg_below(r, 4)) {
		/*
		 * Up to four flips inside four bytes: a burst of at most 32
		 * bits, which CRC-32 always detects. The window lies wholly
		 * inside the crc32 field or outside it, so the two changes
		 * cannot cancel.
		 */
		at = svfg_below(r, c->len - 3);
		if (at + 4 > crc_at && at < crc_at + 4)
			at = crc_at;
		n = 1 + svfg_below(r, 4);
		for (i = 0; i < n; i++) {
			do
				j = svfg_below(r, 32);
			while (used & (1U << j));
			used |= 1U << j;
			c->buf[at + j / 8] ^= 1 << (j % 8);
		}
		svfg_what(c, "%u bit(s) flipped in bytes %zu-%zu", n, at, at + 3);
		return;
	}
	/* scattered flips at distinct positions: never the original blob */
	n = 2 + svfg_below(r, 15);
	for (i = 0; i < n; i++) {
again:
		bits[i] = svfg_below(r, c->len * 8);
		for (j = 0; j < i; j++)
			if (bits[j] == bits[i])
				goto again;
		c->buf[bits[i] / 8] ^= 1 << (bits[i] % 8);
	}
	c->sure = 0;
	svfg_what(c, "%u bits flipped across the blob", n);
}

/* Section boundaries of a well-formed blob, except its end. */
static inline unsigned int svfg_boundaries(const __u8 *b, size_t len,
					   size_t *at, unsigned int max)
{
	__u32 i, nr = svfg_get32(b, SVFG_H(nr_sections));
	unsigned int n = 0;
	size_t pos;

	at[n++] = 0;
	for (i = 0; i < nr && n + 2 <= max; i++) {
		pos = svfg_nth(b, len, i);
		if (pos >= len)
			break;
		at[n++] = pos;
		at[n++] = pos + sizeof(struct svf_sect);
	}
	return n;
}

static inline void svfg_truncate(struct svfg_case *c, unsigned long seq)
{
	size_t at[2 + 2 * SVFG_MAX_SECTIONS], cut;
	unsigned int nb = svfg_boundaries(c->buf, c->len, at, 130), mode;
	unsigned long k;
	int d;

	/* every (boundary, -1/0/+1, header treatment) in turn */
	k = seq % (nb * 9);
	d = (int)(k % 3) - 1;
	mode = k / 3 % 3;
	cut = at[k / 9];
	if (d < 0 && cut)
		cut--;
	else if (d > 0)
		cut++;
	if (cut >= c->len)
		cut = c->len - 1;
	c->len = cut;
	if (cut < sizeof(struct svf_header) || !mode) {
		svfg_what(c, "cut at %zu, header unchanged", cut);
		return;
	}
	if (mode == 2) {
		/* only the sections that fit */
		__u32 n = 0, nr = svfg_get32(c->buf, SVFG_H(nr_sections));

		while (n < nr && svfg_nth(c->buf, SVFG_BUF, n + 1) <= cut)
			n++;
		svfg_put32(c->buf, SVFG_H(nr_sections), n);
	}
	svfg_fix(c->buf, cut);
	svfg_what(c, "cut at %zu, total_len%s and crc32 to match", cut,
		  mode == 2 ? ", nr_sections" : "");
}

static inline void svfg_length(struct svfg_rng *r, struct svfg_case *c)
{
	size_t len = c->len, end, pos;
	__u32 v, i, nr;

	switch (svfg_below(r, 6)) {
	case 0:
		v = svfg_range(r, len + 1, SVF_MAX_BLOB);
		svfg_put32(c->buf, SVFG_H(total_len), v);
		svfg_fix_crc(c->buf, len);
		svfg_what(c, "total_len %u, %zu bytes sent", v, len);
		break;
	case 1:
		v = svfg_range(r, SVF_MAX_BLOB + 1, 0xFFFFFFFF);
		svfg_put32(c->buf, SVFG_H(total_len), v);
		svfg_fix_crc(c->buf, len);
		svfg_what(c, "total_len %u beyond the maximum", v);
		break;
	case 2:
		v = svfg_range(r, 0, len - 1);
		svfg_put32(c->buf, SVFG_H(total_len), v);
		svfg_fix_crc(c->buf, len);
		svfg_what(c, "total_len %u, %zu bytes sent", v, len);
		break;
	case 3:
		/* a section longer than what is left of the blob */
		nr = svfg_get32(c->buf, SVFG_H(nr_sections));
		i = svfg_below(r, nr);
		pos = svfg_nth(c->buf, len, i);
		end = len - pos - sizeof(struct svf_sect);
		v = svfg_range(r, end + 1, 0xFFFF);
		svfg_put16(c->buf, pos + 2, v);
		svfg_fix_crc(c->buf, len);
		svfg_what(c, "section %u len %u, %zu bytes left", i, v, end);
		break;
	case 4:
		/* more sections announced than present */
		nr = svfg_get32(c->buf, SVFG_H(nr_sections));
		v = svfg_below(r, 2) ? svfg_range(r, nr + 1, SVFG_MAX_SECTIONS) :
				       svfg_range(r, SVFG_MAX_SECTIONS + 1,
						  0xFFFFFFFF);
		svfg_put32(c->buf, SVFG_H(nr_sections), v);
		svfg_fix_crc(c->buf, len);
		svfg_what(c, "nr_sections %u, %u present", v, nr);
		break;
	default:
		/* more than SVF_MAX_BLOB bytes in one write: EFBIG */
		c->len = svfg_range(r, SVF_MAX_BLOB + 1, SVFG_BUF);
		for (pos = len; pos < c->len; pos++)
			c->buf[pos] = svfg_below(r, 2) ? svfg_rand32(r) : 0;
		if (svfg_below(r, 2))
			svfg_fix(c->buf, c->len);
		svfg_what(c, "%zu bytes", c->len);
		break;
	}
}

static inline void svfg_version(struct svfg_rng *r, struct svfg_case *c)
{
	static const __u32 magics[] = { 0, 0x53564631, 0x30465653, 0x32465653 };
	static const __u16 devs[] = { 0x10c9, 0x1520, 0x10cb, 0x10c8 };
	__u32 v;

	switch (svfg_below(r, 4)) {
	case 0:
		do
			v = svfg_below(r, 2) ? svfg_range(r, 0, 3) : svfg_rand32(r);
		while ((__u16)v == SVF_VERSION_MAJOR);
		svfg_put16(c->buf, SVFG_H(major), v);
		svfg_what(c, "major %u", (__u16)v);
		break;
	case 1:
		do
			v = svfg_below(r, 2) ? magics[svfg_below(r, 4)] :
					       svfg_rand32(r);
		while (v == SVF_MAGIC);
		svfg_put32(c->buf, SVFG_H(magic), v);
		svfg_what(c, "magic %#x", v);
		break;
	case 2:
		do
			v = svfg_rand32(r);
		while ((__u16)v == SVFG_VENDOR);
		svfg_put16(c->buf, SVFG_H(vendor), v);
		svfg_what(c, "vendor %#x", (__u16)v);
		break;
	default:
		do
			v = svfg_below(r, 2) ? devs[svfg_below(r, 4)] :
					       svfg_rand32(r);
		while ((__u16)v == SVFG_DEVICE);
		svfg_put16(c->buf, SVFG_H(device), v);
		svfg_what(c, "device %#x", (__u16)v);
		break;
	}
	svfg_fix_crc(c->buf, c->len);
}

static inline void svfg_bad_ring(struct svfg_rng *r, struct svfg_case *c)
{
	__u8 *q = c->buf + svfg_sect(c->buf, c->len, SVF_SECT_QUEUES);
	__u32 len, v, nr_desc;
	struct svfg_ring g;
	size_t at;

	svfg_ring(svfg_below(r, 4), &g);
	switch (svfg_below(r, 7)) {
	case 0:
		/* not a multiple of 128, mostly near valid lengths */
		v = svfg_below(r, 2) ?
		    svfg_range(r, 0, 600) * SVF_RING_ALIGN + svfg_range(r, 1, 127) :
		    svfg_rand32(r) | (1 + svfg_below(r, 127));
		svfg_put32(q, g.len, v);
		svfg_what(c, "%s len %#x, not a multiple of 128", g.name, v);
		break;
	case 1:
		v = svfg_range(r, SVF_RING_MAX / SVF_RING_ALIGN + 1,
			       0xFFFFFFFF / SVF_RING_ALIGN) * SVF_RING_ALIGN;
		svfg_put32(q, g.len, v);
		svfg_what(c, "%s len %#x, above 65536", g.name, v);
		break;
	case 2:
	case 3:
		/* head or tail at or past the descriptor count */
		len = svfg_range(r, 1, SVF_RING_MAX / SVF_RING_ALIGN) *
		      SVF_RING_ALIGN;
		nr_desc = len / 16;
		v = svfg_below(r, 2) ? nr_desc : svfg_range(r, nr_desc, 0xFFFFFFFF);
		at = svfg_below(r, 2) ? g.head : g.tail;
		svfg_put32(q, g.len, len);
		svfg_put32(q, at, v);
		svfg_what(c, "%s %s %u, ring of %u descriptors", g.name,
			  at == g.head ? "head" : "tail", v, nr_desc);
		break;
	case 4:
		v = svfg_range(r, 1, 0xFFFFFFFF);
		at = svfg_below(r, 2) ? g.head : g.tail;
		svfg_put32(q, g.len, 0);
		svfg_put32(q, at, v);
		svfg_what(c, "%s %s %u, no ring", g.name,
			  at == g.head ? "head" : "tail", v);
		break;
	case 5:
		v = (svfg_get32(q, g.lo) & ~(SVF_RING_ALIGN - 1)) |
		    svfg_range(r, 1, SVF_RING_ALIGN - 1);
		svfg_put32(q, g.lo, v);
		svfg_what(c, "%s base %#x, not 128-byte aligned", g.name, v);
		break;
	default:
		svfg_put32(q, g.len, 0);
		svfg_put32(q, g.head, 0);
		svfg_put32(q, g.tail, 0);
		svfg_put32(q, g.ctl, svfg_get32(q, g.ctl) | SVFG_XDCTL_EN);
		svfg_what(c, "%s enabled without a ring", g.name);
		break;
	}
	svfg_fix_crc(c->buf, c->len);
}

static inline void svfg_reserved(struct svfg_rng *r, struct svfg_case *c)
{
	size_t q = svfg_sect(c->buf, c->len, SVF_SECT_QUEUES);
	size_t irq = svfg_sect(c->buf, c->len, SVF_SECT_IRQ);
	size_t mbx = svfg_sect(c->buf, c->len, SVF_SECT_MBX);
	size_t pf = svfg_sect(c->buf, c->len, SVF_SECT_PFCFG);
	static const size_t vec[] = {
		SVFG_IRQ(eims), SVFG_IRQ(eiac), SVFG_IRQ(eiam), SVFG_IRQ(pending),
	};
	unsigned int i = svfg_below(r, 2);
	__u32 valid, width = 0xFFFFFFFF;
	struct svfg_ring g;
	const char *name;
	size_t at;

	switch (svfg_below(r, 13)) {
	case 10:
		at = q + SVFG_RXQ(i, rxctl);
		valid = SVFG_RXCTL_VALID;
		name = "rxctl";
		break;
	case 11:
		at = q + SVFG_TXQ(i, txctl);
		valid = SVFG_TXCTL_VALID;
		name = "txctl";
		break;
	case 12:
		at = q + offsetof(struct svf_queues, psrtype);
		valid = SVFG_PSRTYPE_VALID;
		name = "psrtype";
		break;
	case 0:
		svfg_ring(svfg_below(r, 4), &g);
		at = q + g.ctl;
		valid = SVFG_XDCTL_VALID;
		name = g.name[0] == 'r' ? "rxdctl" : "txdctl";
		break;
	case 1:
		at = q + SVFG_RXQ(i, srrctl);
		valid = SVFG_SRRCTL_VALID;
		name = "srrctl";
		break;
	case 2:
		at = q + SVFG_TXQ(i, tdwbal);
		valid = ~SVFG_TDWBAL_RSVD;
		name = "tdwbal";
		break;
	case 3:
		at = irq + vec[svfg_below(r, 4)];
		valid = SVF_VECTOR_MASK;
		name = "irq vector mask";
		break;
	case 4:
		at = irq + SVFG_IRQ(ivar0);
		valid = SVFG_IVAR_VALID;
		name = "ivar0";
		break;
	case 5:
		at = irq + SVFG_IRQ(ivar_misc);
		valid = SVFG_IVAR_MISC_VALID;
		name = "ivar_misc";
		break;
	case 6:
		at = irq + SVFG_IRQ(eitr) + 4 * svfg_below(r, SVF_NR_VECTORS);
		valid = SVFG_EITR_VALID;
		name = "eitr";
		break;
	case 7:
		at = mbx + offsetof(struct svf_mbx, r2c);
		valid = SVFG_R2C_VALID | SVFG_MBX_VFU;
		name = "mbx.r2c";
		break;
	case 8:
		svfg_put16(c->buf, pf + SVFG_PF(flags),
			   svfg_bad_bits(r, svfg_get16(c->buf, pf + SVFG_PF(flags)),
					 SVFG_PF_FLAGS, 0xFFFF));
		svfg_fix_crc(c->buf, c->len);
		svfg_what(c, "pf.flags %#x",
			  svfg_get16(c->buf, pf + SVFG_PF(flags)));
		return;
	default:
		at = pf + SVFG_PF(promisc);
		valid = SVFG_PROMISC_VALID;
		name = "pf.promisc";
		break;
	}
	svfg_put32(c->buf, at,
		   svfg_bad_bits(r, svfg_get32(c->buf, at), valid, width));
	svfg_fix_crc(c->buf, c->len);
	svfg_what(c, "%s %#x (valid bits %#x)", name, svfg_get32(c->buf, at),
		  valid);
}

static inline void svfg_pfcfg(struct svfg_rng *r, struct svfg_case *c)
{
	__u8 *pf = c->buf + svfg_sect(c->buf, c->len, SVF_SECT_PFCFG);
	unsigned int i = svfg_below(r, SVF_MAX_VLANS), j;
	size_t vl = SVFG_PF(vlans);
	__u16 v, nr = svfg_get16(pf, SVFG_PF(nr_vlans));

	switch (svfg_below(r, 12)) {
	case 9:
		v = svfg_range(r, SVFG_MAX_UC + 1, 0xFFFF);
		svfg_put16(pf, SVFG_PF(nr_uc), v);
		svfg_what(c, "nr_uc %u", v);
		break;
	case 10:
		i = svfg_below(r, SVFG_MAX_UC);
		if (svfg_get16(pf, SVFG_PF(nr_uc)) <= i)
			svfg_put16(pf, SVFG_PF(nr_uc), i + 1);
		if (svfg_below(r, 2))
			pf[SVFG_PF(uc) + 6 * i] |= 1;
		else
			memset(pf + SVFG_PF(uc) + 6 * i, 0, 6);
		svfg_what(c, "uc[%u] not unicast", i);
		break;
	case 11:
		svfg_put16(pf, SVFG_PF(nr_uc), 2);
		memcpy(pf + SVFG_PF(uc), pf + SVFG_PF(uc) + 6, 6);
		pf[SVFG_PF(uc)] &= ~1;
		pf[SVFG_PF(uc) + 5] |= 1;
		memcpy(pf + SVFG_PF(uc) + 6, pf + SVFG_PF(uc), 6);
		svfg_what(c, "uc[1] repeats uc[0]");
		break;
	case 0:
		v = svfg_range(r, SVF_MAX_MC + 1, 0xFFFF);
		svfg_put16(pf, SVFG_PF(nr_mc), v);
		svfg_what(c, "nr_mc %u", v);
		break;
	case 1:
		v = svfg_range(r, SVF_MAX_VLANS + 1, 0xFFFF);
		svfg_put16(pf, SVFG_PF(nr_vlans), v);
		svfg_what(c, "nr_vlans %u", v);
		break;
	case 2:
	case 3:
		/* entry i counts: raise nr_vlans to cover it if need be */
		v = svfg_below(r, 4) ? svfg_range(r, SVFG_MAX_VLAN + 1, 0xFFFF) : 0;
		if (nr <= i)
			svfg_put16(pf, SVFG_PF(nr_vlans), i + 1);
		svfg_put16(pf, vl + 2 * i, v);
		svfg_what(c, "vlan[%u] id %u", i, v);
		break;
	case 4:
		if (nr < 2)
			nr = svfg_range(r, 2, SVF_MAX_VLANS);
		svfg_put16(pf, SVFG_PF(nr_vlans), nr);
		i = svfg_below(r, nr - 1);
		j = i + 1 + svfg_below(r, nr - 1 - i);
		svfg_put16(pf, vl + 2 * j, svfg_get16(pf, vl + 2 * i));
		svfg_what(c, "vlan[%u] repeats vlan[%u]", j, i);
		break;
	case 5:
		svfg_put16(pf, SVFG_PF(flags),
			   svfg_get16(pf, SVFG_PF(flags)) | SVFG_PF_MAC_SET);
		pf[0] |= 1;
		svfg_what(c, "multicast MAC %02x:..", pf[0]);
		break;
	case 6:
		svfg_put16(pf, SVFG_PF(flags),
			   svfg_get16(pf, SVFG_PF(flags)) | SVFG_PF_MAC_SET);
		memset(pf, 0, 6);
		svfg_what(c, "zero MAC");
		break;
	case 7:
		v = svfg_range(r, 0, SVF_MAX_MC - 1);
		svfg_put16(pf, SVFG_PF(flags),
			   svfg_get16(pf, SVFG_PF(flags)) | SVFG_PF_MC_OVERFLOW);
		svfg_put16(pf, SVFG_PF(nr_mc), v);
		svfg_what(c, "multicast overflow with nr_mc %u", v);
		break;
	default:
		svfg_put32(pf, SVFG_PF(max_frame),
			   svfg_range(r, SVFG_MAX_FRAME + 1, 0xFFFFFFFF));
		svfg_what(c, "max_frame %u", svfg_get32(pf, SVFG_PF(max_frame)));
		break;
	}
	svfg_fix_crc(c->buf, c->len);
}

/* Replace section @n's payload by the first @slen bytes of it. */
static inline void svfg_resize(struct svfg_case *c, __u32 n, size_t slen)
{
	size_t pos = svfg_nth(c->buf, c->len, n);
	size_t old = svfg_get16(c->buf, pos + 2), end = pos + 4 + old;

	memmove(c->buf + pos + 4 + slen, c->buf + end, c->len - end);
	c->len -= old - slen;
	svfg_put16(c->buf, pos + 2, slen);
}

static inline void svfg_section(struct svfg_rng *r, struct svfg_case *c)
{
	__u32 nr = svfg_get32(c->buf, SVFG_H(nr_sections)), n, v;
	size_t pos, end, slen;
	__u16 id, other;

	n = svfg_below(r, nr);
	pos = svfg_nth(c->buf, c->len, n);
	id = svfg_get16(c->buf, pos);
	slen = svfg_get16(c->buf, pos + 2);
	switch (svfg_below(r, 5)) {
	case 0:
		do
			other = svfg_range(r, SVF_SECT_QUEUES, SVF_SECT_PFCFG);
		while (other == id);
		svfg_put16(c->buf, pos, other);
		svfg_what(c, "section %u id %u -> %u: one twice, one missing",
			  n, id, other);
		break;
	case 1:
		/* an id this version does not know: skipped, so missing */
		other = svfg_below(r, 4) ? svfg_range(r, SVF_SECT_PFCFG + 1, 0xFFFF) : 0;
		svfg_put16(c->buf, pos, other);
		svfg_what(c, "section %u id %u -> %u: missing", n, id, other);
		break;
	case 2:
		/* removed */
		end = pos + 4 + slen;
		memmove(c->buf + pos, c->buf + end, c->len - end);
		c->len -= end - pos;
		svfg_put32(c->buf, SVFG_H(nr_sections), nr - 1);
		svfg_what(c, "section %u (id %u) removed", n, id);
		break;
	case 3:
		v = svfg_range(r, 0, svfg_sect_size(id, SVF_VERSION_MINOR) - 1);
		svfg_resize(c, n, v);
		svfg_what(c, "section %u (id %u) %u bytes, needs %zu", n, id, v,
			  svfg_sect_size(id, SVF_VERSION_MINOR));
		break;
	default:
		/* a perfect second copy appended */
		if (c->len + 4 + slen <= SVF_MAX_BLOB) {
			memcpy(c->buf + c->len, c->buf + pos, 4 + slen);
			c->len += 4 + slen;
			svfg_put32(c->buf, SVFG_H(nr_sections), nr + 1);
			svfg_what(c, "section id %u twice", id);
			break;
		}
		svfg_put32(c->buf, SVFG_H(nr_sections), 0);
		svfg_what(c, "nr_sections 0");
		break;
	}
	svfg_fix(c->buf, c->len);
}

static inline void svfg_trailing(struct svfg_rng *r, struct svfg_case *c,
				 unsigned long seq)
{
	size_t len = c->len, extra = svfg_range(r, 1, 64), i;

	for (i = 0; i < extra; i++)
		c->buf[len + i] = svfg_rand32(r);
	c->len += extra;
	switch (seq % 8) {
	case 0:
		/*
		 * A complete valid blob, then more bytes in a second write.
		 * The driver loads (and restores) at the blob's last byte, so
		 * these are few.
		 */
		c->nw = 2;
		c->w[0] = len;
		c->w[1] = extra;
		svfg_what(c, "valid blob, then %zu bytes in another write",
			  extra);
		break;
	case 1:
	case 2:
	case 3:
		svfg_what(c, "valid blob and %zu more bytes, one write", extra);
		break;
	default:
		svfg_fix(c->buf, c->len);
		svfg_what(c, "%zu bytes after the last section, total_len and crc32 to match",
			  extra);
		break;
	}
}

static inline void svfg_bad_crc(struct svfg_rng *r, struct svfg_case *c)
{
	__u32 good = svfg_get32(c->buf, SVFG_H(crc32)), v;

	switch (svfg_below(r, 4)) {
	case 0:
		v = 0;
		break;
	case 1:
		v = ~good;
		break;
	case 2:
		v = __builtin_bswap32(good);
		break;
	default:
		v = good ^ (1U << svfg_below(r, 32));
		break;
	}
	if (v == good)
		v = good ^ 1;
	svfg_put32(c->buf, SVFG_H(crc32), v);
	svfg_what(c, "crc32 %#x, should be %#x", v, good);
}

/*
 * Split the stream into up to three writes where that cannot change what
 * the driver sees: it loads a blob when total_len bytes have arrived, so
 * only streams no longer than their total_len are split.
 */
static inline void svfg_split(struct svfg_rng *r, struct svfg_case *c)
{
	size_t need = SIZE_MAX, a, b;

	c->nw = 1;
	c->w[0] = c->len;
	if (c->len >= sizeof(struct svf_header))
		need = svfg_get32(c->buf, SVFG_H(total_len));
	if (c->len > SVF_MAX_BLOB || need < c->len || c->len < 2 ||
	    svfg_below(r, 2))
		return;
	a = 1 + svfg_below(r, c->len - 1);
	b = a + svfg_below(r, c->len - a);
	c->w[0] = a;
	if (b > a) {
		c->w[1] = b - a;
		c->w[2] = c->len - b;
		c->nw = 3;
	} else {
		c->w[1] = c->len - a;
		c->nw = 2;
	}
}

/*
 * Derive an invalid stream of category @cat from the valid, complete blob
 * @base (all five sections). @seq counts the blobs of @cat so far, so that
 * the truncations step through every boundary.
 */
static inline void svfg_mutate(struct svfg_rng *r, enum svfg_cat cat,
			       unsigned long seq, const __u8 *base,
			       size_t blen, struct svfg_case *c)
{
	memcpy(c->buf, base, blen);
	c->len = blen;
	c->cat = cat;
	c->sure = 1;
	c->nw = 0;
	switch (cat) {
	case SVFG_BITFLIP:
		svfg_bitflip(r, c);
		break;
	case SVFG_TRUNCATE:
		svfg_truncate(c, seq);
		break;
	case SVFG_LENGTH:
		svfg_length(r, c);
		break;
	case SVFG_VERSION:
		svfg_version(r, c);
		break;
	case SVFG_RING:
		svfg_bad_ring(r, c);
		break;
	case SVFG_RESERVED:
		svfg_reserved(r, c);
		break;
	case SVFG_PFCFG:
		svfg_pfcfg(r, c);
		break;
	case SVFG_SECTION:
		svfg_section(r, c);
		break;
	case SVFG_TRAILING:
		svfg_trailing(r, c, seq);
		break;
	default:
		svfg_bad_crc(r, c);
		break;
	}
	if (!c->nw)
		svfg_split(r, c);
}

#endif
