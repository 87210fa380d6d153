// SPDX-License-Identifier: GPL-2.0
/*
 * Faults, races and hostile users against igbvf-vfio-pci, run inside the
 * emulated SR-IOV host on two VFs bound to the driver (VF0, VF1, PF and PFIF
 * in the environment, as tools/testbed/l1-main.sh exports them).
 *
 *  st.*    every migration state: VFIO_DEVICE_RESET, and closing the device
 *          fd with the state's data fd still open; the VF migrates afterwards
 *  flt.*   data fds closed early or late, I/O on invalidated fds, the PF link
 *          going down while saving and while restoring, set_state / reset /
 *          data fd / BAR0 races, concurrent writers on one resuming fd,
 *          out-of-range and odd-sized BAR0 accesses, mmap of the trapped
 *          pages, mailbox abuse, the module pinned by a data fd
 *  sriov.* (last) SR-IOV disabled and the PF unbound while both VFs are open
 *          and migrating; each recreates the VFs and binds them to
 *          igbvf-vfio-pci again, so that later tests still find them
 *
 * Every wait is bounded. vfio_faults.sh reloads the module afterwards and
 * checks the kernel log.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>
#include <linux/shadowvf/igbvf_state.h>
#include "vfio_util.h"
#include "blob_util.h"
#include "kselftest_harness.h"

#define S_STOP		VFIO_DEVICE_STATE_STOP
#define S_RUNNING	VFIO_DEVICE_STATE_RUNNING
#define S_STOP_COPY	VFIO_DEVICE_STATE_STOP_COPY
#define S_RESUMING	VFIO_DEVICE_STATE_RESUMING
#define S_RUNNING_P2P	VFIO_DEVICE_STATE_RUNNING_P2P
#define S_ERROR		VFIO_DEVICE_STATE_ERROR

/* BAR0 (drivers/vfio/pci/igbvf/regs.h) */
#define VTCTRL		0x0000
#define  VTCTRL_RST	0x04000000
#define STATUS		0x0008
#define VMBMEM		0x0800
#define V2PMBX		0x0C40
#define  MBX_REQ	0x01
#define  MBX_ACK	0x02
#define  MBX_VFU	0x04
#define  MBX_PFSTS	0x10
#define  MBX_PFACK	0x20
#define PBACL		0x0F04
#define GPRC		0x0F10
#define GPRLBC		0x0F40
#define GPTLBC		0x0F44
#define GORLBC		0x0F48
#define GOTLBC		0x0F50
#define EIMS		0x1524
#define EIMC		0x1528
#define EIAC		0x152C
#define EIAM		0x1530
#define EITR0		0x1680
#define IVAR0		0x1700
#define RDLEN		0x2808
#define TDLEN		0x3808
#define RXDCTL		0x2828
#define TDT		0x3818
#define TXDCTL		0x3828
#define  XDCTL_EN	0x02000000
#define TRAP_END	0x3000	/* the RX page is trapped: dirty tracking */
#define BAR0_SIZE	0x4000

/* PF/VF mailbox messages */
#define MSG_RESET	0x01
#define MSG_SET_MAC	0x02
#define MSG_SET_MC	0x03
#define MSG_ACK		0x80000000u
#define MSG_NACK	0x40000000u
#define MSG_CTS		0x20000000u

#define PF_DEFAULT	"0000:00:03.0"
#define PF_ADDR		"198.18.0.1/24"	/* as l1-main.sh sets it */
#define DRV		"igbvf_vfio_pci"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* NULL if @b is a complete, self-consistent 82576 VF blob; else the field. */
static const char *blob_bad(const __u8 *b, ssize_t len)
{
	struct svf_header h;
	__u8 tmp[SVF_MAX_BLOB];

	if (len != (ssize_t)SVF_BLOB_SIZE)
		return "length";
	memcpy(&h, b, sizeof(h));
	if (h.magic != SVF_MAGIC)
		return "magic";
	if (h.major != SVF_VERSION_MAJOR)
		return "major";
	if (h.total_len != len)
		return "total_len";
	if (h.vendor != 0x8086 || h.device != 0x10ca)
		return "device";
	memcpy(tmp, b, len);
	((struct svf_header *)tmp)->crc32 = 0;
	if (crc32_ieee(tmp, len) != h.crc32)
		return "crc32";
	return NULL;
}

static __u64 bar0_offset(int dev)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri),
				       .index = VFIO_PCI_BAR0_REGION_INDEX };

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return ~0ULL;
	return ri.offset;
}

/* Trapped or mmapped BAR0 dword through the region interface: 0 or -errno. */
static int rd32(int dev, __u64 base, __u32 off, __u32 *v)
{
	ssize_t n = pread(dev, v, 4, base + off);

	return n == 4 ? 0 : n < 0 ? -errno : -EIO;
}

static int wr32(int dev, __u64 base, __u32 off, __u32 v)
{
	ssize_t n = pwrite(dev, &v, 4, base + off);

	return n == 4 ? 0 : n < 0 ? -errno : -EIO;
}

static __u32 rd(int dev, __u64 base, __u32 off)
{
	__u32 v = 0xdeadbeef;

	rd32(dev, base, off, &v);
	return v;
}

/* Poll V2PMAILBOX until @bit was seen (read-to-clear bits accumulate). */
static int mbx_wait(int dev, __u64 base, __u32 bit, __u32 *seen, int ms)
{
	__u32 v;
	int t;

	for (t = 0; t < 2 * ms; t++) {
		if (rd32(dev, base, V2PMBX, &v))
			return -EIO;
		*seen |= v;
		if (*seen & bit)
			return 0;
		usleep(500);
	}
	return -ETIMEDOUT;
}

/* Post @n words as igbvf does (VFU, VMBMEM, REQ); no wait. */
static void mbx_post(int dev, __u64 base, const __u32 *msg, int n)
{
	int i;

	wr32(dev, base, V2PMBX, MBX_VFU);
	for (i = 0; i < n; i++)
		wr32(dev, base, VMBMEM + 4 * i, msg[i]);
	wr32(dev, base, V2PMBX, MBX_REQ);
}

/* igbvf's posted exchange; returns reply word 0, or 0 if the PF is silent. */
static __u32 mbx(int dev, __u64 base, const __u32 *msg, int n, __u32 *reply,
		 int rn)
{
	__u32 seen = 0;
	int i;

	mbx_post(dev, base, msg, n);
	if (mbx_wait(dev, base, MBX_PFACK, &seen, 2000) ||
	    mbx_wait(dev, base, MBX_PFSTS, &seen, 2000))
		return 0;
	for (i = 0; i < rn; i++)
		reply[i] = rd(dev, base, VMBMEM + 4 * i);
	wr32(dev, base, V2PMBX, MBX_ACK);
	return reply[0];
}

/* VF_RESET handshake; returns the PF's reply word 0 (0: no answer). */
static __u32 vf_reset_msg(int dev, __u64 base)
{
	__u32 msg[1] = { MSG_RESET }, reply[3] = {};

	return mbx(dev, base, msg, 1, reply, 3);
}

/*
 * STOP_COPY, read to the end, STOP. Returns the blob's length (the
 * compatibility record checked and dropped; -1 if it is wrong) or -errno.
 */
static ssize_t save_state(int dev, __u8 *buf, size_t size)
{
	ssize_t len;
	int fd = -1, ret;

	ret = mig_set(dev, S_STOP_COPY, &fd);
	if (ret)
		return ret;
	len = mig_read_all(fd, buf, size);
	close(fd);
	ret = mig_set(dev, S_STOP, NULL);
	if (len > 0)
		len = stream_take_blob(buf, len);
	return ret ? ret : len;
}

/* RESUMING, write @len bytes, STOP. Returns the STOP result. */
static int restore_state(int dev, const __u8 *blob, size_t len)
{
	int fd = -1, ret;
	ssize_t n;

	ret = mig_set(dev, S_RESUMING, &fd);
	if (ret)
		return ret;
	n = write(fd, blob, len);
	ret = mig_set(dev, S_STOP, NULL);
	close(fd);
	if (!ret && n != (ssize_t)len)
		return -EIO;
	return ret;
}

static int sysfs_read(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int path_exists(const char *fmt, const char *arg)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), fmt, arg);
	return access(p, F_OK) == 0;
}

/* Poll until path @fmt/@arg exists (@want) or not, up to @sec seconds. */
static int wait_path(const char *fmt, const char *arg, int want, int sec)
{
	double end = now_s() + sec;

	while (path_exists(fmt, arg) != want) {
		if (now_s() > end)
			return -ETIMEDOUT;
		usleep(100000);
	}
	return 0;
}

static const char *bound_driver(const char *bdf, char *buf, size_t size)
{
	char p[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(p, buf, size - 1);
	if (n < 0)
		return "";
	buf[n] = 0;
	return basename(buf);
}

/* Bind @bdf to igbvf-vfio-pci through driver_override, as l2lib.sh does. */
static int vf_rebind(const char *bdf)
{
	char p[PATH_MAX], link[PATH_MAX];
	const char *drv = bound_driver(bdf, link, sizeof(link));

	if (!strcmp(drv, DRV))
		return 0;
	if (*drv) {
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		sysfs_write(p, bdf);
	}
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver_override", bdf);
	if (sysfs_write(p, DRV))
		return -EIO;
	sysfs_write("/sys/bus/pci/drivers_probe", bdf);
	return strcmp(bound_driver(bdf, link, sizeof(link)), DRV) ? -ENODEV : 0;
}

static int pf_carrier(const char *ifname)
{
	char p[128], v[16];

	snprintf(p, sizeof(p), "/sys/class/net/%s/carrier", ifname);
	return !sysfs_read(p, v, sizeof(v)) && v[0] == '1';
}

/* ip link set PFIF up|down; up waits (bounded) for the carrier. */
static int pf_link(const char *ifname, int up)
{
	double end = now_s() + 30;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link set %s %s", ifname, up ? "up" : "down");
	if (system(cmd))
		return -EIO;
	while (up && !pf_carrier(ifname)) {
		if (now_s() > end)
			return -ETIMEDOUT;
		usleep(200000);
	}
	return 0;
}

/*
 * Resume @blob on @dev, tried up to @tries times 1 s apart: a PF that just
 * came back up may take a moment before it answers the mailbox.
 */
static int restore_retry(struct __test_metadata *_metadata, int dev,
			 const __u8 *blob, size_t len, int tries)
{
	int ret = -EINVAL, i;

	for (i = 0; i < tries; i++) {
		ret = restore_state(dev, blob, len);
		if (!ret)
			break;
		TH_LOG("restore attempt %d: %d", i + 1, ret);
		ioctl(dev, VFIO_DEVICE_RESET);
		sleep(1);
	}
	return ret;
}

/* Errno of one read (saving fd) or write (resuming fd) on @fd, 0 if none. */
static int fd_io_errno(int fd, __u32 state)
{
	char buf[8] = {};
	ssize_t n;

	n = state == S_STOP_COPY ? read(fd, buf, sizeof(buf)) :
				   write(fd, buf, sizeof(buf));
	return n < 0 ? errno : 0;
}

static void open_pair(struct __test_metadata *_metadata, int *container,
		      struct vf vf[2], __u64 bar[2])
{
	const char *bdf0 = getenv("VF0"), *bdf1 = getenv("VF1");

	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, bdf1);
	*container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, *container);
	ASSERT_EQ(0, vf_open(&vf[0], *container, bdf0, 1));
	ASSERT_EQ(0, vf_open(&vf[1], *container, bdf1, 0));
	bar[0] = bar0_offset(vf[0].dev);
	bar[1] = bar0_offset(vf[1].dev);
	ASSERT_NE(~0ULL, bar[0]);
	ASSERT_NE(~0ULL, bar[1]);
}

