// SPDX-License-Identifier: GPL-2.0
/*
 * svf-inspect: print and validate an igbvf-vfio-pci migration stream.
 *
 * Reads a stream (struct svf_compat, then the blob) or a bare blob from a
 * file or stdin, prints every field as it is on the wire, and validates it
 * with the driver's own decoder: drivers/vfio/pci/igbvf/blob.c, built in
 * user space through blob_user.h. A refusal names the field the decoder
 * reported, as the kernel log line of a refused migration does.
 *
 * The format is described by the field tables below: a field added to a
 * wire structure in include/uapi/linux/shadowvf/igbvf_state.h is one line in
 * its table. Documentation/igbvf-state.rst describes the format,
 * Documentation/operators.rst this tool.
 *
 * Exit status: 0 valid, 1 invalid (refused by the decoder), 2 unreadable
 * (cannot open or read the input), 3 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "blob_user.h"
#include "model.h"

#define EXIT_VALID	0
#define EXIT_INVALID	1
#define EXIT_UNREADABLE	2
#define EXIT_USAGE	3

/* No valid stream comes close; larger input is not read to the end. */
#define SVFI_MAX_INPUT	(1024 * 1024)

#define SVFI_XDCTL_ENABLE	0x02000000	/* RXDCTL/TXDCTL queue enable */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Flag bits with a name, for the SVFI_FLAGS format. */
struct svfi_bit {
	u32 bit;
	const char *name;
};

enum svfi_fmt {
	SVFI_HEX,	/* 0x%0*x */
	SVFI_DEC,
	SVFI_MAGIC,	/* hex and the four characters */
	SVFI_RINGLEN,	/* bytes and descriptors */
	SVFI_XDCTL,	/* hex, and whether the queue is enabled */
	SVFI_MAC,	/* 6 bytes */
	SVFI_FLAGS,	/* hex and the names of svfi_field.bits */
	SVFI_PORT_VLAN,	/* hex, and VID, QoS, protocol */
};

/*
 * One field of a wire structure: @n little-endian elements of @size (1, 2
 * or 4) bytes at @off. An array whose used length is another field (a
 * __le16 at @count_off) prints only the used elements.
 */
struct svfi_field {
	const char *name;
	size_t off;
	unsigned int size, n;
	enum svfi_fmt fmt;
	const struct svfi_bit *bits;
	size_t count_off;
};

#define SVFI_NO_COUNT	((size_t)-1)

/*
 * A field's offset and size both come from its address in a NULL-based
 * object (what offsetof() expands to), so that the macros below name each
 * member once.
 */
#define SVFI_AT(type, m)	(&((type *)0)[0].m)
#define SVFI_SCALAR(name_, p, fmt_, bits_) {				\
	.name = name_, .off = (size_t)(p), .size = sizeof((p)[0]),	\
	.n = 1, .fmt = fmt_, .bits = bits_, .count_off = SVFI_NO_COUNT }
#define SVFI_ARRAY(name_, p, fmt_, count_off_) {			\
	.name = name_, .off = (size_t)(p), .size = sizeof((p)[0][0]),	\
	.n = sizeof((p)[0]) / sizeof((p)[0][0]), .fmt = fmt_,		\
	.count_off = count_off_ }

