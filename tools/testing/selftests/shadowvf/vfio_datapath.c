// SPDX-License-Identifier: GPL-2.0
/*
 * Data path across a migration, with igbvf-vfio-pci and a user-space VF
 * driver: VF0 is driven through VFIO (rings in IOVA-mapped memory, the
 * VF_RESET/SET_MAC mailbox handshake as igbvf does it) and exchanges
 * numbered frames with the PF (AF_PACKET on the PF netdev, $PFIF). Mid
 * stream its state is saved through the migration uAPI, VF0 is reset as a
 * closing source would be, and the state is resumed on VF1 with the same
 * IOVA mappings. The stream continues on VF1. Asserted: every frame is
 * delivered exactly once in both directions, ring positions are preserved,
 * the PF's MAC filter follows the guest's MAC, and while the device is
 * STOPped frames cause no descriptor write-back and no interrupt.
 */
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <time.h>
#include <linux/shadowvf/igbvf_state.h>
#include "blob_util.h"
#include "vfdrv.h"
#include "kselftest_harness.h"

#define NDESC		16
#define BUFSZ		2048
#define IOVA		0x100000ULL
#define MEM_SIZE	0x100000

static __u8 *mem;		/* IOVA-mapped: rx ring, tx ring, buffers */
#define RXRING		0x0000
#define TXRING		0x1000
#define RXBUF(i)	(0x10000 + (i) * BUFSZ)
#define TXBUF(i)	(0x40000 + (i) * BUFSZ)

static int vfdrv_irq(struct vfdrv *d)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *s = (void *)buf;

	d->irqfd = eventfd(0, EFD_NONBLOCK);
	s->argsz = sizeof(buf);
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = VFIO_PCI_MSIX_IRQ_INDEX;
	s->start = 0;
	s->count = 1;
	memcpy(s->data, &d->irqfd, sizeof(int));
	return ioctl(d->vf.dev, VFIO_DEVICE_SET_IRQS, s) ? -errno : 0;
}