static void close_pair(int *container, struct vf vf[2])
{
	vf_close(&vf[0]);
	vf_close(&vf[1]);
	if (*container >= 0)
		close(*container);
	*container = -1;
}

/*
 * The device migrates normally, in both roles: its own state saves as a
 * complete blob, and @blob (from the other VF) restores onto it.
 */
static void expect_migrates(struct __test_metadata *_metadata, int dev,
			    const __u8 *blob, ssize_t blob_len)
{
	static __u8 b[SVF_MAX_BLOB];
	const char *bad;
	ssize_t len;

	EXPECT_EQ(S_RUNNING, mig_get(dev));
	len = save_state(dev, b, sizeof(b));
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, len);
	bad = blob_bad(b, len);
	EXPECT_EQ(NULL, bad) TH_LOG("saved blob: bad %s", bad);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	EXPECT_EQ(0, restore_state(dev, blob, blob_len));
	EXPECT_EQ(S_STOP, mig_get(dev));
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	EXPECT_EQ(S_RUNNING, mig_get(dev));
}

/*
 * Per-state faults on VF1 (the device under test), with a blob saved from
 * VF0 to restore. Variants: every state the driver supports, and the data
 * fd states part-way through their stream.
 */
enum prep { PREP_NONE, PREP_PARTIAL, PREP_LOADED, PREP_REFUSED };

FIXTURE(st) {
	int container;
	struct vf vf[2];
	__u64 bar[2];
	__u8 blob[SVF_MAX_BLOB];
	ssize_t blob_len;
};

FIXTURE_VARIANT(st) {
	__u32 state;
	int prep;
};

FIXTURE_VARIANT_ADD(st, running) { .state = S_RUNNING, .prep = PREP_NONE };
FIXTURE_VARIANT_ADD(st, running_p2p) { .state = S_RUNNING_P2P, .prep = PREP_NONE };
FIXTURE_VARIANT_ADD(st, stop) { .state = S_STOP, .prep = PREP_NONE };
/* STOP_COPY with half of the blob read */
FIXTURE_VARIANT_ADD(st, stop_copy_partial) { .state = S_STOP_COPY, .prep = PREP_PARTIAL };
/* RESUMING with half of a valid blob written */
FIXTURE_VARIANT_ADD(st, resuming_partial) { .state = S_RESUMING, .prep = PREP_PARTIAL };
/* RESUMING with a complete blob written (loaded into the VF) */
FIXTURE_VARIANT_ADD(st, resuming_loaded) { .state = S_RESUMING, .prep = PREP_LOADED };
/* RESUMING after a refused blob and a failed RESUMING -> STOP */
FIXTURE_VARIANT_ADD(st, resuming_refused) { .state = S_RESUMING, .prep = PREP_REFUSED };

FIXTURE_SETUP(st)
{
	open_pair(_metadata, &self->container, self->vf, self->bar);
	self->blob_len = save_state(self->vf[0].dev, self->blob, sizeof(self->blob));
	ASSERT_EQ((ssize_t)SVF_BLOB_SIZE, self->blob_len);
	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
}

FIXTURE_TEARDOWN(st)
{
	close_pair(&self->container, self->vf);
}

/* Put VF1 into the variant's state; returns the state's data fd or -1. */
static int st_enter(struct __test_metadata *_metadata, struct _test_data_st *self,
		    const struct _fixture_variant_st *v)
{
	int dev = self->vf[1].dev, fd = -1;
	size_t half = self->blob_len / 2;
	__u8 b[SVF_MAX_BLOB];
	ssize_t n;

	ASSERT_EQ(0, mig_set(dev, v->state, &fd));
	ASSERT_EQ(v->state == S_STOP_COPY || v->state == S_RESUMING, fd >= 0);
	switch (v->prep) {
	case PREP_PARTIAL:
		n = v->state == S_STOP_COPY ? read(fd, b, half) :
					      write(fd, self->blob, half);
		ASSERT_EQ((ssize_t)half, n);
		break;
	case PREP_LOADED:
		ASSERT_EQ(self->blob_len, write(fd, self->blob, self->blob_len));
		break;
	case PREP_REFUSED:
		memcpy(b, self->blob, self->blob_len);
		b[self->blob_len - 1] ^= 0x80;
		ASSERT_EQ(-1, write(fd, b, self->blob_len));
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(-EINVAL, mig_set(dev, S_STOP, NULL));
		break;
	}
	ASSERT_EQ(v->state, mig_get(dev));
	return fd;
}

/* A reset in the state returns to RUNNING, ends the fd, and leaves no trace. */
TEST_F(st, reset_then_migrate)
{
	int dev = self->vf[1].dev, fd;

	fd = st_enter(_metadata, self, variant);
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev));
	if (fd >= 0) {
		EXPECT_EQ(ENODEV, fd_io_errno(fd, variant->state));
		close(fd);
	}
	expect_migrates(_metadata, dev, self->blob, self->blob_len);
}

/*
 * Closing the device fd in the state while its data fd stays open: the fd
 * is dead (-ENODEV) from then on, and the device reopens in RUNNING.
 */
TEST_F(st, close_device_with_data_fd)
{
	struct vf *vf = &self->vf[1];
	int fd;

	fd = st_enter(_metadata, self, variant);
	close(vf->dev);
	vf->dev = -1;
	if (fd >= 0)
		EXPECT_EQ(ENODEV, fd_io_errno(fd, variant->state));
	vf->dev = ioctl(vf->group, VFIO_GROUP_GET_DEVICE_FD, vf->bdf);
	ASSERT_LE(0, vf->dev);
	EXPECT_EQ(S_RUNNING, mig_get(vf->dev));
	if (fd >= 0) {
		/* a new open does not revive the old session */
		EXPECT_EQ(ENODEV, fd_io_errno(fd, variant->state));
		close(fd);
	}
	expect_migrates(_metadata, vf->dev, self->blob, self->blob_len);
}

FIXTURE(flt) {
	int container;
	struct vf vf[2];
	__u64 bar[2];
	__u8 blob[SVF_MAX_BLOB];
	ssize_t blob_len;
	const char *pfif;
	int pf_down;
};

FIXTURE_SETUP(flt)
{
	open_pair(_metadata, &self->container, self->vf, self->bar);
	self->blob_len = save_state(self->vf[0].dev, self->blob, sizeof(self->blob));
	ASSERT_EQ((ssize_t)SVF_BLOB_SIZE, self->blob_len);
	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
	self->pfif = getenv("PFIF");
}

FIXTURE_TEARDOWN(flt)
{
	if (self->pf_down && pf_link(self->pfif, 1))
		TH_LOG("PF %s did not come back up", self->pfif);
	close_pair(&self->container, self->vf);
}

/* A saving fd closed before its end: the next session starts afresh. */
TEST_F(flt, close_save_fd_early)
{
	int dev = self->vf[0].dev, fd = -1;
	static __u8 b[SVF_MAX_BLOB];
	const char *bad;
	ssize_t len;

	ASSERT_EQ(0, mig_set(dev, S_STOP_COPY, &fd));
	ASSERT_EQ(16, read(fd, b, 16));
	close(fd);
	EXPECT_EQ(S_STOP_COPY, mig_get(dev));
	EXPECT_EQ(0, mig_set(dev, S_STOP, NULL));
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	len = save_state(dev, b, sizeof(b));
	EXPECT_EQ(self->blob_len, len);
	bad = blob_bad(b, len);
	EXPECT_EQ(NULL, bad) TH_LOG("blob after an early close: bad %s", bad);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	/* closed unread, then STOP_COPY -> RUNNING in one combination arc */
	ASSERT_EQ(0, mig_set(dev, S_STOP_COPY, &fd));
	close(fd);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	EXPECT_EQ(S_RUNNING, mig_get(dev));
}

/*
 * A resuming fd closed before its end: RESUMING -> STOP fails with -EINVAL
 * and only a reset leaves RESUMING. A complete blob is loaded on its last
 * byte, so that fd may close before STOP.
 */
TEST_F(flt, close_resume_fd_early)
{
	int dev = self->vf[1].dev, fd = -1;
	size_t half = self->blob_len / 2;

	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	ASSERT_EQ((ssize_t)half, write(fd, self->blob, half));
	close(fd);
	EXPECT_EQ(-EINVAL, mig_set(dev, S_STOP, NULL));
	EXPECT_EQ(S_RESUMING, mig_get(dev));
	EXPECT_EQ(-EINVAL, mig_set(dev, S_RUNNING, NULL));
	EXPECT_EQ(S_RESUMING, mig_get(dev));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev));

	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	ASSERT_EQ(self->blob_len, write(fd, self->blob, self->blob_len));
	close(fd);
	EXPECT_EQ(0, mig_set(dev, S_STOP, NULL));
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
}

/* Fds closed late, and I/O on fds whose state ended, however it ended. */
TEST_F(flt, stale_fd_io)
{
	int dev0 = self->vf[0].dev, dev1 = self->vf[1].dev;
	int old = -1, cur = -1, r1 = -1, r2 = -1;
	static __u8 b[SVF_MAX_BLOB];

	/* STOP_COPY -> STOP ends it; a new session does not revive it */
	ASSERT_EQ(0, mig_set(dev0, S_STOP_COPY, &old));
	EXPECT_EQ(SVF_COMPAT_SIZE + self->blob_len, mig_read_all(old, b, sizeof(b)));
	ASSERT_EQ(0, mig_set(dev0, S_STOP, NULL));
	EXPECT_EQ(ENODEV, fd_io_errno(old, S_STOP_COPY));
	ASSERT_EQ(0, mig_set(dev0, S_STOP_COPY, &cur));
	EXPECT_EQ(ENODEV, fd_io_errno(old, S_STOP_COPY));
	EXPECT_EQ(SVF_COMPAT_SIZE + self->blob_len, mig_read_all(cur, b, sizeof(b)));
	/* STOP_COPY -> RUNNING (combination arc) ends it too */
	ASSERT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	EXPECT_EQ(ENODEV, fd_io_errno(cur, S_STOP_COPY));
	close(old);
	close(cur);

	/* RESUMING -> STOP ends a resuming fd; a reset ends the next one */
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &r1));
	ASSERT_EQ(self->blob_len, write(r1, self->blob, self->blob_len));
	ASSERT_EQ(0, mig_set(dev1, S_STOP, NULL));
	EXPECT_EQ(ENODEV, fd_io_errno(r1, S_RESUMING));
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &r2));
	EXPECT_EQ(ENODEV, fd_io_errno(r1, S_RESUMING));
	EXPECT_EQ(4, write(r2, self->blob, 4));
	ASSERT_EQ(0, ioctl(dev1, VFIO_DEVICE_RESET));
	EXPECT_EQ(ENODEV, fd_io_errno(r2, S_RESUMING));
	EXPECT_EQ(S_RUNNING, mig_get(dev1));
	close(r1);
	close(r2);
	expect_migrates(_metadata, dev1, self->blob, self->blob_len);
}

/*
 * PF link down while VF0 is in STOP_COPY: the state was captured on entry,
 * the fd delivers all of it, and it restores once the PF is back.
 */
