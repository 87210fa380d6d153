// SPDX-License-Identifier: GPL-2.0
/*
 * Encoding and validation of the igbvf-vfio-pci device-state blob.
 *
 * Everything in a blob comes from another host and is untrusted: the
 * decoder checks every length before it reads and every field before it is
 * stored, and names the first offending field. The same file builds in user
 * space for fuzzing (tools/testing/selftests/shadowvf/fuzz), hence the small
 * compatibility block below.
 */
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#else
#include "blob_user.h"
#endif
#include "model.h"

static_assert(offsetof(struct svf_pfcfg, nr_uc) == SVF_PFCFG_SIZE_V2,
	      "SVF_PFCFG_SIZE_V2 is the minor-2 PFCFG");

static u32 svf_crc(const void *buf, size_t len)
{
	return crc32_le(~0U, buf, len) ^ ~0U;
}

struct svf_writer {
	u8 *buf;
	size_t size, pos;
	u32 nr;
};

static void *svf_put_sect(struct svf_writer *w, u16 id, u16 len)
{
	struct svf_sect *s;

	if (w->pos + sizeof(*s) + len > w->size)
		return NULL;
	s = (struct svf_sect *)(w->buf + w->pos);
	s->id = cpu_to_le16(id);
	s->len = cpu_to_le16(len);
	w->pos += sizeof(*s) + len;
	w->nr++;
	return s + 1;
}

static void svf_put_pfcfg(struct svf_pfcfg *pf, const struct svf_model *m)
{
	int i;

	memcpy(pf->mac, m->mac, sizeof(pf->mac));
	pf->flags = cpu_to_le16(m->pf_flags);
	pf->max_frame = cpu_to_le32(m->max_frame);
	pf->promisc = cpu_to_le32(m->promisc);
	pf->nr_mc = cpu_to_le16(m->nr_mc);
	pf->nr_vlans = cpu_to_le16(m->nr_vlans);
	for (i = 0; i < SVF_MAX_MC; i++)
		pf->mc[i] = cpu_to_le16(m->mc[i]);
	for (i = 0; i < SVF_MAX_VLANS; i++)
		pf->vlans[i] = cpu_to_le16(m->vlans[i]);
	pf->nr_uc = cpu_to_le16(m->nr_uc);
	memcpy(pf->uc, m->uc, sizeof(pf->uc));
}

/**
 * svf_blob_encode() - serialize a model into a device-state blob
 * @m: the model
 * @vendor: PCI vendor id of the source VF
 * @device: PCI device id of the source VF
 * @buf: output buffer
 * @size: size of @buf
 *
 * Return: the blob length, or -ENOSPC if @buf is too small.
 */