static __u64 irq_count(struct vfdrv *d)
{
	__u64 v = 0;

	if (read(d->irqfd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void post_rx(int i)
{
	struct rxd *r = (void *)(mem + RXRING) + i * 16;

	r->a = IOVA + RXBUF(i);
	((__u64 *)r)[1] = 0;
}

static void vfdrv_bringup(struct vfdrv *d)
{
	int i;

	wr(d, RDBAL, (__u32)(IOVA + RXRING));
	wr(d, RDBAH, 0);
	wr(d, RDLEN, NDESC * 16);
	wr(d, SRRCTL, 0x82000002);
	wr(d, RDH, 0);
	wr(d, RDT, 0);
	wr(d, TDBAL, (__u32)(IOVA + TXRING));
	wr(d, TDBAH, 0);
	wr(d, TDLEN, NDESC * 16);
	wr(d, TDH, 0);
	wr(d, TDT, 0);
	for (i = 0; i < NDESC; i++)
		post_rx(i);
	wr(d, IVAR0, 0x8080);	/* RX0 and TX0 -> vector 0 */
	wr(d, EIAC, 0x1);
	wr(d, EIMS, 0x1);
	wr(d, TXDCTL, XDCTL_EN);
	wr(d, RXDCTL, XDCTL_EN);
	wr(d, RDT, NDESC - 1);
}

/* Drain the PF socket: count VF->PF frames by sequence number. */
static void pf_recv(struct pf *pf, int *count, int max, int wait_ms)
{
	struct pollfd p = { .fd = pf->sock, .events = POLLIN };
	__u8 f[2048];
	__u32 tag, seq;
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;

	while (poll(&p, 1, wait_ms) > 0) {
		fl = sizeof(from);
		n = recvfrom(pf->sock, f, sizeof(f), 0, (void *)&from, &fl);
		if (n < 22 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		memcpy(&tag, f + 14, 4);
		memcpy(&seq, f + 18, 4);
		if (tag == TAG_VF2PF && seq < (__u32)max)
			count[seq]++;
	}
}

static int tx_next;

static void vf_send(struct vfdrv *d, __u32 seq, const __u8 *pfmac)
{
	struct txd *t = (void *)(mem + TXRING) + tx_next * 16;

	frame(mem + TXBUF(tx_next), pfmac, vf_mac, TAG_VF2PF, seq);
	t->addr = IOVA + TXBUF(tx_next);
	/* advanced data descriptor: DEXT DTYP=data EOP IFCS RS */
	t->cmd_type_len = FRAME_LEN | (3 << 20) | (1 << 29) | (1 << 24) |
			  (1 << 25) | (1 << 27);
	t->olinfo = FRAME_LEN << 14;
	tx_next = (tx_next + 1) % NDESC;
	__sync_synchronize();
	wr(d, TDT, tx_next);
}

static int rx_next;

/* Consume received descriptors; count PF->VF frames by sequence number. */
static int vf_recv(struct vfdrv *d, int *count, int max, int wait_ms)
{
	int got = 0, idle = 0;

	while (idle < wait_ms) {
		struct rxd *r = (void *)(mem + RXRING) + rx_next * 16;
		__u32 tag, seq;

		__sync_synchronize();
		if (!(r->status & 1)) {
			usleep(1000);
			idle++;
			continue;
		}
		memcpy(&tag, mem + RXBUF(rx_next) + 14, 4);
		memcpy(&seq, mem + RXBUF(rx_next) + 18, 4);
		if (tag == TAG_PF2VF && seq < (__u32)max)
			count[seq]++;
		post_rx(rx_next);
		wr(d, RDT, rx_next);	/* hand the buffer back */
		rx_next = (rx_next + 1) % NDESC;
		got++;
		idle = 0;
	}
	return got;
}

static void account(struct __test_metadata *_metadata, const char *dir,
		    const int *count, int sent, int *lost, int *dup)
{
	int i, recv = 0;

	*lost = 0;
	*dup = 0;
	for (i = 0; i < sent; i++) {
		recv += count[i];
		if (!count[i])
			(*lost)++;
		else if (count[i] > 1)
			*dup += count[i] - 1;
	}
	TH_LOG("%s: sent %d, received %d, lost %d, duplicated %d",
	       dir, sent, recv, *lost, *dup);
}

/*
 * The bed of a data-path test: the PF's socket, VF0 and VF1 in one
 * container, MEM_SIZE of guest memory mapped at IOVA, BAR0 of both mapped.
 */
static void dp_open(struct __test_metadata *_metadata, struct pf *pf,
		    int *container, struct vfdrv *d0, struct vfdrv *d1)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	const char *bdf0 = getenv("VF0"), *bdf1 = getenv("VF1");
	const char *pfif = getenv("PFIF");

	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, bdf1);
	ASSERT_NE(NULL, pfif);
	ASSERT_EQ(0, pf_open(pf, pfif));
	*container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, *container);
	ASSERT_EQ(0, vf_open(&d0->vf, *container, bdf0, 1));
	ASSERT_EQ(0, vf_open(&d1->vf, *container, bdf1, 0));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 0, MEM_SIZE);
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = MEM_SIZE;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ASSERT_EQ(0, ioctl(*container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, vfdrv_map(d0));
	ASSERT_EQ(0, vfdrv_map(d1));
}

#define N1	10	/* frames each way before the switch */
#define NPEND	3	/* PF->VF frames left unconsumed in the ring */
#define NSTOP	3	/* PF->VF frames sent while STOPped (dropped) */
#define N2	10	/* frames each way after the switch */
#define NMAX	64

TEST(migrate_mid_stream)
{
	static __u8 blob[SVF_MAX_BLOB];
	int rx_count[NMAX] = {}, tx_count[NMAX] = {};
	struct vfdrv d0 = {}, d1 = {};
	__u32 last = 0, rdh0, tdh0, rdh1, tdh1, dd_before;
	__u32 gprc0, gptc0;
	int container, fd = -1, i, seq_rx = 0, seq_tx = 0, lost, dup;
	ssize_t len;
	struct pf pf;

	dp_open(_metadata, &pf, &container, &d0, &d1);
	ASSERT_EQ(0, vfdrv_irq(&d0));

	ASSERT_EQ(0, vf_handshake(&d0, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	vfdrv_bringup(&d0);

	/* phase 1 on VF0 */
	for (i = 0; i < N1; i++)
		pf_send(&pf, seq_rx++);
	vf_recv(&d0, rx_count, NMAX, 500);
	for (i = 0; i < N1; i++)
		vf_send(&d0, seq_tx++, pf.mac);
	pf_recv(&pf, tx_count, NMAX, 300);
	EXPECT_LT(0, irq_count(&d0)) TH_LOG("no RX/TX interrupt on VF0");
	/* frames the guest has not consumed yet when the VM stops */
	for (i = 0; i < NPEND; i++)
		pf_send(&pf, seq_rx++);
	usleep(300000);

	/* STOP: frames must not reach the ring, no interrupt */
	ASSERT_EQ(0, mig_set(d0.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	irq_count(&d0);
	rdh0 = rd(&d0, RDH);
	tdh0 = rd(&d0, TDH);
	dd_before = 0;
	for (i = 0; i < NDESC; i++)
		dd_before |= (((struct rxd *)(mem + RXRING))[i].status & 1) << i;
	for (i = 0; i < NSTOP; i++)
		pf_send(&pf, NMAX - 1);	/* not counted: dropped by design */
	usleep(300000);
	EXPECT_EQ(rdh0, rd(&d0, RDH)) TH_LOG("RDH moved while STOPped");
	for (i = 0; i < NDESC; i++)
		EXPECT_EQ((dd_before >> i) & 1,
			  ((struct rxd *)(mem + RXRING))[i].status & 1)
			TH_LOG("descriptor %d written back while STOPped", i);
	EXPECT_EQ(0, irq_count(&d0)) TH_LOG("interrupt while STOPped");

	gprc0 = rd(&d0, GPRC);
	gptc0 = rd(&d0, GPTC);
	EXPECT_LE(N1, gptc0);

	/* save on VF0 */
	ASSERT_EQ(0, mig_set(d0.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	len = mig_read_all(fd, blob, sizeof(blob));
	close(fd);
	ASSERT_LT(0, len);
	TH_LOG("device-state blob %zd bytes, VF0 RDH %u TDH %u", len, rdh0, tdh0);
	/* the source closes its device: vfio-pci resets VF0 */
	ASSERT_EQ(0, ioctl(d0.vf.dev, VFIO_DEVICE_RESET));

	/* resume on VF1, same IOVA mappings */
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RESUMING, &fd));
	ASSERT_EQ(len, write(fd, blob, len));
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	close(fd);
	rdh1 = rd(&d1, RDH);
	tdh1 = rd(&d1, TDH);
	EXPECT_EQ(rdh0, rdh1);
	EXPECT_EQ(tdh0, tdh1);
	EXPECT_EQ((__u32)(IOVA + RXRING), rd(&d1, RDBAL));
	EXPECT_EQ(NDESC * 16, rd(&d1, RDLEN));
	/* the guest's statistics continue from the source's values */
	EXPECT_EQ(gprc0, rd(&d1, GPRC));
	EXPECT_EQ(gptc0, rd(&d1, GPTC));
	TH_LOG("statistics at the switch: GPRC %u GPTC %u", gprc0, gptc0);
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(XDCTL_EN, rd(&d1, RXDCTL) & XDCTL_EN);

	/* phase 2 on VF1: the pending frames, then new ones both ways */
	for (i = 0; i < N2; i++)
		pf_send(&pf, seq_rx++);
	vf_recv(&d1, rx_count, NMAX, 800);
	for (i = 0; i < N2; i++)
		vf_send(&d1, seq_tx++, pf.mac);
	pf_recv(&pf, tx_count, NMAX, 500);

	account(_metadata, "PF->VF", rx_count, seq_rx, &lost, &dup);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, dup);
	account(_metadata, "VF->PF", tx_count, seq_tx, &lost, &dup);
	EXPECT_EQ(0, lost);
	EXPECT_EQ(0, dup);
	EXPECT_EQ(0, rx_count[NMAX - 1]) TH_LOG("a frame sent while STOPped arrived");
	EXPECT_EQ((N1 + N2) % NDESC, tx_next);
	EXPECT_EQ(gptc0 + N2, rd(&d1, GPTC));

	ASSERT_EQ(0, ioctl(d1.vf.dev, VFIO_DEVICE_RESET));
	vf_close(&d0.vf);
	vf_close(&d1.vf);
	close(container);
}

/* A PF->VF frame to @dst, 802.1Q-tagged with @vid unless it is 0. */
static void pf_send_to(struct pf *pf, const __u8 *dst, __u16 vid, __u32 seq)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = pf->ifindex, .sll_halen = 6 };
	__u8 f[FRAME_LEN + 4], *p = f + 12;
	__u32 tag = TAG_PF2VF;

	memset(f, 0, sizeof(f));
	memcpy(f, dst, 6);
	memcpy(f + 6, pf->mac, 6);
	if (vid) {
		*p++ = 0x81;
		*p++ = 0x00;
		*p++ = vid >> 8;
		*p++ = vid & 0xff;
	}
	*p++ = ETH_P_SVF >> 8;
	*p++ = ETH_P_SVF & 0xff;
	memcpy(p, &tag, 4);
	memcpy(p + 4, &seq, 4);
	memcpy(sll.sll_addr, dst, 6);
	sendto(pf->sock, f, FRAME_LEN + (vid ? 4 : 0), 0, (void *)&sll,
	       sizeof(sll));
}

struct rx_frame {
	__u32 seq;
	int tagged;	/* the 802.1Q header is in the frame */
	int vp;		/* the descriptor reports a stripped tag (VP) */
	__u16 vlan;	/* ... and its VLAN id */
};

/* Wait for PF->VF frame @seq on @d's ring; 0 or -ETIMEDOUT. */
static int vf_take(struct vfdrv *d, __u32 seq, struct rx_frame *fr,
		   int wait_ms)
{
	int idle = 0;

	while (idle < wait_ms) {
		struct rxd *r = (void *)(mem + RXRING) + rx_next * 16;
		__u8 *f = mem + RXBUF(rx_next);
		__u32 tag;

		__sync_synchronize();
		if (!(r->status & 1)) {
			usleep(1000);
			idle++;
			continue;
		}
		fr->tagged = f[12] == 0x81 && f[13] == 0x00;
		fr->vp = !!(r->status & 0x8);
		fr->vlan = r->vlan & 0xFFF;
		memcpy(&tag, f + (fr->tagged ? 18 : 14), 4);
		memcpy(&fr->seq, f + (fr->tagged ? 22 : 18), 4);
		post_rx(rx_next);
		wr(d, RDT, rx_next);
		rx_next = (rx_next + 1) % NDESC;
		if (tag == TAG_PF2VF && fr->seq == seq)
			return 0;
	}
	return -ETIMEDOUT;
}

#define MSG_SET_MAC	0x02
#define MSG_SET_VLAN	0x04
#define MAC_FILTER_CLR	0x00010000
#define MAC_FILTER_ADD	0x00020000
#define MSG_ACK		0x80000000u

/*
 * Issue 12 items 7 and 8: a guest's extra unicast MAC filter (macvlan,
 * bridges) and its VLAN stripping survive the move. The guest adds a
 * filter, joins VLAN 100 (igb starts stripping) and then VLAN 0 (igb stops:
 * tags stay in the frame); on VF1 both hold, with real frames from the PF.
 */
TEST(migrate_keeps_filters_and_stripping)
{
	static const __u8 mac2[6] = { 0x02, 0x5f, 0x00, 0x00, 0x02, 0x02 };
	__u32 msg[16] = {}, reply[3], last = 0, seq = 100;
	static __u8 blob[SVF_MAX_BLOB];
	struct vfdrv d0 = {}, d1 = {};
	struct rx_frame fr;
	int container, fd = -1;
	ssize_t len;
	struct pf pf;

	dp_open(_metadata, &pf, &container, &d0, &d1);
	ASSERT_EQ(0, vf_handshake(&d0, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	rx_next = 0;
	tx_next = 0;
	vfdrv_bringup(&d0);

	msg[0] = MSG_SET_MAC | MAC_FILTER_ADD;
	memcpy(&msg[1], mac2, 6);
	EXPECT_EQ(MSG_ACK, mbx(&d0, msg, 3, reply, 1) & MSG_ACK)
		TH_LOG("filter ADD: reply 0x%08x", reply[0]);
	msg[0] = MSG_SET_VLAN | (1 << 16);
	msg[1] = 100;
	EXPECT_EQ(MSG_ACK, mbx(&d0, msg, 2, reply, 1) & MSG_ACK);
	msg[1] = 0;
	EXPECT_EQ(MSG_ACK, mbx(&d0, msg, 2, reply, 1) & MSG_ACK);

	/* on VF0: the filter steers, the tag stays in the frame */
	pf_send_to(&pf, mac2, 0, seq);
	EXPECT_EQ(0, vf_take(&d0, seq++, &fr, 1000))
		TH_LOG("VF0: nothing to %02x:..:%02x", mac2[4], mac2[5]);
	pf_send_to(&pf, vf_mac, 100, seq);
	ASSERT_EQ(0, vf_take(&d0, seq++, &fr, 1000)) TH_LOG("VF0: no VLAN 100 frame");
	EXPECT_TRUE(fr.tagged && !fr.vp) TH_LOG("VF0: tag in frame %d, VP %d",
						fr.tagged, fr.vp);

	ASSERT_EQ(0, mig_set(d0.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	len = mig_read_all(fd, blob, sizeof(blob));
	close(fd);
	ASSERT_LT(0, len);
	ASSERT_EQ(0, ioctl(d0.vf.dev, VFIO_DEVICE_RESET));
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RESUMING, &fd));
	ASSERT_EQ(len, write(fd, blob, len));
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	close(fd);
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));

	/* on VF1: the same */
	pf_send_to(&pf, mac2, 0, seq);
	EXPECT_EQ(0, vf_take(&d1, seq++, &fr, 1000))
		TH_LOG("VF1: the frame to the guest's second MAC did not arrive");
	pf_send_to(&pf, vf_mac, 100, seq);
	ASSERT_EQ(0, vf_take(&d1, seq++, &fr, 1000)) TH_LOG("VF1: no VLAN 100 frame");
	EXPECT_TRUE(fr.tagged && !fr.vp)
		TH_LOG("VF1: tag in frame %d, VP %d (vlan %u): stripping changed",
		       fr.tagged, fr.vp, fr.vlan);

	/* free the filter: igb takes CLR only with a valid address */
	msg[0] = MSG_SET_MAC | MAC_FILTER_CLR;
	memcpy(&msg[1], mac2, 6);
	mbx(&d1, msg, 3, reply, 1);
	ASSERT_EQ(0, ioctl(d1.vf.dev, VFIO_DEVICE_RESET));
	vf_close(&d0.vf);
	vf_close(&d1.vf);
	close(container);
	munmap(mem, MEM_SIZE);
}

#define TRACING	"/sys/kernel/tracing"

/* Record the driver's mailbox messages (svf_igb_replay) from now on. */
static int replay_trace_start(void)
{
	int fd;

	if (access(TRACING "/trace", F_OK) &&
	    mount("nodev", TRACING, "tracefs", 0, NULL))
		return -errno;
	fd = open(TRACING "/events/shadowvf/svf_igb_replay/enable", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		return -errno;
	close(fd);
	/* opening with O_TRUNC clears the buffer */
	fd = open(TRACING "/trace", O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The message types (msg & 0xffff) the driver sent for VF @bdf since
 * replay_trace_start(), in order, as "1 4 2" in @out. Returns how many.
 */
static int replay_trace_types(const char *bdf, char *out, size_t size)
{
	char line[512], *p;
	unsigned int msg;
	FILE *f;
	int n = 0;

	*out = 0;
	f = fopen(TRACING "/trace", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "svf_igb_replay: ");
		if (!p || !strstr(p, bdf))
			continue;
		p = strstr(p, "msg=0x");
		if (!p || sscanf(p, "msg=0x%x", &msg) != 1)
			continue;
		snprintf(out + strlen(out), size - strlen(out), "%s%u",
			 n ? " " : "", msg & 0xffff);
		n++;
	}
	fclose(f);
	return n;
}

/* The guest on VF0: igbvf's handshake, rings up, VLAN @vid (0: none). */
static void guest_start(struct __test_metadata *_metadata, struct vfdrv *d0,
			__u16 vid)
{
	__u32 msg[2], reply[1], last = 0;

	ASSERT_EQ(0, vf_handshake(d0, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	rx_next = 0;
	tx_next = 0;
	vfdrv_bringup(d0);
	if (!vid)
		return;
	msg[0] = MSG_SET_VLAN | (1 << 16);
	msg[1] = vid;
	ASSERT_EQ(MSG_ACK, mbx(d0, msg, 2, reply, 1) & MSG_ACK);
}

/*
 * VF0 to PRE_COPY, its initial bytes read into @stream; VF1 to RESUMING.
 * *@fd and *@fd2 are their data fds.
 */
static void precopy_open(struct __test_metadata *_metadata, struct vfdrv *d0,
			 struct vfdrv *d1, __u8 *stream, int *fd, int *fd2)
{
	ASSERT_EQ(0, mig_set(d0->vf.dev, VFIO_DEVICE_STATE_PRE_COPY, fd));
	ASSERT_EQ((ssize_t)SVF_COMPAT_SIZE, read(*fd, stream, SVF_COMPAT_SIZE));
	ASSERT_EQ(0, mig_set(d1->vf.dev, VFIO_DEVICE_STATE_RESUMING, fd2));
}

/*
 * VF0 to STOP_COPY: its blob (what follows the initial bytes on @fd) into
 * @stream, then VF0 closed as QEMU would (reset). Returns the blob's size.
 */
static ssize_t stop_copy_blob(struct __test_metadata *_metadata,
			      struct vfdrv *d0, int fd, __u8 *stream,
			      size_t size)
{
	ssize_t len;

	ASSERT_EQ(0, mig_set(d0->vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	len = mig_read_all(fd, stream, size);
	close(fd);
	ASSERT_LT(0, len);
	ASSERT_EQ(0, ioctl(d0->vf.dev, VFIO_DEVICE_RESET));
	return len;
}

enum prov_mode {
	PROV_SAME,	/* the guest changes nothing during PRE_COPY */
	PROV_CHANGED,	/* it joins VLAN 200 during PRE_COPY */
	PROV_NONE,	/* the destination gets the bare blob, as from 1.3 */
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/*
 * PRE_COPY's guest record provisions the destination while the source
 * runs: writing the initial bytes to VF1 makes the driver do the VF_RESET
 * handshake and ask the PF for the guest's multicast list and VLAN there
 * and then; at the switch-over only the guest's MAC is left (SET_MAC_ADDR,
 * one message). If the guest changed its configuration during PRE_COPY,
 * the switch-over redoes everything from VF_RESET, as it does for a blob
 * without the records. Real frames on the guest's VLANs reach VF1
 * afterwards in every case; the switch-over's time is printed.
 */
static void provisioned_move(struct __test_metadata *_metadata,
			     enum prov_mode mode)
{
	static const char *const want[] = {
		[PROV_SAME] = "2", [PROV_CHANGED] = "1 2 3 4 4",
		[PROV_NONE] = "1 2 3 4",
	};
	static __u8 stream[SVF_MAX_STREAM];
	__u32 msg[16] = {}, reply[3], seq = 300;
	struct vfdrv d0 = {}, d1 = {};
	char types[128];
	struct rx_frame fr;
	int container, fd = -1, fd2 = -1;
	ssize_t len, n;
	struct pf pf;
	double t0;

	dp_open(_metadata, &pf, &container, &d0, &d1);
	guest_start(_metadata, &d0, 100);
	precopy_open(_metadata, &d0, &d1, stream, &fd, &fd2);
	if (mode != PROV_NONE) {
		ASSERT_EQ(0, replay_trace_start());
		ASSERT_EQ((ssize_t)SVF_COMPAT_SIZE,
			  write(fd2, stream, SVF_COMPAT_SIZE));
		/* provisioned now: VF_RESET, SET_MULTICAST, SET_VLAN 100 */
		n = replay_trace_types(d1.vf.bdf, types, sizeof(types));
		TH_LOG("VF1 at the initial bytes: %zd messages: %s", n, types);
		EXPECT_EQ(0, strcmp(types, "1 3 4"))
			TH_LOG("provisioned with: %s", types);
	}

	if (mode == PROV_CHANGED) {
		msg[0] = MSG_SET_VLAN | (1 << 16);
		msg[1] = 200;
		ASSERT_EQ(MSG_ACK, mbx(&d0, msg, 2, reply, 1) & MSG_ACK);
	}
	len = stop_copy_blob(_metadata, &d0, fd, stream, sizeof(stream));
	ASSERT_EQ(0, replay_trace_start());
	t0 = now_ms();
	ASSERT_EQ(len, write(fd2, stream, len));
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	TH_LOG("switch-over on VF1 (write + STOP): %.1f ms", now_ms() - t0);
	close(fd2);
	n = replay_trace_types(d1.vf.bdf, types, sizeof(types));
	TH_LOG("VF1 at the switch-over: %zd messages: %s", n, types);
	EXPECT_EQ(0, strcmp(types, want[mode]))
		TH_LOG("PF messages at the switch-over: %s, expected %s",
		       types, want[mode]);
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));

	pf_send_to(&pf, vf_mac, 100, seq);
	EXPECT_EQ(0, vf_take(&d1, seq++, &fr, 1000)) TH_LOG("VF1: no VLAN 100 frame");
	if (mode == PROV_CHANGED) {
		pf_send_to(&pf, vf_mac, 200, seq);
		EXPECT_EQ(0, vf_take(&d1, seq++, &fr, 1000))
			TH_LOG("VF1: no VLAN 200 frame");
	}
	ASSERT_EQ(0, ioctl(d1.vf.dev, VFIO_DEVICE_RESET));
	vf_close(&d0.vf);
	vf_close(&d1.vf);
	close(container);
	munmap(mem, MEM_SIZE);
}

TEST(provisioned_at_precopy)
{
	provisioned_move(_metadata, PROV_SAME);
}

TEST(changed_during_precopy_redone)
{
	provisioned_move(_metadata, PROV_CHANGED);
}

TEST(bare_blob_replayed_whole)
{
	provisioned_move(_metadata, PROV_NONE);
}

/* ip link set PFIF vf 1 mac MAC */
static int vf1_admin_mac(const char *pfif, const __u8 *m)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd),
		 "ip link set %s vf 1 mac %02x:%02x:%02x:%02x:%02x:%02x",
		 pfif, m[0], m[1], m[2], m[3], m[4], m[5]);
	return system(cmd);
}

/*
 * The destination VF has another administrative MAC, which its PF would
 * refuse the guest. A stream with the guest record (minor 4) is refused at
 * its initial bytes, before any of the blob: with switchover-ack the
 * source has not stopped yet. A bare blob (what a 1.0/1.1 source sends;
 * 1.2/1.3 records carry no MAC) is refused by the PF at the switch-over:
 * RESUMING -> STOP fails with -EPERM, the device enters ERROR (the PF has
 * seen part of the replay) and a reset makes it usable again.
 */
TEST(admin_mac_refused)
{
	static const __u8 other[6] = { 0x02, 0x5f, 0, 0, 0, 0x99 };
	static const __u8 none[6];
	const char *bdf0 = getenv("VF0"), *bdf1 = getenv("VF1");
	const char *pfif = getenv("PFIF");
	static __u8 stream[SVF_MAX_STREAM], blob[SVF_MAX_STREAM];
	struct vfdrv d0 = {}, d1 = {};
	__u8 mac[6];
	__u32 last = 0;
	int container, fd = -1;
	ssize_t len, blen;

	ASSERT_NE(NULL, pfif);
	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(0, vf_open(&d0.vf, container, bdf0, 1));
	ASSERT_EQ(0, vf_open(&d1.vf, container, bdf1, 0));
	ASSERT_EQ(0, vfdrv_map(&d0));
	ASSERT_EQ(0, vf_handshake(&d0, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	ASSERT_EQ(0, mig_set(d0.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	len = mig_read_all(fd, stream, sizeof(stream));
	close(fd);
	ASSERT_LT((ssize_t)SVF_COMPAT_SIZE, len);
	memcpy(blob, stream, len);
	blen = stream_take_blob_mac(blob, len, mac);
	ASSERT_LT(0, blen);
	/* the guest record names the MAC the guest set */
	EXPECT_EQ(0, memcmp(mac, vf_mac, 6));

	ASSERT_EQ(0, vf1_admin_mac(pfif, other));
	EXPECT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RESUMING, &fd));
	/* PRE_COPY's initial bytes alone are refused */
	EXPECT_EQ(-1, write(fd, stream, SVF_COMPAT_SIZE));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EPERM, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	/* nothing of the guest reached the PF: still RESUMING, fd reusable */
	EXPECT_EQ(VFIO_DEVICE_STATE_RESUMING, mig_get(d1.vf.dev));

	/* the bare blob: refused by the PF at the switch-over */
	EXPECT_EQ(-1, write(fd, blob, blen));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EPERM, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	/* the restore had begun with the PF: ERROR until a reset */
	EXPECT_EQ(VFIO_DEVICE_STATE_ERROR, mig_get(d1.vf.dev));
	close(fd);
	EXPECT_EQ(0, ioctl(d1.vf.dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(d1.vf.dev));

	/* the same administrative MAC as the guest's: taken */
	EXPECT_EQ(0, vf1_admin_mac(pfif, vf_mac));
	EXPECT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	EXPECT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RESUMING, &fd));
	EXPECT_EQ(len, write(fd, stream, len));
	EXPECT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	close(fd);
	EXPECT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(0, vf1_admin_mac(pfif, none));
	/* the source was never touched: back to RUNNING */
	EXPECT_EQ(0, mig_set(d0.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	vf_close(&d0.vf);
	vf_close(&d1.vf);
	close(container);
}

/* ip link set PFIF vf N vlan VID (0: none) */
static int set_port_vlan(int vf, int vid)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link set %s vf %d vlan %d",
		 getenv("PFIF"), vf, vid);
	return system(cmd);
}

/* Make a stream's records those of a 1.4 source: minor 4, no port VLAN. */
static void stream_as_v1_4(__u8 *stream)
{
	struct svf_compat c;
	struct svf_guest g;

	memcpy(&c, stream, sizeof(c));
	c.minor = 4;
	c.crc32 = 0;
	c.crc32 = crc32_ieee(&c, sizeof(c));
	memcpy(stream, &c, sizeof(c));
	memcpy(&g, stream + sizeof(c), sizeof(g));
	g.port_vlan = 0;
	g.crc32 = 0;
	g.crc32 = crc32_ieee(&g, sizeof(g));
	memcpy(stream + sizeof(c), &g, sizeof(g));
}

/*
 * The guest on VF0 (its own VLAN @vid, 0: none) offers its initial bytes
 * to VF1, as a 1.4 source would if @v1_4 (its port VLAN then unknown).
 * VF1 must answer @err (0: take them, or EPERM) and write the kernel log
 * line @line once (NULL: no line about guest.port_vlan at all). The
 * migration is then cancelled: the source runs on, VF1 leaves RESUMING by
 * a reset, and VF0 is reset for the next guest. @pv: the port VLAN the
 * guest record must carry.
 */
static void port_vlan_offer(struct __test_metadata *_metadata,
			    struct vfdrv *d0, struct vfdrv *d1, __u16 vid,
			    __u32 pv, int v1_4, int err, const char *line)
{
	static __u8 stream[SVF_MAX_STREAM];
	int fd = -1, fd2 = -1, kmsg = kmsg_open();
	ssize_t n;

	ASSERT_LE(0, kmsg);
	guest_start(_metadata, d0, vid);
	precopy_open(_metadata, d0, d1, stream, &fd, &fd2);
	EXPECT_EQ(pv, stream_port_vlan(stream));
	if (v1_4)
		stream_as_v1_4(stream);
	n = write(fd2, stream, SVF_COMPAT_SIZE);
	if (err) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(err, errno) TH_LOG("not refused: %s", line);
	} else {
		EXPECT_EQ((ssize_t)SVF_COMPAT_SIZE, n)
			TH_LOG("refused: %s", strerror(errno));
	}
	EXPECT_EQ(!!line, kmsg_count(kmsg, line ?: "guest.port_vlan"))
		TH_LOG("log line: %s", line ?: "(none)");
	close(kmsg);
	close(fd2);
	close(fd);
	EXPECT_EQ(0, mig_set(d0->vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(0, ioctl(d1->vf.dev, VFIO_DEVICE_RESET));
	ASSERT_EQ(0, ioctl(d0->vf.dev, VFIO_DEVICE_RESET));
}

/*
 * An administrative port VLAN (ip link set PF vf N vlan V) is the
 * operator's, not the guest's: the VF cannot read it and the guest never
 * sees it. The source asks its PF driver and sends it in the guest record
 * (format 1.5); a destination VF with another port VLAN refuses the
 * initial bytes with EPERM, before the source stops, whatever the guest's
 * own VLANs: set on one side only, the guest would land on another
 * network. (With a guest VLAN, igb itself would also refuse the replay.)
 * Set alike on both VFs, the guest moves and stays on it: frames tagged
 * with the port VLAN reach it on VF1, untagged ones do not. Last in the
 * file: a failure leaves port VLANs set.
 */
TEST(port_vlan)
{
	static __u8 stream[SVF_MAX_STREAM];
	__u32 seq = 500;
	struct vfdrv d0 = {}, d1 = {};
	int container, fd = -1, fd2 = -1, st;
	struct rx_frame fr;
	ssize_t len;
	struct pf pf;

	ASSERT_EQ(0, set_port_vlan(1, 100));
	dp_open(_metadata, &pf, &container, &d0, &d1);
	/* VF1 only: with and without a VLAN of the guest's own */
	port_vlan_offer(_metadata, &d0, &d1, 100, 0, 0, EPERM,
			"guest.port_vlan: the source VF had no port VLAN, this VF has port VLAN 100 qos 0 (802.1Q)");
	port_vlan_offer(_metadata, &d0, &d1, 0, 0, 0, EPERM,
			"guest.port_vlan: the source VF had no port VLAN, this VF has port VLAN 100 qos 0 (802.1Q)");
	/* a 1.4 source cannot say: taken, with a warning */
	port_vlan_offer(_metadata, &d0, &d1, 0, 0, 1, 0,
			"guest.port_vlan not checked: the source VF had an unknown port VLAN, this VF has port VLAN 100 qos 0 (802.1Q)");
	/* VF0 only: the guest would come up untagged */
	ASSERT_EQ(0, set_port_vlan(1, 0));
	ASSERT_EQ(0, set_port_vlan(0, 100));
	port_vlan_offer(_metadata, &d0, &d1, 0, 100, 0, EPERM,
			"guest.port_vlan: the source VF had port VLAN 100 qos 0 (802.1Q), this VF has no port VLAN");
	/* the same from a 1.4 source: taken without a word (documented) */
	port_vlan_offer(_metadata, &d0, &d1, 0, 100, 1, 0, NULL);
	/* another one, and another priority */
	ASSERT_EQ(0, set_port_vlan(1, 200));
	port_vlan_offer(_metadata, &d0, &d1, 0, 100, 0, EPERM,
			"this VF has port VLAN 200 qos 0 (802.1Q)");
	ASSERT_EQ(0, system("ip link set $PFIF vf 1 vlan 100 qos 5"));
	port_vlan_offer(_metadata, &d0, &d1, 0, 100, 0, EPERM,
			"this VF has port VLAN 100 qos 5 (802.1Q)");

	/* alike: the guest (re)starts on a VF with port VLAN 100 */
	ASSERT_EQ(0, set_port_vlan(1, 100));
	guest_start(_metadata, &d0, 0);
	pf_send_to(&pf, vf_mac, 100, seq);
	st = vf_take(&d0, seq++, &fr, 1000);
	TH_LOG("VF0 with port VLAN 100: VLAN 100 frame %s", st ? "lost" : "received");
	ASSERT_EQ(0, st);
	precopy_open(_metadata, &d0, &d1, stream, &fd, &fd2);
	EXPECT_EQ(100, stream_port_vlan(stream));
	ASSERT_EQ((ssize_t)SVF_COMPAT_SIZE, write(fd2, stream, SVF_COMPAT_SIZE));
	len = stop_copy_blob(_metadata, &d0, fd, stream, sizeof(stream));
	ASSERT_EQ(len, write(fd2, stream, len));
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	close(fd2);
	ASSERT_EQ(0, mig_set(d1.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	pf_send_to(&pf, vf_mac, 100, seq);
	EXPECT_EQ(0, vf_take(&d1, seq++, &fr, 1000))
		TH_LOG("VF1: the port VLAN's frame did not arrive");
	EXPECT_FALSE(fr.tagged) TH_LOG("VF1: the port VLAN's tag reached the guest");
	pf_send_to(&pf, vf_mac, 0, seq);
	EXPECT_NE(0, vf_take(&d1, seq++, &fr, 500))
		TH_LOG("VF1: an untagged frame passed the port VLAN");

	ASSERT_EQ(0, ioctl(d1.vf.dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(0, set_port_vlan(0, 0));
	EXPECT_EQ(0, set_port_vlan(1, 0));
	vf_close(&d0.vf);
	vf_close(&d1.vf);
	close(container);
	munmap(mem, MEM_SIZE);
}

TEST_HARNESS_MAIN