TEST_F_TIMEOUT(flt, pf_down_during_stop_copy, 120)
{
	int dev0 = self->vf[0].dev, fd = -1;
	static __u8 b[SVF_MAX_BLOB];
	const char *bad;
	ssize_t n;

	ASSERT_NE(NULL, self->pfif);
	ASSERT_EQ(0, mig_set(dev0, S_STOP_COPY, &fd));
	ASSERT_EQ(32, read(fd, b, 32));
	ASSERT_EQ(0, pf_link(self->pfif, 0));
	self->pf_down = 1;
	n = mig_read_all(fd, b + 32, sizeof(b) - 32);
	EXPECT_EQ(SVF_COMPAT_SIZE + self->blob_len - 32, n);
	n = stream_take_blob(b, n + 32);
	bad = blob_bad(b, n);
	EXPECT_EQ(NULL, bad) TH_LOG("blob read across PF down: bad %s", bad);
	close(fd);
	EXPECT_EQ(0, mig_set(dev0, S_STOP, NULL));
	EXPECT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	ASSERT_EQ(0, pf_link(self->pfif, 1));
	self->pf_down = 0;
	EXPECT_EQ(0, restore_retry(_metadata, self->vf[1].dev, b, n, 3));
	EXPECT_EQ(0, mig_set(self->vf[1].dev, S_RUNNING, NULL));
}

/*
 * PF link down while VF1 restores a valid blob: the PF answers no mailbox
 * message, so the write that completes the blob fails within the driver's
 * 3 s restore deadline with -ETIMEDOUT (or -EIO); RESUMING -> STOP reports
 * the same errno and, as the restore had begun, the device enters ERROR.
 * A reset leaves it; with the PF up again a new RESUMING takes the blob,
 * and the VF passes the mailbox handshake.
 */
TEST_F_TIMEOUT(flt, pf_down_during_resuming, 120)
{
	int dev1 = self->vf[1].dev, fd = -1, err, ms;
	__u32 reply;
	double t0;
	ssize_t n;

	ASSERT_NE(NULL, self->pfif);
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &fd));
	ASSERT_EQ(0, pf_link(self->pfif, 0));
	self->pf_down = 1;
	t0 = now_s();
	n = write(fd, self->blob, self->blob_len);
	err = n < 0 ? errno : 0;
	ms = (now_s() - t0) * 1000;
	TH_LOG("restore with the PF down: write %zd, errno %d after %d ms", n, err, ms);
	EXPECT_EQ(-1, n);
	EXPECT_TRUE(err == ETIMEDOUT || err == EIO);
	EXPECT_GT(5000, ms);
	/* more bytes on the refused fd keep the refusal's errno */
	n = write(fd, self->blob, 1);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(err, n < 0 ? errno : 0);
	EXPECT_EQ(-err, mig_set(dev1, S_STOP, NULL));
	EXPECT_EQ(S_ERROR, mig_get(dev1));
	EXPECT_EQ(ENODEV, fd_io_errno(fd, S_RESUMING));
	close(fd);

	ASSERT_EQ(0, pf_link(self->pfif, 1));
	self->pf_down = 0;
	ASSERT_EQ(0, ioctl(dev1, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev1));
	EXPECT_EQ(0, restore_retry(_metadata, dev1, self->blob, self->blob_len, 3));
	EXPECT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
	/* and the VF itself talks to the PF again */
	reply = vf_reset_msg(dev1, self->bar[1]);
	EXPECT_EQ(MSG_RESET, reply & 0xFFFF) TH_LOG("VF_RESET reply 0x%08x", reply);
	EXPECT_NE(0, reply & (MSG_ACK | MSG_NACK));
}

/* Races: state, reset, data fd and trapped BAR0 threads on VF0. */
struct race {
	int dev;
	__u64 bar;
	double end;
	const __u8 *blob;
	size_t blob_len;
	pthread_mutex_t lock;	/* fd, fd_state */
	int fd;
	__u32 fd_state;
	unsigned long sets, set_errs, resets, reset_busy, reads, writes;
	unsigned long io_errs, traps, timeouts, unexpected;
	char what[96];
};

static void race_unexpected(struct race *r, const char *op, int err)
{
	pthread_mutex_lock(&r->lock);
	r->unexpected++;
	snprintf(r->what, sizeof(r->what), "%s: errno %d", op, err);
	pthread_mutex_unlock(&r->lock);
}

static void *race_state(void *arg)
{
	static const __u32 targets[] = { S_RUNNING, S_RUNNING_P2P, S_STOP,
					 S_STOP_COPY, S_RESUMING };
	unsigned int seed = (unsigned long)pthread_self();
	struct race *r = arg;
	int fd, ret;
	__u32 t;

	while (now_s() < r->end) {
		t = targets[rand_r(&seed) % 5];
		fd = -1;
		ret = mig_set(r->dev, t, &fd);
		if (!ret) {
			__atomic_fetch_add(&r->sets, 1, __ATOMIC_RELAXED);
			if (fd >= 0) {
				pthread_mutex_lock(&r->lock);
				if (r->fd >= 0)
					close(r->fd);
				r->fd = fd;
				r->fd_state = t;
				pthread_mutex_unlock(&r->lock);
			}
		} else if (ret == -EINVAL || ret == -ETIMEDOUT || ret == -EIO ||
			   ret == -EPROTO || ret == -ENODEV) {
			/*
			 * refused blob, or a reset in the middle of a restore
			 * (which stops it: -ENODEV)
			 */
			__atomic_fetch_add(&r->set_errs, 1, __ATOMIC_RELAXED);
			if (ret == -ETIMEDOUT)
				__atomic_fetch_add(&r->timeouts, 1, __ATOMIC_RELAXED);
		} else {
			race_unexpected(r, "set_state", -ret);
		}
		usleep(rand_r(&seed) % 2000);
	}
	return NULL;
}

static void *race_reset(void *arg)
{
	unsigned int seed = 7;
	struct race *r = arg;

	while (now_s() < r->end) {
		if (!ioctl(r->dev, VFIO_DEVICE_RESET))
			__atomic_fetch_add(&r->resets, 1, __ATOMIC_RELAXED);
		else if (errno == EAGAIN)	/* device lock contended */
			__atomic_fetch_add(&r->reset_busy, 1, __ATOMIC_RELAXED);
		else
			race_unexpected(r, "reset", errno);
		usleep(5000 + rand_r(&seed) % 20000);
	}
	return NULL;
}

static void *race_io(void *arg)
{
	static __u8 buf[SVF_MAX_BLOB];
	unsigned int seed = 11;
	struct race *r = arg;
	__u32 st;
	ssize_t n;
	size_t len;
	int fd;

	while (now_s() < r->end) {
		pthread_mutex_lock(&r->lock);
		fd = r->fd >= 0 ? dup(r->fd) : -1;
		st = r->fd_state;
		pthread_mutex_unlock(&r->lock);
		if (fd < 0) {
			usleep(500);
			continue;
		}
		len = 1 + rand_r(&seed) % 64;
		if (st == S_STOP_COPY) {
			n = read(fd, buf, len);
			__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELAXED);
		} else {
			/*
			 * Mostly pieces; now and then a whole blob, which
			 * restores (a mailbox exchange, up to 2 s per message
			 * when a reset hits it) if the fd is at offset 0.
			 */
			if (!(rand_r(&seed) % 8))
				len = r->blob_len;
			n = write(fd, r->blob, len);
			__atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);
		}
		if (n < 0 && errno == ETIMEDOUT)
			__atomic_fetch_add(&r->timeouts, 1, __ATOMIC_RELAXED);
		if (n < 0) {
			if (errno == ENODEV || errno == EINVAL || errno == EFBIG ||
			    errno == ETIMEDOUT || errno == EIO || errno == EPROTO)
				__atomic_fetch_add(&r->io_errs, 1, __ATOMIC_RELAXED);
			else
				race_unexpected(r, st == S_STOP_COPY ? "read" : "write",
						errno);
		}
		close(fd);
	}
	return NULL;
}

static void *race_trap(void *arg)
{
	static const __u32 rd_regs[] = { STATUS, EIMS, GPRC, EITR0 };
	unsigned int seed = 13;
	struct race *r = arg;
	__u32 v;
	int ret;

	while (now_s() < r->end) {
		if (rand_r(&seed) & 1)
			ret = rd32(r->dev, r->bar, rd_regs[rand_r(&seed) % 4], &v);
		else
			ret = wr32(r->dev, r->bar, rand_r(&seed) & 1 ? EIMC : EIMS, 0x7);
		if (ret)
			race_unexpected(r, "bar0", -ret);
		else
			__atomic_fetch_add(&r->traps, 1, __ATOMIC_RELAXED);
		usleep(rand_r(&seed) % 1000);
	}
	return NULL;
}

static int race_seconds(void)
{
	const char *s = getenv("VFIO_FAULTS_RACE_SECONDS");
	int v = s ? atoi(s) : 10;

	return v < 1 ? 1 : v > 60 ? 60 : v;
}

/*
 * Two set_state threads (random targets), a data fd thread, a trapped BAR0
 * thread and (@resets) a VFIO_DEVICE_RESET thread on VF0 for
 * VFIO_FAULTS_RACE_SECONDS (10 s by default, at most 60): no hang, only
 * documented errnos, and afterwards a valid state and a full save on VF0
 * plus restore on VF1.
 */
static void run_races(struct __test_metadata *_metadata,
		      struct _test_data_flt *self, int resets, unsigned long min_rate)
{
	void *(*fn[])(void *) = { race_state, race_state, race_io, race_trap,
				  race_reset };
	pthread_t th[ARRAY_SIZE(fn)];
	static __u8 b[SVF_MAX_BLOB];
	struct race r = { .fd = -1 };
	int i, st, secs = race_seconds(), stuck = 0;
	int nr = ARRAY_SIZE(fn) - !resets;
	struct timespec deadline;
	const char *bad;
	ssize_t len;

	r.dev = self->vf[0].dev;
	r.bar = self->bar[0];
	r.blob = self->blob;
	r.blob_len = self->blob_len;
	r.end = now_s() + secs;
	pthread_mutex_init(&r.lock, NULL);
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, fn[i], &r));
	/* each thread ends within one operation: a restore is 2 s per message */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += secs + 40;
	for (i = 0; i < nr; i++) {
		if (pthread_timedjoin_np(th[i], NULL, &deadline)) {
			TH_LOG("thread %d did not finish", i);
			stuck++;
		}
	}
	ASSERT_EQ(0, stuck);
	TH_LOG("%d s: %lu set_state (%lu refused), %lu resets (%lu busy)",
	       secs, r.sets, r.set_errs, r.resets, r.reset_busy);
	TH_LOG("%lu reads, %lu writes (%lu failed), %lu BAR0 accesses, %lu mailbox timeouts",
	       r.reads, r.writes, r.io_errs, r.traps, r.timeouts);
	EXPECT_EQ(0, r.unexpected) TH_LOG("unexpected: %s", r.what);
	/* the threads did race */
	EXPECT_LE(min_rate * secs, r.sets);
	EXPECT_LE(min_rate * secs, r.reads + r.writes);
	EXPECT_LE(min_rate * secs, r.traps);
	EXPECT_LE((unsigned long)secs * resets, r.resets);
	/* without resets, the PF answers every restore */
	EXPECT_EQ(0UL, resets ? 0 : r.timeouts);
	if (r.fd >= 0)
		close(r.fd);

	/* ERROR: a restore that a reset cut short, before the next reset */
	st = mig_get(r.dev);
	EXPECT_TRUE(st == S_RUNNING || st == S_RUNNING_P2P || st == S_STOP ||
		    st == S_STOP_COPY || st == S_RESUMING ||
		    (resets && st == S_ERROR)) TH_LOG("state %d", st);
	ASSERT_EQ(0, ioctl(r.dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(r.dev));
	len = save_state(r.dev, b, sizeof(b));
	EXPECT_EQ(self->blob_len, len);
	bad = blob_bad(b, len);
	EXPECT_EQ(NULL, bad) TH_LOG("blob after the races: bad %s", bad);
	EXPECT_EQ(0, restore_state(self->vf[1].dev, b, len));
	EXPECT_EQ(0, mig_set(self->vf[1].dev, S_RUNNING, NULL));
	EXPECT_EQ(0, mig_set(r.dev, S_RUNNING, NULL));
	pthread_mutex_destroy(&r.lock);
}

