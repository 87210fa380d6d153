// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking of igbvf-vfio-pci through the type1 container and, where
 * the device offers it (CONFIG_IOMMUFD_DRIVER), through DMA logging
 * (DMA_LOGGING_START/REPORT/STOP), with a user-space VF driver on VF0
 * alone in its container. The PF sends frames
 * that the VF receives into buffers at known IOVAs; every round the test
 * reposts the consumed descriptors with buffers at new addresses (each
 * straddling a page boundary) and asks the container for its dirty bitmap.
 *
 * Which pages the VF wrote is not guessed: the test keeps a copy of the
 * memory as it wrote it itself; a page that differs was written by the VF.
 * Asserted: every such buffer page is in the next report (missed = 0) on
 * every path (PRE_COPY, cancel and restart, stop-and-continue, reset); the
 * rings are in the report that follows STOP; pages never posted are not
 * reported (false positives printed), nor posted buffers the VF has not
 * written; the test catches a written page the driver does not touch
 * (fault_skip_pins); an unmap of posted buffers completes; once the
 * device is closed nothing stays pinned. Through DMA logging the
 * same scenario, the errno of every malformed request, a touched page
 * reported once and a log refused where it cannot be exact. Then the host
 * events the tracker cannot trap (host_events: SRRCTL changed with the
 * queue enabled, the ring moved, CTRL written at its alias 0x4, the PF
 * reset by ip link down/up and by an MTU change), a VF never brought up
 * (its group enters pinned-page scope all the same) and a refused
 * migration followed by a good one in the same open.
 */
#include <dirent.h>
#include <poll.h>
#include <stdint.h>
#include <linux/shadowvf/igbvf_state.h>
#include "vfdrv.h"
#include "blob_util.h"
#include "kselftest_harness.h"

#define IOVA		0x1000000ULL
#define MEM_SIZE	0x400000	/* 1024 pages */
#define NPAGES		(MEM_SIZE / 4096)
#define IOVA_B		0x2000000ULL	/* a second mapping, unmapped live */
#define MEM_B		0x10000
#define NDESC		8
#define RXRING		0x0000
#define TXRING		0x1000
#define TDWB		0x2000
#define RXRING2		0x3000		/* where a test moves the RX ring */
#define POOL		0x10000		/* buffers from here on */
#define BIG_FRAME	1400		/* crosses the page at offset 0xC00 */
#define SKIP_PARAM	"/sys/module/igbvf_vfio_pci/parameters/fault_skip_pins"
#define TRACK_PARAM	"/sys/module/igbvf_vfio_pci/parameters/dirty_tracking"
#define NO_LOG		"no DMA logging on this kernel (log_ops need CONFIG_IOMMUFD_DRIVER)"

static __u8 *mem, *shadow, *mem_b;
static __u8 posted[NPAGES];	/* page was part of a posted buffer */
static __u64 bm[NPAGES / 64];
static unsigned int next_buf;	/* next buffer slot of the pool */
static unsigned int rx_next;
static int use_log;		/* report() asks the device, not the container */

/* A DMA logging feature: 0 or -errno; @data is copied back. */
static int log_feature(int dev, __u32 flags, void *data, size_t len)
{
	__u64 buf[(sizeof(struct vfio_device_feature) + 64) / 8] = {};
	struct vfio_device_feature *f = (void *)buf;

	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	if (ioctl(dev, VFIO_DEVICE_FEATURE, f))
		return -errno;
	if (len)
		memcpy(data, f->data, len);
	return 0;
}

static int log_probe(int dev)
{
	return log_feature(dev, VFIO_DEVICE_FEATURE_PROBE |
			   VFIO_DEVICE_FEATURE_DMA_LOGGING_START, NULL, 0);
}

/* DMA_LOGGING_START; *@pgsize in: the hint, out: what the device chose */
static int log_start(int dev, __u64 *pgsize,
		     const struct vfio_device_feature_dma_logging_range *r, int n)
{
	struct vfio_device_feature_dma_logging_control c = {
		.page_size = *pgsize,
		.num_ranges = n,
		.ranges = (uintptr_t)r,
	};
	int ret;

	ret = log_feature(dev, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_DMA_LOGGING_START, &c, sizeof(c));
	if (!ret)
		*pgsize = c.page_size;
	return ret;
}

static int log_stop(int dev)
{
	return log_feature(dev, VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_DMA_LOGGING_STOP, NULL, 0);
}

static int log_report(int dev, __u64 iova, __u64 len, __u64 pgsize,
		      __u64 *bitmap)
{
	struct vfio_device_feature_dma_logging_report r = {
		.iova = iova,
		.length = len,
		.page_size = pgsize,
		.bitmap = (uintptr_t)bitmap,
	};

	return log_feature(dev, VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_DMA_LOGGING_REPORT, &r, sizeof(r));
}

/* iommufd's IOAS allocation (linux/iommufd.h, not in the build's uapi) */
struct svf_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define SVF_IOMMU_IOAS_ALLOC	_IO(';', 0x81)

/*
 * The VFIO device cdev of @bdf: 0, or -ENOENT without CDEV support (the
 * sysfs entry exists without it, the /dev node does not).
 */
