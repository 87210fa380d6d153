// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile owner of igbvf-vfio-pci with dirty tracking on (issue 22): for
 * HOSTILE_SECONDS (60 by default) threads of one process loop
 *  - UNMAP_DMA and MAP_DMA over the range that holds most RX buffers and
 *    over the one that holds the TX ring and head write-back,
 *  - trapped RDT writes posting buffers there, and RXDCTL disable/enable
 *    (each enable resyncs the tracker, which touches every record),
 *  - RUNNING <-> RUNNING_P2P <-> PRE_COPY(_P2P) arcs, each quiesce touching
 *    the rings and records, with a dirty bitmap read now and then,
 *  - VF1 opened and closed in the same container,
 * while the PF sends frames that the VF writes into the buffers. Before the
 * tracker held no long-lived pins, .dma_unmap released the rings' pins
 * with vfio_unpin_pages(), taking iommu->lock under type1's
 * device_list_lock, while opening VF1 takes them the other way round: a
 * deadlock, which lockdep reports on the debug kernel; and a touch landing
 * in each of type1's unmap retries hit its BUG_ON(++retries > 10).
 *
 * Asserted: every thread ends within its bound (no hang), no ioctl fails
 * with an errno it should not (UNMAP_DMA and MAP_DMA always succeed), the
 * threads really raced, nothing is pinned afterwards, and the device then
 * migrates: a clean pre-copy and STOP_COPY on VF0 with missed = 0 in the
 * last report, and the saved state restored into VF1. vfio_hostile.sh
 * checks that the kernel log holds no warning, bug, lockdep or hung-task
 * report.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <linux/shadowvf/igbvf_state.h>
#include "vfdrv.h"
#include "blob_util.h"
#include "kselftest_harness.h"

#define IOVA		0x1000000ULL
#define MEM_SIZE	0x100000	/* 256 pages: rings and a clean pool */
#define NPAGES		(MEM_SIZE / 4096)
#define IOVA_B		0x2000000ULL	/* RX buffers the mapper thread unmaps */
#define MEM_B		0x40000
#define IOVA_C		0x3000000ULL	/* TX ring and TDWB it unmaps too */
#define MEM_C		0x4000
#define NDESC		16
#define RXRING		0x0000
#define TXRING		0x1000
#define POOL		0x10000
#define FRAME		1400		/* crosses the page at offset 0xC00 */
#define STATE_FILE	"/sys/kernel/debug/igbvf-vfio-pci/%s/state"

enum { T_MAP, T_POST, T_STATE, T_OPEN, T_FRAMES, T_NR };

static const char *const t_name[T_NR] = {
	"UNMAP_DMA/MAP_DMA", "RDT/RXDCTL", "state arcs", "VF1 open/close",
	"PF frames",
};

struct hostile {
	struct vfdrv d;
	struct pf pf;
	int container;
	const char *bdf1;
	void *mem_b, *mem_c;
	double end;
	unsigned long n[T_NR];		/* operations per thread */
	unsigned long lost_maps;	/* MAP_DMA refused: EEXIST etc. */
	unsigned long unexpected;
	char what[160];
	pthread_mutex_t lock;
};

static __u8 *mem, *shadow;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void unexpected(struct hostile *h, const char *op, int err)
{
	pthread_mutex_lock(&h->lock);
	if (!h->unexpected++)
		snprintf(h->what, sizeof(h->what), "%s: %s", op, strerror(err));
	pthread_mutex_unlock(&h->lock);
}

/* A trapped or mmapped BAR0 write that must not fail. */
static void hwr(struct hostile *h, __u32 off, __u32 v)
{
	if (off >= h->d.db_off) {
		wr(&h->d, off, v);
		return;
	}
	if (pwrite(h->d.vf.dev, &v, 4, h->d.bar0_off + off) != 4)
		unexpected(h, "trapped BAR0 write", errno);
}