/*
 * With resets: an FLR in the middle of a restore's mailbox exchange costs
 * that exchange its 2 s bound (-ETIMEDOUT), so the rate is low.
 */
TEST_F_TIMEOUT(flt, races, 150)
{
	run_races(_metadata, self, 1, 1);
}

/* Without resets: set_state, data fd and BAR0 at full rate, no timeout. */
TEST_F_TIMEOUT(flt, races_no_reset, 150)
{
	run_races(_metadata, self, 0, 10);
}

struct writer {
	int fd;
	const void *buf;
	size_t len;
	ssize_t ret;
	int err;
	pid_t tid;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_SEQ_CST);
	w->ret = write(w->fd, w->buf, w->len);
	w->err = errno;
	return NULL;
}

/* State letter of thread @tid (R, S, D, ...), 0 if unknown. */
static char task_state(pid_t tid)
{
	char p[64], buf[256], *s;

	snprintf(p, sizeof(p), "/proc/self/task/%d/stat", tid);
	if (sysfs_read(p, buf, sizeof(buf)))
		return 0;
	s = strrchr(buf, ')');
	return s && s[1] ? s[2] : 0;
}

static int join_within(pthread_t t, int sec)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += sec;
	return pthread_timedjoin_np(t, NULL, &ts);
}

/*
 * A page whose first touch blocks until UFFDIO_COPY fills it: a writer
 * copying from it sleeps inside the driver's write(). Returns the
 * userfaultfd, -EOPNOTSUPP without CONFIG_USERFAULTFD, or -EIO.
 */
static int uffd_missing_page(void **area, long pg)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0)
		return -EOPNOTSUPP;
	*area = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (uintptr_t)*area;
	reg.range.len = pg;
	if (*area == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		close(uffd);
		return -EIO;
	}
	return uffd;
}

/* Fill @uffd's page from @src, waking the thread that faulted on it. */
static int uffd_fill(int uffd, void *area, const void *src, long pg)
{
	struct uffdio_copy copy = {
		.dst = (uintptr_t)area, .src = (uintptr_t)src, .len = pg,
	};

	return ioctl(uffd, UFFDIO_COPY, &copy);
}

/* Wait (5 s at most) for a fault on @uffd's page: 0, or -1. */
static int uffd_wait_fault(int uffd)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, 5000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return -1;
	return 0;
}

/*
 * Two writers on one resuming fd (a stream file: the VFS does not serialize
 * its position). B writes 4 bytes from a page that is not present yet, so
 * its copy faults (userfaultfd) while it holds the fd's lock. A then writes
 * a full SVF_MAX_BLOB bytes, a size that fits at the position A sees (0)
 * but not at the one B leaves (4): A must fail with -EFBIG. A driver that
 * checks the position before taking the lock copies A's bytes 4 bytes past
 * its buffer (here into the allocation's slack, so the test is safe to run;
 * KASAN reports it), then refuses the 4100-byte "blob" with -EINVAL.
 */
TEST_F_TIMEOUT(flt, resume_write_pos_race, 60)
{
	static __u8 abuf[SVF_MAX_STREAM], src[65536];
	long pg = sysconf(_SC_PAGESIZE);
	struct writer a = {}, b = {};
	int dev = self->vf[1].dev, uffd, fd = -1, i;
	pthread_t ta, tb;
	char sa = 0;
	void *area;

	uffd = uffd_missing_page(&area, pg);
	/* a kernel without CONFIG_USERFAULTFD cannot hold the writer */
	if (uffd == -EOPNOTSUPP)
		SKIP(return, "no userfaultfd");
	ASSERT_LE(0, uffd);

	/* A's bytes land at offset 4: major 1, minor 0, total_len 4096 */
	memset(abuf, 0, sizeof(abuf));
	abuf[0] = SVF_VERSION_MAJOR;
	abuf[5] = SVF_MAX_BLOB >> 8;
	/* B's bytes: the magic */
	memset(src, 0, sizeof(src));
	src[0] = SVF_MAGIC & 0xff;
	src[1] = (SVF_MAGIC >> 8) & 0xff;
	src[2] = (SVF_MAGIC >> 16) & 0xff;
	src[3] = SVF_MAGIC >> 24;

	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	b = (struct writer){ .fd = fd, .buf = area, .len = 4 };
	a = (struct writer){ .fd = fd, .buf = abuf, .len = SVF_MAX_STREAM };
	ASSERT_EQ(0, pthread_create(&tb, NULL, writer_fn, &b));
	if (uffd_wait_fault(uffd)) {
		close(uffd);	/* wakes B with -EFAULT */
		join_within(tb, 10);
		ASSERT_TRUE(0) TH_LOG("B's copy did not fault");
	}
	ASSERT_EQ(0, pthread_create(&ta, NULL, writer_fn, &a));
	/* A sleeps on the fd's lock (uninterruptible), after its own checks */
	for (i = 0; i < 300; i++) {
		pid_t tid = __atomic_load_n(&a.tid, __ATOMIC_SEQ_CST);

		sa = tid ? task_state(tid) : 0;
		if (sa == 'D')
			break;
		usleep(10000);
	}
	TH_LOG("writer A %s on the fd lock", sa == 'D' ? "waits" : "was not seen waiting");
	EXPECT_EQ(0, uffd_fill(uffd, area, src, pg));
	EXPECT_EQ(0, join_within(tb, 10));
	EXPECT_EQ(0, join_within(ta, 10));
	close(uffd);
	EXPECT_EQ(4, b.ret);
	EXPECT_EQ(-1, a.ret);
	EXPECT_EQ(EFBIG, a.err)
		TH_LOG("A: %zd, errno %d: %zu bytes at position 4 were not refused",
		       a.ret, a.err, SVF_MAX_STREAM);
	EXPECT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	close(fd);
	munmap(area, pg);
}

struct closer {
	int fd;
	int done;
};

static void *closer_fn(void *arg)
{
	struct closer *c = arg;

	close(c->fd);
	__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * A writer of a complete blob sleeps in its copy (userfaultfd) holding the
 * resuming fd's lock; VFIO_DEVICE_RESET ends the fd, then the device is
 * closed. close_device must wait for the writer, and the writer, once its
 * copy completes, must find the fd ended (-ENODEV) and restore nothing:
 * a restore after close_device runs on an unmapped BAR or a freed device.
 */
TEST_F_TIMEOUT(flt, reset_then_close_during_blocked_write, 60)
{
	static __u8 src[65536];
	long pg = sysconf(_SC_PAGESIZE);
	struct writer w = {};
	struct closer c = {};
	int dev = self->vf[1].dev, uffd, fd = -1, waited;
	pthread_t tw, tc;
	void *area;

	uffd = uffd_missing_page(&area, pg);
	if (uffd == -EOPNOTSUPP)
		SKIP(return, "no userfaultfd");
	ASSERT_LE(0, uffd);
	memcpy(src, self->blob, self->blob_len);

	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	w = (struct writer){ .fd = fd, .buf = area, .len = self->blob_len };
	ASSERT_EQ(0, pthread_create(&tw, NULL, writer_fn, &w));
	if (uffd_wait_fault(uffd)) {
		close(uffd);
		join_within(tw, 10);
		ASSERT_TRUE(0) TH_LOG("the writer's copy did not fault");
	}
	/* the writer holds the fd's lock, asleep in its copy */
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev));
	c.fd = dev;
	self->vf[1].dev = -1;
	ASSERT_EQ(0, pthread_create(&tc, NULL, closer_fn, &c));
	usleep(500000);
	waited = !__atomic_load_n(&c.done, __ATOMIC_SEQ_CST);
	EXPECT_TRUE(waited) TH_LOG("close_device returned while a writer could still restore");
	EXPECT_EQ(0, uffd_fill(uffd, area, src, pg));
	EXPECT_EQ(0, join_within(tw, 10));
	EXPECT_EQ(0, join_within(tc, 10));
	close(uffd);
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ENODEV, w.err) TH_LOG("writer: %zd, errno %d", w.ret, w.err);
	close(fd);
	munmap(area, pg);
}

/* A data fd pins the module: no unload while it is open. */
TEST_F(flt, module_pinned_by_data_fd)
{
	struct vf *vf0 = &self->vf[0], *vf1 = &self->vf[1];
	int fd = -1;
	long ret;

	ASSERT_EQ(0, mig_set(vf0->dev, S_STOP_COPY, &fd));
	close(vf0->dev);
	close(vf1->dev);
	vf0->dev = -1;
	vf1->dev = -1;
	ret = syscall(__NR_delete_module, DRV, O_NONBLOCK);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(ENODEV, fd_io_errno(fd, S_STOP_COPY));
	close(fd);
	vf0->dev = ioctl(vf0->group, VFIO_GROUP_GET_DEVICE_FD, vf0->bdf);
	vf1->dev = ioctl(vf1->group, VFIO_GROUP_GET_DEVICE_FD, vf1->bdf);
	ASSERT_LE(0, vf0->dev);
	ASSERT_LE(0, vf1->dev);
	EXPECT_EQ(S_RUNNING, mig_get(vf0->dev));
}

/* BAR0's region info: 16 KiB, only the doorbell pages mmappable. */
TEST_F(flt, region_info_sparse_mmap)
{
	__u64 buf[64] = {};
	struct vfio_region_info *ri = (void *)buf;
	struct vfio_region_info_cap_sparse_mmap *sp;
	struct vfio_info_cap_header *h;

	ri->argsz = sizeof(*ri);
	ri->index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(self->vf[0].dev, VFIO_DEVICE_GET_REGION_INFO, ri));
	/* too small for the capability: told the size, given none */
	EXPECT_LT(sizeof(*ri), ri->argsz);
	EXPECT_EQ(0, ri->cap_offset);
	ri->argsz = sizeof(buf);
	ASSERT_EQ(0, ioctl(self->vf[0].dev, VFIO_DEVICE_GET_REGION_INFO, ri));
	EXPECT_EQ(self->bar[0], ri->offset);
	EXPECT_EQ(BAR0_SIZE, ri->size);
	EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS, ri->flags);
	ASSERT_LE(sizeof(*ri), ri->cap_offset);
	ASSERT_GT(sizeof(buf), ri->cap_offset);
	h = (void *)((char *)buf + ri->cap_offset);
	EXPECT_EQ(VFIO_REGION_INFO_CAP_SPARSE_MMAP, h->id);
	EXPECT_EQ(0, h->next);
	sp = (void *)h;
	ASSERT_EQ(1, sp->nr_areas);
	EXPECT_EQ(TRAP_END, sp->areas[0].offset);
	EXPECT_EQ(BAR0_SIZE - TRAP_END, sp->areas[0].size);
	/* issue 12 item 13: an area is whole pages of this host */
	EXPECT_EQ(0, sp->areas[0].offset % sysconf(_SC_PAGESIZE));
	EXPECT_EQ(0, sp->areas[0].size % sysconf(_SC_PAGESIZE));
}

/*
 * Offsets outside BAR0: past its end, huge, beyond every region, negative
 * and overflowing. All -EINVAL; the end of the BAR clips like vfio-pci.
 */
