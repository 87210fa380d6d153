// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO migration uAPI conformance of igbvf-vfio-pci, run inside the
 * emulated SR-IOV host on two VFs bound to the driver (VF0, VF1 in the
 * environment): migration flags, every arc, data fd semantics, data size,
 * reset in every state, a cross-VF save/restore through the PF mailbox,
 * bad blobs rejected with the documented errno, poll() and
 * VFIO_MIG_GET_PRECOPY_INFO on the data fds, and a trapped BAR0 access
 * waking a VF in low power.
 */
#define _GNU_SOURCE		/* POLLRDHUP */
#include <poll.h>
#include <stdint.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <linux/shadowvf/igbvf_state.h>
#include "vfio_util.h"
#include "blob_util.h"
#include "kselftest_harness.h"

#define S_ERROR		VFIO_DEVICE_STATE_ERROR
#define S_STOP		VFIO_DEVICE_STATE_STOP
#define S_RUNNING	VFIO_DEVICE_STATE_RUNNING
#define S_STOP_COPY	VFIO_DEVICE_STATE_STOP_COPY
#define S_RESUMING	VFIO_DEVICE_STATE_RESUMING
#define S_RUNNING_P2P	VFIO_DEVICE_STATE_RUNNING_P2P
#define S_PRE_COPY	VFIO_DEVICE_STATE_PRE_COPY
#define S_PRE_COPY_P2P	VFIO_DEVICE_STATE_PRE_COPY_P2P

FIXTURE(mig) {
	int container;
	struct vf vf[2];
	__u8 blob[SVF_MAX_BLOB];
	ssize_t blob_len;
};

FIXTURE_SETUP(mig)
{
	const char *bdf0 = getenv("VF0"), *bdf1 = getenv("VF1");

	ASSERT_NE(NULL, bdf0);
	ASSERT_NE(NULL, bdf1);
	self->container = open("/dev/vfio/vfio", O_RDWR);
	ASSERT_LE(0, self->container);
	ASSERT_EQ(0, vf_open(&self->vf[0], self->container, bdf0, 1));
	ASSERT_EQ(0, vf_open(&self->vf[1], self->container, bdf1, 0));
}

FIXTURE_TEARDOWN(mig)
{
	vf_close(&self->vf[0]);
	vf_close(&self->vf[1]);
	close(self->container);
}

/* Save VF0's state into self->blob. */
/*
 * A saved stream, kept where the emulated host's results go (l1-main.sh's
 * /results), for make check to run the blob inspector on.
 */
