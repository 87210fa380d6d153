/* SPDX-License-Identifier: GPL-2.0 */
/* Intel 82576 VF register map (BAR0 offsets) and mailbox protocol. */
#ifndef _IGBVF_VFIO_REGS_H
#define _IGBVF_VFIO_REGS_H

#define IGBVF_CTRL		0x0000
#define  IGBVF_CTRL_RST		0x04000000
#define IGBVF_CTRL_DUP		0x0004	/* QEMU's igb: an alias of CTRL */
#define IGBVF_STATUS		0x0008
#define IGBVF_VMBMEM		0x0800	/* 16 dwords */
#define IGBVF_V2PMAILBOX	0x0C40
#define  IGBVF_V2P_REQ		0x01
#define  IGBVF_V2P_ACK		0x02
#define  IGBVF_V2P_VFU		0x04
#define  IGBVF_V2P_PFU		0x08
#define  IGBVF_V2P_PFSTS	0x10
#define  IGBVF_V2P_PFACK	0x20
#define  IGBVF_V2P_RSTI		0x40
#define  IGBVF_V2P_RSTD		0x80
#define  IGBVF_V2P_R2C		0xB0
#define IGBVF_PBACL		0x0F04
#define IGBVF_PSRTYPE		0x0F0C
#define IGBVF_GPRC		0x0F10
#define IGBVF_GPTC		0x0F14
#define IGBVF_GORC		0x0F18
#define IGBVF_GOTC		0x0F34
#define IGBVF_MPRC		0x0F3C
#define IGBVF_GPRLBC		0x0F40
#define IGBVF_GPTLBC		0x0F44
#define IGBVF_GORLBC		0x0F48
#define IGBVF_GOTLBC		0x0F50
#define IGBVF_EICS		0x1520
#define IGBVF_EIMS		0x1524
#define IGBVF_EIMC		0x1528
#define IGBVF_EIAC		0x152C
#define IGBVF_EIAM		0x1530
#define IGBVF_EICR		0x1580
#define IGBVF_EITR(n)		(0x1680 + 4 * (n))
#define IGBVF_IVAR0		0x1700
#define IGBVF_IVAR_MISC		0x1740

#define IGBVF_RXQ(q)		(0x2800 + 0x100 * (q))
#define IGBVF_TXQ(q)		(0x3800 + 0x100 * (q))
#define IGBVF_RDBAL(q)		(IGBVF_RXQ(q) + 0x00)
#define IGBVF_RDBAH(q)		(IGBVF_RXQ(q) + 0x04)
#define IGBVF_RDLEN(q)		(IGBVF_RXQ(q) + 0x08)
#define IGBVF_SRRCTL(q)		(IGBVF_RXQ(q) + 0x0C)
#define IGBVF_RDH(q)		(IGBVF_RXQ(q) + 0x10)
#define IGBVF_RXCTL(q)		(IGBVF_RXQ(q) + 0x14)
#define IGBVF_RDT(q)		(IGBVF_RXQ(q) + 0x18)
#define IGBVF_RXDCTL(q)		(IGBVF_RXQ(q) + 0x28)
#define IGBVF_TDBAL(q)		(IGBVF_TXQ(q) + 0x00)
#define IGBVF_TDBAH(q)		(IGBVF_TXQ(q) + 0x04)
#define IGBVF_TDLEN(q)		(IGBVF_TXQ(q) + 0x08)
#define IGBVF_TDH(q)		(IGBVF_TXQ(q) + 0x10)
#define IGBVF_TXCTL(q)		(IGBVF_TXQ(q) + 0x14)
#define IGBVF_TDT(q)		(IGBVF_TXQ(q) + 0x18)
#define IGBVF_TXDCTL(q)		(IGBVF_TXQ(q) + 0x28)
#define IGBVF_TDWBAL(q)		(IGBVF_TXQ(q) + 0x38)
#define IGBVF_TDWBAH(q)		(IGBVF_TXQ(q) + 0x3C)
#define  IGBVF_XDCTL_EN		0x02000000

/* BAR0 pages below this are trapped; the doorbell pages above are mmapped */
#define IGBVF_TRAP_END		0x2000
/* with dirty tracking the RX register page is trapped too (RDT writes) */
#define IGBVF_TRAP_END_TRACKED	0x3000
/* the VF's MSI-X BAR: it holds the MSI-X table and PBA only */
#define IGBVF_MSIX_BAR		VFIO_PCI_BAR3_REGION_INDEX
#define IGBVF_BAR0_SIZE		0x4000

/* PF/VF mailbox messages (igbvf mbx.h) */
#define IGBVF_MSG_RESET		0x01
#define IGBVF_MSG_SET_MAC	0x02
#define IGBVF_MSG_SET_MC	0x03
#define IGBVF_MSG_SET_VLAN	0x04
#define IGBVF_MSG_SET_LPE	0x05
#define IGBVF_MSG_SET_PROMISC	0x06
#define IGBVF_MSG_ACK		0x80000000
#define IGBVF_MSG_NACK		0x40000000
#define IGBVF_MSG_CTS		0x20000000
#define IGBVF_MSGINFO_SHIFT	16
#define IGBVF_MSGINFO_MASK	(0xFF << IGBVF_MSGINFO_SHIFT)
/* SET_MAC_ADDR info: extra unicast filters (igb E1000_VF_MAC_FILTER_*) */
#define IGBVF_MAC_FILTER_CLR	1
#define IGBVF_MAC_FILTER_ADD	2

#endif