TEST_F(flt, bar0_out_of_range)
{
	int dev = self->vf[0].dev;
	__u64 base = self->bar[0];
	static const __u64 bad[] = {
		BAR0_SIZE, BAR0_SIZE + 4, 0x100000, 0xFFFFFFFFF0ULL,
		/* region indexes: BAR1 (not implemented), past the last */
		1ULL << 40, (1ULL << 40) + VTCTRL, 0x7FULL << 40, 0xFFFFULL << 40,
	};
	__u32 v = 0, before = rd(dev, base, STATUS);
	char b8[8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, pread(dev, &v, 4, base + bad[i])) TH_LOG("read +0x%llx", bad[i]);
		EXPECT_EQ(EINVAL, errno);
		errno = 0;
		EXPECT_EQ(-1, pwrite(dev, &v, 4, base + bad[i])) TH_LOG("write +0x%llx", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	/* loff_t overflow and negative offsets: the VFS refuses them */
	EXPECT_EQ(-1, pread(dev, &v, 4, INT64_MAX - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(dev, &v, 4, INT64_MAX - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(dev, &v, 4, -4));
	EXPECT_EQ(EINVAL, errno);
	/* clipped at the end of the BAR, never past it */
	EXPECT_EQ(2, pread(dev, b8, 4, base + BAR0_SIZE - 2));
	EXPECT_EQ(4, pread(dev, b8, 8, base + BAR0_SIZE - 4));
	/* a trapped access never spans into the mmapped pages */
	EXPECT_EQ(-1, pread(dev, b8, 8, base + TRAP_END - 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(dev, b8, 4, base + TRAP_END - 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(before, rd(dev, base, STATUS));
}

/*
 * The trapped pages take aligned dwords only (the device decodes nothing
 * else): 0, 1, 2, 3 and 8 bytes, and unaligned dwords, are -EINVAL both
 * ways. The doorbell pages are plain vfio-pci and take any size.
 */
TEST_F(flt, bar0_trap_access_sizes)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 8 };
	static const __u32 offs[] = { VTCTRL, STATUS, VMBMEM, V2PMBX, EIMS, EITR0 };
	int dev = self->vf[0].dev;
	__u64 base = self->bar[0];
	__u8 b[8] = {};
	__u32 v, rdlen;
	__u16 v16 = 0;
	__u8 v8 = 0;
	size_t i, j;
	void *gone;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			errno = 0;
			EXPECT_EQ(-1, pread(dev, b, sizes[j], base + offs[i]))
				TH_LOG("read 0x%x size %zu", offs[i], sizes[j]);
			EXPECT_EQ(EINVAL, errno);
			errno = 0;
			EXPECT_EQ(-1, pwrite(dev, b, sizes[j], base + offs[i]))
				TH_LOG("write 0x%x size %zu", offs[i], sizes[j]);
			EXPECT_EQ(EINVAL, errno);
		}
		for (j = 1; j < 4; j++) {
			errno = 0;
			EXPECT_EQ(-1, pread(dev, b, 4, base + offs[i] + j));
			EXPECT_EQ(EINVAL, errno);
			errno = 0;
			EXPECT_EQ(-1, pwrite(dev, b, 4, base + offs[i] + j));
			EXPECT_EQ(EINVAL, errno);
		}
		EXPECT_EQ(0, rd32(dev, base, offs[i], &v));
	}
	/* a buffer that is gone: -EFAULT, and nothing is written */
	gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, gone);
	munmap(gone, 4096);
	ASSERT_EQ(0, wr32(dev, base, EITR0, 0x120));
	EXPECT_EQ(-1, pwrite(dev, gone, 4, base + EITR0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0x120, rd(dev, base, EITR0));
	/* the RX page is trapped (dirty tracking): dwords only */
	ASSERT_EQ(0, wr32(dev, base, RDLEN, 0x1080));
	EXPECT_EQ(0x1080, rd(dev, base, RDLEN));
	EXPECT_EQ(-1, pread(dev, &v16, 2, base + RDLEN));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, wr32(dev, base, RDLEN, 0));
	/* the TX doorbell page: sub-dword and qword accesses of real values */
	ASSERT_EQ(0, wr32(dev, base, TDLEN, 0x1080));
	rdlen = rd(dev, base, TDLEN);
	EXPECT_EQ(0x1080, rdlen);
	EXPECT_EQ(2, pread(dev, &v16, 2, base + TDLEN));
	EXPECT_EQ(0x1080, v16);
	/* (QEMU's igb decodes dword-aligned addresses only) */
	EXPECT_EQ(1, pread(dev, &v8, 1, base + TDLEN));
	EXPECT_EQ(0x80, v8);
	EXPECT_EQ(8, pread(dev, b, 8, base + TDLEN));
	memcpy(&v, b, 4);
	EXPECT_EQ(rdlen, v);
	ASSERT_EQ(0, wr32(dev, base, TDLEN, 0));
}

/*
 * A reset through a partial write of VTCTRL (the RST byte alone, a 16-bit or
 * 64-bit write, VTCTRL's offset in another region) is refused and resets
 * nothing. Witness: a VF reset clears RXDCTL.ENABLE; the aligned dword write
 * (the control) does reset.
 */
TEST_F(flt, trap_odd_write_has_no_effect)
{
	int dev = self->vf[0].dev;
	__u64 base = self->bar[0], rst64 = VTCTRL_RST;
	__u8 rst8 = VTCTRL_RST >> 24;
	__u16 rst16 = VTCTRL_RST >> 16;
	__u32 rst32 = VTCTRL_RST;

	ASSERT_EQ(0, wr32(dev, base, RXDCTL, XDCTL_EN));
	ASSERT_EQ(XDCTL_EN, rd(dev, base, RXDCTL) & XDCTL_EN);
	EXPECT_EQ(-1, pwrite(dev, &rst8, 1, base + VTCTRL + 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(dev, &rst16, 2, base + VTCTRL + 2));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(dev, &rst64, 8, base + VTCTRL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(dev, &rst32, 4, base + (1ULL << 40) + VTCTRL));
	EXPECT_EQ(EINVAL, errno);
	usleep(10000);
	EXPECT_EQ(XDCTL_EN, rd(dev, base, RXDCTL) & XDCTL_EN);
	EXPECT_EQ(0, wr32(dev, base, VTCTRL, VTCTRL_RST));
	usleep(10000);
	EXPECT_EQ(0, rd(dev, base, RXDCTL) & XDCTL_EN);
}

/* The trapped pages cannot be mmapped, in any combination; the rest can. */
TEST_F(flt, mmap_trapped_refused)
{
	static const struct { __u64 off, len; int prot; } bad[] = {
		{ 0, 0x1000, PROT_READ | PROT_WRITE },
		{ 0, 0x1000, PROT_READ },
		{ 0x1000, 0x1000, PROT_READ | PROT_WRITE },
		{ 0x1000, 0x2000, PROT_READ | PROT_WRITE },
		{ 0x2000, 0x1000, PROT_READ | PROT_WRITE },	/* RX page */
		{ 0x2000, 0x2000, PROT_READ },
		{ 0, BAR0_SIZE, PROT_READ },
		{ 0x3000, 0x2000, PROT_READ },		/* past the BAR */
		{ BAR0_SIZE, 0x1000, PROT_READ },
	};
	int dev = self->vf[0].dev;
	__u64 base = self->bar[0];
	__u32 *db;
	size_t i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		p = mmap(NULL, bad[i].len, bad[i].prot, MAP_SHARED, dev, base + bad[i].off);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap +0x%llx len 0x%llx", bad[i].off, bad[i].len);
		EXPECT_EQ(EINVAL, errno);
		if (p != MAP_FAILED)
			munmap(p, bad[i].len);
	}
	p = mmap(NULL, BAR0_SIZE - TRAP_END, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		 base + TRAP_END);
	ASSERT_NE(MAP_FAILED, p);
	db = p;
	ASSERT_EQ(0, wr32(dev, base, TDLEN, 0x2000));
	EXPECT_EQ(0x2000, __atomic_load_n(&db[(TDLEN - TRAP_END) / 4], __ATOMIC_SEQ_CST));
	__atomic_store_n(&db[(TDLEN - TRAP_END) / 4], 0, __ATOMIC_SEQ_CST);
	EXPECT_EQ(0, rd(dev, base, TDLEN));
	/* nor can the mapping be grown past the BAR (VM_DONTEXPAND) */
	EXPECT_EQ(MAP_FAILED, mremap(p, BAR0_SIZE - TRAP_END, 0x4000, 0));
	munmap(p, BAR0_SIZE - TRAP_END);
}

/* VFIO_DEVICE_IOEVENTFD would write BAR0 behind the trap: -ENOTTY. */
TEST_F(flt, ioeventfd_refused)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct vfio_device_ioeventfd ioe = {
		.argsz = sizeof(ioe),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.data = 0x7,
		.fd = efd,
	};

	ASSERT_LE(0, efd);
	ioe.offset = self->bar[0] + EIMS;
	EXPECT_EQ(-1, ioctl(self->vf[0].dev, VFIO_DEVICE_IOEVENTFD, &ioe));
	EXPECT_EQ(ENOTTY, errno);
	ioe.offset = self->bar[0] + TDT;
	EXPECT_EQ(-1, ioctl(self->vf[0].dev, VFIO_DEVICE_IOEVENTFD, &ioe));
	EXPECT_EQ(ENOTTY, errno);
	close(efd);
}

/*
 * PBACL (0x0F04) of a VF aliases the PF's MSI-X pending-bit clear register
 * in QEMU's igb: the driver drops the write, the VF's own EITR0 takes it.
 */
TEST_F(flt, pbacl_write_dropped)
{
	int dev0 = self->vf[0].dev, dev1 = self->vf[1].dev;
	__u64 b0 = self->bar[0], b1 = self->bar[1];
	__u32 p0 = rd(dev0, b0, PBACL), e1 = rd(dev1, b1, EITR0);

	EXPECT_EQ(0, wr32(dev0, b0, PBACL, ~p0));
	EXPECT_EQ(p0, rd(dev0, b0, PBACL));
	EXPECT_EQ(p0, rd(dev1, b1, PBACL));
	EXPECT_EQ(0, wr32(dev0, b0, EITR0, 0x1F0));
	EXPECT_EQ(0x1F0, rd(dev0, b0, EITR0));
	EXPECT_EQ(e1, rd(dev1, b1, EITR0));
}

/*
 * Writes past the 16 mailbox words (0x840-0x87C: VF1's VMBMEM in the PF's
 * register file) reach nothing; the state carries exactly the 16 words.
 */
TEST_F(flt, mailbox_bounded_to_16_words)
{
	int dev0 = self->vf[0].dev, dev1 = self->vf[1].dev, i;
	__u64 b0 = self->bar[0], b1 = self->bar[1];
	static __u8 b[SVF_MAX_BLOB];
	struct svf_mbx *m;
	ssize_t len;

	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, wr32(dev1, b1, VMBMEM + 4 * i, 0x11110000 + i));
		ASSERT_EQ(0, wr32(dev0, b0, VMBMEM + 4 * i, 0xA0A00000 + i));
	}
	for (i = 16; i < 32; i++)
		EXPECT_EQ(0, wr32(dev0, b0, VMBMEM + 4 * i, 0xDEAD0000 + i));
	for (i = 16; i < 32; i++)
		EXPECT_EQ(0, rd(dev0, b0, VMBMEM + 4 * i));
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0x11110000 + i, rd(dev1, b1, VMBMEM + 4 * i));
		EXPECT_EQ(0xA0A00000 + i, rd(dev0, b0, VMBMEM + 4 * i));
	}
	len = save_state(dev0, b, sizeof(b));
	ASSERT_EQ(self->blob_len, len);
	m = blob_section(b, SVF_SECT_MBX);
	ASSERT_NE(NULL, m);
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0xA0A00000 + i, m->vmbmem[i]);
	EXPECT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	/* restored onto VF1: its 16 words, nothing past them */
	EXPECT_EQ(0, restore_state(dev1, b, len));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0xA0A00000 + i, rd(dev1, b1, VMBMEM + 4 * i));
	EXPECT_EQ(0, rd(dev1, b1, VMBMEM + 64));
	EXPECT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
}