static void keep_stream(const __u8 *b, ssize_t len)
{
	int fd = open("/results/captured-vf0.stream",
		      O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return;
	if (write(fd, b, len) != len)
		fprintf(stderr, "captured-vf0.stream: short write\n");
	close(fd);
}

static int save_vf0(struct __test_metadata *_metadata, struct _test_data_mig *self)
{
	int dev = self->vf[0].dev, fd = -1;

	EXPECT_EQ(0, mig_set(dev, S_STOP_COPY, &fd));
	EXPECT_LE(0, fd);
	if (fd < 0)
		return -1;
	self->blob_len = mig_read_all(fd, self->blob, sizeof(self->blob));
	close(fd);
	if (self->blob_len > 0)
		keep_stream(self->blob, self->blob_len);
	/* the stream opens with the compatibility record */
	EXPECT_EQ((ssize_t)SVF_STREAM_SIZE, self->blob_len);
	self->blob_len = stream_take_blob(self->blob, self->blob_len);
	EXPECT_EQ(0, mig_set(dev, S_STOP, NULL));
	return self->blob_len > 0 ? 0 : -1;
}

/*
 * Write @len bytes of @blob to the resuming fd @fd of @dev and leave
 * RESUMING; returns the STOP result. A blob is loaded when its last byte
 * arrives, so a refused complete blob fails the write with the errno that
 * STOP then reports as well.
 */
static int feed_blob(struct __test_metadata *_metadata, int dev, int fd,
		     const __u8 *blob, size_t len)
{
	ssize_t n = write(fd, blob, len);
	int werr = n < 0 ? -errno : 0, ret;

	ret = mig_set(dev, S_STOP, NULL);
	if (n != (ssize_t)len)
		EXPECT_EQ(ret, werr) TH_LOG("write %zd, STOP %d", n, ret);
	return ret;
}

/* Feed @len bytes of @blob to VF1 in RESUMING; returns the STOP result. */
static int resume_vf1(struct __test_metadata *_metadata, int dev,
		      const __u8 *blob, size_t len)
{
	int fd = -1, ret;

	EXPECT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	EXPECT_LE(0, fd);
	if (fd < 0)
		return -EBADF;
	ret = feed_blob(_metadata, dev, fd, blob, len);
	close(fd);
	return ret;
}

TEST_F(mig, migration_flags)
{
	struct vfio_device_feature_migration m = {};

	ASSERT_EQ(0, mig_feature(self->vf[0].dev, VFIO_DEVICE_FEATURE_MIGRATION,
				 &m, sizeof(m)));
	EXPECT_EQ(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P |
		  VFIO_MIGRATION_PRE_COPY, m.flags);
	EXPECT_EQ(S_RUNNING, mig_get(self->vf[0].dev));
}

TEST_F(mig, data_size_and_blob)
{
	struct vfio_device_feature_mig_data_size ds = {};
	struct svf_header *h = (void *)self->blob;

	ASSERT_EQ(0, mig_feature(self->vf[0].dev,
				 VFIO_DEVICE_FEATURE_MIG_DATA_SIZE, &ds, sizeof(ds)));
	ASSERT_EQ(0, save_vf0(_metadata, self));
	TH_LOG("device-state blob: %zd bytes (data size reported %llu)",
	       self->blob_len, (unsigned long long)ds.stop_copy_length);
	EXPECT_EQ(ds.stop_copy_length, SVF_COMPAT_SIZE + self->blob_len);
	EXPECT_EQ(SVF_MAGIC, h->magic);
	EXPECT_EQ(SVF_VERSION_MAJOR, h->major);
	EXPECT_EQ(self->blob_len, h->total_len);
	EXPECT_EQ(0x8086, h->vendor);
	EXPECT_EQ(0x10ca, h->device);
	EXPECT_EQ(5, h->nr_sections);
}

TEST_F(mig, save_fd_semantics)
{
	int dev = self->vf[0].dev, fd = -1;
	char buf[16];

	ASSERT_EQ(0, mig_set(dev, S_STOP_COPY, &fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	EXPECT_LT(0, mig_read_all(fd, self->blob, sizeof(self->blob)));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));	/* end of stream */
	ASSERT_EQ(0, mig_set(dev, S_STOP, NULL));
	/* the fd ended with STOP_COPY */
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
}

TEST_F(mig, resume_fd_semantics)
{
	int dev = self->vf[1].dev, fd = -1;
	static __u8 big[SVF_MAX_STREAM + 1];

	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, pwrite(fd, big, 8, 0));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, read(fd, big, 8));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, write(fd, big, sizeof(big)));
	EXPECT_EQ(EFBIG, errno);
	/* an empty stream is not a device state */
	EXPECT_EQ(-EINVAL, mig_set(dev, S_STOP, NULL));
	EXPECT_EQ(S_RESUMING, mig_get(dev));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(S_RUNNING, mig_get(dev));
	EXPECT_EQ(-1, write(fd, big, 8));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
}

TEST_F(mig, cross_vf_restore)
{
	int dev1 = self->vf[1].dev;

	ASSERT_EQ(0, save_vf0(_metadata, self));
	/* the destination redoes VF_RESET with the PF: that must answer */
	EXPECT_EQ(0, resume_vf1(_metadata, dev1, self->blob, self->blob_len));
	EXPECT_EQ(S_STOP, mig_get(dev1));
	EXPECT_EQ(0, mig_set(dev1, S_RUNNING, NULL));
	EXPECT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
}

static const __u32 all_states[] = {
	S_ERROR, S_STOP, S_RUNNING, S_STOP_COPY, S_RESUMING, S_RUNNING_P2P,
	S_PRE_COPY, S_PRE_COPY_P2P,
};

static int supported(__u32 s)
{
	return s != S_ERROR;
}

/* The uAPI has no arc back from STOP_COPY into the PRE_COPY states. */
static int reachable(__u32 from, __u32 to)
{
	return supported(to) &&
	       !(from == S_STOP_COPY && (to == S_PRE_COPY || to == S_PRE_COPY_P2P));
}