int svf_blob_encode(const struct svf_model *m, u16 vendor, u16 device,
		    void *buf, size_t size)
{
	struct svf_writer w = { .buf = buf, .size = size,
				.pos = sizeof(struct svf_header) };
	struct svf_header *h = buf;
	struct svf_queues *q;
	struct svf_irq *irq;
	struct svf_mbx *mbx;
	struct svf_stats *st;
	struct svf_pfcfg *pf;
	int i;

	if (size < SVF_BLOB_SIZE)
		return -ENOSPC;
	memset(buf, 0, SVF_BLOB_SIZE);

	q = svf_put_sect(&w, SVF_SECT_QUEUES, sizeof(*q));
	for (i = 0; i < SVF_NR_QUEUES; i++) {
		const struct svf_model_rxq *r = &m->rx[i];
		const struct svf_model_txq *t = &m->tx[i];

		q->rx[i].rdbal = cpu_to_le32(r->rdbal);
		q->rx[i].rdbah = cpu_to_le32(r->rdbah);
		q->rx[i].rdlen = cpu_to_le32(r->rdlen);
		q->rx[i].srrctl = cpu_to_le32(r->srrctl);
		q->rx[i].rdh = cpu_to_le32(r->rdh);
		q->rx[i].rdt = cpu_to_le32(r->rdt);
		q->rx[i].rxdctl = cpu_to_le32(r->rxdctl);
		q->rx[i].rxctl = cpu_to_le32(r->rxctl);
		q->tx[i].tdbal = cpu_to_le32(t->tdbal);
		q->tx[i].tdbah = cpu_to_le32(t->tdbah);
		q->tx[i].tdlen = cpu_to_le32(t->tdlen);
		q->tx[i].tdh = cpu_to_le32(t->tdh);
		q->tx[i].tdt = cpu_to_le32(t->tdt);
		q->tx[i].txdctl = cpu_to_le32(t->txdctl);
		q->tx[i].txctl = cpu_to_le32(t->txctl);
		q->tx[i].tdwbal = cpu_to_le32(t->tdwbal);
		q->tx[i].tdwbah = cpu_to_le32(t->tdwbah);
	}
	q->psrtype = cpu_to_le32(m->psrtype);

	irq = svf_put_sect(&w, SVF_SECT_IRQ, sizeof(*irq));
	irq->eims = cpu_to_le32(m->eims);
	irq->eiac = cpu_to_le32(m->eiac);
	irq->eiam = cpu_to_le32(m->eiam);
	irq->ivar0 = cpu_to_le32(m->ivar0);
	irq->ivar_misc = cpu_to_le32(m->ivar_misc);
	for (i = 0; i < SVF_NR_VECTORS; i++)
		irq->eitr[i] = cpu_to_le32(m->eitr[i]);
	irq->pending = cpu_to_le32(m->irq_pending);

	mbx = svf_put_sect(&w, SVF_SECT_MBX, sizeof(*mbx));
	for (i = 0; i < SVF_MBX_WORDS; i++)
		mbx->vmbmem[i] = cpu_to_le32(m->vmbmem[i]);
	mbx->r2c = cpu_to_le32(m->r2c);

	st = svf_put_sect(&w, SVF_SECT_STATS, sizeof(*st));
	for (i = 0; i < SVF_NR_STATS; i++)
		st->val[i] = cpu_to_le32(m->stats[i]);

	pf = svf_put_sect(&w, SVF_SECT_PFCFG, sizeof(*pf));
	svf_put_pfcfg(pf, m);

	h->magic = cpu_to_le32(SVF_MAGIC);
	h->major = cpu_to_le16(SVF_VERSION_MAJOR);
	h->minor = cpu_to_le16(SVF_VERSION_MINOR);
	h->total_len = cpu_to_le32(w.pos);
	h->vendor = cpu_to_le16(vendor);
	h->device = cpu_to_le16(device);
	h->nr_sections = cpu_to_le32(w.nr);
	h->crc32 = cpu_to_le32(svf_crc(buf, w.pos));
	return w.pos;
}

static int svf_bad(const char **field, const char *name)
{
	*field = name;
	return -EINVAL;
}

/**
 * svf_compat_encode() - the records that open a stream (PRE_COPY's initial
 * bytes): compatibility, then the guest's
 * @vendor: PCI vendor id of the source VF
 * @device: PCI device id of the source VF
 * @m: the guest's PF-side configuration now and the VF's port VLAN (only
 *	those fields are read)
 * @buf: SVF_COMPAT_LEN bytes to fill
 */
void svf_compat_encode(u16 vendor, u16 device, const struct svf_model *m,
		       void *buf)
{
	struct svf_compat *c = buf;
	struct svf_guest *g = buf + sizeof(*c);

	memset(buf, 0, SVF_COMPAT_LEN);
	c->magic = cpu_to_le32(SVF_COMPAT_MAGIC);
	c->major = cpu_to_le16(SVF_VERSION_MAJOR);
	c->minor = cpu_to_le16(SVF_VERSION_MINOR);
	c->vendor = cpu_to_le16(vendor);
	c->device = cpu_to_le16(device);
	c->required = cpu_to_le32(SVF_REQUIRED_KNOWN);
	c->crc32 = cpu_to_le32(svf_crc(c, sizeof(*c)));
	g->magic = cpu_to_le32(SVF_GUEST_MAGIC);
	g->port_vlan = cpu_to_le32(m->port_vlan);
	svf_put_pfcfg(&g->pf, m);
	g->crc32 = cpu_to_le32(svf_crc(g, sizeof(*g)));
}

/**
 * svf_compat_check() - may this destination take the stream?
 * @buf: the compatibility record (sizeof(struct svf_compat) bytes)
 * @vendor: PCI vendor id of the destination VF
 * @device: PCI device id of the destination VF
 * @len: on success, the length of the records before the blob: the guest
 *	record follows if the source set SVF_REQ_GUEST (minor 4 on)
 * @minor: on success, the source's minor version
 * @field: on error, set to the name of the offending field
 *
 * Return: 0, or -EINVAL.
 */
