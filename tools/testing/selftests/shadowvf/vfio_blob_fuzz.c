// SPDX-License-Identifier: GPL-2.0
/*
 * Resume fuzzing of igbvf-vfio-pci, run inside the emulated SR-IOV host
 * with VF0 and VF1 bound to the driver. Streams that break the rules of
 * Documentation/igbvf-state.rst by construction (fuzz/blob_gen.h, derived
 * from VF0's saved state) go to one RESUMING data fd of VF1: each must
 * fail RESUMING -> STOP with -EINVAL and leave VF1 in RESUMING, the fd
 * rewound for the next. A valid blob must then still restore VF1, its
 * registers read back through the BAR, and the kernel log must have
 * gained no warning.
 *
 * SVF_FUZZ_SEED (default: the time) fixes the streams, SVF_FUZZ_COUNT
 * their number (default 50000).
 */
#include <time.h>
#include "vfio_util.h"
#include "blob_util.h"
#include "kselftest.h"
#include "fuzz/blob_gen.h"
#include "../../../../drivers/vfio/pci/igbvf/regs.h"

#define S_STOP		VFIO_DEVICE_STATE_STOP
#define S_RUNNING	VFIO_DEVICE_STATE_RUNNING
#define S_STOP_COPY	VFIO_DEVICE_STATE_STOP_COPY
#define S_RESUMING	VFIO_DEVICE_STATE_RESUMING
#define MAX_REPORTS	20

static struct svfg_case c;
static __u8 vf0_blob[SVF_MAX_BLOB], base[SVF_MAX_BLOB];
static size_t vf0_len;
static unsigned long tried[SVFG_NR_CAT], refused[SVFG_NR_CAT];
static unsigned long unsure[SVFG_NR_CAT], skipped;
static int reports;

/* Kernel log lines that must not appear while fuzzing. */
static const char *const bad_log[] = {
	"WARNING:", "BUG:", "Oops", "KASAN", "UBSAN", "KFENCE", "kmemleak",
	"lockdep", "possible circular locking", "possible recursive locking",
	"inconsistent lock state", "suspicious RCU usage",
	"general protection fault", "Call Trace", "refcount_t",
	"list_add corruption", "list_del corruption", "stack-protector",
	"sleeping function called from invalid context", "self-detected stall",
	"blocked for more than", "DMAR: [DMA", "DMAR: DRHD: handling fault",
};

static __u64 env_u64(const char *name, __u64 def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* Read the new kernel log records; returns how many lines are bad. */
static int kmsg_scan(int fd)
{
	unsigned long lines = 0, rejected = 0, suppressed = 0;
	char rec[8192], *msg, *nl;
	int bad = 0;
	size_t i;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n <= 0)
			break;
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		lines++;
		if (strstr(msg, "migration state rejected"))
			rejected++;
		if (strstr(msg, "callbacks suppressed"))
			suppressed++;
		for (i = 0; i < ARRAY_SIZE(bad_log); i++) {
			if (strstr(msg, bad_log[i])) {
				if (bad++ < MAX_REPORTS)
					ksft_print_msg("kernel: %s\n", msg);
				break;
			}
		}
	}
	ksft_print_msg("kernel log: %lu new lines, %lu refusals, %lu \"callbacks suppressed\"\n",
		       lines, rejected, suppressed);
	return bad;
}

static int save_vf0(int dev)
{
	ssize_t n;
	int fd = -1;

	if (mig_set(dev, S_STOP_COPY, &fd) || fd < 0)
		return -1;
	n = mig_read_all(fd, vf0_blob, sizeof(vf0_blob));
	close(fd);
	if (mig_set(dev, S_STOP, NULL) || mig_set(dev, S_RUNNING, NULL))
		return -1;
	/* the stream opens with the compatibility record: keep the blob */
	n = n > 0 ? stream_take_blob(vf0_blob, n) : -1;
	if (n <= 0)
		return -1;
	vf0_len = n;
	return 0;
}