/* Every (from, to) pair: reachable targets are reached, others refused. */
TEST_F(mig, all_arcs)
{
	int dev = self->vf[1].dev, n = 0;
	size_t i, j;

	ASSERT_EQ(0, save_vf0(_metadata, self));
	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
	for (i = 0; i < ARRAY_SIZE(all_states); i++) {
		__u32 from = all_states[i];

		if (!supported(from))
			continue;
		for (j = 0; j < ARRAY_SIZE(all_states); j++) {
			__u32 to = all_states[j];
			int fd = -1, ret;

			ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
			ASSERT_EQ(S_RUNNING, mig_get(dev));
			ASSERT_EQ(0, mig_set(dev, from, &fd));
			ASSERT_EQ(from, mig_get(dev));
			if (from == S_RESUMING && to != S_RESUMING) {
				/* leaving RESUMING loads the state written */
				ASSERT_EQ(self->blob_len,
					  write(fd, self->blob, self->blob_len));
			}
			if (fd >= 0)
				close(fd);
			ret = mig_set(dev, to, &fd);
			if (reachable(from, to)) {
				EXPECT_EQ(0, ret) TH_LOG("%u -> %u", from, to);
				EXPECT_EQ(to, mig_get(dev));
				if (!ret && fd >= 0)
					close(fd);
			} else {
				EXPECT_EQ(-EINVAL, ret) TH_LOG("%u -> %u", from, to);
				EXPECT_EQ(from, mig_get(dev));
			}
			n++;
		}
	}
	TH_LOG("%d arcs checked", n);
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
}

/* A reset in any state returns to RUNNING and ends the state's fd. */
TEST_F(mig, reset_in_each_state)
{
	static const __u32 states[] = { S_RUNNING_P2P, S_STOP, S_STOP_COPY,
					S_RESUMING };
	int dev = self->vf[0].dev;
	char buf[8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		int fd = -1;

		ASSERT_EQ(0, mig_set(dev, states[i], &fd));
		ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
		EXPECT_EQ(S_RUNNING, mig_get(dev)) TH_LOG("state %u", states[i]);
		if (fd >= 0) {
			ssize_t n = states[i] == S_STOP_COPY ?
				    read(fd, buf, sizeof(buf)) :
				    write(fd, buf, sizeof(buf));

			EXPECT_EQ(-1, n);
			EXPECT_EQ(ENODEV, errno);
			close(fd);
		}
	}
}

/* Bad blobs are refused at RESUMING -> STOP with -EINVAL. */
TEST_F(mig, bad_blobs)
{
	int dev = self->vf[1].dev;
	__u8 b[SVF_MAX_BLOB];
	struct svf_header *h = (void *)b;
	struct svf_queues *q;
	size_t len;

	ASSERT_EQ(0, save_vf0(_metadata, self));
	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
	len = self->blob_len;

	/* truncated */
	memcpy(b, self->blob, len);
	EXPECT_EQ(-EINVAL, resume_vf1(_metadata, dev, b, len - 1));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* wrong magic */
	memcpy(b, self->blob, len);
	h->magic ^= 1;
	blob_fix_crc(b, len);
	EXPECT_EQ(-EINVAL, resume_vf1(_metadata, dev, b, len));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* wrong major */
	memcpy(b, self->blob, len);
	h->major = SVF_VERSION_MAJOR + 1;
	blob_fix_crc(b, len);
	EXPECT_EQ(-EINVAL, resume_vf1(_metadata, dev, b, len));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* corrupted checksum */
	memcpy(b, self->blob, len);
	b[len - 1] ^= 0x80;
	EXPECT_EQ(-EINVAL, resume_vf1(_metadata, dev, b, len));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* ring length not a multiple of 128, valid checksum */
	memcpy(b, self->blob, len);
	q = blob_section(b, SVF_SECT_QUEUES);
	ASSERT_NE(NULL, q);
	q->rx[0].rdlen = 100;
	blob_fix_crc(b, len);
	EXPECT_EQ(-EINVAL, resume_vf1(_metadata, dev, b, len));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* ring too large */
	memcpy(b, self->blob, len);
	q = blob_section(b, SVF_SECT_QUEUES);
	q->tx[0].tdlen = SVF_RING_MAX + SVF_RING_ALIGN;
	blob_fix_crc(b, len);
	EXPECT_EQ(-EINVAL, resume_vf1(_metadata, dev, b, len));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* the untouched blob still restores */
	EXPECT_EQ(0, resume_vf1(_metadata, dev, self->blob, len));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
}

/*
 * A refused blob is discarded: the same fd takes the next one from offset
 * 0. Bytes after a complete blob are refused, and so is the blob.
 */