int svf_compat_check(const void *buf, u16 vendor, u16 device, size_t *len,
		     u16 *minor, const char **field)
{
	struct svf_compat c;
	u32 crc;

	*field = NULL;
	memcpy(&c, buf, sizeof(c));
	if (le32_to_cpu(c.magic) != SVF_COMPAT_MAGIC)
		return svf_bad(field, "compat.magic");
	crc = le32_to_cpu(c.crc32);
	c.crc32 = 0;
	if (svf_crc(&c, sizeof(c)) != crc)
		return svf_bad(field, "compat.crc32");
	if (le16_to_cpu(c.major) != SVF_VERSION_MAJOR)
		return svf_bad(field, "compat.major");
	if (le16_to_cpu(c.vendor) != vendor || le16_to_cpu(c.device) != device)
		return svf_bad(field, "compat.device");
	if (le32_to_cpu(c.required) & ~SVF_REQUIRED_KNOWN)
		return svf_bad(field, "compat.required");
	if (c.reserved)
		return svf_bad(field, "compat.reserved");
	*len = sizeof(c);
	*minor = le16_to_cpu(c.minor);
	if (le32_to_cpu(c.required) & SVF_REQ_GUEST)
		*len += sizeof(struct svf_guest);
	return 0;
}

static int svf_check_ring(u32 base_lo, u32 len, u32 head, u32 tail,
			  u32 ctl, u32 ctl_valid, const char **field,
			  const char *const names[5])
{
	if (base_lo & (SVF_RING_ALIGN - 1))
		return svf_bad(field, names[0]);
	if (len % SVF_RING_ALIGN || len > SVF_RING_MAX)
		return svf_bad(field, names[1]);
	if (head >= len / 16 && (len || head))
		return svf_bad(field, names[2]);
	if (tail >= len / 16 && (len || tail))
		return svf_bad(field, names[3]);
	if (ctl & ~ctl_valid)
		return svf_bad(field, names[4]);
	/* an enabled queue needs a ring */
	if ((ctl & 0x02000000) && !len)
		return svf_bad(field, names[1]);
	return 0;
}

static const char *const svf_rx_names[SVF_NR_QUEUES][5] = {
	{ "rx0.rdbal", "rx0.rdlen", "rx0.rdh", "rx0.rdt", "rx0.rxdctl" },
	{ "rx1.rdbal", "rx1.rdlen", "rx1.rdh", "rx1.rdt", "rx1.rxdctl" },
};

static const char *const svf_tx_names[SVF_NR_QUEUES][5] = {
	{ "tx0.tdbal", "tx0.tdlen", "tx0.tdh", "tx0.tdt", "tx0.txdctl" },
	{ "tx1.tdbal", "tx1.tdlen", "tx1.tdh", "tx1.tdt", "tx1.txdctl" },
};

static int svf_get_queues(const struct svf_queues *q, struct svf_model *m,
			  const char **field)
{
	int i, ret;

	for (i = 0; i < SVF_NR_QUEUES; i++) {
		struct svf_model_rxq *r = &m->rx[i];
		struct svf_model_txq *t = &m->tx[i];

		r->rdbal = le32_to_cpu(q->rx[i].rdbal);
		r->rdbah = le32_to_cpu(q->rx[i].rdbah);
		r->rdlen = le32_to_cpu(q->rx[i].rdlen);
		r->srrctl = le32_to_cpu(q->rx[i].srrctl);
		r->rdh = le32_to_cpu(q->rx[i].rdh);
		r->rdt = le32_to_cpu(q->rx[i].rdt);
		r->rxdctl = le32_to_cpu(q->rx[i].rxdctl);
		r->rxctl = le32_to_cpu(q->rx[i].rxctl);
		ret = svf_check_ring(r->rdbal, r->rdlen, r->rdh, r->rdt,
				     r->rxdctl, SVF_RXDCTL_VALID, field,
				     svf_rx_names[i]);
		if (ret)
			return ret;
		if (r->srrctl & ~SVF_SRRCTL_VALID)
			return svf_bad(field, i ? "rx1.srrctl" : "rx0.srrctl");
		if (r->rxctl & ~SVF_RXCTL_VALID)
			return svf_bad(field, i ? "rx1.rxctl" : "rx0.rxctl");

		t->tdbal = le32_to_cpu(q->tx[i].tdbal);
		t->tdbah = le32_to_cpu(q->tx[i].tdbah);
		t->tdlen = le32_to_cpu(q->tx[i].tdlen);
		t->tdh = le32_to_cpu(q->tx[i].tdh);
		t->tdt = le32_to_cpu(q->tx[i].tdt);
		t->txdctl = le32_to_cpu(q->tx[i].txdctl);
		t->txctl = le32_to_cpu(q->tx[i].txctl);
		t->tdwbal = le32_to_cpu(q->tx[i].tdwbal);
		t->tdwbah = le32_to_cpu(q->tx[i].tdwbah);
		ret = svf_check_ring(t->tdbal, t->tdlen, t->tdh, t->tdt,
				     t->txdctl, SVF_TXDCTL_VALID, field,
				     svf_tx_names[i]);
		if (ret)
			return ret;
		/* head write-back: bit 0 enable, bit 1 reserved */
		if (t->tdwbal & 0x2)
			return svf_bad(field, i ? "tx1.tdwbal" : "tx0.tdwbal");
		if (t->txctl & ~SVF_TXCTL_VALID)
			return svf_bad(field, i ? "tx1.txctl" : "tx0.txctl");
	}
	m->psrtype = le32_to_cpu(q->psrtype);
	if (m->psrtype & ~SVF_PSRTYPE_VALID)
		return svf_bad(field, "queues.psrtype");
	return 0;
}