/* Save VF0 and return its PF configuration section (in @b). */
static struct svf_pfcfg *save_pfcfg(struct __test_metadata *_metadata, int dev,
				    __u8 *b)
{
	struct svf_pfcfg *pf = NULL;
	ssize_t len;

	len = save_state(dev, b, SVF_MAX_BLOB);
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, len);
	if (len > 0)
		pf = blob_section(b, SVF_SECT_PFCFG);
	EXPECT_NE(NULL, pf);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	return pf;
}

/*
 * Only what the PF acknowledged is state: a SET_MAC_ADDR the PF refuses (a
 * multicast address) leaves no MAC in the blob. The PF takes at most 30
 * multicast hashes whatever the count says, and so does the state; a count
 * above 30 (multicast promiscuous on the PF) is carried as a flag, survives
 * a restore on VF1 and is dropped by a later request of 2 groups.
 */
TEST_F(flt, mailbox_nack_not_recorded)
{
	static const __u8 mcmac[6] = { 0x03, 0, 0, 0, 0, 0x01 };
	int dev0 = self->vf[0].dev, i;
	__u64 b0 = self->bar[0];
	__u32 msg[16] = {}, reply[3] = {}, r;
	static __u8 b[SVF_MAX_BLOB];
	struct svf_pfcfg *pf;

	r = vf_reset_msg(dev0, b0);
	ASSERT_EQ(MSG_RESET, r & 0xFFFF) TH_LOG("VF_RESET reply 0x%08x", r);
	msg[0] = MSG_SET_MAC;
	memcpy(&msg[1], mcmac, 6);
	r = mbx(dev0, b0, msg, 3, reply, 1);
	EXPECT_EQ(MSG_SET_MAC | MSG_NACK | MSG_CTS, r);
	pf = save_pfcfg(_metadata, dev0, b);
	ASSERT_NE(NULL, pf);
	EXPECT_EQ(0, pf->flags & SVF_PF_MAC_SET);
	EXPECT_NE(0, memcmp(pf->mac, mcmac, 6));

	memset(msg, 0, sizeof(msg));
	msg[0] = MSG_SET_MC | (255 << 16);
	for (i = 0; i < 30; i++)
		((__u16 *)&msg[1])[i] = 0x100 + i;
	r = mbx(dev0, b0, msg, 16, reply, 1);
	EXPECT_EQ(MSG_SET_MC | (255 << 16) | MSG_ACK | MSG_CTS, r);
	pf = save_pfcfg(_metadata, dev0, b);
	ASSERT_NE(NULL, pf);
	EXPECT_EQ(30, pf->nr_mc);
	EXPECT_EQ(SVF_PF_MC_OVERFLOW, pf->flags & SVF_PF_MC_OVERFLOW);
	for (i = 0; i < 30; i++)
		EXPECT_EQ(0x100 + i, pf->mc[i]);
	EXPECT_EQ(0, restore_state(self->vf[1].dev, b, SVF_BLOB_SIZE));
	EXPECT_EQ(0, mig_set(self->vf[1].dev, S_RUNNING, NULL));
	pf = save_pfcfg(_metadata, self->vf[1].dev, b);
	ASSERT_NE(NULL, pf);
	EXPECT_EQ(30, pf->nr_mc);
	EXPECT_EQ(SVF_PF_MC_OVERFLOW, pf->flags & SVF_PF_MC_OVERFLOW);

	msg[0] = MSG_SET_MC | (2 << 16);
	r = mbx(dev0, b0, msg, 16, reply, 1);
	EXPECT_EQ(MSG_SET_MC | (2 << 16) | MSG_ACK | MSG_CTS, r);
	pf = save_pfcfg(_metadata, dev0, b);
	ASSERT_NE(NULL, pf);
	EXPECT_EQ(2, pf->nr_mc);
	EXPECT_EQ(0, pf->flags & SVF_PF_MC_OVERFLOW);
}

/*
 * The guest cannot make the driver record configuration the PF never
 * acknowledged by writing the acknowledgment itself (the mailbox memory is
 * the guest's to write): (1) a request that already carries the ACK bit,
 * which the PF ignores as "already processed", read back at once; (2) the
 * PF's NACK overwritten with an ACK before the guest reads it. Either would
 * carry a MAC into the blob that the PF does not hold, and the destination
 * would ask its PF for it.
 */
TEST_F(flt, mailbox_forged_ack_not_recorded)
{
	static const __u8 mac[6] = { 0x02, 0x5f, 0, 0, 0, 0x42 };
	static const __u8 mcmac[6] = { 0x03, 0, 0, 0, 0, 0x42 };
	int dev0 = self->vf[0].dev;
	__u64 b0 = self->bar[0];
	__u32 msg[3] = {}, r, seen = 0;
	static __u8 b[SVF_MAX_BLOB];
	struct svf_pfcfg *pf;

	r = vf_reset_msg(dev0, b0);
	ASSERT_EQ(MSG_RESET, r & 0xFFFF) TH_LOG("VF_RESET reply 0x%08x", r);
	/* (1) */
	msg[0] = MSG_SET_MAC | MSG_ACK;
	memcpy(&msg[1], mac, 6);
	mbx_post(dev0, b0, msg, 3);
	EXPECT_EQ(MSG_SET_MAC | MSG_ACK, rd(dev0, b0, VMBMEM));
	usleep(200000);
	pf = save_pfcfg(_metadata, dev0, b);
	ASSERT_NE(NULL, pf);
	EXPECT_EQ(0, pf->flags & SVF_PF_MAC_SET) TH_LOG("forged ACK recorded as PF state");
	EXPECT_NE(0, memcmp(pf->mac, mac, 6))
		TH_LOG("MAC %02x:..:%02x in the blob", pf->mac[0], pf->mac[5]);

	/* (2) */
	ASSERT_EQ(0, ioctl(dev0, VFIO_DEVICE_RESET));
	r = vf_reset_msg(dev0, b0);
	ASSERT_EQ(MSG_RESET, r & 0xFFFF);
	msg[0] = MSG_SET_MAC;
	memcpy(&msg[1], mcmac, 6);
	mbx_post(dev0, b0, msg, 3);
	EXPECT_EQ(0, mbx_wait(dev0, b0, MBX_PFSTS, &seen, 2000));
	EXPECT_EQ(0, wr32(dev0, b0, VMBMEM, MSG_SET_MAC | MSG_ACK | MSG_CTS));
	EXPECT_EQ(MSG_SET_MAC | MSG_ACK | MSG_CTS, rd(dev0, b0, VMBMEM));
	wr32(dev0, b0, V2PMBX, MBX_ACK);
	pf = save_pfcfg(_metadata, dev0, b);
	ASSERT_NE(NULL, pf);
	EXPECT_EQ(0, pf->flags & SVF_PF_MAC_SET) TH_LOG("overwritten NACK recorded as PF state");
	EXPECT_NE(0, memcmp(pf->mac, mcmac, 6));
}

/*
 * Review fixes (issue 12). The emulated PF answers the mailbox at once, so
 * a slow PF is the driver's testing-only fault_mbx_delay_ms; a VF queue
 * that does not stop is fault_queue_stuck.
 */
#define PARAM_DIR	"/sys/module/igbvf_vfio_pci/parameters/"

static int set_param(const char *name, int val)
{
	char p[128], v[16];

	snprintf(p, sizeof(p), PARAM_DIR "%s", name);
	snprintf(v, sizeof(v), "%d", val);
	return sysfs_write(p, v);
}

/*
 * @b: a copy of the fixture's blob asking the PF for @nr VLANs (100...):
 * one VF_RESET, one SET_MULTICAST and @nr SET_VLAN messages to replay.
 */
static void blob_with_vlans(struct __test_metadata *_metadata, const __u8 *src,
			    size_t len, __u8 *b, int nr)
{
	struct svf_pfcfg *pf;
	int i;

	memcpy(b, src, len);
	pf = blob_section(b, SVF_SECT_PFCFG);
	ASSERT_NE(NULL, pf);
	pf->nr_vlans = nr;
	for (i = 0; i < nr; i++)
		pf->vlans[i] = 100 + i;
	blob_fix_crc(b, len);
}

/*
 * Issue 12 item 3: a restore has one deadline, however many messages it
 * replays. 22 messages at 300 ms each take 6.6 s; the restore must give up
 * with -ETIMEDOUT within its deadline (3 s), and leave the device in the
 * ERROR state (the PF is half-configured) until a reset.
 */
TEST_F_TIMEOUT(flt, restore_single_deadline, 60)
{
	int dev1 = self->vf[1].dev, fd = -1, err;
	static __u8 b[SVF_MAX_BLOB];
	double t0, t;
	ssize_t n;

	blob_with_vlans(_metadata, self->blob, self->blob_len, b, 20);
	ASSERT_EQ(0, set_param("fault_mbx_delay_ms", 300));
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &fd));
	t0 = now_s();
	n = write(fd, b, self->blob_len);
	err = n < 0 ? errno : 0;
	t = now_s() - t0;
	EXPECT_EQ(0, set_param("fault_mbx_delay_ms", 0));
	TH_LOG("restore of 22 messages at 300 ms: write %zd errno %d after %.2f s",
	       n, err, t);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ETIMEDOUT, err);
	EXPECT_GT(4.5, t) TH_LOG("no single deadline: %.2f s", t);
	close(fd);
	EXPECT_EQ(-ETIMEDOUT, mig_set(dev1, S_STOP, NULL));
	EXPECT_EQ(S_ERROR, mig_get(dev1));
	ASSERT_EQ(0, ioctl(dev1, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev1));
	EXPECT_EQ(0, restore_state(dev1, b, self->blob_len));
	EXPECT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
}

/*
 * Issue 12 item 3: a process killed during a restore dies at once; the
 * restore does not make it wait for the PF uninterruptibly.
 */
TEST_F_TIMEOUT(flt, restore_aborts_on_fatal_signal, 60)
{
	int dev1 = self->vf[1].dev, fd = -1, status = 0;
	static __u8 b[SVF_MAX_BLOB];
	double t;
	pid_t pid;

	blob_with_vlans(_metadata, self->blob, self->blob_len, b, 20);
	ASSERT_EQ(0, set_param("fault_mbx_delay_ms", 300));
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &fd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(write(fd, b, self->blob_len) < 0 ? 1 : 0);
	usleep(700000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	t = now_s();
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	t = now_s() - t;
	EXPECT_EQ(0, set_param("fault_mbx_delay_ms", 0));
	TH_LOG("writer killed mid-restore: reaped after %.2f s", t);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_GT(1.0, t) TH_LOG("the restore ignored SIGKILL for %.2f s", t);
	close(fd);
	/* whatever the restore reached, a reset brings the device back */
	ASSERT_EQ(0, ioctl(dev1, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev1));
	expect_migrates(_metadata, dev1, self->blob, self->blob_len);
}

struct resetter {
	int dev;
	int ret;
	double t;
};

static void *reset_fn(void *arg)
{
	struct resetter *r = arg;
	double t0 = now_s();

	r->ret = ioctl(r->dev, VFIO_DEVICE_RESET) ? -errno : 0;
	r->t = now_s() - t0;
	return NULL;
}

/*
 * Issue 12 items 2 and 3: a restore holds nothing the reset path needs
 * across its waits for the PF: VFIO_DEVICE_RESET during a slow replay
 * completes at once, and the restore then stops (-ENODEV: its fd ended)
 * instead of programming the reset VF.
 */
TEST_F_TIMEOUT(flt, reset_not_blocked_by_restore, 60)
{
	int dev1 = self->vf[1].dev, fd = -1;
	struct resetter r = { .dev = dev1 };
	static __u8 b[SVF_MAX_BLOB];
	struct writer w = {};
	pthread_t tw, tr;

	blob_with_vlans(_metadata, self->blob, self->blob_len, b, 20);
	ASSERT_EQ(0, set_param("fault_mbx_delay_ms", 300));
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &fd));
	w = (struct writer){ .fd = fd, .buf = b, .len = self->blob_len };
	ASSERT_EQ(0, pthread_create(&tw, NULL, writer_fn, &w));
	usleep(700000);
	ASSERT_EQ(0, pthread_create(&tr, NULL, reset_fn, &r));
	EXPECT_EQ(0, join_within(tr, 20));
	EXPECT_EQ(0, join_within(tw, 20));
	EXPECT_EQ(0, set_param("fault_mbx_delay_ms", 0));
	TH_LOG("reset during the restore: %d after %.2f s; writer %zd errno %d",
	       r.ret, r.t, w.ret, w.err);
	EXPECT_EQ(0, r.ret);
	EXPECT_GT(1.0, r.t) TH_LOG("the reset waited %.2f s for the restore", r.t);
	EXPECT_EQ(-1, w.ret);
	EXPECT_EQ(ENODEV, w.err);
	EXPECT_EQ(S_RUNNING, mig_get(dev1));
	close(fd);
	expect_migrates(_metadata, dev1, self->blob, self->blob_len);
}