TEST_F(mig, refused_blob_then_next)
{
	int dev = self->vf[1].dev, fd = -1;
	__u8 b[SVF_MAX_BLOB];
	size_t len;

	ASSERT_EQ(0, save_vf0(_metadata, self));
	ASSERT_EQ(0, mig_set(self->vf[0].dev, S_RUNNING, NULL));
	len = self->blob_len;
	memcpy(b, self->blob, len);
	b[len - 1] ^= 0x80;
	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	EXPECT_EQ(-EINVAL, feed_blob(_metadata, dev, fd, b, len));
	EXPECT_EQ(S_RESUMING, mig_get(dev));
	/* truncated: refused at STOP only */
	EXPECT_EQ((ssize_t)len - 8, write(fd, self->blob, len - 8));
	EXPECT_EQ(-EINVAL, mig_set(dev, S_STOP, NULL));
	/* trailing bytes */
	EXPECT_EQ((ssize_t)len, write(fd, self->blob, len));
	EXPECT_EQ(-1, write(fd, self->blob, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, mig_set(dev, S_STOP, NULL));
	/* and the next, valid blob on the same fd restores */
	EXPECT_EQ(0, feed_blob(_metadata, dev, fd, self->blob, len));
	EXPECT_EQ(S_STOP, mig_get(dev));
	close(fd);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
}

/* The events poll() reports on @fd after waiting up to @ms: all asked for. */
static int poll_events(int fd, int ms)
{
	struct pollfd p = {
		.fd = fd,
		.events = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLRDHUP,
	};

	if (poll(&p, 1, ms) < 0)
		return -errno;
	return p.revents;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Save fd: readable while it has bytes, not at PRE_COPY's temporary end
 * of stream (read() says ENOMSG: user space waits in poll()), woken when
 * STOP_COPY appends the blob, readable at the end of the stream (read()
 * returns 0) and, with POLLRDHUP, once the fd ended. Never writable.
 */
TEST_F(mig, save_fd_poll)
{
	int dev = self->vf[0].dev, fd = -1, pfd[2], res[2] = { -1, -1 };
	const int rd = POLLIN | POLLRDNORM;
	char buf[16];
	pid_t pid;

	ASSERT_EQ(0, mig_set(dev, S_PRE_COPY, &fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ(rd, poll_events(fd, 0));
	EXPECT_EQ((ssize_t)SVF_COMPAT_SIZE, read(fd, self->blob, sizeof(self->blob)));
	EXPECT_EQ(0, poll_events(fd, 0)) TH_LOG("PRE_COPY, initial bytes read");

	/* a poller asleep at the temporary end wakes for STOP_COPY's blob */
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		long t0 = now_ms();

		res[0] = poll_events(fd, 10000);
		res[1] = now_ms() - t0;
		_exit(write(pfd[1], res, sizeof(res)) != sizeof(res));
	}
	close(pfd[1]);
	usleep(300 * 1000);
	EXPECT_EQ(0, mig_set(dev, S_STOP_COPY, NULL));
	EXPECT_EQ((ssize_t)sizeof(res), read(pfd[0], res, sizeof(res)));
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(rd, res[0]) TH_LOG("poller woke after %d ms", res[1]);
	EXPECT_GT(5000, res[1]);

	EXPECT_EQ(rd, poll_events(fd, 0));
	EXPECT_EQ((ssize_t)SVF_BLOB_SIZE, mig_read_all(fd, self->blob, sizeof(self->blob)));
	/* the permanent end of stream is readable */
	EXPECT_EQ(rd, poll_events(fd, 0));
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, mig_set(dev, S_STOP, NULL));
	/* ended: read() fails with ENODEV at once */
	EXPECT_EQ(rd | POLLRDHUP, poll_events(fd, 0));
	close(fd);
	EXPECT_EQ(0, mig_set(dev, S_RUNNING, NULL));
}

/* Resume fd: writable (write() never blocks), never readable. */
TEST_F(mig, resume_fd_poll)
{
	int dev = self->vf[1].dev, fd = -1;
	const int wr = POLLOUT | POLLWRNORM;

	ASSERT_EQ(0, mig_set(dev, S_RESUMING, &fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ(wr, poll_events(fd, 0));
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	/* ended: write() fails with ENODEV */
	EXPECT_EQ(wr | POLLERR, poll_events(fd, 0));
	close(fd);
}

static int precopy_info(int fd, __u64 *initial)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };

	if (ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info))
		return -errno;
	*initial = info.initial_bytes;
	return 0;
}

/*
 * VFIO_MIG_GET_PRECOPY_INFO is valid only in PRE_COPY(_P2P): -EINVAL in
 * any other state, whether the fd went on into STOP_COPY or ended there.
 */
TEST_F(mig, precopy_info_outside_precopy)
{
	static const __u32 leave[] = { S_RUNNING, S_RUNNING_P2P, S_STOP_COPY };
	int dev = self->vf[0].dev, fd;
	__u64 initial = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(leave); i++) {
		__u32 pre = leave[i] == S_RUNNING ? S_PRE_COPY : S_PRE_COPY_P2P;

		ASSERT_EQ(0, mig_set(dev, S_RUNNING, NULL));
		fd = -1;
		ASSERT_EQ(0, mig_set(dev, pre, &fd));
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, precopy_info(fd, &initial));
		EXPECT_EQ(SVF_COMPAT_SIZE, initial);
		ASSERT_EQ(0, mig_set(dev, leave[i], NULL));
		EXPECT_EQ(-EINVAL, precopy_info(fd, &initial))
			TH_LOG("%u -> %u", pre, leave[i]);
		if (leave[i] == S_STOP_COPY) {
			ASSERT_EQ(0, mig_set(dev, S_STOP, NULL));
			EXPECT_EQ(-EINVAL, precopy_info(fd, &initial))
				TH_LOG("STOP_COPY -> STOP");
		}
		close(fd);
	}
	/* a reset ends PRE_COPY too */
	fd = -1;
	ASSERT_EQ(0, mig_set(dev, S_RUNNING, NULL));
	ASSERT_EQ(0, mig_set(dev, S_PRE_COPY, &fd));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_RESET));
	EXPECT_EQ(-EINVAL, precopy_info(fd, &initial)) TH_LOG("reset");
	close(fd);
}

