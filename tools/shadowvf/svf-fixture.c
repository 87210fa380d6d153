// SPDX-License-Identifier: GPL-2.0
/*
 * svf-fixture: write a device-state blob with known values for the tests
 * of svf-inspect (tools/testbed/check.sh, stage "tools").
 *
 * The blob is a fixed model encoded by svf_blob_encode() of the driver's
 * blob.c. The encoder serializes without validating, so an invalid model
 * gives an invalid blob with a correct checksum: each variant breaks one
 * rule of Documentation/igbvf-state.rst and the decoder must name its
 * field.
 *
 * Usage: svf-fixture [-s] [VARIANT] > FILE
 *   -s        a stream: the compatibility record, then the blob
 *   VARIANT   valid (default), or one of the names "svf-fixture -l" lists
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "blob_user.h"
#include "model.h"

#define FIX_VENDOR	0x8086
#define FIX_DEVICE	0x10ca
#define FIX_UNKNOWN_ID	9	/* no such section in 1.x so far */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static void fix_model(struct svf_model *m)
{
	static const u8 mac[6] = { 0x02, 0x5f, 0x00, 0x00, 0x00, 0x2a };
	static const u8 uc[6] = { 0x02, 0x5f, 0x00, 0x00, 0x00, 0x2b };

	memset(m, 0, sizeof(*m));
	m->rx[0].rdbal = 0x12340000;
	m->rx[0].rdbah = 0x1;
	m->rx[0].rdlen = 4096;
	m->rx[0].srrctl = 0x82000002;
	m->rx[0].rdh = 3;
	m->rx[0].rdt = 255;
	m->rx[0].rxdctl = 0x02040810;
	m->tx[0].tdbal = 0x12380000;
	m->tx[0].tdbah = 0x1;
	m->tx[0].tdlen = 4096;
	m->tx[0].tdh = 17;
	m->tx[0].tdt = 17;
	m->tx[0].txdctl = 0x02010108;
	m->tx[0].tdwbal = 0x12390001;
	m->tx[0].tdwbah = 0x1;
	m->eims = 0x7;
	m->eiac = 0x7;
	m->eiam = 0x7;
	m->ivar0 = 0x8081;
	m->ivar_misc = 0x82;
	m->eitr[0] = 0x2a8;
	m->eitr[1] = 0x2a8;
	m->irq_pending = 0x1;
	m->vmbmem[0] = 0x80000001;
	m->r2c = 0x20 | SVF_MBX_VFU;	/* PFACK */
	m->stats[0] = 12345;
	m->stats[1] = 678;
	m->stats[2] = 1234567;
	m->stats[3] = 89012;
	m->stats[4] = 3;
	m->stats[5] = 5;
	m->stats[6] = 6;
	m->stats[7] = 7;
	m->stats[8] = 8;
	m->nr_stats = SVF_NR_STATS;
	memcpy(m->mac, mac, sizeof(mac));
	m->pf_flags = SVF_PF_MAC_SET | SVF_PF_LPE_SET | SVF_PF_PROMISC_SET |
		      SVF_PF_VLAN_STRIP_SET | SVF_PF_VLAN_STRIP;
	m->max_frame = 9018;
	m->promisc = 0x20000;
	m->nr_mc = 3;
	m->mc[0] = 0x123;
	m->mc[1] = 0x456;
	m->mc[2] = 0x789;
	m->nr_vlans = 3;
	m->vlans[0] = 1;
	m->vlans[1] = 100;
	m->vlans[2] = 4095;
	m->nr_uc = 1;
	memcpy(m->uc[0], uc, sizeof(uc));
	/* the source host's, in the guest record of a stream */
	m->port_vlan = 100 | 3 << SVF_PORT_VLAN_QOS_SHIFT;
}

static void bad_port_vlan(struct svf_model *m)
{
	m->port_vlan = 0x10064;	/* a reserved bit */
}

static void bad_rdlen(struct svf_model *m)
{
	m->rx[0].rdlen = 404;
}

static void bad_rdh(struct svf_model *m)
{
	m->rx[0].rdh = 256;
}

/* the lowest bit no minor defines */
static void bad_pf_flags(struct svf_model *m)
{
	m->pf_flags |= SVF_PF_FLAGS + 1;
}

static void bad_mac(struct svf_model *m)
{
	m->mac[0] |= 1;
}

static void bad_vlans(struct svf_model *m)
{
	m->vlans[2] = m->vlans[1];
}

static void bad_eitr(struct svf_model *m)
{
	m->eitr[2] = 0x1;
}

static void bad_r2c(struct svf_model *m)
{
	m->r2c = 0x1;
}

/* Changes of the encoded blob (@len bytes in a buffer of SVF_MAX_BLOB). */
static int post_crc(u8 *b, int len)
{
	b[len - 1] ^= 0x40;	/* in the PF config, after the checksum */
	return len;
}

static void fix_crc(u8 *b, int len)
{
	struct svf_header *h = (struct svf_header *)b;

	h->crc32 = 0;
	h->crc32 = cpu_to_le32(crc32_le(~0U, b, len) ^ ~0U);
}

/* a section of a later minor version: valid, the decoder skips it */
static int post_unknown(u8 *b, int len)
{
	struct svf_header *h = (struct svf_header *)b;
	struct svf_sect s = { cpu_to_le16(FIX_UNKNOWN_ID), cpu_to_le16(8) };

	memcpy(b + len, &s, sizeof(s));
	memset(b + len + sizeof(s), 0xa5, 8);
	len += sizeof(s) + 8;
	h->total_len = cpu_to_le32(len);
	h->nr_sections = cpu_to_le32(le32_to_cpu(h->nr_sections) + 1);
	fix_crc(b, len);
	return len;
}