static int svf_get_irq(const struct svf_irq *irq, struct svf_model *m,
		       const char **field)
{
	int i;

	m->eims = le32_to_cpu(irq->eims);
	m->eiac = le32_to_cpu(irq->eiac);
	m->eiam = le32_to_cpu(irq->eiam);
	m->ivar0 = le32_to_cpu(irq->ivar0);
	m->ivar_misc = le32_to_cpu(irq->ivar_misc);
	m->irq_pending = le32_to_cpu(irq->pending);
	if (m->eims & ~SVF_VECTOR_MASK)
		return svf_bad(field, "irq.eims");
	if (m->eiac & ~SVF_VECTOR_MASK)
		return svf_bad(field, "irq.eiac");
	if (m->eiam & ~SVF_VECTOR_MASK)
		return svf_bad(field, "irq.eiam");
	if (m->ivar0 & ~SVF_IVAR_VALID)
		return svf_bad(field, "irq.ivar0");
	if (m->ivar_misc & ~SVF_IVAR_MISC_VALID)
		return svf_bad(field, "irq.ivar_misc");
	if (m->irq_pending & ~SVF_VECTOR_MASK)
		return svf_bad(field, "irq.pending");
	for (i = 0; i < SVF_NR_VECTORS; i++) {
		m->eitr[i] = le32_to_cpu(irq->eitr[i]);
		if (m->eitr[i] & ~SVF_EITR_VALID)
			return svf_bad(field, "irq.eitr");
	}
	return 0;
}

static int svf_get_mbx(const struct svf_mbx *mbx, struct svf_model *m,
		       u16 minor, const char **field)
{
	u32 valid = SVF_R2C_VALID | (minor >= 3 ? SVF_MBX_VFU : 0);
	int i;

	for (i = 0; i < SVF_MBX_WORDS; i++)
		m->vmbmem[i] = le32_to_cpu(mbx->vmbmem[i]);
	m->r2c = le32_to_cpu(mbx->r2c);
	if (m->r2c & ~valid)
		return svf_bad(field, "mbx.r2c");
	return 0;
}

static int svf_get_stats(const struct svf_stats *st, struct svf_model *m,
			 u16 minor)
{
	int i;

	m->nr_stats = minor >= 3 ? SVF_NR_STATS : SVF_NR_STATS_V2;
	for (i = 0; i < m->nr_stats; i++)
		m->stats[i] = le32_to_cpu(st->val[i]);
	return 0;
}

/* A unicast MAC address the PF can filter: not multicast, not zero. */
static bool svf_unicast(const u8 *a)
{
	return !(a[0] & 1) && (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]);
}