static int vf_cdev_path(const char *bdf, char *path, size_t len)
{
	char dir[PATH_MAX];
	struct dirent *e;
	int ret = -ENOENT;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, "vfio", 4)) {
			snprintf(path, len, "/dev/vfio/devices/%s", e->d_name);
			ret = access(path, F_OK) ? -ENOENT : 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/* A buffer at the end of a page, so that a big frame spans two pages. */
static __u64 new_buf(void)
{
	__u64 off = POOL + (__u64)next_buf * 0x2000 + 0xC00;

	next_buf = (next_buf + 1) % ((MEM_SIZE - POOL) / 0x2000);
	posted[off / 4096] = 1;
	posted[off / 4096 + 1] = 1;
	return IOVA + off;
}

static void post(int i, __u64 addr)
{
	struct rxd *r = (void *)(mem + RXRING) + i * 16;

	r->a = addr;
	((__u64 *)r)[1] = 0;
}

/* The dirty pages of the mapping since the last report, into bm. */
static int report(int fd)
{
	char buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) +
		 sizeof(struct vfio_iommu_type1_dirty_bitmap_get)] = {};
	struct vfio_iommu_type1_dirty_bitmap *h = (void *)buf;
	struct vfio_iommu_type1_dirty_bitmap_get *g = (void *)h->data;
	int container = fd;

	memset(bm, 0, sizeof(bm));
	if (use_log)
		return log_report(fd, IOVA, MEM_SIZE, 4096, bm);
	h->argsz = sizeof(buf);
	h->flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	g->iova = IOVA;
	g->size = MEM_SIZE;
	g->bitmap.pgsize = 4096;
	g->bitmap.size = sizeof(bm);
	g->bitmap.data = bm;
	return ioctl(container, VFIO_IOMMU_DIRTY_PAGES, buf) ? -errno : 0;
}

static int dirty(int p)
{
	return (bm[p / 64] >> (p % 64)) & 1;
}

static int nr_dirty(void)
{
	int p, n = 0;

	for (p = 0; p < NPAGES; p++)
		n += dirty(p);
	return n;
}

static int ring_page(int p)
{
	return p == RXRING / 4096 || p == TXRING / 4096 || p == TDWB / 4096 ||
	       p == RXRING2 / 4096;
}

struct tally {
	int written, missed, fp, rings_written;
};

/*
 * Compare the memory with what the test wrote: pages the VF wrote must be
 * in the report just taken (ring pages only after STOP, counted apart).
 */
static void check(struct tally *t)
{
	int p;

	memset(t, 0, sizeof(*t));
	for (p = 0; p < NPAGES; p++) {
		int w = memcmp(mem + p * 4096, shadow + p * 4096, 4096) != 0;

		if (ring_page(p)) {
			t->rings_written += w;
			continue;
		}
		t->written += w;
		if (w && !dirty(p))
			t->missed++;
		if (dirty(p) && !posted[p])
			t->fp++;
	}
}

static void snapshot(void)
{
	memcpy(shadow, mem, MEM_SIZE);
}

static void send_frames(struct pf *pf, int n)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_ifindex = pf->ifindex, .sll_halen = 6 };
	static __u8 f[BIG_FRAME];
	int i;

	memcpy(sll.sll_addr, vf_mac, 6);
	for (i = 0; i < n; i++) {
		frame(f, vf_mac, pf->mac, TAG_PF2VF, i);
		memset(f + 22, 0xA5 ^ i, BIG_FRAME - 22);
		sendto(pf->sock, f, sizeof(f), 0, (void *)&sll, sizeof(sll));
	}
}

/* Consume received descriptors, repost each with a new buffer. */
static int consume(struct vfdrv *d, int want, int wait_ms)
{
	int got = 0, idle = 0;

	while (got < want && idle < wait_ms) {
		struct rxd *r = (void *)(mem + RXRING) + rx_next * 16;

		__sync_synchronize();
		if (!(r->status & 1)) {
			usleep(1000);
			idle++;
			continue;
		}
		post(rx_next, new_buf());
		__sync_synchronize();
		wr(d, RDT, rx_next);
		rx_next = (rx_next + 1) % NDESC;
		got++;
	}
	return got;
}

/*
 * One round: report (the baseline), frames into the posted buffers,
 * repost, report again and check it against what the VF wrote.
 */
static void round_trip(struct __test_metadata *_metadata, struct vfdrv *d,
		       struct pf *pf, int container, const char *name,
		       struct tally *t)
{
	ASSERT_EQ(0, report(container));
	snapshot();
	send_frames(pf, NDESC - 1);
	EXPECT_EQ(NDESC - 1, consume(d, NDESC - 1, 2000)) TH_LOG("%s: frames lost", name);
	usleep(50000);
	ASSERT_EQ(0, report(container));
	check(t);
	TH_LOG("%s: VF wrote %d buffer pages, missed %d, false positives %d, reported %d",
	       name, t->written, t->missed, t->fp, nr_dirty());
	EXPECT_LT(0, t->written);
}

static void bringup(struct vfdrv *d)
{
	int i;

	wr(d, RXDCTL, 0);
	wr(d, SRRCTL, 0x82000002);	/* 2 KiB, adv one-buffer, drop-en */
	wr(d, RDBAL, (__u32)(IOVA + RXRING));
	wr(d, RDBAH, 0);
	wr(d, RDLEN, NDESC * 16);
	wr(d, RDH, 0);
	wr(d, RDT, 0);
	wr(d, TDBAL, (__u32)(IOVA + TXRING));
	wr(d, TDBAH, 0);
	wr(d, TDLEN, NDESC * 16);
	wr(d, 0x3838, (__u32)(IOVA + TDWB) | 1);	/* TDWBAL: head write-back */
	wr(d, 0x383C, 0);
	wr(d, TDH, 0);
	wr(d, TDT, 0);
	for (i = 0; i < NDESC; i++)
		post(i, new_buf());
	rx_next = 0;
	wr(d, TXDCTL, XDCTL_EN);
	wr(d, RXDCTL, XDCTL_EN);
	wr(d, RDT, NDESC - 1);
}