/*
 * What a minor-2 source sends: five counters, PF config without unicast
 * filters, none of the minor-3 bits.
 */
static void v2_model(struct svf_model *m)
{
	m->r2c &= ~SVF_MBX_VFU;
	m->pf_flags &= SVF_PF_FLAGS_V2;
	m->nr_stats = SVF_NR_STATS_V2;
}

static int post_v2(u8 *b, int len)
{
	struct svf_header *h = (struct svf_header *)b;
	static u8 out[SVF_MAX_BLOB];
	size_t in = sizeof(*h), pos = sizeof(*h);
	struct svf_sect s;
	u32 i, nr = le32_to_cpu(h->nr_sections);
	u16 slen;

	for (i = 0; i < nr; i++) {
		memcpy(&s, b + in, sizeof(s));
		slen = le16_to_cpu(s.len);
		in += sizeof(s);
		if (le16_to_cpu(s.id) == SVF_SECT_STATS)
			s.len = cpu_to_le16(SVF_NR_STATS_V2 * 4);
		if (le16_to_cpu(s.id) == SVF_SECT_PFCFG)
			s.len = cpu_to_le16(SVF_PFCFG_SIZE_V2);
		memcpy(out + pos, &s, sizeof(s));
		memcpy(out + pos + sizeof(s), b + in, le16_to_cpu(s.len));
		pos += sizeof(s) + le16_to_cpu(s.len);
		in += slen;
	}
	memcpy(out, b, sizeof(*h));
	memcpy(b, out, pos);
	h->minor = cpu_to_le16(2);
	h->total_len = cpu_to_le32(pos);
	fix_crc(b, pos);
	return pos;
}

/* a known section twice */
static int post_dup(u8 *b, int len)
{
	struct svf_header *h = (struct svf_header *)b;
	struct svf_sect s = { cpu_to_le16(SVF_SECT_STATS),
			      cpu_to_le16(sizeof(struct svf_stats)) };

	memcpy(b + len, &s, sizeof(s));
	memset(b + len + sizeof(s), 0, sizeof(struct svf_stats));
	len += sizeof(s) + sizeof(struct svf_stats);
	h->total_len = cpu_to_le32(len);
	h->nr_sections = cpu_to_le32(le32_to_cpu(h->nr_sections) + 1);
	fix_crc(b, len);
	return len;
}

static const struct fix_variant {
	const char *name;
	void (*model)(struct svf_model *m);
	int (*post)(u8 *b, int len);
	const char *field;	/* what the decoder must name, NULL: valid */
} variants[] = {
	{ "valid", NULL, NULL, NULL },
	{ "unknown-section", NULL, post_unknown, NULL },
	{ "v1.2", v2_model, post_v2, NULL },
	{ "rdlen", bad_rdlen, NULL, "rx0.rdlen" },
	{ "rdh", bad_rdh, NULL, "rx0.rdh" },
	{ "pf-flags", bad_pf_flags, NULL, "pf.flags" },
	{ "mac", bad_mac, NULL, "pf.mac" },
	{ "vlans", bad_vlans, NULL, "pf.vlans" },
	{ "eitr", bad_eitr, NULL, "irq.eitr" },
	{ "r2c", bad_r2c, NULL, "mbx.r2c" },
	{ "port-vlan", bad_port_vlan, NULL, "guest.port_vlan" },
	{ "crc", NULL, post_crc, "crc32" },
	{ "dup-section", NULL, post_dup, "section.id" },
};

int main(int argc, char **argv)
{
	const struct fix_variant *v = NULL;
	static u8 blob[SVF_MAX_BLOB];
	const char *name = "valid";
	static u8 records[SVF_COMPAT_LEN];
	struct svf_model m;
	int stream = 0, len, i, opt;

	while ((opt = getopt(argc, argv, "sl")) != -1) {
		switch (opt) {
		case 's':
			stream = 1;
			break;
		case 'l':
			for (i = 0; i < (int)ARRAY_SIZE(variants); i++)
				printf("%s %s\n", variants[i].name,
				       variants[i].field ?: "valid");
			return 0;
		default:
			fprintf(stderr, "Usage: svf-fixture [-s] [VARIANT] > FILE\n");
			return 2;
		}
	}
	if (optind < argc)
		name = argv[optind];
	for (i = 0; i < (int)ARRAY_SIZE(variants); i++)
		if (!strcmp(variants[i].name, name))
			v = &variants[i];
	if (!v) {
		fprintf(stderr, "svf-fixture: no variant %s (see -l)\n", name);
		return 2;
	}

	fix_model(&m);
	if (v->model)
		v->model(&m);
	len = svf_blob_encode(&m, FIX_VENDOR, FIX_DEVICE, blob, sizeof(blob));
	if (len < 0) {
		fprintf(stderr, "svf-fixture: encode: %d\n", len);
		return 1;
	}
	if (v->post)
		len = v->post(blob, len);
	if (stream) {
		svf_compat_encode(FIX_VENDOR, FIX_DEVICE, &m, records);
		if (fwrite(records, sizeof(records), 1, stdout) != 1)
			return 1;
	}
	if (fwrite(blob, len, 1, stdout) != 1 || fflush(stdout))
		return 1;
	return 0;
}
