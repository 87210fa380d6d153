/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Device-state blob of igbvf-vfio-pci: the emulated-adapter model of an
 * Intel 82576 VF as carried in QEMU's migration stream (VFIO data_fd).
 * Little endian throughout. Described in Documentation/igbvf-state.rst.
 *
 * The stream (minor 2 on) is a compatibility record, sent as PRE_COPY's
 * initial bytes so that a destination can refuse before the source stops,
 * (minor 4) a guest record the destination checks against its own VF
 * (minor 5: with the source VF's port VLAN), then the blob:
 *
 *   [struct svf_compat] [struct svf_guest] header | section | section | ...
 *
 * Each section is a struct svf_sect header followed by len bytes. A reader
 * accepts the same major version only; a higher minor may append sections
 * (unknown section ids are skipped) and may grow a known section (extra
 * trailing bytes are ignored). The checksum is CRC32 (IEEE, as crc32_le
 * with seed ~0 and final xor) over the whole blob with the crc field zero.
 */
#ifndef _SHADOWVF_IGBVF_STATE_H
#define _SHADOWVF_IGBVF_STATE_H

#include <linux/types.h>

#define SVF_MAGIC		0x31465653	/* "SVF1" */
#define SVF_VERSION_MAJOR	1
/*
 * 1: SVF_PF_MC_OVERFLOW; 2: svf_compat; 3: loopback statistics, unicast
 * MAC filters, VLAN stripping, the guest's VFU (all SVF_REQ_*); 4: the
 * guest record (SVF_REQ_GUEST); 5: svf_guest.port_vlan
 */
#define SVF_VERSION_MINOR	5
#define SVF_MAX_BLOB		4096

#define SVF_COMPAT_MAGIC	0x43465653	/* "SVFC" */

/*
 * What a destination must accept before the source commits to it. A reader
 * refuses a different major, other PCI ids, and any @required bit it does
 * not know: a feature the blob will use that it cannot ignore.
 */
struct svf_compat {
	__le32 magic;
	__le16 major;		/* of the blob that follows */
	__le16 minor;
	__le16 vendor;		/* PCI ids of the source VF */
	__le16 device;
	__le32 required;	/* must-understand features (SVF_REQ_*) */
	__le32 reserved;	/* zero */
	__le32 crc32;		/* as the blob's, with this field zero */
};

/*
 * State a destination must carry over or refuse the stream. A source sets
 * every bit its blobs may use: the final state is not known when PRE_COPY
 * sends the record.
 */
#define SVF_REQ_LB_STATS	0x1	/* svf_stats: four loopback counters */
#define SVF_REQ_UC_FILTERS	0x2	/* svf_pfcfg: extra unicast MAC filters */
#define SVF_REQ_VLAN_STRIP	0x4	/* svf_pfcfg: SVF_PF_VLAN_STRIP(_SET) */
#define SVF_REQ_MBX_VFU		0x8	/* svf_mbx: the guest owned the mailbox */
#define SVF_REQ_GUEST		0x10	/* a struct svf_guest follows the record */
#define SVF_REQUIRED_KNOWN	0x1f

struct svf_header {
	__le32 magic;
	__le16 major;
	__le16 minor;
	__le32 total_len;	/* header + all sections */
	__le16 vendor;		/* PCI ids of the VF the state belongs to */
	__le16 device;
	__le32 nr_sections;
	__le32 crc32;
};

struct svf_sect {
	__le16 id;
	__le16 len;		/* payload bytes after this header */
};

enum svf_sect_id {
	SVF_SECT_QUEUES = 1,	/* struct svf_queues */
	SVF_SECT_IRQ = 2,	/* struct svf_irq */
	SVF_SECT_MBX = 3,	/* struct svf_mbx */
	SVF_SECT_STATS = 4,	/* struct svf_stats */
	SVF_SECT_PFCFG = 5,	/* struct svf_pfcfg */
};

#define SVF_NR_QUEUES		2
#define SVF_RING_ALIGN		128	/* RDLEN/TDLEN granularity */
#define SVF_RING_MAX		(4096 * 16)	/* 4096 descriptors */

struct svf_rxq {
	__le32 rdbal, rdbah, rdlen, srrctl, rdh, rdt, rxdctl, rxctl;
};

struct svf_txq {
	__le32 tdbal, tdbah, tdlen, tdh, tdt, txdctl, txctl, tdwbal, tdwbah;
};

struct svf_queues {
	struct svf_rxq rx[SVF_NR_QUEUES];
	struct svf_txq tx[SVF_NR_QUEUES];
	__le32 psrtype;
};

#define SVF_NR_VECTORS		3
#define SVF_VECTOR_MASK		0x7

struct svf_irq {
	__le32 eims;		/* mask as the guest set it (EIMS/EIMC writes) */
	__le32 eiac;
	__le32 eiam;
	__le32 ivar0;
	__le32 ivar_misc;
	__le32 eitr[SVF_NR_VECTORS];
	__le32 pending;		/* causes to re-raise on the destination */
};

#define SVF_MBX_WORDS		16

struct svf_mbx {
	__le32 vmbmem[SVF_MBX_WORDS];	/* mailbox memory as the guest left it */
	/*
	 * V2PMAILBOX read-to-clear bits not yet seen (PFSTS PFACK RSTD), and
	 * (minor 3) VFU if the guest owned the buffer
	 */
	__le32 r2c;
};

/* GPRC GPTC GORC GOTC MPRC, and (minor 3) GPRLBC GPTLBC GORLBC GOTLBC */
#define SVF_NR_STATS		9
#define SVF_NR_STATS_V2		5

struct svf_stats {
	__le32 val[SVF_NR_STATS];	/* guest-visible values at the switch */
};

#define SVF_MAX_MC		30
#define SVF_MAX_VLANS		32
#define SVF_PF_MAC_SET		0x1	/* guest set a MAC (SET_MAC_ADDR) */
#define SVF_PF_LPE_SET		0x2
#define SVF_PF_PROMISC_SET	0x4
/*
 * The guest asked for more multicast groups than a request carries (count
 * above SVF_MAX_MC, nr_mc == SVF_MAX_MC): igb put the VF in multicast
 * promiscuous mode. A 1.0 reader refuses the bit as reserved.
 */
#define SVF_PF_MC_OVERFLOW	0x8
/*
 * (minor 3) The guest's last acknowledged SET_VLAN set the PF's VLAN
 * stripping for the VF (igb: on after a non-zero VLAN, off after VLAN 0),
 * and whether it is on.
 */
#define SVF_PF_VLAN_STRIP_SET	0x10
#define SVF_PF_VLAN_STRIP	0x20
#define SVF_PF_FLAGS_V2		0xf
#define SVF_PF_FLAGS		0x3f

#define SVF_MAX_UC		3	/* igbvf's IGBVF_MAX_MAC_FILTERS */

struct svf_pfcfg {
	__u8 mac[6];
	__le16 flags;
	__le32 max_frame;	/* SET_LPE argument */
	__le32 promisc;		/* SET_PROMISC info bits */
	__le16 nr_mc;
	__le16 nr_vlans;
	__le16 mc[SVF_MAX_MC];
	__le16 vlans[SVF_MAX_VLANS];
	/* minor 3: unicast filters added with SET_MAC_ADDR/MAC_FILTER_ADD */
	__le16 nr_uc;
	__u8 uc[SVF_MAX_UC][6];
};

/* the section's length up to minor 2: everything before nr_uc */
#define SVF_PFCFG_SIZE_V2	144

#define SVF_GUEST_MAGIC		0x47465653	/* "SVFG" */

/*
 * (minor 4) The guest's PF-side configuration when PRE_COPY began, which
 * the destination checks against its own VF and provisions there while
 * the source still runs. The blob still carries the final configuration:
 * the destination replays only what changed since.
 */
struct svf_guest {
	__le32 magic;
	__le32 port_vlan;	/* minor 5, SVF_PORT_VLAN_*; zero before */
	struct svf_pfcfg pf;
	__le32 crc32;		/* over this record with this field zero */
};

/*
 * svf_guest.port_vlan: the source VF's administrative port VLAN, which the
 * host's operator sets (ip link set PF vf N vlan V qos Q proto P) and the
 * guest cannot see. Zero: none. A destination whose VF has another one
 * refuses the stream: the guest would come up on another network. A minor
 * 4 source sends zero, which a reader takes as unknown, as it does
 * SVF_PORT_VLAN_UNKNOWN (the source could not ask its PF driver); the
 * other bits are then zero.
 */
#define SVF_PORT_VLAN_VID	0x00000fff
#define SVF_PORT_VLAN_QOS	0x00007000
#define SVF_PORT_VLAN_QOS_SHIFT	12
#define SVF_PORT_VLAN_8021AD	0x00008000	/* else 802.1Q */
#define SVF_PORT_VLAN_UNKNOWN	0x80000000
#define SVF_PORT_VLAN_VALID	0x0000ffff

/* PRE_COPY's initial bytes as a minor 4 or later source sends them */
#define SVF_COMPAT_LEN		(sizeof(struct svf_compat) + sizeof(struct svf_guest))
#define SVF_MAX_STREAM		(SVF_COMPAT_LEN + SVF_MAX_BLOB)

#define SVF_BLOB_SIZE (sizeof(struct svf_header) + 5 * sizeof(struct svf_sect) + \
		       sizeof(struct svf_queues) + sizeof(struct svf_irq) + \
		       sizeof(struct svf_mbx) + sizeof(struct svf_stats) + \
		       sizeof(struct svf_pfcfg))

#endif /* _SHADOWVF_IGBVF_STATE_H */