static int precopy_info(int fd, struct vfio_precopy_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, info) ? -errno : 0;
}

/*
 * RUNNING -> PRE_COPY: the initial bytes are the compatibility and guest
 * records.
 */
static int enter_precopy(struct __test_metadata *_metadata, int dev)
{
	struct vfio_precopy_info info;
	__u8 b[SVF_COMPAT_SIZE + 64];
	int fd = -1;

	EXPECT_EQ(0, mig_set(dev, VFIO_DEVICE_STATE_PRE_COPY, &fd));
	if (fd < 0)
		return -1;
	EXPECT_EQ(0, precopy_info(fd, &info));
	EXPECT_EQ(SVF_COMPAT_SIZE, info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	EXPECT_EQ((ssize_t)SVF_COMPAT_SIZE, read(fd, b, sizeof(b)));
	EXPECT_EQ(SVF_COMPAT_MAGIC, *(__u32 *)b);
	/* nothing more until STOP_COPY: a temporary end of stream */
	EXPECT_EQ(-1, read(fd, b, sizeof(b)));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(0, precopy_info(fd, &info));
	EXPECT_EQ(0, info.initial_bytes);
	return fd;
}

/*
 * First, on a freshly bound VF (vfio_dirty.sh binds it) that has never
 * tracked: opened with dirty_tracking=0 its RX page is mmapped and the
 * pins cannot see the rings. DMA logging must not be offered on that
 * open (a VMM that is offered it and has START fail cannot migrate at
 * all; one that is not falls back to the container's tracking), with one
 * kernel-log line; a kernel without log_ops says nothing and is skipped.
 */
TEST(dma_logging_not_offered_untracked)
{
	const char *bdf0 = getenv("VF0");
	struct vfio_device_feature_dma_logging_range r = {
		.iova = IOVA, .length = MEM_SIZE,
	};
	__u64 pg = 4096;
	struct vf vf;
	int container, kmsg, ret, lines;

	ASSERT_NE(NULL, bdf0);
	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, sysfs_write(TRACK_PARAM, "0"));
	ret = vf_open(&vf, container, bdf0, 1);
	/* read at open only: the other tests track */
	ASSERT_EQ(0, sysfs_write(TRACK_PARAM, "1"));
	ASSERT_EQ(0, ret);
	lines = kmsg_count(kmsg, "DMA logging not offered on this open: dirty_tracking=0");
	ret = log_probe(vf.dev);
	if (ret == -ENOTTY && !lines) {
		close(kmsg);
		vf_close(&vf);
		close(container);
		SKIP(return, NO_LOG);
	}
	EXPECT_EQ(1, lines)
		TH_LOG("one kernel-log line at open must say why");
	EXPECT_EQ(-ENOTTY, ret);
	EXPECT_EQ(-ENOTTY, log_start(vf.dev, &pg, &r, 1));
	EXPECT_EQ(-ENOTTY, log_report(vf.dev, IOVA, MEM_SIZE, 4096, bm));
	close(kmsg);
	vf_close(&vf);
	close(container);
}

