/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A user-space 82576 VF driver for the shadowvf selftests: BAR0 access
 * (trapped pages through the device fd, doorbell pages mmapped), the
 * igbvf mailbox handshake, and a raw socket on the PF for test frames.
 */
#ifndef _SHADOWVF_VFDRV_H
#define _SHADOWVF_VFDRV_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/pci_regs.h>
#include "vfio_util.h"

#define ETH_P_SVF	0x88B5	/* local experimental ethertype */
#define FRAME_LEN	64

/* BAR0 offsets (see drivers/vfio/pci/igbvf/regs.h) */
#define VMBMEM		0x0800
#define V2PMBX		0x0C40
#define GPRC		0x0F10
#define GPTC		0x0F14
#define EIMS		0x1524
#define EIAC		0x152C
#define IVAR0		0x1700
#define RDBAL		0x2800
#define RDBAH		0x2804
#define RDLEN		0x2808
#define SRRCTL		0x280C
#define RDH		0x2810
#define RDT		0x2818
#define RXDCTL		0x2828
#define TDBAL		0x3800
#define TDBAH		0x3804
#define TDLEN		0x3808
#define TDH		0x3810
#define TDT		0x3818
#define TXDCTL		0x3828
#define XDCTL_EN	0x02000000

struct rxd {
	__u64 a;	/* read: packet address; wb: info */
	__u32 status;	/* wb: status_error (DD 0x1, EOP 0x2) */
	__u16 len;
	__u16 vlan;
};

struct txd {
	__u64 addr;
	__u32 cmd_type_len;
	__u32 olinfo;	/* wb: status, DD 0x1 */
};

struct vfdrv {
	struct vf vf;
	__u64 bar0_off;
	__u8 *db;		/* BAR0 from db_off to 0x3FFF, mmapped */
	__u32 db_off;		/* 0x2000, or 0x3000 with dirty tracking */
	int irqfd;
};

static const __u8 vf_mac[6] = { 0x02, 0x5f, 0x00, 0x00, 0x00, 0x01 };

static inline __u32 rd(struct vfdrv *d, __u32 off)
{
	__u32 v = 0;

	if (off >= d->db_off)
		return __atomic_load_n((__u32 *)(d->db + off - d->db_off),
				       __ATOMIC_SEQ_CST);
	if (pread(d->vf.dev, &v, 4, d->bar0_off + off) != 4)
		return ~0U;
	return v;
}

static inline void wr(struct vfdrv *d, __u32 off, __u32 v)
{
	if (off >= d->db_off) {
		__atomic_store_n((__u32 *)(d->db + off - d->db_off), v,
				 __ATOMIC_SEQ_CST);
		return;
	}
	if (pwrite(d->vf.dev, &v, 4, d->bar0_off + off) != 4)
		fprintf(stderr, "bar0 write 0x%x failed: %s\n", off, strerror(errno));
}

/* igbvf-style posted mailbox exchange; returns reply word 0 or 0 on timeout */
static inline __u32 mbx(struct vfdrv *d, const __u32 *msg, int n,
			__u32 *reply, int rn)
{
	__u32 seen = 0;
	int i, t;

	wr(d, V2PMBX, 0x04);	/* VFU */
	for (i = 0; i < n; i++)
		wr(d, VMBMEM + 4 * i, msg[i]);
	wr(d, V2PMBX, 0x01);	/* REQ */
	for (t = 0; t < 4000 && !((seen |= rd(d, V2PMBX)) & 0x20); t++)
		usleep(500);
	for (; t < 4000 && !((seen |= rd(d, V2PMBX)) & 0x10); t++)
		usleep(500);
	if (t >= 4000)
		return 0;
	for (i = 0; i < rn; i++)
		reply[i] = rd(d, VMBMEM + 4 * i);
	wr(d, V2PMBX, 0x02);	/* ACK */
	return reply[0];
}

/*
 * igbvf's handshake: VF_RESET, then SET_MAC_ADDR with vf_mac. Returns 0,
 * -ETIMEDOUT if the PF does not answer, -EPROTO for a reply of the wrong
 * type, -EPERM if the PF refuses the MAC; *last is the last reply word.
 */
static inline int vf_handshake(struct vfdrv *d, __u32 *last)
{
	__u32 msg[16] = { 0x01 }, reply[3] = {};

	*last = mbx(d, msg, 1, reply, 3);
	if (!*last)
		return -ETIMEDOUT;
	if ((*last & 0xffff) != 0x01)
		return -EPROTO;
	msg[0] = 0x02;
	memcpy(&msg[1], vf_mac, 6);
	*last = mbx(d, msg, 3, reply, 1);
	return (*last & 0xC0000000u) == 0x80000000u ? 0 : -EPERM;
}

static inline int vfdrv_map(struct vfdrv *d)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri),
				       .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info ci = { .argsz = sizeof(ci),
				       .index = VFIO_PCI_CONFIG_REGION_INDEX };
	__u16 cmd;
	void *p;

	if (ioctl(d->vf.dev, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
	    ioctl(d->vf.dev, VFIO_DEVICE_GET_REGION_INFO, &ci))
		return -errno;
	d->bar0_off = ri.offset;
	/* the RX page is trapped when the driver tracks dirty pages */
	for (d->db_off = 0x2000; d->db_off < 0x4000; d->db_off += 0x1000) {
		p = mmap(NULL, 0x4000 - d->db_off, PROT_READ | PROT_WRITE,
			 MAP_SHARED, d->vf.dev, ri.offset + d->db_off);
		if (p != MAP_FAILED)
			break;
	}
	if (p == MAP_FAILED)
		return -errno;
	d->db = p;
	/* bus master + memory, as QEMU does for its guest */
	if (pread(d->vf.dev, &cmd, 2, ci.offset + PCI_COMMAND) != 2)
		return -EIO;
	cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
	if (pwrite(d->vf.dev, &cmd, 2, ci.offset + PCI_COMMAND) != 2)
		return -EIO;
	return 0;
}

struct pf {
	int sock;
	int ifindex;
	__u8 mac[6];
};

static inline int pf_open(struct pf *pf, const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_SVF) };
	struct ifreq ifr = {};

	pf->sock = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_SVF));
	if (pf->sock < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(pf->sock, SIOCGIFINDEX, &ifr))
		return -errno;
	pf->ifindex = ifr.ifr_ifindex;
	if (ioctl(pf->sock, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(pf->mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = pf->ifindex;
	return bind(pf->sock, (void *)&sll, sizeof(sll)) ? -errno : 0;
}

static inline void frame(__u8 *f, const __u8 *dst, const __u8 *src,
			 __u32 tag, __u32 seq)
{
	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_P_SVF >> 8;
	f[13] = ETH_P_SVF & 0xff;
	memcpy(f + 14, &tag, 4);
	memcpy(f + 18, &seq, 4);
}

#define TAG_PF2VF	0x50463256
#define TAG_VF2PF	0x56463250

static inline void pf_send(struct pf *pf, __u32 seq)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = pf->ifindex, .sll_halen = 6 };
	__u8 f[FRAME_LEN];

	frame(f, vf_mac, pf->mac, TAG_PF2VF, seq);
	memcpy(sll.sll_addr, vf_mac, 6);
	sendto(pf->sock, f, sizeof(f), 0, (void *)&sll, sizeof(sll));
}

#endif