static int svf_get_pfcfg(const struct svf_pfcfg *pf, struct svf_model *m,
			 u16 minor, const char **field)
{
	u16 flags = minor >= 3 ? SVF_PF_FLAGS : SVF_PF_FLAGS_V2;
	int i, j;

	memcpy(m->mac, pf->mac, sizeof(m->mac));
	m->pf_flags = le16_to_cpu(pf->flags);
	m->max_frame = le32_to_cpu(pf->max_frame);
	m->promisc = le32_to_cpu(pf->promisc);
	m->nr_mc = le16_to_cpu(pf->nr_mc);
	m->nr_vlans = le16_to_cpu(pf->nr_vlans);
	if (m->pf_flags & ~flags)
		return svf_bad(field, "pf.flags");
	if ((m->pf_flags & SVF_PF_VLAN_STRIP) &&
	    !(m->pf_flags & SVF_PF_VLAN_STRIP_SET))
		return svf_bad(field, "pf.flags");
	if ((m->pf_flags & SVF_PF_MAC_SET) && !svf_unicast(m->mac))
		return svf_bad(field, "pf.mac");
	if (m->max_frame > SVF_MAX_FRAME)
		return svf_bad(field, "pf.max_frame");
	if (m->promisc & ~SVF_PROMISC_VALID)
		return svf_bad(field, "pf.promisc");
	if (m->nr_mc > SVF_MAX_MC ||
	    (m->pf_flags & SVF_PF_MC_OVERFLOW && m->nr_mc != SVF_MAX_MC))
		return svf_bad(field, "pf.nr_mc");
	if (m->nr_vlans > SVF_MAX_VLANS)
		return svf_bad(field, "pf.nr_vlans");
	for (i = 0; i < SVF_MAX_MC; i++)
		m->mc[i] = le16_to_cpu(pf->mc[i]);
	for (i = 0; i < SVF_MAX_VLANS; i++) {
		m->vlans[i] = le16_to_cpu(pf->vlans[i]);
		if (i >= m->nr_vlans)
			continue;
		if (m->vlans[i] < 1 || m->vlans[i] > 4095)
			return svf_bad(field, "pf.vlans");
		for (j = 0; j < i; j++)
			if (m->vlans[j] == m->vlans[i])
				return svf_bad(field, "pf.vlans");
	}
	if (minor < 3)
		return 0;
	m->nr_uc = le16_to_cpu(pf->nr_uc);
	if (m->nr_uc > SVF_MAX_UC)
		return svf_bad(field, "pf.nr_uc");
	memcpy(m->uc, pf->uc, sizeof(m->uc));
	for (i = 0; i < m->nr_uc; i++) {
		if (!svf_unicast(m->uc[i]))
			return svf_bad(field, "pf.uc");
		for (j = 0; j < i; j++)
			if (!memcmp(m->uc[j], m->uc[i], 6))
				return svf_bad(field, "pf.uc");
	}
	return 0;
}

/**
 * svf_guest_check() - decode the guest record that follows a compatibility
 * record with SVF_REQ_GUEST
 * @buf: the record (sizeof(struct svf_guest) bytes)
 * @minor: the source's minor version, from its compatibility record
 * @m: the model whose PF-side configuration and port VLAN are set from it
 * @field: on error, set to the name of the offending field
 *
 * The configuration is validated as the blob's PFCFG section is. The port
 * VLAN of a source before minor 5 is SVF_PORT_VLAN_UNKNOWN.
 *
 * Return: 0, or -EINVAL.
 */
int svf_guest_check(const void *buf, u16 minor, struct svf_model *m,
		    const char **field)
{
	struct svf_guest g;
	u32 crc, pv;

	*field = NULL;
	memcpy(&g, buf, sizeof(g));
	if (le32_to_cpu(g.magic) != SVF_GUEST_MAGIC)
		return svf_bad(field, "guest.magic");
	crc = le32_to_cpu(g.crc32);
	g.crc32 = 0;
	if (svf_crc(&g, sizeof(g)) != crc)
		return svf_bad(field, "guest.crc32");
	pv = le32_to_cpu(g.port_vlan);
	if (minor < 5 && pv)
		return svf_bad(field, "guest.port_vlan");
	if (pv != SVF_PORT_VLAN_UNKNOWN && pv & ~SVF_PORT_VLAN_VALID)
		return svf_bad(field, "guest.port_vlan");
	m->port_vlan = minor < 5 ? SVF_PORT_VLAN_UNKNOWN : pv;
	return svf_get_pfcfg(&g.pf, m, SVF_VERSION_MINOR, field);
}

/**
 * svf_blob_decode() - validate a device-state blob and load it into a model
 * @buf: the blob
 * @len: its length as received
 * @vendor: PCI vendor id of the destination VF
 * @device: PCI device id of the destination VF
 * @m: the model to fill (undefined on error)
 * @field: on error, set to the name of the first offending field
 *
 * Return: 0, or -EINVAL for any malformed, foreign or out-of-range content.
 */