TEST(tracks_vf_writes)
{
	const char *bdf0 = getenv("VF0"), *pfif = getenv("PFIF");
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_type1_dirty_bitmap start = {
		.argsz = sizeof(start),
		.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START,
	};
	static __u8 stream[SVF_MAX_STREAM];
	struct vfio_precopy_info info;
	struct vfdrv d = {};
	struct tally t;
	__u32 last = 0;
	int container, fd, i, total_missed = 0;
	ssize_t len;
	struct pf pf;

	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, pfif);
	ASSERT_EQ(0, pf_open(&pf, pfif));
	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(0, vf_open(&d.vf, container, bdf0, 1));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shadow = malloc(MEM_SIZE);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(NULL, shadow);
	memset(mem, 0x5A, MEM_SIZE);
	memset(mem, 0, POOL);
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = MEM_SIZE;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &start));
	ASSERT_EQ(0, vfdrv_map(&d));
	EXPECT_EQ(0x3000, d.db_off) TH_LOG("the RX page must be trapped");
	ASSERT_EQ(0, vf_handshake(&d, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	bringup(&d);

	/* no pin yet: the container reports every page, as without tracking */
	ASSERT_EQ(0, report(container));
	EXPECT_EQ(NPAGES, nr_dirty()) TH_LOG("before PRE_COPY: %d of %d pages", nr_dirty(), NPAGES);

	fd = enter_precopy(_metadata, d.vf.dev);
	ASSERT_LE(0, fd);
	/*
	 * PRE_COPY: the group enters pinned-page scope through the RX ring;
	 * the buffers the VF owns but has not written are not reported
	 */
	ASSERT_EQ(0, report(container));
	EXPECT_EQ(1, dirty(RXRING / 4096));
	EXPECT_EQ(1, nr_dirty()) TH_LOG("%d pages reported at PRE_COPY", nr_dirty());
	for (i = 1; i <= 3; i++) {
		round_trip(_metadata, &d, &pf, container, "pre-copy", &t);
		EXPECT_EQ(0, t.missed);
		EXPECT_EQ(0, t.fp);
		total_missed += t.missed;
	}

	/* a written page the driver does not touch must show up as missed */
	ASSERT_EQ(0, sysfs_write(SKIP_PARAM, "1"));
	round_trip(_metadata, &d, &pf, container, "skip one touch", &t);
	EXPECT_EQ(1, t.missed) TH_LOG("the test did not notice an untouched page");
	round_trip(_metadata, &d, &pf, container, "after the skipped touch", &t);
	EXPECT_EQ(0, t.missed);

	/* cancelled migration: tracking goes on in RUNNING */
	close(fd);
	ASSERT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	for (i = 0; i < 2; i++) {
		round_trip(_metadata, &d, &pf, container, "after cancel", &t);
		EXPECT_EQ(0, t.missed);
		total_missed += t.missed;
	}
	/* and a new one starts cleanly */
	fd = enter_precopy(_metadata, d.vf.dev);
	ASSERT_LE(0, fd);
	round_trip(_metadata, &d, &pf, container, "restarted pre-copy", &t);
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;

	/* stop during pre-copy: the rings are reported once the VF stops */
	ASSERT_EQ(0, report(container));
	snapshot();
	send_frames(&pf, NDESC - 1);
	EXPECT_EQ(NDESC - 1, consume(&d, NDESC - 1, 2000));
	ASSERT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	ASSERT_EQ(0, report(container));
	check(&t);
	TH_LOG("stop: rings written %d, RX ring %d TX ring %d TDWB %d reported, missed %d",
	       t.rings_written, dirty(RXRING / 4096), dirty(TXRING / 4096),
	       dirty(TDWB / 4096), t.missed);
	EXPECT_LT(0, t.rings_written);
	EXPECT_EQ(1, dirty(RXRING / 4096));
	EXPECT_EQ(1, dirty(TXRING / 4096));
	EXPECT_EQ(1, dirty(TDWB / 4096));
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;
	/* STOP_COPY: no pre-copy info any more; other commands are not ours */
	EXPECT_EQ(-EINVAL, precopy_info(fd, &info));
	EXPECT_EQ(-1, ioctl(fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(ENOTTY, errno);
	/* the PRE_COPY fd carries the blob after the record */
	len = mig_read_all(fd, stream, sizeof(stream));
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, len);
	EXPECT_EQ(0, read(fd, stream, 1));
	close(fd);
	/* continued: RUNNING again, tracked */
	ASSERT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	round_trip(_metadata, &d, &pf, container, "continued", &t);
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;

	/* a reset: the guest brings the VF up again, still tracked */
	ASSERT_EQ(0, ioctl(d.vf.dev, VFIO_DEVICE_RESET));
	ASSERT_EQ(0, vf_handshake(&d, &last));
	bringup(&d);
	round_trip(_metadata, &d, &pf, container, "after reset", &t);
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;

	/*
	 * Unmapping posted buffers completes: the driver holds no pin, so
	 * type1 has nothing to wait for (also under lockdep: no lock order
	 * between .dma_unmap and the tracker)
	 */
	ASSERT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_STOP, NULL));
	mem_b = mmap(NULL, MEM_B, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem_b);
	map.vaddr = (uintptr_t)mem_b;
	map.iova = IOVA_B;
	map.size = MEM_B;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	post(rx_next, IOVA_B);
	__sync_synchronize();
	wr(&d, RDT, (rx_next + 1) % NDESC);
	unmap.iova = IOVA_B;
	unmap.size = MEM_B;
	EXPECT_EQ(0, ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(MEM_B, unmap.size);

	/* the device closes: its pins are reported once, then nothing */
	ASSERT_EQ(0, ioctl(d.vf.dev, VFIO_DEVICE_RESET));
	munmap(d.db, 0x4000 - d.db_off);	/* the mapping holds the device */
	close(d.vf.dev);
	d.vf.dev = -1;
	ASSERT_EQ(0, report(container));
	ASSERT_EQ(0, report(container));
	EXPECT_EQ(0, nr_dirty()) TH_LOG("%d pages still pinned after close", nr_dirty());
	TH_LOG("missed over all tracked rounds: %d", total_missed);
	vf_close(&d.vf);
	close(container);
}

/*
 * The scenario of tracks_vf_writes through DMA logging, as QEMU drives it
 * when the device offers log_ops: no container dirty log, START before
 * PRE_COPY, a REPORT per pass.
 */
/*
 * VF0 alone in a new container: memory mapped at IOVA, the container's
 * dirty tracking started, the mailbox handshake done and, with @up, the
 * rings set up and the buffers posted. Return: the container.
 */
static int setup(struct __test_metadata *_metadata, struct vfdrv *d,
		 struct pf *pf, int up)
{
	const char *bdf0 = getenv("VF0"), *pfif = getenv("PFIF");
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dirty_bitmap start = {
		.argsz = sizeof(start),
		.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START,
	};
	__u32 last = 0;
	int container;

	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, pfif);
	ASSERT_EQ(0, pf_open(pf, pfif));
	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(0, vf_open(&d->vf, container, bdf0, 1));
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shadow = malloc(MEM_SIZE);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(NULL, shadow);
	memset(mem, 0x5A, MEM_SIZE);
	memset(mem, 0, POOL);
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = MEM_SIZE;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_DIRTY_PAGES, &start));
	ASSERT_EQ(0, vfdrv_map(d));
	ASSERT_EQ(0x3000, d->db_off) TH_LOG("the RX page must be trapped");
	ASSERT_EQ(0, vf_handshake(d, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	if (up)
		bringup(d);
	return container;
}

static void teardown(struct vfdrv *d, int container)
{
	ioctl(d->vf.dev, VFIO_DEVICE_RESET);
	munmap(d->db, 0x4000 - d->db_off);
	vf_close(&d->vf);
	close(container);
}

/* Wait until the VF wrote back @n descriptors from rx_next, not reposting. */
static int wait_written(int n, int wait_ms)
{
	int got = 0, t;

	for (t = 0; t < wait_ms && got < n; t++) {
		struct rxd *r = (void *)(mem + RXRING) +
				((rx_next + got) % NDESC) * 16;

		__sync_synchronize();
		if (r->status & 1)
			got++;
		else
			usleep(1000);
	}
	return got;
}

/* Run an ip(8) command on the PF, then wait for its link (15 s at most). */
static int pf_cmd(const char *pfif, const char *args)
{
	char cmd[256], path[128], state[16] = "";
	FILE *f;
	int i, ret;

	snprintf(cmd, sizeof(cmd), "ip link set dev %s %s", pfif, args);
	ret = system(cmd);
	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", pfif);
	for (i = 0; i < 150; i++) {
		f = fopen(path, "r");
		if (f) {
			if (!fgets(state, sizeof(state), f))
				state[0] = 0;
			fclose(f);
		}
		if (!strncmp(state, "up", 2) ||
		    (!strncmp(state, "down", 4) && strstr(args, "down")))
			break;
		usleep(100000);
	}
	return ret;
}

/* Move the RX ring to RXRING2 as a driver would: disable, program, enable. */
static void move_ring(struct vfdrv *d)
{
	int i;

	wr(d, RXDCTL, 0);
	memset(mem + RXRING2, 0, 4096);
	for (i = 0; i < NDESC; i++) {
		struct rxd *r = (void *)(mem + RXRING2) + i * 16;

		r->a = new_buf();
		((__u64 *)r)[1] = 0;
	}
	wr(d, RDBAL, (__u32)(IOVA + RXRING2));
	wr(d, RDLEN, NDESC * 16);
	wr(d, RDH, 0);
	wr(d, RDT, 0);
	wr(d, RXDCTL, XDCTL_EN);
	wr(d, RDT, NDESC - 1);
}

enum { EV_SRRCTL, EV_RING_MOVED, EV_CTRL_ALIAS, EV_PF_DOWN_UP, EV_PF_MTU, EV_NR };

static const char *const ev_name[EV_NR] = {
	"SRRCTL grown with the queue enabled", "RX ring moved",
	"CTRL reset written at 0x4", "PF down and up", "PF MTU changed",
};

/*
 * Events the tracker does not see as such, in pre-copy: every buffer page
 * the VF wrote before must be in the report that follows STOP_COPY. Each
 * case fails without its fix: buffers recorded at the old size (SRRCTL),
 * the old ring's write-backs (moved), records left untouched after a reset
 * through the alias or by the PF (RDH reads 0 again, the queue stopped).
 */
TEST(host_events)
{
	const char *pfif = getenv("PFIF");
	struct vfdrv d = {};
	struct tally t;
	struct pf pf;
	int container, fd, ev, ret, got;
	__u32 last = 0, rdlen, rxdctl;

	container = setup(_metadata, &d, &pf, 0);
	for (ev = 0; ev < EV_NR; ev++) {
		ASSERT_EQ(0, ioctl(d.vf.dev, VFIO_DEVICE_RESET));
		ASSERT_EQ(0, vf_handshake(&d, &last))
			TH_LOG("%s: handshake failed, last reply 0x%08x",
			       ev_name[ev], last);
		bringup(&d);
		fd = enter_precopy(_metadata, d.vf.dev);
		ASSERT_LE(0, fd);
		if (ev == EV_SRRCTL) {
			/* buffers posted at 1 KiB fit their page ... */
			wr(&d, RXDCTL, 0);
			wr(&d, SRRCTL, 0x82000001);
			wr(&d, RXDCTL, XDCTL_EN);
			/* ... and are written at 2 KiB: across it */
			wr(&d, SRRCTL, 0x82000002);
		}
		ASSERT_EQ(0, report(container));
		snapshot();
		send_frames(&pf, NDESC - 1);
		if (ev == EV_SRRCTL || ev == EV_RING_MOVED)
			got = consume(&d, NDESC - 1, 2000);
		else
			got = wait_written(NDESC - 1, 2000);
		/* right after the PF came back its first frame may be lost */
		EXPECT_LE(NDESC - 2, got) TH_LOG("%s: frames lost", ev_name[ev]);
		switch (ev) {
		case EV_RING_MOVED:
			move_ring(&d);
			break;
		case EV_CTRL_ALIAS:
			wr(&d, 0x0004, 0x04000000);
			usleep(10000);
			break;
		case EV_PF_DOWN_UP:
			EXPECT_EQ(0, pf_cmd(pfif, "down"));
			EXPECT_EQ(0, pf_cmd(pfif, "up"));
			break;
		case EV_PF_MTU:
			EXPECT_EQ(0, pf_cmd(pfif, "mtu 1600"));
			EXPECT_EQ(0, pf_cmd(pfif, "mtu 1500"));
			break;
		}
		/*
		 * The event must have reached the VF, or nothing is tested:
		 * a PF reset clears the ring, the VF's own reset stops it.
		 */
		rdlen = rd(&d, RDLEN);
		rxdctl = rd(&d, RXDCTL);
		if (ev >= EV_PF_DOWN_UP) {
			EXPECT_EQ(0, rdlen) TH_LOG("%s: RDLEN 0x%x, the queue was not reset",
						   ev_name[ev], rdlen);
		}
		if (ev >= EV_CTRL_ALIAS) {
			EXPECT_EQ(0, rxdctl & XDCTL_EN) TH_LOG("%s: RXDCTL 0x%x, the queue runs on",
							       ev_name[ev], rxdctl);
		}
		ret = mig_set(d.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL);
		ASSERT_EQ(0, report(container));
		check(&t);
		TH_LOG("%s: STOP_COPY %d, VF wrote %d buffer pages, missed %d, %s %d, %s %d",
		       ev_name[ev], ret, t.written, t.missed, "RX ring",
		       dirty((ev == EV_RING_MOVED ? RXRING2 : RXRING) / 4096),
		       "first ring", dirty(RXRING / 4096));
		EXPECT_LT(0, t.written);
		EXPECT_EQ(0, t.missed) TH_LOG("%s: written pages missed", ev_name[ev]);
		/* the old ring holds the last write-backs before the move */
		EXPECT_EQ(1, ev != EV_RING_MOVED || dirty(RXRING / 4096));
		EXPECT_TRUE(ret == 0 || ret == -EIO) TH_LOG("STOP_COPY: %d", ret);
		close(fd);
		EXPECT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	}
	teardown(&d, container);
}

/*
 * A VF whose guest never set up a ring: entering PRE_COPY still brings
 * the group into pinned-page scope (through IOVA 0), so reports stop
 * counting all RAM and pre-copy can converge.
 */
TEST(never_brought_up)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	struct vfdrv d = {};
	struct pf pf;
	void *page0;
	int container, fd;

	container = setup(_metadata, &d, &pf, 0);
	page0 = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page0);
	map.vaddr = (uintptr_t)page0;
	map.iova = 0;
	map.size = 4096;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, ioctl(d.vf.dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(0, rd(&d, RDLEN));
	ASSERT_EQ(0, report(container));
	EXPECT_EQ(NPAGES, nr_dirty()) TH_LOG("before PRE_COPY: %d of %d", nr_dirty(), NPAGES);
	fd = enter_precopy(_metadata, d.vf.dev);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, report(container));
	EXPECT_EQ(0, nr_dirty())
		TH_LOG("PRE_COPY without rings: %d of %d pages reported", nr_dirty(), NPAGES);
	ASSERT_EQ(0, report(container));
	EXPECT_EQ(0, nr_dirty());
	close(fd);
	EXPECT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	teardown(&d, container);
}