/* a scalar member, or a byte array printed as one value (MAC) */
#define SVFI_F(type, m, fmt_)	SVFI_SCALAR(#m, SVFI_AT(type, m), fmt_, NULL)
/* a member with named bits */
#define SVFI_B(type, m, bits_)	SVFI_SCALAR(#m, SVFI_AT(type, m), SVFI_FLAGS, bits_)
/* an array member, all elements */
#define SVFI_A(type, m, fmt_)	SVFI_ARRAY(#m, SVFI_AT(type, m), fmt_, SVFI_NO_COUNT)
/* an array member, as many elements as member @cnt says */
#define SVFI_C(type, m, cnt, fmt_)					\
	SVFI_ARRAY(#m, SVFI_AT(type, m), fmt_, offsetof(type, cnt))
/* element @i of an array member, under its own name */
#define SVFI_E(type, m, i, name_, fmt_)					\
	SVFI_SCALAR(name_, SVFI_AT(type, m[i]), fmt_, NULL)

static const struct svfi_bit svfi_required_bits[] = {
	{ SVF_REQ_LB_STATS, "lb_stats" },
	{ SVF_REQ_UC_FILTERS, "uc_filters" },
	{ SVF_REQ_VLAN_STRIP, "vlan_strip" },
	{ SVF_REQ_MBX_VFU, "mbx_vfu" },
	{ SVF_REQ_GUEST, "guest" },
	{ 0 }
};

/* V2PMAILBOX bits (82576 datasheet) */
static const struct svfi_bit svfi_r2c_bits[] = {
	{ SVF_MBX_VFU, "vfu" },
	{ 0x10, "pfsts" },
	{ 0x20, "pfack" },
	{ 0x80, "rstd" },
	{ 0 }
};

static const struct svfi_bit svfi_pf_flag_bits[] = {
	{ SVF_PF_MAC_SET, "mac_set" },
	{ SVF_PF_LPE_SET, "lpe_set" },
	{ SVF_PF_PROMISC_SET, "promisc_set" },
	{ SVF_PF_MC_OVERFLOW, "mc_overflow" },
	{ SVF_PF_VLAN_STRIP_SET, "vlan_strip_set" },
	{ SVF_PF_VLAN_STRIP, "vlan_strip" },
	{ 0 }
};

/* igb's E1000_VF_SET_PROMISC_UNICAST and _MULTICAST */
static const struct svfi_bit svfi_promisc_bits[] = {
	{ 0x00010000, "unicast" },
	{ 0x00020000, "multicast" },
	{ 0 }
};

static const struct svfi_field svfi_compat_fields[] = {
	SVFI_F(struct svf_compat, magic, SVFI_MAGIC),
	SVFI_F(struct svf_compat, major, SVFI_DEC),
	SVFI_F(struct svf_compat, minor, SVFI_DEC),
	SVFI_F(struct svf_compat, vendor, SVFI_HEX),
	SVFI_F(struct svf_compat, device, SVFI_HEX),
	SVFI_B(struct svf_compat, required, svfi_required_bits),
	SVFI_F(struct svf_compat, reserved, SVFI_HEX),
	SVFI_F(struct svf_compat, crc32, SVFI_HEX),
};

static const struct svfi_field svfi_guest_fields[] = {
	SVFI_F(struct svf_guest, magic, SVFI_MAGIC),
	SVFI_F(struct svf_guest, port_vlan, SVFI_PORT_VLAN),
	SVFI_F(struct svf_guest, crc32, SVFI_HEX),
};

static const struct svfi_field svfi_header_fields[] = {
	SVFI_F(struct svf_header, magic, SVFI_MAGIC),
	SVFI_F(struct svf_header, major, SVFI_DEC),
	SVFI_F(struct svf_header, minor, SVFI_DEC),
	SVFI_F(struct svf_header, total_len, SVFI_DEC),
	SVFI_F(struct svf_header, vendor, SVFI_HEX),
	SVFI_F(struct svf_header, device, SVFI_HEX),
	SVFI_F(struct svf_header, nr_sections, SVFI_DEC),
	SVFI_F(struct svf_header, crc32, SVFI_HEX),
};

static const struct svfi_field svfi_rxq_fields[] = {
	SVFI_F(struct svf_rxq, rdbal, SVFI_HEX),
	SVFI_F(struct svf_rxq, rdbah, SVFI_HEX),
	SVFI_F(struct svf_rxq, rdlen, SVFI_RINGLEN),
	SVFI_F(struct svf_rxq, srrctl, SVFI_HEX),
	SVFI_F(struct svf_rxq, rdh, SVFI_DEC),
	SVFI_F(struct svf_rxq, rdt, SVFI_DEC),
	SVFI_F(struct svf_rxq, rxdctl, SVFI_XDCTL),
	SVFI_F(struct svf_rxq, rxctl, SVFI_HEX),
};

static const struct svfi_field svfi_txq_fields[] = {
	SVFI_F(struct svf_txq, tdbal, SVFI_HEX),
	SVFI_F(struct svf_txq, tdbah, SVFI_HEX),
	SVFI_F(struct svf_txq, tdlen, SVFI_RINGLEN),
	SVFI_F(struct svf_txq, tdh, SVFI_DEC),
	SVFI_F(struct svf_txq, tdt, SVFI_DEC),
	SVFI_F(struct svf_txq, txdctl, SVFI_XDCTL),
	SVFI_F(struct svf_txq, txctl, SVFI_HEX),
	SVFI_F(struct svf_txq, tdwbal, SVFI_HEX),
	SVFI_F(struct svf_txq, tdwbah, SVFI_HEX),
};

/* what struct svf_queues holds besides the rings */
static const struct svfi_field svfi_queues_fields[] = {
	SVFI_F(struct svf_queues, psrtype, SVFI_HEX),
};

static const struct svfi_field svfi_irq_fields[] = {
	SVFI_F(struct svf_irq, eims, SVFI_HEX),
	SVFI_F(struct svf_irq, eiac, SVFI_HEX),
	SVFI_F(struct svf_irq, eiam, SVFI_HEX),
	SVFI_F(struct svf_irq, ivar0, SVFI_HEX),
	SVFI_F(struct svf_irq, ivar_misc, SVFI_HEX),
	SVFI_A(struct svf_irq, eitr, SVFI_HEX),
	SVFI_F(struct svf_irq, pending, SVFI_HEX),
};

static const struct svfi_field svfi_mbx_fields[] = {
	SVFI_A(struct svf_mbx, vmbmem, SVFI_HEX),
	SVFI_B(struct svf_mbx, r2c, svfi_r2c_bits),
};

static const struct svfi_field svfi_stats_fields[] = {
	SVFI_E(struct svf_stats, val, 0, "gprc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 1, "gptc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 2, "gorc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 3, "gotc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 4, "mprc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 5, "gprlbc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 6, "gptlbc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 7, "gorlbc", SVFI_DEC),
	SVFI_E(struct svf_stats, val, 8, "gotlbc", SVFI_DEC),
};

static const struct svfi_field svfi_pfcfg_fields[] = {
	SVFI_F(struct svf_pfcfg, mac, SVFI_MAC),
	SVFI_B(struct svf_pfcfg, flags, svfi_pf_flag_bits),
	SVFI_F(struct svf_pfcfg, max_frame, SVFI_DEC),
	SVFI_B(struct svf_pfcfg, promisc, svfi_promisc_bits),
	SVFI_F(struct svf_pfcfg, nr_mc, SVFI_DEC),
	SVFI_C(struct svf_pfcfg, mc, nr_mc, SVFI_HEX),
	SVFI_F(struct svf_pfcfg, nr_vlans, SVFI_DEC),
	SVFI_C(struct svf_pfcfg, vlans, nr_vlans, SVFI_DEC),
	SVFI_F(struct svf_pfcfg, nr_uc, SVFI_DEC),
	SVFI_C(struct svf_pfcfg, uc, nr_uc, SVFI_MAC),
};

/* Only the field the decoder named is marked. */
static const char *bad_field;

/* A little-endian integer of @size bytes; 0 for byte strings (MAC). */
static u32 svfi_get(const u8 *p, unsigned int size)
{
	u16 v16;
	u32 v32;

	switch (size) {
	case 1:
		return *p;
	case 2:
		memcpy(&v16, p, sizeof(v16));
		return le16_to_cpu(v16);
	case 4:
		memcpy(&v32, p, sizeof(v32));
		return le32_to_cpu(v32);
	default:
		return 0;
	}
}

static void svfi_value(const struct svfi_field *f, const u8 *p, u32 v)
{
	const struct svfi_bit *b;
	const char *sep = "";
	u32 rest = v;
	unsigned int i;

	switch (f->fmt) {
	case SVFI_DEC:
		printf(" %u", v);
		break;
	case SVFI_MAGIC:
		printf(" 0x%08x (", v);
		for (i = 0; i < 4; i++)
			putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
		putchar(')');
		break;
	case SVFI_RINGLEN:
		printf(" %u (%u descriptors)", v, v / 16);
		break;
	case SVFI_XDCTL:
		printf(" 0x%08x (%s)", v,
		       v & SVFI_XDCTL_ENABLE ? "enabled" : "disabled");
		break;
	case SVFI_MAC:
		for (i = 0; i < f->size; i++)
			printf("%c%02x", i ? ':' : ' ', p[i]);
		break;
	case SVFI_PORT_VLAN:
		printf(" 0x%08x", v);
		if (v == SVF_PORT_VLAN_UNKNOWN)
			printf(" (unknown)");
		else if (!v)
			printf(" (none)");
		else if (!(v & ~SVF_PORT_VLAN_VALID))
			printf(" (vid %u qos %u %s)", v & SVF_PORT_VLAN_VID,
			       (v & SVF_PORT_VLAN_QOS) >> SVF_PORT_VLAN_QOS_SHIFT,
			       v & SVF_PORT_VLAN_8021AD ? "802.1ad" : "802.1q");
		break;
	case SVFI_FLAGS:
		printf(" 0x%0*x (", (int)f->size * 2, v);
		for (b = f->bits; b->bit; b++) {
			if (!(v & b->bit))
				continue;
			printf("%s%s", sep, b->name);
			sep = " ";
			rest &= ~b->bit;
		}
		if (rest)
			printf("%sreserved:0x%x", sep, rest);
		if (!v)
			printf("none");
		putchar(')');
		break;
	default:
		printf(" 0x%0*x", (int)f->size * 2, v);
		break;
	}
}

/*
 * Print the fields of @tab of a structure of which @avail bytes are at @p,
 * names prefixed with @prefix ("irq." etc., as the decoder names them).
 */
static void svfi_print(const char *prefix, const struct svfi_field *tab,
		       size_t nr, const u8 *p, size_t avail)
{
	const struct svfi_field *f;
	char name[64];
	unsigned int i, n, per_line;

	for (f = tab; f < tab + nr; f++) {
		snprintf(name, sizeof(name), "%s%s", prefix, f->name);
		printf("  %-18s", name);
		if (f->off + (size_t)f->size * f->n > avail) {
			/* an older minor's shorter section */
			printf(" (absent)\n");
			continue;
		}
		n = f->n;
		if (f->count_off != SVFI_NO_COUNT) {
			n = svfi_get(p + f->count_off, 2);
			if (n > f->n)
				n = f->n;
			if (!n)
				printf(" (none)");
		}
		per_line = f->size == 2 ? 8 : 4;
		for (i = 0; i < n; i++) {
			const u8 *e = p + f->off + i * f->size;

			if (i && !(i % per_line))
				printf("\n  %-18s", "");
			svfi_value(f, e, svfi_get(e, f->size));
		}
		if (bad_field && !strcmp(bad_field, name))
			printf("   <-- invalid");
		putchar('\n');
	}
}

static void svfi_print_queues(const u8 *p, size_t avail)
{
	char prefix[16];
	int i;

	for (i = 0; i < SVF_NR_QUEUES; i++) {
		size_t off = offsetof(struct svf_queues, rx[i]);

		snprintf(prefix, sizeof(prefix), "rx%d.", i);
		svfi_print(prefix, svfi_rxq_fields, ARRAY_SIZE(svfi_rxq_fields),
			   p + off, avail > off ? avail - off : 0);
	}
	for (i = 0; i < SVF_NR_QUEUES; i++) {
		size_t off = offsetof(struct svf_queues, tx[i]);

		snprintf(prefix, sizeof(prefix), "tx%d.", i);
		svfi_print(prefix, svfi_txq_fields, ARRAY_SIZE(svfi_txq_fields),
			   p + off, avail > off ? avail - off : 0);
	}
	svfi_print("queues.", svfi_queues_fields,
		   ARRAY_SIZE(svfi_queues_fields), p, avail);
}

struct svfi_sect {
	const char *name, *prefix;
	size_t size;		/* of the structure, newest minor */
	const struct svfi_field *fields;
	size_t nr;
};

#define SVFI_SECT(name_, prefix_, type, tab) {				\
	.name = name_, .prefix = prefix_, .size = sizeof(type),		\
	.fields = tab, .nr = sizeof(tab) / sizeof((tab)[0]) }

/* indexed by enum svf_sect_id; QUEUES prints its rings itself */
static const struct svfi_sect svfi_sects[] = {
	[SVF_SECT_QUEUES] = SVFI_SECT("QUEUES", "queues.", struct svf_queues,
				      svfi_queues_fields),
	[SVF_SECT_IRQ] = SVFI_SECT("IRQ", "irq.", struct svf_irq,
				   svfi_irq_fields),
	[SVF_SECT_MBX] = SVFI_SECT("MBX", "mbx.", struct svf_mbx,
				   svfi_mbx_fields),
	[SVF_SECT_STATS] = SVFI_SECT("STATS", "stats.", struct svf_stats,
				     svfi_stats_fields),
	[SVF_SECT_PFCFG] = SVFI_SECT("PFCFG", "pf.", struct svf_pfcfg,
				     svfi_pfcfg_fields),
};

/* The CRC-32 the decoder expects in @crc_off's field of @len bytes at @p. */
static u32 svfi_crc(const u8 *p, size_t len, size_t crc_off)
{
	static const u8 zero[4];
	u32 crc = ~0U;

	crc = crc32_le(crc, p, crc_off);
	crc = crc32_le(crc, zero, sizeof(zero));
	crc = crc32_le(crc, p + crc_off + 4, len - crc_off - 4);
	return crc ^ ~0U;
}

static void svfi_print_compat(const u8 *p, size_t off)
{
	const u8 *g = p + sizeof(struct svf_compat);
	u32 crc = svfi_get(p + offsetof(struct svf_compat, crc32), 4);
	u32 want = svfi_crc(p, sizeof(struct svf_compat),
			    offsetof(struct svf_compat, crc32));

	printf("compat record (%zu bytes)\n", sizeof(struct svf_compat));
	svfi_print("compat.", svfi_compat_fields,
		   ARRAY_SIZE(svfi_compat_fields), p, sizeof(struct svf_compat));
	printf("  %-18s 0x%08x%s\n", "(computed crc32)", want,
	       want == crc ? " (matches)" : " (differs)");
	if (off <= sizeof(struct svf_compat))
		return;
	crc = svfi_get(g + offsetof(struct svf_guest, crc32), 4);
	want = svfi_crc(g, sizeof(struct svf_guest),
			offsetof(struct svf_guest, crc32));
	printf("guest record (%zu bytes)\n", sizeof(struct svf_guest));
	svfi_print("guest.", svfi_guest_fields,
		   ARRAY_SIZE(svfi_guest_fields), g, sizeof(struct svf_guest));
	svfi_print("guest.pf.", svfi_pfcfg_fields,
		   ARRAY_SIZE(svfi_pfcfg_fields),
		   g + offsetof(struct svf_guest, pf), sizeof(struct svf_pfcfg));
	printf("  %-18s 0x%08x%s\n", "(computed crc32)", want,
	       want == crc ? " (matches)" : " (differs)");
}

static void svfi_print_blob(const u8 *p, size_t len)
{
	const struct svfi_sect *d;
	u32 nr, i, crc, want;
	size_t pos;
	u16 id, slen;

	printf("blob (%zu bytes)\n", len);
	if (len < sizeof(struct svf_header)) {
		printf("  (shorter than its header, %zu bytes)\n",
		       sizeof(struct svf_header));
		return;
	}
	printf("header\n");
	svfi_print("", svfi_header_fields, ARRAY_SIZE(svfi_header_fields), p,
		   sizeof(struct svf_header));
	crc = svfi_get(p + offsetof(struct svf_header, crc32), 4);
	want = svfi_crc(p, len, offsetof(struct svf_header, crc32));
	printf("  %-18s 0x%08x%s\n", "(computed crc32)", want,
	       want == crc ? " (matches)" : " (differs)");

	/* the walk of svf_blob_decode(), printing instead of refusing */
	nr = svfi_get(p + offsetof(struct svf_header, nr_sections), 4);
	pos = sizeof(struct svf_header);
	for (i = 0; i < nr && i < 64; i++) {
		if (len - pos < sizeof(struct svf_sect)) {
			printf("section %u: missing (blob ends at %zu)\n", i,
			       len);
			return;
		}
		id = svfi_get(p + pos, 2);
		slen = svfi_get(p + pos + 2, 2);
		pos += sizeof(struct svf_sect);
		d = id < ARRAY_SIZE(svfi_sects) ? &svfi_sects[id] : NULL;
		if (d && !d->name)
			d = NULL;
		printf("section %u: id %u (%s) len %u at offset %zu", i, id,
		       d ? d->name : "unknown", slen, pos);
		if (len - pos < slen) {
			printf(": runs past the end (%zu bytes left)\n",
			       len - pos);
			return;
		}
		if (!d) {
			printf(": skipped\n");
			pos += slen;
			continue;
		}
		/* shorter: an older minor's, or invalid (the decoder says) */
		if (slen > d->size)
			printf(" (%zu bytes after the known fields ignored)",
			       slen - d->size);
		putchar('\n');
		if (id == SVF_SECT_QUEUES)
			svfi_print_queues(p + pos, slen);
		else
			svfi_print(d->prefix, d->fields, d->nr, p + pos, slen);
		pos += slen;
	}
	if (i < nr)
		printf("(%u more sections not shown)\n", nr - i);
	else if (pos < len)
		printf("%zu bytes after the last section\n", len - pos);
}

static int svfi_read(FILE *in, u8 **bufp, size_t *lenp)
{
	size_t len = 0, size = 0, got;
	u8 *buf = NULL, *nbuf;

	for (;;) {
		if (len == size) {
			if (size >= SVFI_MAX_INPUT)
				break;
			size = size ? 2 * size : 8192;
			nbuf = realloc(buf, size);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		got = fread(buf + len, 1, size - len, in);
		len += got;
		if (got)
			continue;
		if (ferror(in)) {
			free(buf);
			return errno ? -errno : -EIO;
		}
		break;
	}
	if (len == SVFI_MAX_INPUT && fgetc(in) != EOF) {
		free(buf);
		return -EFBIG;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static void svfi_usage(FILE *f)
{
	fprintf(f,
		"Usage: svf-inspect [-q] [-d VENDOR:DEVICE] [FILE]\n"
		"Print and validate an igbvf-vfio-pci migration stream or blob\n"
		"read from FILE (default or \"-\": stdin).\n"
		"  -d, --device V:D  PCI ids of the destination VF (default 8086:10ca)\n"
		"  -q, --quiet       print only the status line\n"
		"  -h, --help        this text\n"
		"Exit status: 0 valid, 1 invalid, 2 unreadable, 3 usage.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	unsigned int vendor = 0x8086, device = 0x10ca;
	const char *path = "-", *field = NULL;
	const char *compat_field = NULL, *blob_field = NULL;
	int quiet = 0, c, ret;
	struct svf_model m;
	size_t len, off = 0;
	u32 magic = 0;
	u16 minor = 0;
	FILE *in;
	struct svf_model gm;
	u8 *buf;
	char x;

	while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (sscanf(optarg, "%x:%x%c", &vendor, &device, &x) != 2 ||
			    vendor > 0xffff || device > 0xffff) {
				fprintf(stderr, "svf-inspect: bad PCI ids %s\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			svfi_usage(stdout);
			return 0;
		default:
			svfi_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		svfi_usage(stderr);
		return EXIT_USAGE;
	}

	in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!in) {
		fprintf(stderr, "svf-inspect: %s: %s\n", path, strerror(errno));
		return EXIT_UNREADABLE;
	}
	ret = svfi_read(in, &buf, &len);
	if (in != stdin)
		fclose(in);
	if (ret) {
		fprintf(stderr, "svf-inspect: %s: %s\n", path,
			ret == -EFBIG ? "larger than 1 MiB, not a stream" :
			strerror(-ret));
		return EXIT_UNREADABLE;
	}

	/*
	 * As the driver: a stream opens with the compatibility record. The
	 * first refusal is reported, the record's before the blob's.
	 */
	if (len >= sizeof(u32))
		magic = svfi_get(buf, 4);
	if (magic == SVF_COMPAT_MAGIC) {
		off = sizeof(struct svf_compat);
		if (len < off)
			field = "compat";
		else if (svf_compat_check(buf, vendor, device, &off, &minor,
					  &compat_field))
			field = compat_field;
		else if (len < off)
			field = "guest";
		else if (off > sizeof(struct svf_compat) &&
			 svf_guest_check(buf + sizeof(struct svf_compat), minor,
					 &gm, &compat_field))
			field = compat_field;
	}
	if (len >= off &&
	    svf_blob_decode(buf + off, len - off, vendor, device, &m,
			    &blob_field) && !field)
		field = blob_field ?: "(decoder named no field)";
	bad_field = field;

	if (!quiet) {
		printf("input: %s, %zu bytes, %s, destination %04x:%04x\n",
		       path, len, off ? "stream (compat records + blob)" :
		       "bare blob", vendor, device);
		if (off && len < off)
			printf("compat records: truncated (%zu of %zu bytes)\n",
			       len, off);
		else if (off)
			svfi_print_compat(buf, off);
		if (len >= off)
			svfi_print_blob(buf + off, len - off);
	}
	free(buf);
	if (field) {
		printf("status: invalid %s\n", field);
		fprintf(stderr, "svf-inspect: %s: migration state rejected: invalid %s\n",
			path, field);
		return EXIT_INVALID;
	}
	printf("status: valid\n");
	return EXIT_VALID;
}
