/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulated adapter: a software model of one 82576 VF with the same
 * register layout, host endian. It is what travels in the device-state
 * blob (include/linux/shadowvf/igbvf_state.h) and what a destination VF is
 * programmed from. blob.c converts it; it builds in the kernel and in user
 * space (fuzzer), so this header uses only fixed-size types.
 */
#ifndef _IGBVF_VFIO_MODEL_H
#define _IGBVF_VFIO_MODEL_H

#include <linux/types.h>
#include <linux/shadowvf/igbvf_state.h>

struct svf_model_rxq {
	__u32 rdbal, rdbah, rdlen, srrctl, rdh, rdt, rxdctl, rxctl;
};

struct svf_model_txq {
	__u32 tdbal, tdbah, tdlen, tdh, tdt, txdctl, txctl, tdwbal, tdwbah;
};

struct svf_model {
	struct svf_model_rxq rx[SVF_NR_QUEUES];
	struct svf_model_txq tx[SVF_NR_QUEUES];
	__u32 psrtype;
	/* interrupt configuration, tracked from the guest's writes */
	__u32 eims, eiac, eiam, ivar0, ivar_misc;
	__u32 eitr[SVF_NR_VECTORS];
	__u32 irq_pending;	/* vectors to raise when the VF runs again */
	/* mailbox */
	__u32 vmbmem[SVF_MBX_WORDS];
	__u32 r2c;		/* and SVF_MBX_VFU */
	/* statistics as the guest sees them (nr_stats of them carried) */
	__u32 stats[SVF_NR_STATS];
	__u32 nr_stats;
	/* PF-side configuration the guest asked for */
	__u8 mac[6];
	__u16 pf_flags;
	__u32 max_frame;
	__u32 promisc;
	__u16 nr_mc, nr_vlans;
	__u16 mc[SVF_MAX_MC];
	__u16 vlans[SVF_MAX_VLANS];
	__u16 nr_uc;
	__u8 uc[SVF_MAX_UC][6];
	/*
	 * The host's, not the guest's: the VF's administrative port VLAN
	 * (SVF_PORT_VLAN_*), carried in the guest record only
	 */
	__u32 port_vlan;
};

/* Register bits the validator enforces (82576 datasheet / igbvf). */
#define SVF_RXDCTL_VALID	0x023F3F3F	/* PTHRESH HTHRESH WTHRESH ENABLE SWFLSH */
#define SVF_TXDCTL_VALID	0x023F3F3F
#define SVF_SRRCTL_VALID	0xFE7F3F7F	/* bits 7, 14-15, 23-24 reserved */
/* DCA_RXCTRL/DCA_TXCTRL: DCA enables, relaxed ordering, 82576 CPUID */
#define SVF_RXCTL_VALID		0xFF00AAE0
#define SVF_TXCTL_VALID		0xFF002A20
/* header split types (bits 1-12), queues per pool (29-31) */
#define SVF_PSRTYPE_VALID	0xE0001FFE
#define SVF_IVAR_VALID		0x83838383
#define SVF_IVAR_MISC_VALID	0x00000083
#define SVF_EITR_VALID		0x80007FFC
#define SVF_R2C_VALID		0x000000B0	/* PFSTS PFACK RSTD */
#define SVF_MBX_VFU		0x00000004	/* in r2c from minor 3 */
#define SVF_PROMISC_VALID	0x00030000
#define SVF_MAX_FRAME		0x2600	/* 9728, what igb accepts */

int svf_blob_encode(const struct svf_model *m, __u16 vendor, __u16 device,
		    void *buf, size_t size);
void svf_compat_encode(__u16 vendor, __u16 device, const struct svf_model *m,
		       void *buf);
int svf_compat_check(const void *buf, __u16 vendor, __u16 device,
		     size_t *len, __u16 *minor, const char **field);
int svf_guest_check(const void *buf, __u16 minor, struct svf_model *m,
		    const char **field);
int svf_blob_decode(const void *buf, size_t len, __u16 vendor, __u16 device,
		    struct svf_model *m, const char **field);

#endif