/*
 * A migration refused because the log is incomplete (a tail outside the
 * ring: the tracker cannot tell which buffers the VF owns) leaves the VF
 * running; the next migration in the same open starts over and succeeds.
 * Then an unmap of a buffer the VF wrote and the tracker has not touched
 * refuses the save: type1 has forgotten the page.
 */
TEST(refused_then_good)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	static __u8 stream[SVF_MAX_STREAM];
	struct vfdrv d = {};
	struct tally t;
	struct pf pf;
	int container, fd, kmsg, state;
	char line[96];

	container = setup(_metadata, &d, &pf, 1);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	fd = enter_precopy(_metadata, d.vf.dev);
	ASSERT_LE(0, fd);
	wr(&d, RDT, NDESC + 3);
	snprintf(line, sizeof(line), "RX queue tail %d outside its ring of %d",
		 NDESC + 3, NDESC);
	EXPECT_EQ(1, kmsg_count(kmsg, line));
	wr(&d, RDT, NDESC - 1);
	EXPECT_EQ(-EIO, mig_set(d.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	EXPECT_EQ(1, kmsg_count(kmsg, "migration refused: dirty tracking incomplete"));
	state = mig_get(d.vf.dev);
	TH_LOG("after the refusal: state %d", state);
	EXPECT_NE(VFIO_DEVICE_STATE_ERROR, state);
	close(fd);
	ASSERT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	round_trip(_metadata, &d, &pf, container, "running after the refusal", &t);

	fd = enter_precopy(_metadata, d.vf.dev);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, kmsg_count(kmsg, "starting over after an incomplete log"));
	round_trip(_metadata, &d, &pf, container, "second pre-copy", &t);
	EXPECT_EQ(0, t.missed);
	EXPECT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, mig_read_all(fd, stream, sizeof(stream)));
	close(fd);
	ASSERT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));

	/* a written, untouched buffer unmapped: refused, not missed */
	mem_b = mmap(NULL, MEM_B, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem_b);
	memset(mem_b, 0x5A, MEM_B);
	map.vaddr = (uintptr_t)mem_b;
	map.iova = IOVA_B;
	map.size = MEM_B;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	fd = enter_precopy(_metadata, d.vf.dev);
	ASSERT_LE(0, fd);
	/* the VF fills the seven it owns, then only the free slot: IOVA_B */
	send_frames(&pf, NDESC - 1);
	EXPECT_EQ(NDESC - 1, wait_written(NDESC - 1, 2000));
	rx_next = (rx_next + NDESC - 1) % NDESC;
	post(rx_next, IOVA_B + 0xC00);
	__sync_synchronize();
	wr(&d, RDT, (rx_next + 1) % NDESC);
	send_frames(&pf, 1);
	EXPECT_EQ(1, wait_written(1, 2000));
	EXPECT_NE(0x5A, mem_b[0xC00 + 30]) TH_LOG("the VF did not write IOVA_B");
	unmap.iova = IOVA_B;
	unmap.size = MEM_B;
	EXPECT_EQ(0, ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	EXPECT_EQ(-EIO, mig_set(d.vf.dev, VFIO_DEVICE_STATE_STOP_COPY, NULL))
		TH_LOG("a page written before its unmap was not refused");
	close(fd);
	EXPECT_EQ(0, mig_set(d.vf.dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	close(kmsg);
	teardown(&d, container);
}

TEST(dma_logging)
{
	const char *bdf0 = getenv("VF0"), *pfif = getenv("PFIF");
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_device_feature_dma_logging_range r[2] = {
		{ IOVA, MEM_SIZE }, { IOVA_B, MEM_B },
	}, bad[2];
	static __u8 stream[SVF_MAX_STREAM];
	struct vfdrv d = {};
	struct tally t;
	__u32 last = 0;
	int container, dev, fd, i, ret, total_missed = 0;
	__u64 pg;
	struct pf pf;

	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, pfif);
	ASSERT_EQ(0, pf_open(&pf, pfif));
	container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, container);
	ASSERT_EQ(0, vf_open(&d.vf, container, bdf0, 1));
	dev = d.vf.dev;
	ret = log_probe(dev);
	if (ret == -ENOTTY) {
		vf_close(&d.vf);
		close(container);
		SKIP(return, NO_LOG);
	}
	ASSERT_EQ(0, ret);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shadow = malloc(MEM_SIZE);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(NULL, shadow);
	memset(mem, 0x5A, MEM_SIZE);
	memset(mem, 0, POOL);
	map.vaddr = (uintptr_t)mem;
	map.iova = IOVA;
	map.size = MEM_SIZE;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ASSERT_EQ(0, ioctl(container, VFIO_IOMMU_MAP_DMA, &map));
	ASSERT_EQ(0, vfdrv_map(&d));
	ASSERT_EQ(0, vf_handshake(&d, &last))
		TH_LOG("mailbox handshake failed, last reply 0x%08x", last);
	bringup(&d);

	/* nothing started: REPORT fails, STOP is harmless */
	EXPECT_EQ(-EINVAL, log_report(dev, IOVA, MEM_SIZE, 4096, bm));
	EXPECT_EQ(0, log_stop(dev));
	/* malformed STARTs, refused by the core or the driver */
	pg = 0;
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, r, 2)) TH_LOG("page size 0");
	pg = 0x3000;	/* ranges aligned to it: only the driver can refuse */
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, r, 2)) TH_LOG("page size 0x3000");
	pg = 4096;
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, r, 0)) TH_LOG("no range");
	bad[0] = r[0];
	bad[1] = (struct vfio_device_feature_dma_logging_range){ IOVA + 0x1000, 0x1000 };
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, bad, 2)) TH_LOG("overlap");
	bad[1] = (struct vfio_device_feature_dma_logging_range){ IOVA_B + 0x800, 0x1000 };
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, bad, 2)) TH_LOG("unaligned");
	pg = 0x800;	/* the core accepts it against a 2 KiB hint */
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, bad, 2))
		TH_LOG("range not aligned to the tracker's 4 KiB");
	pg = 4096;
	bad[1] = (struct vfio_device_feature_dma_logging_range){ IOVA_B, 0 };
	EXPECT_EQ(-EINVAL, log_start(dev, &pg, bad, 2)) TH_LOG("empty range");
	EXPECT_EQ(-EINVAL, log_report(dev, IOVA, MEM_SIZE, 4096, bm))
		TH_LOG("a refused START started something");

	/* a 2 KiB hint: the device answers with its own 4 KiB */
	pg = 0x800;
	ASSERT_EQ(0, log_start(dev, &pg, r, 2));
	EXPECT_EQ(4096, pg);
	pg = 4096;
	EXPECT_EQ(-EBUSY, log_start(dev, &pg, r, 2)) TH_LOG("second START");
	EXPECT_EQ(-ERANGE, log_report(dev, 0, 0x1000, 4096, bm))
		TH_LOG("REPORT outside the started ranges");
	EXPECT_EQ(-ERANGE, log_report(dev, IOVA + MEM_SIZE - 0x1000, 0x2000,
				      4096, bm)) TH_LOG("REPORT across a range end");
	EXPECT_EQ(-ERANGE, log_report(dev, IOVA + MEM_SIZE, IOVA_B - IOVA - MEM_SIZE,
				      4096, bm)) TH_LOG("REPORT between ranges");
	EXPECT_EQ(-EINVAL, log_report(dev, IOVA, MEM_SIZE, 1000, bm))
		TH_LOG("REPORT page size not a power of two");

	use_log = 1;
	/* START touches the RX ring; unwritten buffers are not logged */
	ASSERT_EQ(0, report(dev));
	EXPECT_EQ(1, dirty(RXRING / 4096));
	EXPECT_EQ(1, nr_dirty()) TH_LOG("%d pages logged at START", nr_dirty());
	fd = enter_precopy(_metadata, dev);
	ASSERT_LE(0, fd);
	for (i = 1; i <= 3; i++) {
		round_trip(_metadata, &d, &pf, dev, "log: pre-copy", &t);
		EXPECT_EQ(0, t.missed);
		EXPECT_EQ(0, t.fp);
		total_missed += t.missed;
	}

	/* a written page the driver does not touch must show up as missed */
	ASSERT_EQ(0, sysfs_write(SKIP_PARAM, "1"));
	round_trip(_metadata, &d, &pf, dev, "log: skip one touch", &t);
	EXPECT_EQ(1, t.missed) TH_LOG("the test did not notice an untouched page");
	round_trip(_metadata, &d, &pf, dev, "log: after the skipped touch", &t);
	EXPECT_EQ(0, t.missed);

	/* stop during pre-copy: the rings are in the report after STOP */
	ASSERT_EQ(0, report(dev));
	snapshot();
	send_frames(&pf, NDESC - 1);
	EXPECT_EQ(NDESC - 1, consume(&d, NDESC - 1, 2000));
	ASSERT_EQ(0, mig_set(dev, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	ASSERT_EQ(0, report(dev));
	check(&t);
	TH_LOG("log: stop: rings written %d, RX %d TX %d TDWB %d reported, missed %d, fp %d",
	       t.rings_written, dirty(RXRING / 4096), dirty(TXRING / 4096),
	       dirty(TDWB / 4096), t.missed, t.fp);
	EXPECT_LT(0, t.rings_written);
	EXPECT_EQ(1, dirty(RXRING / 4096));
	EXPECT_EQ(1, dirty(TXRING / 4096));
	EXPECT_EQ(1, dirty(TDWB / 4096));
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, mig_read_all(fd, stream, sizeof(stream)));
	close(fd);

	/*
	 * continued: the rings were touched at the stop, reported once and
	 * not again (nothing stays pinned); the buffers the VF owns are
	 * touched once (RUNNING starts over from its registers), then not
	 * reported while it has not written them
	 */
	ASSERT_EQ(0, mig_set(dev, VFIO_DEVICE_STATE_RUNNING, NULL));
	ASSERT_EQ(0, report(dev));
	EXPECT_EQ(0, dirty(TXRING / 4096)) TH_LOG("a touched page is reported only once");
	EXPECT_EQ(0, dirty(TDWB / 4096));
	ASSERT_EQ(0, report(dev));
	EXPECT_EQ(0, dirty(RXRING / 4096));
	EXPECT_EQ(0, dirty(TXRING / 4096)) TH_LOG("a released page is reported only once");
	EXPECT_EQ(0, dirty(TDWB / 4096));
	EXPECT_EQ(0, nr_dirty())
		TH_LOG("%d pages reported with nothing written", nr_dirty());
	round_trip(_metadata, &d, &pf, dev, "log: continued", &t);
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;

	/* a reset: the guest brings the VF up again, still logged */
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	ASSERT_EQ(0, vf_handshake(&d, &last));
	bringup(&d);
	round_trip(_metadata, &d, &pf, dev, "log: after reset", &t);
	EXPECT_EQ(0, t.missed);
	total_missed += t.missed;

	/* STOP ends the log; a new START holds what is pinned now */
	EXPECT_EQ(0, log_stop(dev));
	EXPECT_EQ(-EINVAL, log_report(dev, IOVA, MEM_SIZE, 4096, bm));
	pg = 4096;
	ASSERT_EQ(0, log_start(dev, &pg, r, 2));
	ASSERT_EQ(0, report(dev));
	EXPECT_EQ(1, nr_dirty()) TH_LOG("%d pages at the new START", nr_dirty());
	round_trip(_metadata, &d, &pf, dev, "log: restarted", &t);
	EXPECT_EQ(0, t.missed);
	EXPECT_EQ(0, t.fp);
	total_missed += t.missed;
	TH_LOG("log: missed over all tracked rounds: %d", total_missed);

	/* closing the device with the log on ends it (kmemleak checks) */
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	munmap(d.db, 0x4000 - d.db_off);
	vf_close(&d.vf);
	close(container);
}

