/* SPDX-License-Identifier: GPL-2.0 */
/* Small VFIO helpers for the shadowvf selftests (legacy container API). */
#ifndef _SHADOWVF_VFIO_UTIL_H
#define _SHADOWVF_VFIO_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

struct vf {
	const char *bdf;
	int group;
	int dev;
};

/* Open @bdf's group into @container; the first group sets the IOMMU. */
static inline int vf_open(struct vf *vf, int container, const char *bdf,
			  int first)
{
	char link[PATH_MAX], target[PATH_MAX], path[64];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	ssize_t n;

	vf->bdf = bdf;
	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(target));
	vf->group = open(path, O_RDWR);
	if (vf->group < 0)
		return -errno;
	if (ioctl(vf->group, VFIO_GROUP_GET_STATUS, &st) ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(vf->group, VFIO_GROUP_SET_CONTAINER, &container))
		return -errno;
	if (first && ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -errno;
	vf->dev = ioctl(vf->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (vf->dev < 0)
		return -errno;
	return 0;
}

static inline void vf_close(struct vf *vf)
{
	if (vf->dev >= 0)
		close(vf->dev);
	if (vf->group >= 0)
		close(vf->group);
	vf->dev = -1;
	vf->group = -1;
}

/* Write @val to the sysfs file @path: 0 or -errno. */
static inline int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Returns 0 or -errno; on success with a data fd, *fd is set (else -1). */
static inline int mig_set(int dev, __u32 state, int *fd)
{
	__u64 buf[(sizeof(struct vfio_device_feature) +
		   sizeof(struct vfio_device_feature_mig_state) + 7) / 8] = {};
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *m = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	m->device_state = state;
	m->data_fd = -1;
	if (ioctl(dev, VFIO_DEVICE_FEATURE, f))
		return -errno;
	if (fd)
		*fd = m->data_fd;
	else if (m->data_fd >= 0)
		close(m->data_fd);
	return 0;
}

static inline int mig_get(int dev)
{
	__u64 buf[(sizeof(struct vfio_device_feature) +
		   sizeof(struct vfio_device_feature_mig_state) + 7) / 8] = {};
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *m = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	if (ioctl(dev, VFIO_DEVICE_FEATURE, f))
		return -errno;
	return m->device_state;
}

static inline long mig_feature(int dev, __u32 feature, void *out, size_t len)
{
	__u64 buf[8] = {};
	struct vfio_device_feature *f = (void *)buf;

	f->argsz = sizeof(*f) + len;
	f->flags = VFIO_DEVICE_FEATURE_GET | feature;
	if (ioctl(dev, VFIO_DEVICE_FEATURE, f))
		return -errno;
	memcpy(out, f->data, len);
	return 0;
}

/* Read a data fd to its end. Returns the length or -errno. */
static inline ssize_t mig_read_all(int fd, void *buf, size_t size)
{
	size_t done = 0;
	ssize_t n;

	while ((n = read(fd, (char *)buf + done, size - done)) > 0)
		done += n;
	return n < 0 ? -errno : (ssize_t)done;
}

/* Open the kernel log at its end: only records from now on are read. */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Kernel log lines containing @needle from @fd (see kmsg_open()) on. */
static inline int kmsg_count(int fd, const char *needle)
{
	char rec[1024];
	ssize_t n;
	int hits = 0;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		hits += !!strstr(rec, needle);
	}
	return hits;
}

#endif