static int map_at(struct hostile *h, void *mem, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)mem,
		.iova = iova,
		.size = size,
	};

	return ioctl(h->container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static void unmap_map(struct hostile *h, void *mem, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};

	if (ioctl(h->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		unexpected(h, "UNMAP_DMA", errno);
	else if (unmap.size != size)
		unexpected(h, "UNMAP_DMA unmapped a part", ERANGE);
	if (map_at(h, mem, iova, size))
		unexpected(h, "MAP_DMA", errno);
}

static void *t_map(void *arg)
{
	struct hostile *h = arg;

	while (now_s() < h->end) {
		unmap_map(h, h->mem_b, IOVA_B, MEM_B);
		unmap_map(h, h->mem_c, IOVA_C, MEM_C);
		h->n[T_MAP]++;
	}
	return NULL;
}

/* Post buffers in IOVA_B (mostly) and the pool; disable and enable. */
static void *t_post(void *arg)
{
	struct hostile *h = arg;
	unsigned int seed = 7, slot = 0;

	while (now_s() < h->end) {
		struct rxd *r = (void *)(mem + RXRING) + slot * 16;
		__u64 a;

		if (rand_r(&seed) % 4)
			a = IOVA_B + (rand_r(&seed) % (MEM_B / 0x2000)) * 0x2000 + 0xC00;
		else
			a = IOVA + POOL + (rand_r(&seed) % 64) * 0x2000 + 0xC00;
		r->a = a;
		((__u64 *)r)[1] = 0;
		__sync_synchronize();
		hwr(h, RDT, slot);
		slot = (slot + 1) % NDESC;
		if (!(rand_r(&seed) % 16)) {
			hwr(h, RXDCTL, 0);
			hwr(h, RXDCTL, XDCTL_EN);
		}
		h->n[T_POST]++;
		usleep(rand_r(&seed) % 500);
	}
	return NULL;
}

static int dirty_report(struct hostile *h, __u64 *bm, __u64 iova, __u64 size)
{
	char buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(struct vfio_iommu_type1_dirty_bitmap_get)] = {};
	struct vfio_iommu_type1_dirty_bitmap *b = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *g = (void *)b->data;

	memset(bm, 0, size / 4096 / 8);
	b->argsz = sizeof(buf);
	b->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	g->iova = iova;
	g->size = size;
	g->bitmap.pgsize = 4096;
	g->bitmap.size = size / 4096 / 8;
	g->bitmap.data = bm;
	return ioctl(h->container, VFIO_IOMMU_DIRTY_PAGES, buf) ? -errno : 0;
}

/*
 * The arcs QEMU takes, at random; a PRE_COPY's data fd is read and closed.
 * A refused STOP_COPY is not among them: the log may be lost here, by
 * design, whenever a written buffer is unmapped.
 */
static void *t_state(void *arg)
{
	static const __u32 to[] = {
		VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING,
		VFIO_DEVICE_STATE_PRE_COPY, VFIO_DEVICE_STATE_PRE_COPY_P2P,
	};
	static __u64 bm[NPAGES / 64];
	struct hostile *h = arg;
	unsigned int seed = 11;
	__u8 b[SVF_MAX_STREAM];
	int fd = -1, ret;
	__u32 s;

	while (now_s() < h->end) {
		s = to[rand_r(&seed) % 4];
		/* PRE_COPY* only from RUNNING*: leave pre-copy first */
		if (fd >= 0 && s <= VFIO_DEVICE_STATE_RUNNING_P2P) {
			close(fd);
			fd = -1;
		}
		ret = mig_set(h->d.vf.dev, s, fd < 0 ? &fd : NULL);
		if (ret)
			unexpected(h, "set_state", -ret);
		else if (fd >= 0 && read(fd, b, sizeof(b)) < 0 && errno != ENOMSG)
			unexpected(h, "pre-copy read", errno);
		if (!(rand_r(&seed) % 8) && dirty_report(h, bm, IOVA, MEM_SIZE))
			unexpected(h, "DIRTY_PAGES", errno);
		h->n[T_STATE]++;
		usleep(rand_r(&seed) % 2000);
	}
	if (fd >= 0)
		close(fd);
	ret = mig_set(h->d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL);
	if (ret)
		unexpected(h, "set_state RUNNING", -ret);
	return NULL;
}

static void *t_open(void *arg)
{
	struct hostile *h = arg;
	struct vf vf1;
	int ret;

	while (now_s() < h->end) {
		vf1.dev = -1;
		vf1.group = -1;
		ret = vf_open(&vf1, h->container, h->bdf1, 0);
		if (ret)
			unexpected(h, "VF1 open", -ret);
		if (vf1.group >= 0)
			ioctl(vf1.group, VFIO_GROUP_UNSET_CONTAINER);
		vf_close(&vf1);
		h->n[T_OPEN]++;
		usleep(20000);
	}
	return NULL;
}

static void send_frame(struct pf *pf, __u32 seq)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = pf->ifindex, .sll_halen = 6 };
	static __u8 f[FRAME];

	memcpy(sll.sll_addr, vf_mac, 6);
	frame(f, vf_mac, pf->mac, TAG_PF2VF, seq);
	memset(f + 22, 0xA5 ^ seq, FRAME - 22);
	sendto(pf->sock, f, sizeof(f), 0, (void *)&sll, sizeof(sll));
}