/*
 * Issue 12 item 4: igbvf reads V2PMAILBOX (PFSTS, read-to-clear) before it
 * reads the reply in VMBMEM. Quiesced between the two, the PF's ACKed
 * answer must still be state: the destination must hold the guest's MAC.
 */
TEST_F(flt, quiesce_after_guest_saw_pfsts)
{
	static const __u8 mac[6] = { 0x02, 0x5f, 0, 0, 0, 0x77 };
	int dev0 = self->vf[0].dev;
	__u64 b0 = self->bar[0];
	__u32 msg[3] = {}, r, seen = 0;
	static __u8 b[SVF_MAX_BLOB];
	struct svf_pfcfg *pf;
	double t;

	r = vf_reset_msg(dev0, b0);
	ASSERT_EQ(MSG_RESET, r & 0xFFFF) TH_LOG("VF_RESET reply 0x%08x", r);
	msg[0] = MSG_SET_MAC;
	memcpy(&msg[1], mac, 6);
	mbx_post(dev0, b0, msg, 3);
	ASSERT_EQ(0, mbx_wait(dev0, b0, MBX_PFSTS, &seen, 2000));
	/* the guest saw PFSTS; the reply is unread when the VM stops */
	t = now_s();
	pf = save_pfcfg(_metadata, dev0, b);
	t = now_s() - t;
	ASSERT_NE(NULL, pf);
	TH_LOG("saved in %.2f s; flags 0x%x MAC %02x:..:%02x", t, pf->flags,
	       pf->mac[0], pf->mac[5]);
	EXPECT_EQ(SVF_PF_MAC_SET, pf->flags & SVF_PF_MAC_SET);
	EXPECT_EQ(0, memcmp(pf->mac, mac, 6));
	/* and the guest still finds the PF's ACK where it left it */
	EXPECT_EQ(MSG_SET_MAC | MSG_ACK | MSG_CTS, rd(dev0, b0, VMBMEM));
	wr32(dev0, b0, V2PMBX, MBX_ACK);
}

/*
 * Issue 12 items 5 and 11: the replay checks every answer of the PF. igb
 * refuses unicast promiscuous mode (it NACKs any SET_PROMISC flag but
 * multicast): the restore fails with -EPERM, and since the PF may now be
 * half-configured the device enters ERROR; only a reset leaves it.
 */
TEST_F(flt, replay_nack_fails_into_error)
{
	int dev1 = self->vf[1].dev, fd = -1, err;
	static __u8 b[SVF_MAX_BLOB];
	struct svf_pfcfg *pf;
	ssize_t n;

	memcpy(b, self->blob, self->blob_len);
	pf = blob_section(b, SVF_SECT_PFCFG);
	ASSERT_NE(NULL, pf);
	pf->flags |= SVF_PF_PROMISC_SET;
	pf->promisc = 0x10000;		/* E1000_VF_SET_PROMISC_UNICAST */
	blob_fix_crc(b, self->blob_len);
	ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &fd));
	n = write(fd, b, self->blob_len);
	err = n < 0 ? errno : 0;
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EPERM, err) TH_LOG("write %zd errno %d", n, err);
	close(fd);
	EXPECT_EQ(-EPERM, mig_set(dev1, S_STOP, NULL));
	EXPECT_EQ(S_ERROR, mig_get(dev1));
	EXPECT_EQ(-EINVAL, mig_set(dev1, S_RUNNING, NULL));
	EXPECT_EQ(-EINVAL, mig_set(dev1, S_RESUMING, NULL));
	EXPECT_EQ(S_ERROR, mig_get(dev1));
	ASSERT_EQ(0, ioctl(dev1, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev1));
	expect_migrates(_metadata, dev1, self->blob, self->blob_len);
}

/*
 * Issue 12 item 9: quiesce waits for each disabled queue's ENABLE bit to
 * read back 0 (the VF has stopped its DMA), within a bound; a queue that
 * stays enabled fails the arc with -ETIMEDOUT and the VF keeps running as
 * it was (queue enabled again, interrupts unmasked).
 */
TEST_F(flt, quiesce_fails_if_queue_stays_enabled)
{
	int dev0 = self->vf[0].dev;
	__u64 b0 = self->bar[0];

	ASSERT_EQ(0, wr32(dev0, b0, TDLEN, 128));
	ASSERT_EQ(0, wr32(dev0, b0, TXDCTL, XDCTL_EN));
	ASSERT_EQ(0, wr32(dev0, b0, EIMS, 0x7));
	ASSERT_EQ(0, set_param("fault_queue_stuck", 1));
	EXPECT_EQ(-ETIMEDOUT, mig_set(dev0, S_RUNNING_P2P, NULL));
	EXPECT_EQ(0, set_param("fault_queue_stuck", 0));
	EXPECT_EQ(S_RUNNING, mig_get(dev0));
	EXPECT_EQ(XDCTL_EN, rd(dev0, b0, TXDCTL) & XDCTL_EN);
	EXPECT_EQ(0x7, rd(dev0, b0, EIMS) & 0x7);
	/* without the fault the same arc succeeds and stops the queue */
	EXPECT_EQ(0, mig_set(dev0, S_RUNNING_P2P, NULL));
	EXPECT_EQ(0, rd(dev0, b0, TXDCTL) & XDCTL_EN);
	EXPECT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	EXPECT_EQ(XDCTL_EN, rd(dev0, b0, TXDCTL) & XDCTL_EN);
	wr32(dev0, b0, TXDCTL, 0);
	wr32(dev0, b0, TDLEN, 0);
	wr32(dev0, b0, EIMC, 0x7);
}

/*
 * Issue 12 item 10: PSRTYPE and the queues' DCA control registers are
 * validated like every other field before they reach the hardware.
 */
TEST_F(flt, blob_psrtype_and_dca_validated)
{
	static const struct { size_t off; __u32 val; const char *what; } bad[] = {
		{ offsetof(struct svf_queues, psrtype), 0x00010000, "psrtype" },
		{ offsetof(struct svf_queues, rx[0].rxctl), 0x00010000, "rx0.rxctl" },
		{ offsetof(struct svf_queues, tx[1].txctl), 0x00010000, "tx1.txctl" },
	};
	int dev1 = self->vf[1].dev, fd = -1, i, err;
	static __u8 b[SVF_MAX_BLOB];
	__u8 *q;
	ssize_t n;

	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		memcpy(b, self->blob, self->blob_len);
		q = blob_section(b, SVF_SECT_QUEUES);
		ASSERT_NE(NULL, q);
		memcpy(q + bad[i].off, &bad[i].val, 4);
		blob_fix_crc(b, self->blob_len);
		ASSERT_EQ(0, mig_set(dev1, S_RESUMING, &fd));
		n = write(fd, b, self->blob_len);
		err = n < 0 ? errno : 0;
		EXPECT_EQ(EINVAL, err) TH_LOG("%s 0x%08x: write %zd errno %d",
					      bad[i].what, bad[i].val, n, err);
		close(fd);
		EXPECT_EQ(0, ioctl(dev1, VFIO_DEVICE_RESET));
	}
	expect_migrates(_metadata, dev1, self->blob, self->blob_len);
}

/*
 * Issue 12 item 6: the four loopback counters are carried like the other
 * statistics: igbvf reads all nine and takes a decrease for a wrap. QEMU
 * never counts loopback, so the blob sets them and VF1 must show them.
 */
TEST_F(flt, loopback_stats_carried)
{
	static const __u32 lbc[4] = { GPRLBC, GPTLBC, GORLBC, GOTLBC };
	int dev1 = self->vf[1].dev, i;
	static __u8 b[SVF_MAX_BLOB];
	struct svf_stats *st;

	memcpy(b, self->blob, self->blob_len);
	st = blob_section(b, SVF_SECT_STATS);
	ASSERT_NE(NULL, st);
	for (i = 0; i < 4; i++)
		st->val[SVF_NR_STATS_V2 + i] = 0x70000000 + i;
	blob_fix_crc(b, self->blob_len);
	ASSERT_EQ(0, restore_state(dev1, b, self->blob_len));
	ASSERT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0x70000000 + i, rd(dev1, self->bar[1], lbc[i]))
			TH_LOG("loopback counter 0x%x", lbc[i]);
	/* and a save of VF1 carries them on */
	ASSERT_EQ(self->blob_len, save_state(dev1, b, sizeof(b)));
	st = blob_section(b, SVF_SECT_STATS);
	ASSERT_NE(NULL, st);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0x70000000 + i, st->val[SVF_NR_STATS_V2 + i]);
	EXPECT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
}

/*
 * Issue 12 item 8: a guest that owns the mailbox buffer (VFU) when the VM
 * stops still owns it on the destination, where it goes on writing its
 * message.
 */
TEST_F(flt, mailbox_owner_carried)
{
	int dev0 = self->vf[0].dev, dev1 = self->vf[1].dev;
	static __u8 b[SVF_MAX_BLOB];
	struct svf_mbx *mb;
	ssize_t len;

	ASSERT_EQ(0, wr32(dev0, self->bar[0], V2PMBX, MBX_VFU));
	ASSERT_EQ(MBX_VFU, rd(dev0, self->bar[0], V2PMBX) & MBX_VFU);
	ASSERT_EQ(0, wr32(dev0, self->bar[0], VMBMEM, 0x00000002));
	len = save_state(dev0, b, sizeof(b));
	ASSERT_EQ(self->blob_len, len);
	mb = blob_section(b, SVF_SECT_MBX);
	ASSERT_NE(NULL, mb);
	EXPECT_EQ(MBX_VFU, mb->r2c & MBX_VFU);
	EXPECT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	wr32(dev0, self->bar[0], V2PMBX, 0);
	ASSERT_EQ(0, restore_state(dev1, b, len));
	ASSERT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
	EXPECT_EQ(MBX_VFU, rd(dev1, self->bar[1], V2PMBX) & MBX_VFU)
		TH_LOG("VF1 does not own its mailbox after the restore");
	EXPECT_EQ(0x00000002, rd(dev1, self->bar[1], VMBMEM));
	wr32(dev1, self->bar[1], V2PMBX, 0);
	/* a guest that did not own it does not own it on VF1 either */
	EXPECT_EQ(0, restore_state(dev1, self->blob, self->blob_len));
	EXPECT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
	EXPECT_EQ(0, rd(dev1, self->bar[1], V2PMBX) & MBX_VFU);
}

/*
 * Issue 12 item 8: a guest CTRL.RST resets the VF's interrupt setup; the
 * state must not carry the values from before it. And irq.pending is the
 * set of vectors the destination raises: the unmasked ones.
 */