static int bar0_read32(int dev, __u32 off, __u32 *val)
{
	struct vfio_region_info ri = {
		.argsz = sizeof(ri),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return -errno;
	if (pread(dev, val, sizeof(*val), ri.offset + off) != sizeof(*val))
		return -EIO;
	return 0;
}

/* Back to RESUMING with a new data fd, whatever happened. */
static int reenter(int dev, int *fd)
{
	int st = mig_get(dev);

	if (st == S_RESUMING)
		return 0;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	if (st != S_STOP && ioctl(dev, VFIO_DEVICE_RESET))
		return -errno;
	return mig_set(dev, S_RESUMING, fd);
}

/*
 * Send stream @c in its writes, then leave RESUMING. Returns NULL if the
 * driver refused it as documented, else what went wrong (described in
 * @log). A refused blob fails the write that completes it with EINVAL;
 * more than 4096 bytes fail with EFBIG; STOP fails with -EINVAL.
 */
static const char *feed(int dev, int fd, char *log, size_t size)
{
	const char *why = NULL;
	size_t off = 0, used = 0;
	int werr = 0, stop, st;
	unsigned int k;
	ssize_t n;

	for (k = 0; k < c.nw && !werr; k++) {
		n = write(fd, c.buf + off, c.w[k]);
		werr = n < 0 ? errno : 0;
		used += snprintf(log + used, size - used, "%s%zd", k ? "," : "",
				 n);
		if (n >= 0 && (size_t)n != c.w[k] && !why)
			why = "short write";
		off += c.w[k];
	}
	stop = mig_set(dev, S_STOP, NULL);
	st = mig_get(dev);
	/* @size is far more than three numbers and two short strings need */
	snprintf(log + used, size - used, " (%s); STOP %d; state %d",
		 werr ? strerror(werr) : "ok", stop, st);
	if (why)
		return why;
	if (c.len > SVF_MAX_BLOB && werr != EFBIG)
		return "more than 4096 bytes not refused with EFBIG";
	if (werr && werr != (c.len > SVF_MAX_BLOB ? EFBIG : EINVAL))
		return "write failed with an unexpected errno";
	if (!stop)
		return "accepted";
	if (stop != -EINVAL)
		return "STOP failed with an errno other than EINVAL";
	if (st != S_RESUMING)
		return "device left RESUMING";
	return NULL;
}

static void report(unsigned long i, const char *why, const char *log)
{
	if (reports++ < MAX_REPORTS)
		ksft_print_msg("blob %lu %s (%s): %s; writes %s\n", i,
			       svfg_cat_name(c.cat), c.what, why, log);
}

/* The fuzzing base: VF0's state without a MAC to replay to the PF. */
static void neutral_base(void)
{
	size_t pf = svfg_sect(vf0_blob, vf0_len, SVF_SECT_PFCFG);

	svfg_put16(vf0_blob, pf + SVFG_PF(flags),
		   svfg_get16(vf0_blob, pf + SVFG_PF(flags)) & ~SVFG_PF_MAC_SET);
	svfg_fix_crc(vf0_blob, vf0_len);
}

static void fuzz(int dev, int *fd, __u64 seed, unsigned long count)
{
	unsigned long i, seq[SVFG_NR_CAT] = {};
	struct timespec t0, t1;
	char log[256];
	const char *why;
	struct svfg_rng r;
	enum svfg_cat cat;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		svfg_seed(&r, seed, i);
		cat = svfg_cat_of(i);
		memcpy(base, vf0_blob, vf0_len);
		/* a valid blob ahead of trailing bytes is loaded: keep it plain */
		if (cat != SVFG_TRAILING && svfg_below(&r, 4))
			svfg_randomize(&r, base, vf0_len);
		svfg_mutate(&r, cat, seq[cat]++, base, vf0_len, &c);
		tried[cat]++;
		unsure[cat] += !c.sure;
		/* the generator's promise, checked against the rules */
		if (!svfg_check(c.buf, c.len, SVFG_VENDOR, SVFG_DEVICE)) {
			if (c.len == vf0_len && !memcmp(c.buf, base, vf0_len)) {
				tried[cat]--;	/* the valid blob itself */
				skipped++;
				continue;
			}
			report(i, "generator made a valid stream, not sent", "-");
			continue;
		}
		why = feed(dev, *fd, log, sizeof(log));
		if (!why)
			refused[cat]++;
		else
			report(i, why, log);
		if (why && reenter(dev, fd))
			ksft_exit_fail_msg("blob %lu: cannot return to RESUMING\n", i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (reports > MAX_REPORTS)
		ksft_print_msg("%d more failures not shown\n",
			       reports - MAX_REPORTS);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ksft_print_msg("%lu streams in %.1f s: %.0f per second\n", count, secs,
		       count / secs);
}

/*
 * A valid blob on the same fd: VF0's state with RX ring 0 and TX ring 1
 * moved (queues left disabled: no DMA), read back once RUNNING.
 */
static int restore_valid(int dev, int fd, __u64 seed)
{
	size_t q = svfg_sect(vf0_blob, vf0_len, SVF_SECT_QUEUES);
	__u32 rdlen, rdbal, tdlen, v;
	const char *rule;
	struct svfg_rng r;
	__u8 *b = base;
	int ret;

	svfg_seed(&r, seed, ~0ULL);
	memcpy(b, vf0_blob, vf0_len);
	rdlen = SVF_RING_ALIGN * (1 + svfg_below(&r, 512));
	rdbal = svfg_rand32(&r) & ~(SVF_RING_ALIGN - 1);
	tdlen = SVF_RING_ALIGN * (1 + svfg_below(&r, 512));
	svfg_put32(b, q + SVFG_RXQ(0, rdbal), rdbal);
	svfg_put32(b, q + SVFG_RXQ(0, rdlen), rdlen);
	svfg_put32(b, q + SVFG_RXQ(0, rdh), 0);
	svfg_put32(b, q + SVFG_RXQ(0, rdt), 0);
	svfg_put32(b, q + SVFG_RXQ(0, rxdctl),
		   svfg_get32(b, q + SVFG_RXQ(0, rxdctl)) & ~SVFG_XDCTL_EN);
	svfg_put32(b, q + SVFG_TXQ(1, tdlen), tdlen);
	svfg_put32(b, q + SVFG_TXQ(1, tdh), 0);
	svfg_put32(b, q + SVFG_TXQ(1, tdt), 0);
	svfg_put32(b, q + SVFG_TXQ(1, txdctl),
		   svfg_get32(b, q + SVFG_TXQ(1, txdctl)) & ~SVFG_XDCTL_EN);
	svfg_fix_crc(b, vf0_len);
	rule = svfg_check(b, vf0_len, SVFG_VENDOR, SVFG_DEVICE);
	if (rule) {
		ksft_print_msg("valid blob breaks %s\n", rule);
		return -1;
	}
	ksft_print_msg("valid blob: rx0 base %#x len %u, tx1 len %u\n", rdbal,
		       rdlen, tdlen);
	if (write(fd, b, vf0_len) != (ssize_t)vf0_len) {
		ksft_print_msg("valid blob: write: %s\n", strerror(errno));
		return -1;
	}
	ret = mig_set(dev, S_STOP, NULL);
	if (ret || mig_get(dev) != S_STOP) {
		ksft_print_msg("valid blob: RESUMING -> STOP %d\n", ret);
		return -1;
	}
	ret = mig_set(dev, S_RUNNING, NULL);
	if (ret) {
		ksft_print_msg("valid blob: STOP -> RUNNING %d\n", ret);
		return -1;
	}
	ret = bar0_read32(dev, IGBVF_RDLEN(0), &v);
	if (ret || v != rdlen) {
		ksft_print_msg("RDLEN0 %#x (%d), blob %#x\n", v, ret, rdlen);
		return -1;
	}
	ret = bar0_read32(dev, IGBVF_RDBAL(0), &v);
	if (ret || v != rdbal) {
		ksft_print_msg("RDBAL0 %#x (%d), blob %#x\n", v, ret, rdbal);
		return -1;
	}
	ret = bar0_read32(dev, IGBVF_TDLEN(1), &v);
	if (ret || v != tdlen) {
		ksft_print_msg("TDLEN1 %#x (%d), blob %#x\n", v, ret, tdlen);
		return -1;
	}
	return 0;
}

int main(void)
{
	const char *bdf0 = getenv("VF0"), *bdf1 = getenv("VF1"), *rule;
	__u64 seed = env_u64("SVF_FUZZ_SEED", time(NULL));
	unsigned long count = env_u64("SVF_FUZZ_COUNT", 50000), all = 0;
	struct vf vf[2] = { { .group = -1, .dev = -1 },
			    { .group = -1, .dev = -1 } };
	int container, kmsg, fd = -1, ok, bad_lines;
	unsigned int cat;

	ksft_print_header();
	ksft_set_plan(SVFG_NR_CAT + 2);
	ksft_print_msg("seed %llu (SVF_FUZZ_SEED=%llu repeats this run), %lu streams\n",
		       (unsigned long long)seed, (unsigned long long)seed, count);
	if (!bdf0 || !bdf1)
		ksft_exit_fail_msg("VF0 and VF1 must name the VFs\n");
	kmsg = kmsg_open();
	if (kmsg < 0)
		ksft_exit_fail_msg("/dev/kmsg: %s\n", strerror(errno));
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0 || vf_open(&vf[0], container, bdf0, 1) ||
	    vf_open(&vf[1], container, bdf1, 0))
		ksft_exit_fail_msg("cannot open the VFs through VFIO\n");
	if (save_vf0(vf[0].dev))
		ksft_exit_fail_msg("cannot save VF0's state\n");
	rule = svfg_check(vf0_blob, vf0_len, SVFG_VENDOR, SVFG_DEVICE);
	if (rule)
		ksft_exit_fail_msg("VF0's blob (%zu bytes) breaks %s\n", vf0_len,
				   rule);
	neutral_base();
	if (mig_set(vf[1].dev, S_RESUMING, &fd) || fd < 0)
		ksft_exit_fail_msg("VF1: cannot enter RESUMING\n");

	fuzz(vf[1].dev, &fd, seed, count);
	for (cat = 0; cat < SVFG_NR_CAT; cat++) {
		ksft_print_msg("%-9s %6lu tried, %6lu refused (%lu invalid by CRC-32 only)\n",
			       svfg_cat_name(cat), tried[cat], refused[cat],
			       unsure[cat]);
		all += refused[cat];
	}
	ksft_print_msg("all       %6lu tried, %6lu refused, %lu skipped (the valid blob)\n",
		       count - skipped, all, skipped);
	for (cat = 0; cat < SVFG_NR_CAT; cat++)
		ksft_test_result(tried[cat] == refused[cat], "refused_%s\n",
				 svfg_cat_name(cat));

	ok = !reenter(vf[1].dev, &fd) && !restore_valid(vf[1].dev, fd, seed);
	ksft_test_result(ok, "valid_blob_restores\n");
	if (fd >= 0)
		close(fd);
	ioctl(vf[1].dev, VFIO_DEVICE_RESET);

	bad_lines = kmsg_scan(kmsg);
	ksft_test_result(!bad_lines, "kernel_log_clean\n");
	vf_close(&vf[0]);
	vf_close(&vf[1]);
	close(container);
	ksft_finished();
}