int svf_blob_decode(const void *buf, size_t len, u16 vendor, u16 device,
		    struct svf_model *m, const char **field)
{
	const u8 *p = buf;
	struct svf_header h;
	u32 seen = 0, nr, i, crc;
	size_t pos, need;
	u16 minor;
	int ret;

	*field = NULL;
	memset(m, 0, sizeof(*m));
	if (len < sizeof(h))
		return svf_bad(field, "header");
	memcpy(&h, buf, sizeof(h));
	if (le32_to_cpu(h.magic) != SVF_MAGIC)
		return svf_bad(field, "magic");
	if (le16_to_cpu(h.major) != SVF_VERSION_MAJOR)
		return svf_bad(field, "major");
	minor = le16_to_cpu(h.minor);
	if (le32_to_cpu(h.total_len) != len || len > SVF_MAX_BLOB)
		return svf_bad(field, "total_len");
	if (le16_to_cpu(h.vendor) != vendor ||
	    le16_to_cpu(h.device) != device)
		return svf_bad(field, "device");
	crc = le32_to_cpu(h.crc32);
	h.crc32 = 0;
	if ((crc32_le(crc32_le(~0U, (const u8 *)&h, sizeof(h)), p + sizeof(h),
		      len - sizeof(h)) ^ ~0U) != crc)
		return svf_bad(field, "crc32");

	nr = le32_to_cpu(h.nr_sections);
	if (nr > 64)
		return svf_bad(field, "nr_sections");
	pos = sizeof(h);
	for (i = 0; i < nr; i++) {
		/* payloads may sit at any offset: parse an aligned copy */
		union {
			struct svf_queues q;
			struct svf_irq irq;
			struct svf_mbx mbx;
			struct svf_stats st;
			struct svf_pfcfg pf;
		} b;
		struct svf_sect s;
		const u8 *body;
		u16 id, slen;

		if (len - pos < sizeof(s))
			return svf_bad(field, "section");
		memcpy(&s, p + pos, sizeof(s));
		id = le16_to_cpu(s.id);
		slen = le16_to_cpu(s.len);
		pos += sizeof(s);
		if (len - pos < slen)
			return svf_bad(field, "section.len");
		body = p + pos;
		pos += slen;
		if (id < SVF_SECT_QUEUES || id > SVF_SECT_PFCFG)
			continue;	/* a newer minor's section */
		if (seen & (1U << id))
			return svf_bad(field, "section.id");
		seen |= 1U << id;
		switch (id) {
		case SVF_SECT_QUEUES:
			if (slen < sizeof(b.q))
				return svf_bad(field, "queues.len");
			memcpy(&b.q, body, sizeof(b.q));
			ret = svf_get_queues(&b.q, m, field);
			break;
		case SVF_SECT_IRQ:
			if (slen < sizeof(b.irq))
				return svf_bad(field, "irq.len");
			memcpy(&b.irq, body, sizeof(b.irq));
			ret = svf_get_irq(&b.irq, m, field);
			break;
		case SVF_SECT_MBX:
			if (slen < sizeof(b.mbx))
				return svf_bad(field, "mbx.len");
			memcpy(&b.mbx, body, sizeof(b.mbx));
			ret = svf_get_mbx(&b.mbx, m, minor, field);
			break;
		case SVF_SECT_STATS:
			/* up to minor 2, five counters */
			need = (minor >= 3 ? SVF_NR_STATS : SVF_NR_STATS_V2) * 4;
			if (slen < need)
				return svf_bad(field, "stats.len");
			memset(&b.st, 0, sizeof(b.st));
			memcpy(&b.st, body, slen < sizeof(b.st) ? slen : sizeof(b.st));
			ret = svf_get_stats(&b.st, m, minor);
			break;
		default:
			need = minor >= 3 ? sizeof(b.pf) : SVF_PFCFG_SIZE_V2;
			if (slen < need)
				return svf_bad(field, "pf.len");
			memset(&b.pf, 0, sizeof(b.pf));
			memcpy(&b.pf, body, slen < sizeof(b.pf) ? slen : sizeof(b.pf));
			ret = svf_get_pfcfg(&b.pf, m, minor, field);
			break;
		}
		if (ret)
			return ret;
	}
	if (pos != len)
		return svf_bad(field, "total_len");
	if (seen != 0x3e)
		return svf_bad(field, "section.missing");
	return 0;
}