/*
 * A physical device bound through iommufd: the driver cannot read the
 * guest's rings (no iommufd access), so DMA logging is not offered on
 * that open, with one kernel-log line: QEMU then uses the IOMMU's dirty
 * tracking or, with none, counts all RAM dirty (enable-migration=on) or
 * blocks migration, instead of failing every migration at START.
 */
TEST(dma_logging_not_offered_iommufd)
{
	const char *bdf0 = getenv("VF0");
	struct vfio_device_feature_dma_logging_range r = {
		.iova = IOVA, .length = MEM_SIZE,
	};
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct svf_ioas_alloc ioas = { .size = sizeof(ioas) };
	char path[PATH_MAX];
	int iommufd, dev, kmsg, ret, lines;
	__u64 pg = 4096;

	ASSERT_NE(NULL, bdf0);
	if (vf_cdev_path(bdf0, path, sizeof(path)) || access("/dev/iommu", F_OK))
		SKIP(return, "no VFIO device cdev or /dev/iommu (CONFIG_VFIO_DEVICE_CDEV)");
	iommufd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, iommufd);
	dev = open(path, O_RDWR);
	ASSERT_LE(0, dev);
	kmsg = kmsg_open();
	ASSERT_LE(0, kmsg);
	bind.iommufd = iommufd;
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	ASSERT_EQ(0, ioctl(iommufd, SVF_IOMMU_IOAS_ALLOC, &ioas));
	attach.pt_id = ioas.out_ioas_id;
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach));
	lines = kmsg_count(kmsg, "DMA logging not offered on this open: bound through iommufd");
	ret = log_probe(dev);
	if (ret == -ENOTTY && !lines) {
		close(kmsg);
		close(dev);
		close(iommufd);
		SKIP(return, NO_LOG);
	}
	EXPECT_EQ(1, lines)
		TH_LOG("one kernel-log line at the bind must say why");
	EXPECT_EQ(-ENOTTY, ret);
	EXPECT_EQ(-ENOTTY, log_start(dev, &pg, &r, 1));
	close(kmsg);
	close(dev);
	close(iommufd);
}

TEST_HARNESS_MAIN