TEST_F(flt, ctrl_rst_and_pending_irqs)
{
	int dev0 = self->vf[0].dev;
	__u64 b0 = self->bar[0];
	static __u8 b[SVF_MAX_BLOB];
	struct svf_irq *irq;
	__u32 r;

	ASSERT_EQ(0, wr32(dev0, b0, EIAC, 0x7));
	ASSERT_EQ(0, wr32(dev0, b0, EIAM, 0x7));
	ASSERT_EQ(0, wr32(dev0, b0, IVAR0, 0x8081));
	ASSERT_EQ(0, wr32(dev0, b0, EITR0, 0x2a8));
	ASSERT_EQ(0, wr32(dev0, b0, EIMS, 0x5));
	ASSERT_EQ(self->blob_len, save_state(dev0, b, sizeof(b)));
	ASSERT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	irq = blob_section(b, SVF_SECT_IRQ);
	ASSERT_NE(NULL, irq);
	EXPECT_EQ(0x7, irq->eiac);
	EXPECT_EQ(0x5, irq->eims);
	EXPECT_EQ(0x5, irq->pending) TH_LOG("pending 0x%x", irq->pending);

	ASSERT_EQ(0, wr32(dev0, b0, VTCTRL, VTCTRL_RST));
	usleep(100000);
	ASSERT_EQ(self->blob_len, save_state(dev0, b, sizeof(b)));
	ASSERT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	irq = blob_section(b, SVF_SECT_IRQ);
	ASSERT_NE(NULL, irq);
	EXPECT_EQ(0, irq->eims);
	EXPECT_EQ(0, irq->eiac);
	EXPECT_EQ(0, irq->eiam);
	EXPECT_EQ(0, irq->ivar0);
	EXPECT_EQ(0, irq->eitr[0]);
	EXPECT_EQ(0, irq->pending);
	/* the PF answers the VF after its reset, as igbvf expects */
	r = vf_reset_msg(dev0, b0);
	EXPECT_EQ(MSG_RESET, r & 0xFFFF) TH_LOG("VF_RESET reply 0x%08x", r);
}

/*
 * Issue 22 finding 6: QEMU's igb maps 0x4 (E1000_CTRL_DUP) to the VF's
 * CTRL, so a reset written there resets the VF as one at 0x0 does: the
 * state must not carry the interrupt setup from before it either.
 */
TEST_F(flt, ctrl_alias_rst)
{
	int dev0 = self->vf[0].dev;
	__u64 b0 = self->bar[0];
	static __u8 b[SVF_MAX_BLOB];
	struct svf_irq *irq;
	__u32 r;

	ASSERT_EQ(0, wr32(dev0, b0, EIAC, 0x7));
	ASSERT_EQ(0, wr32(dev0, b0, IVAR0, 0x8081));
	ASSERT_EQ(0, wr32(dev0, b0, EIMS, 0x5));
	ASSERT_EQ(0, wr32(dev0, b0, 0x0004, VTCTRL_RST));
	usleep(100000);
	ASSERT_EQ(self->blob_len, save_state(dev0, b, sizeof(b)));
	ASSERT_EQ(0, mig_set(dev0, S_RUNNING, NULL));
	irq = blob_section(b, SVF_SECT_IRQ);
	ASSERT_NE(NULL, irq);
	EXPECT_EQ(0, irq->eims) TH_LOG("EIMS 0x%x kept across the reset at 0x4", irq->eims);
	EXPECT_EQ(0, irq->eiac);
	EXPECT_EQ(0, irq->ivar0);
	EXPECT_EQ(0, irq->pending);
	r = vf_reset_msg(dev0, b0);
	EXPECT_EQ(MSG_RESET, r & 0xFFFF) TH_LOG("VF_RESET reply 0x%08x", r);
}

/*
 * Last: the VFs go away under an open, migrating user. VF0 is in STOP_COPY
 * with its data fd part-read, VF1 in RESUMING with half a blob written; a
 * child writes the sysfs file that removes them and blocks until the user
 * lets go. The test waits for the VFIO request IRQ of each device, closes
 * that device fd (keeping the data fds: they must answer -ENODEV and close
 * cleanly after their device is gone), and the child's write then completes.
 */
FIXTURE(sriov) {
	int container;
	struct vf vf[2];
	__u64 bar[2];
	__u8 blob[SVF_MAX_BLOB];
	ssize_t blob_len;
	const char *pf;
	const char *pfif;
};

FIXTURE_SETUP(sriov)
{
	open_pair(_metadata, &self->container, self->vf, self->bar);
	self->blob_len = save_state(self->vf[0].dev, self->blob, sizeof(self->blob));
	ASSERT_EQ((ssize_t)SVF_BLOB_SIZE, self->blob_len);
	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
	self->pf = getenv("PF") ? getenv("PF") : PF_DEFAULT;
	self->pfif = getenv("PFIF");
	ASSERT_NE(NULL, self->pfif);
}

FIXTURE_TEARDOWN(sriov)
{
	close_pair(&self->container, self->vf);
}

static int req_irq(int dev)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *s = (void *)buf;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (efd < 0)
		return -errno;
	s->argsz = sizeof(buf);
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = VFIO_PCI_REQ_IRQ_INDEX;
	s->start = 0;
	s->count = 1;
	memcpy(s->data, &efd, sizeof(int));
	if (ioctl(dev, VFIO_DEVICE_SET_IRQS, s)) {
		close(efd);
		return -errno;
	}
	return efd;
}

/*
 * Child: write @val to @path; exit status 0 or the errno. It must not
 * inherit the device fds: the removal it starts waits for them.
 */
static pid_t sysfs_write_child(const char *path, const char *val)
{
	pid_t pid = fork();

	if (!pid) {
		syscall(__NR_close_range, 3, ~0U, 0);
		_exit(-sysfs_write(path, val) & 0x7f);
	}
	return pid;
}

/* waitpid within @sec seconds: exit status, or -1 if still running. */
static int wait_child(pid_t pid, int sec)
{
	double end = now_s() + sec;
	int status;

	while (now_s() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		usleep(100000);
	}
	return -1;
}

static void remove_while_migrating(struct __test_metadata *_metadata,
				   struct _test_data_sriov *self, const char *path,
				   const char *val)
{
	static const __u32 st[2] = { S_STOP_COPY, S_RESUMING };
	int efd[2], dfd[2] = { -1, -1 }, i, open_devs = 2, status;
	__u64 requests[2] = {};
	__u8 b[SVF_MAX_BLOB];
	struct pollfd p[2];
	double t0, t_release = 0;
	pid_t child;

	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_STOP_COPY, &dfd[0]));
	ASSERT_EQ(64, read(dfd[0], b, 64));
	ASSERT_EQ(0, mig_set(self->vf[1].dev, S_RESUMING, &dfd[1]));
	ASSERT_EQ(64, write(dfd[1], self->blob, 64));
	for (i = 0; i < 2; i++) {
		efd[i] = req_irq(self->vf[i].dev);
		ASSERT_LE(0, efd[i]);
	}
	t0 = now_s();
	child = sysfs_write_child(path, val);
	ASSERT_LT(0, child);
	/* answer each device's request by closing it, for at most 60 s */
	while (open_devs && now_s() < t0 + 60) {
		for (i = 0; i < 2; i++)
			p[i] = (struct pollfd){ .fd = self->vf[i].dev >= 0 ? efd[i] : -1,
						.events = POLLIN };
		if (poll(p, 2, 500) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			EXPECT_EQ(8, read(efd[i], &requests[i], 8));
			TH_LOG("VF%d: release requested after %.1f s", i, now_s() - t0);
			close(self->vf[i].dev);
			self->vf[i].dev = -1;
			open_devs--;
			EXPECT_EQ(ENODEV, fd_io_errno(dfd[i], st[i]));
			t_release = now_s();
		}
	}
	for (i = 0; i < 2; i++) {
		EXPECT_LT(0, requests[i]) TH_LOG("no request IRQ for VF%d", i);
		if (self->vf[i].dev >= 0) {
			/* unblock the child anyway */
			close(self->vf[i].dev);
			self->vf[i].dev = -1;
		}
	}
	status = wait_child(child, 60);
	TH_LOG("%s completed %.1f s after the last release (status %d)", path,
	       now_s() - t_release, status);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, wait_path("/sys/bus/pci/devices/%s", getenv("VF0"), 0, 10));
	EXPECT_EQ(0, wait_path("/sys/bus/pci/devices/%s", getenv("VF1"), 0, 10));
	/* the data fds outlive their devices: dead, and they close cleanly */
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(ENODEV, fd_io_errno(dfd[i], st[i]));
		close(dfd[i]);
		close(efd[i]);
	}
	close_pair(&self->container, self->vf);
}

/* Recreate the two VFs, bind them to igbvf-vfio-pci, wait for the carrier. */
static void restore_vfs(struct __test_metadata *_metadata,
			struct _test_data_sriov *self)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_numvfs", self->pf);
	ASSERT_EQ(0, sysfs_write(p, "2"));
	ASSERT_EQ(0, wait_path("/sys/bus/pci/devices/%s", getenv("VF1"), 1, 20));
	EXPECT_EQ(0, vf_rebind(getenv("VF0")));
	EXPECT_EQ(0, vf_rebind(getenv("VF1")));
	EXPECT_EQ(0, pf_link(self->pfif, 1));
}

/* The recreated VFs: open, RUNNING, VF0's state restores onto VF1. */
static void expect_vfs_work(struct __test_metadata *_metadata,
			    struct _test_data_sriov *self)
{
	static __u8 b[SVF_MAX_BLOB];
	ssize_t len;

	open_pair(_metadata, &self->container, self->vf, self->bar);
	EXPECT_EQ(S_RUNNING, mig_get(self->vf[0].dev));
	EXPECT_EQ(S_RUNNING, mig_get(self->vf[1].dev));
	len = save_state(self->vf[0].dev, b, sizeof(b));
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, len);
	EXPECT_EQ(0, restore_retry(_metadata, self->vf[1].dev, b, len, 3));
	EXPECT_EQ(0, mig_set(self->vf[1].dev, S_RUNNING, NULL));
	EXPECT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
}

TEST_F_TIMEOUT(sriov, sriov_disable_while_migrating, 180)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_numvfs", self->pf);
	remove_while_migrating(_metadata, self, p, "0");
	restore_vfs(_metadata, self);
	expect_vfs_work(_metadata, self);
}

TEST_F_TIMEOUT(sriov, pf_unbind_while_migrating, 180)
{
	char p[PATH_MAX], ifname[64] = "";
	FILE *f;

	remove_while_migrating(_metadata, self, "/sys/bus/pci/drivers/igb/unbind",
			       self->pf);
	EXPECT_EQ(0, wait_path("/sys/bus/pci/devices/%s/driver", self->pf, 0, 10));
	ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/igb/bind", self->pf));
	ASSERT_EQ(0, wait_path("/sys/bus/pci/devices/%s/net", self->pf, 1, 20));
	/* the netdev comes back under the name the other tests know */
	snprintf(p, sizeof(p), "ls /sys/bus/pci/devices/%s/net", self->pf);
	f = popen(p, "r");
	ASSERT_NE(NULL, f);
	if (!fgets(ifname, sizeof(ifname), f))
		ifname[0] = 0;
	pclose(f);
	ifname[strcspn(ifname, "\n")] = 0;
	EXPECT_STREQ(self->pfif, ifname);
	snprintf(p, sizeof(p), "ip addr add %s dev %s", PF_ADDR, self->pfif);
	EXPECT_EQ(0, system(p));
	restore_vfs(_metadata, self);
	expect_vfs_work(_metadata, self);
}

TEST_HARNESS_MAIN