static int feature_set(int dev, __u32 feature, const void *in, size_t len)
{
	__u64 buf[8] = {};
	struct vfio_device_feature *f = (void *)buf;

	f->argsz = sizeof(*f) + len;
	f->flags = VFIO_DEVICE_FEATURE_SET | feature;
	memcpy(f->data, in, len);
	return ioctl(dev, VFIO_DEVICE_FEATURE, f) ? -errno : 0;
}

/* Wait up to @ms for @bdf's runtime PM status to read @want. */
static int runtime_status_is(const char *bdf, const char *want, int ms)
{
	char path[96], s[32];
	long end = now_ms() + ms;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/power/runtime_status",
		 bdf);
	do {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return 0;
		n = read(fd, s, sizeof(s) - 1);
		close(fd);
		if (n > 0 && !strncmp(s, want, strlen(want)))
			return 1;
		usleep(20 * 1000);
	} while (now_ms() < end);
	return 0;
}

/*
 * A VF in low power wakes for an access through the vfio uAPI, the
 * wake-up signalled on the eventfd (LOW_POWER_ENTRY_WITH_WAKEUP): the
 * trapped BAR0 page too, not only what vfio-pci's own read handles.
 */
TEST_F(mig, trapped_bar_wakes_vf)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri),
				       .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_device_low_power_entry_with_wakeup e = {};
	int dev = self->vf[1].dev;
	__u64 cnt = 0;
	__u32 v = 0;

	ASSERT_EQ(0, ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri));
	e.wakeup_eventfd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, e.wakeup_eventfd);
	ASSERT_EQ(0, feature_set(dev, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
				 &e, sizeof(e)));
	if (!runtime_status_is(self->vf[1].bdf, "suspended", 5000)) {
		feature_set(dev, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0);
		close(e.wakeup_eventfd);
		SKIP(return, "the VF does not runtime-suspend here");
	}
	/* STATUS, in the trapped first page */
	EXPECT_EQ(4, pread(dev, &v, 4, ri.offset + 0x8));
	EXPECT_EQ(8, read(e.wakeup_eventfd, &cnt, 8))
		TH_LOG("no wake-up signalled: errno %d", errno);
	EXPECT_EQ(1, cnt);
	EXPECT_EQ(1, runtime_status_is(self->vf[1].bdf, "active", 0));
	EXPECT_EQ(0, feature_set(dev, VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0));
	close(e.wakeup_eventfd);
}

TEST_HARNESS_MAIN