static void *t_frames(void *arg)
{
	struct hostile *h = arg;

	while (now_s() < h->end) {
		send_frame(&h->pf, h->n[T_FRAMES]++);
		usleep(2000);
	}
	return NULL;
}

static int seconds(void)
{
	const char *s = getenv("HOSTILE_SECONDS");
	int v = s ? atoi(s) : 60;

	return v < 5 ? 5 : v > 600 ? 600 : v;
}

/* The driver's pinned_pages for @bdf (debugfs), or -1. */
static int driver_pins(const char *bdf)
{
	char path[128], line[128];
	int n = -1;
	FILE *f;

	snprintf(path, sizeof(path), STATE_FILE, bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "pinned_pages: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Every RX slot posted with a buffer of the pool, queues on; the TX ring
 * and its head write-back at @tx (IOVA_C during the attack).
 */
static void bringup(struct hostile *h, unsigned int *next, __u64 tx)
{
	int i;

	hwr(h, RXDCTL, 0);
	hwr(h, SRRCTL, 0x82000002);	/* 2 KiB, adv one-buffer, drop-en */
	hwr(h, RDBAL, (__u32)(IOVA + RXRING));
	hwr(h, RDBAH, 0);
	hwr(h, RDLEN, NDESC * 16);
	hwr(h, RDH, 0);
	hwr(h, RDT, 0);
	hwr(h, TDBAL, (__u32)tx);
	hwr(h, TDBAH, 0);
	hwr(h, TDLEN, NDESC * 16);
	hwr(h, 0x3838, (__u32)(tx + 0x1000) | 1);
	hwr(h, 0x383C, 0);
	hwr(h, TDH, 0);
	hwr(h, TDT, 0);
	memset(mem + RXRING, 0, 4096);
	for (i = 0; i < NDESC; i++) {
		struct rxd *r = (void *)(mem + RXRING) + i * 16;

		r->a = IOVA + POOL + (__u64)(i % 64) * 0x2000 + 0xC00;
	}
	*next = 0;
	hwr(h, TXDCTL, XDCTL_EN);
	hwr(h, RXDCTL, XDCTL_EN);
	hwr(h, RDT, NDESC - 1);
}

FIXTURE(hst) {
	struct hostile h;
};

FIXTURE_SETUP(hst)
{
}

FIXTURE_TEARDOWN(hst)
{
}

/* Wait until the VF wrote back @n descriptors from @from. */
static int wait_written(unsigned int from, int n, int wait_ms)
{
	int got = 0, t;

	for (t = 0; t < wait_ms && got < n; t++) {
		struct rxd *r = (void *)(mem + RXRING) + ((from + got) % NDESC) * 16;

		__sync_synchronize();
		if (r->status & 1)
			got++;
		else
			usleep(1000);
	}
	return got;
}

TEST_F_TIMEOUT(hst, stress, 900)
{
	void *(*fn[T_NR])(void *) = { t_map, t_post, t_state, t_open, t_frames };
	const char *bdf0 = getenv("VF0"), *pfif = getenv("PFIF");
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	struct vfio_iommu_type1_dirty_bitmap start = {
		.argsz = sizeof(start),
		.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START,
	};
	struct hostile *h = &self->h;
	static __u64 bm[NPAGES / 64];
	static __u8 blob[SVF_MAX_STREAM];
	__u8 initial[SVF_COMPAT_SIZE + 64];
	int i, p, secs = seconds(), stuck = 0, fd = -1;
	int written = 0, missed = 0;
	const char *slow = NULL;
	struct timespec deadline;
	pthread_t th[T_NR];
	unsigned int next;
	struct vf vf1 = { .group = -1, .dev = -1 };
	__u32 last = 0;
	ssize_t len;

	h->bdf1 = getenv("VF1");
	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, h->bdf1);
	ASSERT_NE(NULL, pfif);
	pthread_mutex_init(&h->lock, NULL);
	ASSERT_EQ(0, pf_open(&h->pf, pfif));
	h->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, h->container);
	ASSERT_EQ(0, vf_open(&h->d.vf, h->container, bdf0, 1));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h->mem_b = mmap(NULL, MEM_B, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	h->mem_c = mmap(NULL, MEM_C, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shadow = malloc(MEM_SIZE);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(MAP_FAILED, h->mem_b);
	ASSERT_NE(MAP_FAILED, h->mem_c);
	ASSERT_NE(NULL, shadow);
	memset(mem, 0x5A, MEM_SIZE);
	memset(mem, 0, POOL);
	memset(h->mem_b, 0x5A, MEM_B);
	memset(h->mem_c, 0, MEM_C);
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = MEM_SIZE;
	ASSERT_EQ(0, ioctl(h->container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, map_at(h, h->mem_b, IOVA_B, MEM_B));
	ASSERT_EQ(0, map_at(h, h->mem_c, IOVA_C, MEM_C));
	ASSERT_EQ(0, ioctl(h->container, VFIO_IOMMU_DIRTY_PAGES, &start));
	ASSERT_EQ(0, vfdrv_map(&h->d));
	ASSERT_EQ(0x3000, h->d.db_off) TH_LOG("the RX page must be trapped (dirty tracking)");
	ASSERT_EQ(0, vf_handshake(&h->d, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	bringup(h, &next, IOVA_C);

	h->end = now_s() + secs;
	for (i = 0; i < T_NR; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, fn[i], h));
	/* each thread ends within one operation of the end */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += secs + 60;
	for (i = 0; i < T_NR; i++) {
		if (pthread_timedjoin_np(th[i], NULL, &deadline)) {
			TH_LOG("%s did not end: hung in the kernel?", t_name[i]);
			stuck++;
		}
	}
	ASSERT_EQ(0, stuck);
	for (i = 0; i < T_NR; i++)
		TH_LOG("%d s: %s %lu", secs, t_name[i], h->n[i]);
	EXPECT_EQ(0, h->unexpected) TH_LOG("%lu unexpected, first: %s",
					   h->unexpected, h->what);
	/* the threads did race: at least one of each per second */
	for (i = 0; i < T_NR; i++)
		if (h->n[i] < (unsigned long)secs)
			slow = t_name[i];
	EXPECT_EQ(NULL, slow) TH_LOG("%s: fewer than one a second", slow ? slow : "");
	EXPECT_EQ(0, driver_pins(bdf0)) TH_LOG("pinned pages after the threads");
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(h->d.vf.dev));

	/* it still migrates, with nothing missed */
	bringup(h, &next, IOVA + TXRING);
	usleep(100000);
	ASSERT_EQ(0, dirty_report(h, bm, IOVA, MEM_SIZE));
	ASSERT_EQ(0, mig_set(h->d.vf.dev, VFIO_DEVICE_STATE_PRE_COPY, &fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ((ssize_t)SVF_COMPAT_SIZE, read(fd, initial, sizeof(initial)));
	memcpy(shadow, mem, MEM_SIZE);
	for (i = 0; i < NDESC - 1; i++)
		send_frame(&h->pf, i);
	EXPECT_EQ(NDESC - 1, wait_written(next, NDESC - 1, 5000));
	EXPECT_EQ(0, mig_set(h->d.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL))
		TH_LOG("the save after the attack was refused");
	len = mig_read_all(fd, blob, sizeof(blob));
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, len);
	close(fd);
	ASSERT_EQ(0, dirty_report(h, bm, IOVA, MEM_SIZE));
	for (p = POOL / 4096; p < NPAGES; p++) {
		int w = memcmp(mem + p * 4096, shadow + p * 4096, 4096) != 0;

		written += w;
		missed += w && !((bm[p / 64] >> (p % 64)) & 1);
	}
	TH_LOG("after the attack: VF wrote %d buffer pages, missed %d", written, missed);
	EXPECT_LT(0, written);
	EXPECT_EQ(0, missed);
	EXPECT_EQ(0, mig_set(h->d.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));

	/* the state restores into VF1, in the same container */
	ASSERT_EQ(0, vf_open(&vf1, h->container, h->bdf1, 0));
	ASSERT_EQ(0, mig_set(vf1.dev, VFIO_DEVICE_STATE_RESUMING, &fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ(len, write(fd, blob, len));
	EXPECT_EQ(0, mig_set(vf1.dev, VFIO_DEVICE_STATE_STOP, NULL))
		TH_LOG("VF1 refused the state saved after the attack");
	close(fd);
	EXPECT_EQ(0, mig_set(vf1.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	EXPECT_EQ(0, mig_set(h->d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));

	ioctl(vf1.dev, VFIO_DEVICE_RESET);
	vf_close(&vf1);
	ioctl(h->d.vf.dev, VFIO_DEVICE_RESET);
	munmap(h->d.db, 0x4000 - h->d.db_off);
	vf_close(&h->d.vf);
	close(h->container);
	close(h->pf.sock);
	pthread_mutex_destroy(&h->lock);
}

TEST_HARNESS_MAIN
