/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulated-adapter models that the user-space fuzz tools encode with
 * svf_blob_encode() (blob.c built in user space) into valid blobs.
 */
#ifndef _SHADOWVF_FUZZ_MODELS_H
#define _SHADOWVF_FUZZ_MODELS_H

#include <string.h>
#include "model.h"

enum { SVFM_ZERO, SVFM_GUEST, SVFM_LIMITS, SVFM_NR };

static inline const char *svfm_name(int n)
{
	static const char *const names[SVFM_NR] = { "zero", "guest", "limits" };

	return names[n];
}

/*
 * What igbvf's bring-up leaves: 256-descriptor rings, MAC, two VLANs (the
 * last one set stripping), a secondary MAC (macvlan).
 */
static inline void svfm_guest(struct svf_model *m)
{
	static const __u8 mac[6] = { 0x02, 0x5f, 0x00, 0x00, 0x00, 0x01 };
	int q;

	for (q = 0; q < SVF_NR_QUEUES; q++) {
		m->rx[q].rdbal = 0x12340000 + 0x1000 * q;
		m->rx[q].rdlen = 4096;
		m->rx[q].srrctl = 0x82000002;
		m->rx[q].rdt = 255;
		m->rx[q].rxdctl = 0x02040810;
		m->tx[q].tdbal = 0x12380000 + 0x1000 * q;
		m->tx[q].tdlen = 4096;
		m->tx[q].tdh = 17;
		m->tx[q].tdt = 17;
		m->tx[q].txdctl = 0x02010108;
	}
	m->eims = 0x7;
	m->eiac = 0x7;
	m->eiam = 0x7;
	m->ivar0 = 0x8081;
	m->ivar_misc = 0x82;
	m->eitr[0] = 0x2a8;
	m->eitr[1] = 0x2a8;
	m->vmbmem[0] = 0x80000001;
	m->r2c = 0x20;
	m->stats[0] = 29;
	m->stats[1] = 28;
	memcpy(m->mac, mac, sizeof(mac));
	m->pf_flags = 0x3 | SVF_PF_VLAN_STRIP_SET | SVF_PF_VLAN_STRIP;
	m->nr_uc = 1;
	memcpy(m->uc[0], mac, sizeof(mac));
	m->uc[0][5] = 0x11;
	m->max_frame = 1522;
	m->nr_mc = 2;
	m->mc[0] = 0x123;
	m->mc[1] = 0x456;
	m->nr_vlans = 2;
	m->vlans[0] = 1;
	m->vlans[1] = 100;
}

/* Every field at the edge of what the rules allow. */
static inline void svfm_limits(struct svf_model *m)
{
	int i;

	for (i = 0; i < SVF_NR_QUEUES; i++) {
		m->rx[i].rdbal = 0xFFFFFF80;
		m->rx[i].rdbah = 0xFFFFFFFF;
		m->rx[i].rdlen = SVF_RING_MAX;
		m->rx[i].srrctl = 0xFE7F3F7F;
		m->rx[i].rdh = SVF_RING_MAX / 16 - 1;
		m->rx[i].rdt = SVF_RING_MAX / 16 - 1;
		m->rx[i].rxdctl = 0x023F3F3F;
		m->rx[i].rxctl = 0xFF00AAE0;
		m->tx[i].tdbal = 0xFFFFFF80;
		m->tx[i].tdlen = SVF_RING_ALIGN;
		m->tx[i].tdh = SVF_RING_ALIGN / 16 - 1;
		m->tx[i].txdctl = 0x023F3F3F;
		m->tx[i].tdwbal = 0xFFFFFFFD;
		m->tx[i].txctl = 0xFF002A20;
	}
	m->psrtype = 0xE0001FFE;
	m->eims = 0x7;
	m->eiac = 0x7;
	m->eiam = 0x7;
	m->ivar0 = 0x83838383;
	m->ivar_misc = 0x83;
	for (i = 0; i < SVF_NR_VECTORS; i++)
		m->eitr[i] = 0x80007FFC;
	m->irq_pending = 0x7;
	m->r2c = 0xB4;
	for (i = 0; i < SVF_NR_STATS; i++)
		m->stats[i] = 0xFFFFFFFF - i;
	memset(m->mac, 0xfe, sizeof(m->mac));
	m->nr_uc = SVF_MAX_UC;
	for (i = 0; i < SVF_MAX_UC; i++) {
		memset(m->uc[i], 0xfe, 6);
		m->uc[i][5] = i;
	}
	m->pf_flags = SVF_PF_FLAGS;	/* MC overflow too */
	m->max_frame = 9728;
	m->promisc = 0x30000;
	m->nr_mc = SVF_MAX_MC;
	for (i = 0; i < SVF_MAX_MC; i++)
		m->mc[i] = 0xFFFF - i;
	m->nr_vlans = SVF_MAX_VLANS;
	for (i = 0; i < SVF_MAX_VLANS; i++)
		m->vlans[i] = i ? 4096 - i : 1;
}

static inline void svfm_build(int n, struct svf_model *m)
{
	memset(m, 0, sizeof(*m));
	if (n == SVFM_GUEST)
		svfm_guest(m);
	else if (n == SVFM_LIMITS)
		svfm_limits(m);
}

#endif
