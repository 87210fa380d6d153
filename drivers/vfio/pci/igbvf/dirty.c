// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking of the VF's DMA writes, in software, on any kernel.
 *
 * The type1 container reports, once a group has pinned a page through
 * vfio_pin_pages(), only pages pinned at some time since the last report
 * (vfio_iova_dirty_bitmap()) instead of all mapped RAM. So the driver
 * "touches" (pins and at once releases) every page the VF has written,
 * after the VF wrote it and before the report that must carry it:
 *
 * - RX buffers: an RDT write hands descriptors to the VF. The RX register
 *   page is trapped; before the write reaches the VF the new descriptors are
 *   read (vfio_dma_rw()) and their buffer addresses recorded (the
 *   write-back format overwrites the address in the ring, which is why it
 *   is taken at the RDT write). Once RDH has passed a descriptor (the VF
 *   wrote its buffer and write-back before moving RDH) its pages are
 *   touched: at the next RDT write, or at the latest when the VF is
 *   quiesced, which QEMU does before its last report. Buffers the VF owns
 *   but has not written are not reported. When RDH cannot attribute
 *   completions (the guest moved RDH or the ring, a reset, a PF reset
 *   behind the trap: RDLEN changed, RDH went back, the queue stopped) every
 *   record is touched.
 * - Descriptor rings and TX head write-back: every location the registers
 *   gave at a trapped event since the last quiesce (the start, CTRL
 *   writes, RX ring register and RXDCTL writes, quiesce) is touched when
 *   the VF is quiesced, the old locations of a moved ring as well. The TX
 *   page stays mmapped: a TX ring moved twice between two trapped events
 *   is not seen (igbvf moves it only across a reset, which is trapped).
 *
 * Nothing stays pinned: type1's UNMAP_DMA calls .dma_unmap, and retries,
 * only while a page of the range is pinned. .dma_unmap marks the range
 * dying (no touch pins there until type1 is done) and waits for a touch
 * in flight there to end; it takes no lock a touch holds. A page the VF
 * may have written and that cannot be touched (dying, unmapped, no
 * memory) marks the log lost: the save fails, and the next PRE_COPY or
 * DMA_LOGGING_START starts over from a full resync.
 *
 * Once a device has pinned, its group stays in pinned-page scope for the
 * container's life: tracking then never stops while the device is open,
 * also after a cancelled migration, and restarts at every later open.
 * PRE_COPY touches a ring page (IOVA 0 if no ring is set up), so that the
 * scope starts with it even if no frame arrives.
 *
 * Where the kernel has CONFIG_IOMMUFD_DRIVER the same touches also feed
 * vfio_log_ops (QEMU's device dirty tracking): a log, started by
 * DMA_LOGGING_START, reports every touched page once, which is what the
 * container reports for the same touches.
 *
 * Lock order: dirty.lock -> (type1's iommu->lock, mmap_lock) and
 * dirty.lock -> memory_lock -> shadow_lock; dirty.lock -> unmap_lock.
 * .dma_unmap runs under type1's device_list_lock and takes only
 * unmap_lock. Nothing takes dirty.lock under memory_lock: a reset only
 * sets @flush. The log lives under dirty.lock; a report writes the user's
 * bitmap under it (mmap_lock).
 */
#include <linux/delay.h>
#include <linux/interval_tree.h>
#include <linux/iommu.h>
#include <linux/iova_bitmap.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vfio.h>
#include "igbvf_vfio.h"
#include "regs.h"
#include "trace.h"

static bool dirty_tracking = true;
module_param(dirty_tracking, bool, 0644);
MODULE_PARM_DESC(dirty_tracking,
		 "Trap the RX register page and track the VF's DMA writes (default: on; read at each open). Off: the page is mmapped and QEMU must resend all guest RAM at switch-over");

static unsigned int fault_skip_pins;
module_param_unsafe(fault_skip_pins, uint, 0600);
MODULE_PARM_DESC(fault_skip_pins,
		 "Testing only: leave this many written RX buffer pages untouched (corrupts the dirty log)");

#define IGBVF_FIFO_LEN		(SVF_RING_MAX / 16)
#define IGBVF_RING_LEN_MAX	SZ_1M		/* RDLEN/TDLEN bits 19:7 */
#define IGBVF_SRRCTL_BSIZEPKT	0x7F		/* 1 KiB units */
#define IGBVF_SRRCTL_BSIZEHDR	0x3F00		/* 64 B units, bits 13:8 */
#define IGBVF_SRRCTL_DESCTYPE	0x0E000000
#define IGBVF_DESCTYPE_LEGACY	0x00000000
#define IGBVF_DESCTYPE_ONEBUF	0x02000000
/* how long a touch stays off a range type1 is unmapping (its retries) */
#define IGBVF_DYING_JIFFIES	HZ
/* .dma_unmap's wait for a touch in flight (breaks a wait on iommu->lock) */
#define IGBVF_UNMAP_WAIT	(HZ / 10)

static struct vfio_device *svf_igb_vdev(struct svf_igb_vfio *iv)
{
	return &iv->core_device.vdev;
}

#if IS_ENABLED(CONFIG_IOMMUFD_DRIVER)
static void svf_igb_log_pin(struct svf_igb_vfio *iv, u64 iova, bool pin);
#else
static inline void svf_igb_log_pin(struct svf_igb_vfio *iv, u64 iova, bool pin)
{
}
#endif

/*
 * A page the VF may have written cannot be reported: the log is lost
 * until a new one starts (dirty.lock held). One line names why,
 * ratelimited: an owner can lose a log and start over in a loop. Failures
 * while starting over (@old_epoch) concern a log already given up.
 */
static __printf(2, 3) void svf_igb_lose(struct svf_igb_vfio *iv,
					const char *fmt, ...)
{
	struct svf_igb_dirty *d = &iv->dirty;
	struct va_format vaf;
	va_list args;

	if (d->old_epoch)
		return;
	if (!d->lost) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		dev_err_ratelimited(&iv->core_device.pdev->dev,
				    "dirty tracking: %pV; migration will fail\n", &vaf);
		va_end(args);
	}
	d->lost = true;
}

/* Is @iova in a range type1 is unmapping? (unmap_lock held) */
static bool svf_igb_dying(struct svf_igb_dirty *d, u64 iova)
{
	int i;

	for (i = 0; i < IGBVF_DYING; i++) {
		struct svf_igb_dying *r = &d->dying[i];

		if (!r->end)
			continue;
		if (time_after(jiffies, r->expires))
			r->end = 0;
		else if (iova >= r->start && iova < r->end)
			return true;
	}
	return false;
}

/**
 * svf_igb_touch() - report a page at the next bitmap report
 * @iv: the device (dirty.lock held)
 * @iova: the page
 * @written: the VF may have written it: failing to touch it loses the log
 *
 * Pins and releases the page in one go, so that no pin outlives the touch
 * and UNMAP_DMA never waits for this driver for long.
 *
 * Return: 1 if touched; 0 if there is nothing to report (mapped read-only,
 * so the VF cannot write it; no address space, the owner is exiting); a
 * negative errno otherwise.
 */
static int svf_igb_touch(struct svf_igb_vfio *iv, u64 iova, bool written)
{
	struct svf_igb_dirty *d = &iv->dirty;
	struct page *page;
	int ret;

	lockdep_assert_held(&d->lock);
	spin_lock(&d->unmap_lock);
	if (svf_igb_dying(d, iova)) {
		spin_unlock(&d->unmap_lock);
		if (written)
			svf_igb_lose(iv, "IOVA 0x%llx unmapped while the VF may have written it",
				     iova);
		return -EBUSY;
	}
	d->inflight = iova;
	spin_unlock(&d->unmap_lock);

	ret = vfio_pin_pages(svf_igb_vdev(iv), iova, 1, IOMMU_WRITE, &page);
	if (ret == 1) {
		svf_igb_log_pin(iv, iova, true);
		vfio_unpin_pages(svf_igb_vdev(iv), iova, 1);
		svf_igb_log_pin(iv, iova, false);
	}

	spin_lock(&d->unmap_lock);
	d->inflight = U64_MAX;
	spin_unlock(&d->unmap_lock);
	wake_up(&d->unmap_wq);

	if (ret == 1 || ret == -EPERM || ret == -ENODEV)
		return ret == 1;
	/* -EINVAL: not mapped now, but the VF may have written it before */
	if (written)
		svf_igb_lose(iv, "cannot pin IOVA 0x%llx (%d)", iova, ret);
	return ret < 0 ? ret : -EIO;
}

/*
 * Can the VF reach @iova now? A buffer or ring that is not mapped when
 * the driver first sees it cannot be written (the IOMMU stops the VF), so
 * its touch failing later says nothing; one mapped then and gone at its
 * touch was unmapped in between, with what the VF wrote.
 */
static bool svf_igb_mapped(struct svf_igb_vfio *iv, u64 iova)
{
	u8 b;

	return vfio_dma_rw(svf_igb_vdev(iv), iova, &b, 1, false) != -EINVAL;
}

/* Touch every page of [@addr, @addr + @len), written by the VF. */
static unsigned int svf_igb_touch_range(struct svf_igb_vfio *iv, u64 addr,
					u32 len, bool buffer)
{
	u64 a = addr & PAGE_MASK, last = (addr + len - 1) & PAGE_MASK;
	unsigned int n = 0;

	if (!len)
		return 0;
	if (last < a) {
		svf_igb_lose(iv, "buffer at IOVA 0x%llx wraps the IOVA space", addr);
		return 0;
	}
	for (;; a += PAGE_SIZE) {
		if (buffer && fault_skip_pins)
			fault_skip_pins--;
		else if (svf_igb_touch(iv, a, true) == 1)
			n++;
		if (a == last)
			break;
	}
	return n;
}

/*
 * The buffer sizes the VF may write for one descriptor (82576 SRRCTL):
 * BSIZEPACKET 0 falls back to the PF's RCTL.BSIZE, at most 16 KiB; the
 * legacy format always uses RCTL.BSIZE. Every advanced type but the
 * one-buffer one may write the header buffer (split, replication, large
 * packet, split always); BSIZEHEADER 0 is taken as the largest.
 */
static void svf_igb_rx_sizes(u32 srrctl, u32 *pkt, u32 *hdr)
{
	u32 type = srrctl & IGBVF_SRRCTL_DESCTYPE;

	*pkt = (srrctl & IGBVF_SRRCTL_BSIZEPKT) << 10;
	if (!*pkt || type == IGBVF_DESCTYPE_LEGACY)
		*pkt = SZ_16K;
	*hdr = 0;
	if (type != IGBVF_DESCTYPE_LEGACY && type != IGBVF_DESCTYPE_ONEBUF) {
		*hdr = ((srrctl & IGBVF_SRRCTL_BSIZEHDR) >> 8) << 6;
		if (!*hdr)
			*hdr = SZ_4K;
	}
}

/* Touch the buffers of one record with the largest sizes since it was posted. */
static void svf_igb_rec_touch(struct svf_igb_vfio *iv,
			      const struct svf_igb_rxtrack *t,
			      const struct svf_igb_rxrec *rec)
{
	if (rec->valid)
		svf_igb_touch_range(iv, rec->pkt, t->pkt_size, true);
	if (rec->hdr_valid && t->hdr_size)
		svf_igb_touch_range(iv, rec->hdr, t->hdr_size, true);
}

static void svf_igb_rx_pop(struct svf_igb_vfio *iv, struct svf_igb_rxtrack *t,
			   bool touch)
{
	if (touch)
		svf_igb_rec_touch(iv, t, &t->fifo[t->first]);
	t->first = (t->first + 1) % IGBVF_FIFO_LEN;
	/* no buffer posted at an older size is left */
	if (!--t->count)
		svf_igb_rx_sizes(t->srrctl, &t->pkt_size, &t->hdr_size);
}

/* Forget every record of @t, touching each buffer the VF may have written. */
static void svf_igb_rx_release(struct svf_igb_vfio *iv, struct svf_igb_rxtrack *t,
			       bool touch)
{
	while (t->count)
		svf_igb_rx_pop(iv, t, touch);
}

static u32 svf_igb_rx_ndesc(const struct svf_igb_rxtrack *t)
{
	return min_t(u32, t->rdlen / 16, IGBVF_FIFO_LEN);
}

/* Record the buffers of descriptors [t->tail, @tail), make @tail current. */
static void svf_igb_rx_post(struct svf_igb_vfio *iv, struct svf_igb_rxtrack *t,
			    u32 tail)
{
	u64 ring = ((u64)t->rdbah << 32) | t->rdbal;
	u32 n = svf_igb_rx_ndesc(t);
	__le64 desc[2];
	int ret;

	if (n && tail >= n)
		/* what the VF makes of it is undefined: refuse to guess */
		svf_igb_lose(iv, "RX queue tail %u outside its ring of %u",
			     tail, n);
	if (!n || tail >= n || t->tail >= n) {
		/* a ring being set up: the queue's enable records [RDH, RDT) */
		t->tail = tail;
		t->resync = true;
		return;
	}
	while (t->tail != tail) {
		struct svf_igb_rxrec *rec;

		if (t->count == IGBVF_FIFO_LEN) {
			svf_igb_lose(iv, "RX queue posted more buffers than it holds");
			break;
		}
		rec = &t->fifo[(t->first + t->count) % IGBVF_FIFO_LEN];
		memset(rec, 0, sizeof(*rec));
		t->count++;
		ret = vfio_dma_rw(svf_igb_vdev(iv), ring + 16 * t->tail, desc,
				  sizeof(desc), false);
		if (!ret) {
			/* bit 0 of the read format's addresses is not address */
			rec->pkt = le64_to_cpu(desc[0]) & ~1ULL;
			rec->hdr = le64_to_cpu(desc[1]) & ~1ULL;
			rec->valid = svf_igb_mapped(iv, rec->pkt);
			/* one-buffer igbvf leaves it 0: no second read */
			rec->hdr_valid = rec->hdr && svf_igb_mapped(iv, rec->hdr);
		} else if (ret != -EINVAL && ret != -EPERM) {
			/*
			 * Not mapped (-EINVAL) or no address space (-EPERM):
			 * the VF cannot read it either. Anything else (a
			 * vaddr being replaced, another mm) hides a buffer
			 * the VF can write.
			 */
			svf_igb_lose(iv, "cannot read RX descriptor %u at IOVA 0x%llx (%d)",
				     t->tail, ring + 16 * t->tail, ret);
		}
		t->tail = (t->tail + 1) % n;
	}
	t->tail = tail;
}

/* Touch and forget the buffers of the descriptors RDH has passed. */
static void svf_igb_rx_complete(struct svf_igb_vfio *iv, int q)
{
	struct svf_igb_rxtrack *t = &iv->dirty.rx[q];
	u32 n = svf_igb_rx_ndesc(t), rdh, len, done;

	if (t->resync || !n || svf_igb_bar_read(iv, IGBVF_RDH(q), &rdh) ||
	    svf_igb_bar_read(iv, IGBVF_RDLEN(q), &len))
		return;
	/* the ring changed behind the trap (a PF reset clears it) */
	if (len != t->rdlen || rdh >= n) {
		t->resync = true;
		return;
	}
	done = (rdh + n - t->head) % n;
	if (done > t->count) {
		t->resync = true;
		return;
	}
	while (done--)
		svf_igb_rx_pop(iv, t, true);
	t->head = rdh;
}

/*
 * Start over from the VF's registers: every descriptor between RDH and
 * RDT is the VF's. The old records cannot be told written or not: all
 * are touched.
 */
static void svf_igb_rx_resync(struct svf_igb_vfio *iv, int q)
{
	struct svf_igb_rxtrack *t = &iv->dirty.rx[q];
	struct svf_igb_rxtrack old = *t;
	u32 rdh = 0, rdt = 0;

	if (svf_igb_bar_read(iv, IGBVF_RDH(q), &rdh) ||
	    svf_igb_bar_read(iv, IGBVF_RDT(q), &rdt) ||
	    svf_igb_bar_read(iv, IGBVF_RDBAL(q), &t->rdbal) ||
	    svf_igb_bar_read(iv, IGBVF_RDBAH(q), &t->rdbah) ||
	    svf_igb_bar_read(iv, IGBVF_RDLEN(q), &t->rdlen) ||
	    svf_igb_bar_read(iv, IGBVF_SRRCTL(q), &t->srrctl)) {
		svf_igb_lose(iv, "cannot read RX queue %d's registers", q);
		return;
	}
	t->first = (old.first + old.count) % IGBVF_FIFO_LEN;
	t->count = 0;
	t->head = rdh;
	t->tail = rdh;
	t->resync = false;
	svf_igb_rx_sizes(t->srrctl, &t->pkt_size, &t->hdr_size);
	/* room for a full ring next to the old records */
	if (old.count > IGBVF_FIFO_LEN - svf_igb_rx_ndesc(t)) {
		svf_igb_rx_release(iv, &old, true);
		t->first = 0;
	}
	svf_igb_rx_post(iv, t, rdt);
	svf_igb_rx_release(iv, &old, true);
}

/* Apply a reset that happened under memory_lock (see svf_igb_dirty_reset_done). */
static void svf_igb_dirty_apply_flush(struct svf_igb_vfio *iv)
{
	int q;

	if (atomic_xchg(&iv->dirty.flush, 0))
		for (q = 0; q < SVF_NR_QUEUES; q++)
			iv->dirty.rx[q].resync = true;
}

/* Remember a ring or write-back area the VF may write (dirty.lock held). */
static void svf_igb_area_add(struct svf_igb_vfio *iv, u64 base, u32 len)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u32 i;

	len = min_t(u32, len, IGBVF_RING_LEN_MAX);
	if (!len || !svf_igb_mapped(iv, base))
		return;
	for (i = 0; i < d->nr_area; i++)
		if (d->area[i].base == base && d->area[i].len == len)
			return;
	if (d->nr_area == IGBVF_AREAS) {
		svf_igb_lose(iv, "the VF's rings moved more than %u times between two stops",
			     IGBVF_AREAS);
		return;
	}
	d->area[d->nr_area].base = base;
	d->area[d->nr_area].len = len;
	d->nr_area++;
}

/* Remember where the registers put the rings and head write-back now. */
static void svf_igb_areas_sample(struct svf_igb_vfio *iv)
{
	u32 lo, hi, len, q;

	for (q = 0; q < SVF_NR_QUEUES; q++) {
		if (!svf_igb_bar_read(iv, IGBVF_RDBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_RDBAH(q), &hi) &&
		    !svf_igb_bar_read(iv, IGBVF_RDLEN(q), &len))
			svf_igb_area_add(iv, ((u64)hi << 32) | lo, len);
		if (!svf_igb_bar_read(iv, IGBVF_TDBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_TDBAH(q), &hi) &&
		    !svf_igb_bar_read(iv, IGBVF_TDLEN(q), &len))
			svf_igb_area_add(iv, ((u64)hi << 32) | lo, len);
		if (!svf_igb_bar_read(iv, IGBVF_TDWBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_TDWBAH(q), &hi) && (lo & 1))
			svf_igb_area_add(iv, ((u64)hi << 32) | (lo & ~3U), 4);
	}
}

/* Touch every area seen, then start over from where the rings are now. */
static unsigned long svf_igb_areas_touch(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	unsigned long n = 0;
	u32 i;

	svf_igb_areas_sample(iv);
	for (i = 0; i < d->nr_area; i++)
		n += svf_igb_touch_range(iv, d->area[i].base, d->area[i].len,
					 false);
	d->nr_area = 0;
	svf_igb_areas_sample(iv);
	return n;
}

/**
 * svf_igb_dirty_quiesced() - the VF is held off: touch what it wrote
 * @iv: the device (state_mutex held)
 *
 * The last bitmap report QEMU asks for comes after this, so it carries the
 * rings and head write-back areas with everything the VF wrote to them,
 * and every RX buffer it wrote: those RDH has passed are touched now, and
 * all records where RDH cannot tell (a queue stopped behind the trap).
 */
void svf_igb_dirty_quiesced(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u32 q;

	mutex_lock(&d->lock);
	if (!d->on)
		goto out;
	svf_igb_dirty_apply_flush(iv);
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		struct svf_igb_rxtrack *t = &d->rx[q];

		/* enabled as far as the trap saw, but stopped: a PF reset */
		if (!(iv->saved_rxdctl[q] & IGBVF_XDCTL_EN) && t->count)
			t->resync = true;
		svf_igb_rx_complete(iv, q);
		if (t->resync)
			svf_igb_rx_resync(iv, q);
	}
	d->touched = svf_igb_areas_touch(iv);
	trace_svf_igb_dirty(iv->core_device.pdev, d->touched, d->nr_area,
			    d->rx[0].count + d->rx[1].count, d->lost);
out:
	mutex_unlock(&d->lock);
}

/**
 * svf_igb_dirty_unquiesced() - the VF is about to run again
 * @iv: the device (state_mutex held, queues still held off)
 *
 * Records the buffers of every descriptor the VF will own from its
 * registers (after a restore they were programmed behind the trap) and
 * touches the old records; the rings are taken from the registers.
 */
void svf_igb_dirty_unquiesced(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	int q;

	mutex_lock(&d->lock);
	if (d->on) {
		svf_igb_dirty_apply_flush(iv);
		for (q = 0; q < SVF_NR_QUEUES; q++)
			svf_igb_rx_resync(iv, q);
		d->nr_area = 0;
		svf_igb_areas_sample(iv);
	}
	mutex_unlock(&d->lock);
}

/*
 * Forget everything: the device closes. The records are not touched: QEMU
 * closes its devices at exit, once its address space is gone, and refuses
 * to unplug one while it migrates, so no log can still want them.
 */
static void svf_igb_dirty_release_all(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	int q;

	for (q = 0; q < SVF_NR_QUEUES; q++) {
		kvfree(d->rx[q].fifo);
		memset(&d->rx[q], 0, sizeof(d->rx[q]));
	}
	d->nr_area = 0;
}

/*
 * Pin a page once, so that the group enters pinned-page scope now, not at
 * the first frame, and QEMU's reports stop counting all RAM as soon as
 * pre-copy starts (dirty.lock held). A ring page if one is set up (the VF
 * writes it, the last report carries it anyway), else IOVA 0: a guest
 * that never brought the VF up still has RAM there.
 */
static void svf_igb_dirty_scope(struct svf_igb_vfio *iv, bool quiet)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u32 i;

	/* the areas sampled since the last quiesce include the rings now */
	for (i = 0; i < d->nr_area; i++)
		if (svf_igb_touch(iv, d->area[i].base & PAGE_MASK, false) == 1)
			return;
	if (svf_igb_touch(iv, 0, false) == 1 || quiet)
		return;
	if (!d->unscoped_warned)
		pci_warn(iv->core_device.pdev,
			 "dirty tracking: no page could be pinned; reports count all RAM dirty until the VF receives a frame\n");
	d->unscoped_warned = true;
}

/*
 * A new log starts after one that was lost (dirty.lock held): touch what
 * the old one held (failures no longer matter), then follow the registers
 * again. What the VF wrote before the new log started is in the RAM the
 * new migration copies first.
 */
static void svf_igb_dirty_restart(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	int q;

	d->old_epoch = true;
	for (q = 0; q < SVF_NR_QUEUES; q++)
		svf_igb_rx_release(iv, &d->rx[q], true);
	svf_igb_areas_touch(iv);
	d->old_epoch = false;
	d->lost = false;
	for (q = 0; q < SVF_NR_QUEUES; q++)
		svf_igb_rx_resync(iv, q);
	dev_info_ratelimited(&iv->core_device.pdev->dev,
			     "dirty tracking: starting over after an incomplete log\n");
}

/**
 * __svf_igb_dirty_start() - track the VF's writes from now on
 * @iv: the device (state_mutex held, device open)
 * @opening: called by the open: no warning if no page can be pinned yet
 *
 * Called on entering PRE_COPY, by DMA_LOGGING_START and at every open once
 * tracking has been on: records the buffers of every descriptor the VF
 * owns now and brings the group into pinned-page scope
 * (svf_igb_dirty_scope()). A log lost before starts over. Without a type1
 * container (iommufd) or with the RX page mmapped, nothing is pinned and
 * the container keeps reporting all RAM dirty.
 *
 * Return: 0 or -ENOMEM.
 */
static int __svf_igb_dirty_start(struct svf_igb_vfio *iv, bool opening)
{
	struct svf_igb_dirty *d = &iv->dirty;
	int q, ret = 0;

	mutex_lock(&d->lock);
	if (!d->enabled)
		goto out;
	if (d->on) {
		if (d->lost)
			svf_igb_dirty_restart(iv);
		goto scope;
	}
#if IS_ENABLED(CONFIG_IOMMUFD)
	/* iommufd offers physical devices no pin path */
	if (svf_igb_vdev(iv)->iommufd_device)
		goto out;
#endif
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		d->rx[q].fifo = kvcalloc(IGBVF_FIFO_LEN, sizeof(struct svf_igb_rxrec),
					 GFP_KERNEL_ACCOUNT);
		if (!d->rx[q].fifo) {
			svf_igb_dirty_release_all(iv);
			ret = -ENOMEM;
			goto out;
		}
	}
	d->lost = false;
	atomic_set(&d->flush, 0);
	for (q = 0; q < SVF_NR_QUEUES; q++)
		svf_igb_rx_resync(iv, q);
	d->nr_area = 0;
	svf_igb_areas_sample(iv);
	d->on = true;
	d->sticky = true;
scope:
	/* at open nothing may be mapped yet: PRE_COPY tries again */
	svf_igb_dirty_scope(iv, opening);
out:
	mutex_unlock(&d->lock);
	return ret;
}

/* Entering PRE_COPY or DMA_LOGGING_START: see __svf_igb_dirty_start(). */
int svf_igb_dirty_start(struct svf_igb_vfio *iv)
{
	return __svf_igb_dirty_start(iv, false);
}

/**
 * svf_igb_dirty_check() - may the device's state be saved?
 * @iv: the device
 *
 * Return: 0, or -EIO if a page the VF may have written could not be
 * tracked: the destination would miss it.
 */
int svf_igb_dirty_check(struct svf_igb_vfio *iv)
{
	int ret;

	mutex_lock(&iv->dirty.lock);
	ret = iv->dirty.lost ? -EIO : 0;
	mutex_unlock(&iv->dirty.lock);
	if (ret)
		dev_err_ratelimited(&iv->core_device.pdev->dev,
				    "migration refused: dirty tracking incomplete (see the line above)\n");
	return ret;
}

/* Registers whose writes the tracker must see, before or after the VF. */
static bool svf_igb_dirty_watched(u32 off)
{
	return off == IGBVF_CTRL || off == IGBVF_CTRL_DUP ||
	       (off >= IGBVF_RXQ(0) && off < IGBVF_RXQ(SVF_NR_QUEUES));
}

/* The ring registers as the VF holds them after a write (it masks bits). */
static void svf_igb_rx_readback(struct svf_igb_vfio *iv, int q)
{
	struct svf_igb_rxtrack *t = &iv->dirty.rx[q];

	if (svf_igb_bar_read(iv, IGBVF_RDBAL(q), &t->rdbal) ||
	    svf_igb_bar_read(iv, IGBVF_RDBAH(q), &t->rdbah) ||
	    svf_igb_bar_read(iv, IGBVF_RDLEN(q), &t->rdlen))
		svf_igb_lose(iv, "cannot read RX queue %d's registers", q);
	t->resync = true;
}

/* SRRCTL changed: records posted before may be written at either size. */
static void svf_igb_rx_resize(struct svf_igb_vfio *iv, int q)
{
	struct svf_igb_rxtrack *t = &iv->dirty.rx[q];
	u32 pkt, hdr;

	if (svf_igb_bar_read(iv, IGBVF_SRRCTL(q), &t->srrctl)) {
		svf_igb_lose(iv, "cannot read RX queue %d's SRRCTL", q);
		return;
	}
	svf_igb_rx_sizes(t->srrctl, &pkt, &hdr);
	t->pkt_size = t->count ? max(t->pkt_size, pkt) : pkt;
	t->hdr_size = t->count ? max(t->hdr_size, hdr) : hdr;
}

/**
 * svf_igb_dirty_write() - a trapped BAR0 write, tracked
 * @iv: the device
 * @off: BAR0 offset
 * @val: the value
 *
 * The new RX descriptors of an RDT write are recorded before the write
 * reaches the VF, under the tracker's lock so that concurrent writers
 * cannot hand the VF a buffer the tracker has not seen; the buffers RDH
 * has passed are touched first. Ring locations are taken before and after
 * writes that may move or reset them.
 *
 * Return: 0 or a negative errno from the register write.
 */
int svf_igb_dirty_write(struct svf_igb_vfio *iv, u32 off, u32 val)
{
	struct svf_igb_dirty *d = &iv->dirty;
	struct svf_igb_rxtrack *t;
	u32 reg, v;
	int q, ret, i;

	if (!svf_igb_dirty_watched(off))
		return svf_igb_trap_write(iv, off, val);
	mutex_lock(&d->lock);
	if (!d->on) {
		ret = svf_igb_trap_write(iv, off, val);
		goto out;
	}
	svf_igb_dirty_apply_flush(iv);
	if (off == IGBVF_CTRL || off == IGBVF_CTRL_DUP) {
		/* a reset clears the ring registers: keep where they were */
		svf_igb_areas_sample(iv);
		ret = svf_igb_trap_write(iv, off, val);
		/* the reset stops the queues; re-enabling them resyncs */
		if (val & IGBVF_CTRL_RST)
			for (q = 0; q < SVF_NR_QUEUES; q++)
				d->rx[q].resync = true;
		goto out;
	}
	q = (off - IGBVF_RXQ(0)) / 0x100;
	reg = off - IGBVF_RXQ(q);
	t = &d->rx[q];
	switch (reg) {
	case IGBVF_RDT(0) - IGBVF_RXQ(0):
		svf_igb_rx_complete(iv, q);
		svf_igb_rx_post(iv, t, val);
		break;
	case IGBVF_RXDCTL(0) - IGBVF_RXQ(0):
		svf_igb_areas_sample(iv);
		/* enabling: the VF takes [RDH, RDT) as it finds them */
		if (val & IGBVF_XDCTL_EN)
			svf_igb_rx_resync(iv, q);
		break;
	case IGBVF_RDBAL(0) - IGBVF_RXQ(0):
	case IGBVF_RDBAH(0) - IGBVF_RXQ(0):
	case IGBVF_RDLEN(0) - IGBVF_RXQ(0):
		svf_igb_areas_sample(iv);
		break;
	}
	ret = svf_igb_trap_write(iv, off, val);
	if (ret)
		goto out;
	switch (reg) {
	case IGBVF_RDBAL(0) - IGBVF_RXQ(0):
	case IGBVF_RDBAH(0) - IGBVF_RXQ(0):
	case IGBVF_RDLEN(0) - IGBVF_RXQ(0):
		svf_igb_rx_readback(iv, q);
		/* a ring moved while enabled is used at once */
		svf_igb_areas_sample(iv);
		break;
	case IGBVF_SRRCTL(0) - IGBVF_RXQ(0):
		svf_igb_rx_resize(iv, q);
		break;
	case IGBVF_RDH(0) - IGBVF_RXQ(0):
		t->resync = true;
		break;
	case IGBVF_RXDCTL(0) - IGBVF_RXQ(0):
		if (val & IGBVF_XDCTL_EN)
			break;
		/* disabled once the VF says so: done with its buffers */
		for (i = 0; i < 100; i++) {
			if (svf_igb_bar_read(iv, IGBVF_RXDCTL(q), &v))
				break;
			if (!(v & IGBVF_XDCTL_EN)) {
				svf_igb_rx_release(iv, t, true);
				t->resync = true;
				break;
			}
			usleep_range(50, 100);
		}
		break;
	}
out:
	mutex_unlock(&d->lock);
	return ret;
}

/**
 * svf_igb_dirty_trap_end() - where the mmappable part of BAR0 starts
 * @iv: the device
 *
 * Return: the end of the trapped range for this open.
 */
u32 svf_igb_dirty_trap_end(struct svf_igb_vfio *iv)
{
	return iv->dirty.enabled ? IGBVF_TRAP_END_TRACKED : IGBVF_TRAP_END;
}

/**
 * svf_igb_dirty_reset_done() - the VF was reset (memory_lock held)
 * @iv: the device
 *
 * Only flags it: the tracker's lock is taken under memory_lock nowhere.
 * Records stay until the queue is re-enabled or disabled, then touched.
 */
void svf_igb_dirty_reset_done(struct svf_igb_vfio *iv)
{
	atomic_set(&iv->dirty.flush, 1);
}

static bool svf_igb_inflight_in(struct svf_igb_dirty *d, u64 start, u64 end)
{
	u64 a = READ_ONCE(d->inflight);

	return a != U64_MAX && a >= start && a < end;
}

/**
 * svf_igb_dirty_dma_unmap() - user space unmaps [@iova, @iova + @length)
 * @iv: the device
 * @iova: start
 * @length: bytes
 *
 * type1 calls this, under its device_list_lock and without iommu->lock,
 * while a page of the range is pinned, and retries the unmap until none is
 * (BUG() after ten tries). Only a touch pins, briefly: mark the range dying
 * so that no touch pins there again while type1 retries, and wait for the
 * one in flight. The wait is bounded: a touch may itself wait for
 * iommu->lock held by a device open in the same container, which waits
 * for device_list_lock. A buffer the VF wrote there and that is not
 * touched yet loses the log when its touch comes (svf_igb_touch()).
 */
void svf_igb_dirty_dma_unmap(struct svf_igb_vfio *iv, u64 iova, u64 length)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u64 end = iova + length < iova ? U64_MAX : iova + length;
	struct svf_igb_dying *slot = &d->dying[0];
	int i;

	spin_lock(&d->unmap_lock);
	for (i = 0; i < IGBVF_DYING; i++) {
		struct svf_igb_dying *r = &d->dying[i];

		if (!r->end || time_after(jiffies, r->expires)) {
			slot = r;
			break;
		}
		if (time_before(r->expires, slot->expires))
			slot = r;
	}
	slot->start = iova;
	slot->end = end;
	slot->expires = jiffies + IGBVF_DYING_JIFFIES;
	spin_unlock(&d->unmap_lock);
	wait_event_timeout(d->unmap_wq, !svf_igb_inflight_in(d, iova, end),
			   IGBVF_UNMAP_WAIT);
}

#if IS_ENABLED(CONFIG_IOMMUFD_DRIVER)
MODULE_IMPORT_NS(IOMMUFD);

/* Do [@iova, @last] lie inside one started range? (binary search) */
static bool svf_igb_log_covers(const struct svf_igb_dirtylog *l, u64 iova,
			       u64 last)
{
	u32 lo = 0, hi = l->nr_ranges;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (l->ranges[mid].last < iova)
			lo = mid + 1;
		else if (l->ranges[mid].start > iova)
			hi = mid;
		else
			return last <= l->ranges[mid].last;
	}
	return false;
}

/*
 * Count a pin (@pin) or a release of the page at @iova (dirty.lock held).
 * A released page keeps its entry, with no pin, until a report covers it.
 */
static void svf_igb_log_pin(struct svf_igb_vfio *iv, u64 iova, bool pin)
{
	struct svf_igb_dirty *d = &iv->dirty;
	struct svf_igb_dirtylog *l = &d->log;
	unsigned long idx = iova >> PAGE_SHIFT, n;
	void *old;

	if (!l->on || !svf_igb_log_covers(l, iova, iova))
		return;
	old = xa_load(&l->pages, idx);
	n = old ? xa_to_value(old) : 0;
	/* a pin whose entry could not be stored: the log is lost already */
	if (!pin && !n)
		return;
	n = pin ? n + 1 : n - 1;
	/* replacing an entry allocates nothing: only a new page can fail */
	if (xa_is_err(xa_store(&l->pages, idx, xa_mk_value(n),
			       GFP_KERNEL_ACCOUNT)) && !d->lost) {
		d->lost = true;
		pci_err(iv->core_device.pdev,
			"dirty tracking: no memory to log IOVA 0x%llx; DMA log and migration will fail\n",
			iova);
	}
}

/* End the log (dirty.lock held). */
static void svf_igb_log_end(struct svf_igb_dirty *d)
{
	if (!d->log.on)
		return;
	d->log.on = false;
	xa_destroy(&d->log.pages);
	kvfree(d->log.ranges);
	d->log.ranges = NULL;
	d->log.nr_ranges = 0;
}

/*
 * The ranges of DMA_LOGGING_START, in IOVA order. The core checked them
 * against the user's page size and for overlaps; the tracker needs them
 * page aligned and not empty (an empty range reaches here as last <
 * start, or as [0, ULONG_MAX] for IOVA 0: the core refuses a real range
 * ending at ULONG_MAX as an overflow).
 */
static struct svf_igb_logrange *
svf_igb_log_ranges(struct rb_root_cached *ranges, u32 nnodes)
{
	struct interval_tree_node *node;
	struct svf_igb_logrange *r;
	u32 n = 0;

	r = kvcalloc(nnodes, sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	for (node = interval_tree_iter_first(ranges, 0, ULONG_MAX); node;
	     node = interval_tree_iter_next(node, 0, ULONG_MAX)) {
		if (n == nnodes || node->last < node->start ||
		    node->last == ULONG_MAX ||
		    !PAGE_ALIGNED(node->start) || !PAGE_ALIGNED(node->last + 1))
			goto inval;
		r[n].start = node->start;
		r[n].last = node->last;
		n++;
	}
	if (n == nnodes)
		return r;
inval:
	kvfree(r);
	return ERR_PTR(-EINVAL);
}

/*
 * Why the pins cannot feed a log on this open, or NULL. Under iommufd a
 * physical device has no access to the IOAS (vfio_dma_rw() and
 * vfio_pin_pages() fail with -EINVAL), so the rings cannot be read: not
 * offered rather than reported empty. No IOMMU domain (no-IOMMU mode) is
 * the same. Decided at open (svf_igb_log_offer()): none of it changes
 * while the device is open.
 */
static const char *svf_igb_log_unsupported(struct svf_igb_vfio *iv)
{
#if IS_ENABLED(CONFIG_IOMMUFD)
	if (svf_igb_vdev(iv)->iommufd_device)
		return "bound through iommufd, which cannot read its RX ring; use type1";
#endif
	if (!iommu_get_domain_for_dev(&iv->core_device.pdev->dev))
		return "no IOMMU domain (no-IOMMU mode)";
	if (!iv->dirty.enabled)
		return "dirty_tracking=0 at open: the RX register page is mmapped";
	return NULL;
}

/**
 * svf_igb_log_start() - DMA_LOGGING_START
 * @vdev: the device
 * @ranges: IOVA ranges to log, checked by the core for overlaps
 * @nnodes: entries in @ranges
 * @page_size: the user's granularity hint; set to PAGE_SIZE, the tracker's
 *
 * Starts the tracker if it is not on (as entering PRE_COPY would), so the
 * log holds every page the VF can write from now on.
 *
 * Only called on an open that offered the log (svf_igb_log_offer()), so
 * the pins can see the rings.
 *
 * Return: 0; -EINVAL for a page size that is not a power of two or a range
 * that is empty or not page aligned; -EBUSY if logging is on already;
 * -ENOMEM.
 */
static int svf_igb_log_start(struct vfio_device *vdev,
			     struct rb_root_cached *ranges, u32 nnodes,
			     u64 *page_size)
{
	struct svf_igb_vfio *iv = to_svf_igb(vdev);
	struct svf_igb_dirty *d = &iv->dirty;
	struct svf_igb_logrange *r;
	int ret = 0;

	if (!*page_size || !is_power_of_2(*page_size))
		return -EINVAL;
	r = svf_igb_log_ranges(ranges, nnodes);
	if (IS_ERR(r))
		return PTR_ERR(r);

	mutex_lock(&iv->state_mutex);
	mutex_lock(&d->lock);
	if (d->log.on) {
		mutex_unlock(&d->lock);
		ret = -EBUSY;
		goto out;
	}
	xa_init(&d->log.pages);
	d->log.ranges = r;
	d->log.nr_ranges = nnodes;
	d->log.on = true;
	r = NULL;
	mutex_unlock(&d->lock);

	ret = svf_igb_dirty_start(iv);
	if (ret) {
		mutex_lock(&d->lock);
		svf_igb_log_end(d);
		mutex_unlock(&d->lock);
		goto out;
	}
	*page_size = PAGE_SIZE;
out:
	svf_igb_state_mutex_unlock(iv);
	kvfree(r);
	return ret;
}

/*
 * DMA_LOGGING_STOP: the log ends, the tracker goes on (its pins may keep
 * the container in pinned-page scope). Stopping a log that is not on is
 * no error.
 */
static int svf_igb_log_stop(struct vfio_device *vdev)
{
	struct svf_igb_dirty *d = &to_svf_igb(vdev)->dirty;

	mutex_lock(&d->lock);
	svf_igb_log_end(d);
	mutex_unlock(&d->lock);
	return 0;
}

/**
 * svf_igb_log_read_and_clear() - DMA_LOGGING_REPORT for one IOVA range
 * @vdev: the device
 * @iova: start
 * @length: bytes (the core checked for overflow)
 * @dirty: the user's bitmap
 *
 * Reports every page pinned now and every page released since the last
 * report of it; forgets the released ones.
 *
 * Return: 0; -EINVAL if logging is not on; -ERANGE if the range is not
 * inside one started range; -EIO if a page could not be tracked (the log
 * is incomplete and user space must not use it).
 */
static int svf_igb_log_read_and_clear(struct vfio_device *vdev,
				      unsigned long iova, unsigned long length,
				      struct iova_bitmap *dirty)
{
	struct svf_igb_dirty *d = &to_svf_igb(vdev)->dirty;
	struct svf_igb_dirtylog *l = &d->log;
	unsigned long idx, end = iova + length;
	void *entry;
	int ret = 0;

	mutex_lock(&d->lock);
	if (!l->on)
		ret = -EINVAL;
	else if (!length || !svf_igb_log_covers(l, iova, end - 1))
		ret = -ERANGE;
	else if (d->lost)
		ret = -EIO;
	if (ret)
		goto out;
	xa_for_each_range(&l->pages, idx, entry, iova >> PAGE_SHIFT,
			  (end - 1) >> PAGE_SHIFT) {
		unsigned long a = max(idx << PAGE_SHIFT, iova);
		unsigned long e = min((idx + 1) << PAGE_SHIFT, end);

		iova_bitmap_set(dirty, a, e - a);
		if (!xa_to_value(entry))
			xa_erase(&l->pages, idx);
	}
out:
	mutex_unlock(&d->lock);
	return ret;
}

const struct vfio_log_ops svf_igb_log_ops = {
	.log_start = svf_igb_log_start,
	.log_stop = svf_igb_log_stop,
	.log_read_and_clear = svf_igb_log_read_and_clear,
};

/*
 * Offer DMA logging on this open only where it can work. A VMM that sees
 * log_ops uses them for the device, and QEMU fails the whole migration
 * when DMA_LOGGING_START fails (it does not fall back); without them it
 * tracks guest RAM through the container (type1's dirty bitmap) or the
 * IOMMU, or refuses to migrate: slower, never wrong. The open comes after
 * an iommufd bind and before any ioctl on the device, and the core reads
 * log_ops only from those ioctls.
 */
static void svf_igb_log_offer(struct svf_igb_vfio *iv)
{
	const char *why = svf_igb_log_unsupported(iv);

	svf_igb_vdev(iv)->log_ops = why ? NULL : &svf_igb_log_ops;
	if (why)
		pci_info(iv->core_device.pdev,
			 "DMA logging not offered on this open: %s\n", why);
}
#else
static inline void svf_igb_log_end(struct svf_igb_dirty *d)
{
}

static inline void svf_igb_log_offer(struct svf_igb_vfio *iv)
{
}
#endif

/*
 * The device was opened: follow the module parameter, unless the device
 * tracked before. Then its group may still be in pinned-page scope in the
 * same container, where not tracking would report nothing: it tracks
 * until it is unbound.
 */
void svf_igb_dirty_open(struct svf_igb_vfio *iv)
{
	mutex_lock(&iv->dirty.lock);
	iv->dirty.enabled = dirty_tracking || iv->dirty.sticky;
	iv->dirty.lost = false;
	mutex_unlock(&iv->dirty.lock);
	svf_igb_log_offer(iv);
	if (iv->dirty.sticky && iv->dirty.enabled)
		__svf_igb_dirty_start(iv, true);
}

/* The device closes: nothing may stay pinned, and the DMA log ends. */
void svf_igb_dirty_close(struct svf_igb_vfio *iv)
{
	mutex_lock(&iv->dirty.lock);
	svf_igb_dirty_release_all(iv);
	iv->dirty.on = false;
	svf_igb_log_end(&iv->dirty);
	mutex_unlock(&iv->dirty.lock);
}

void svf_igb_dirty_init(struct svf_igb_vfio *iv)
{
	mutex_init(&iv->dirty.lock);
	spin_lock_init(&iv->dirty.unmap_lock);
	init_waitqueue_head(&iv->dirty.unmap_wq);
	iv->dirty.inflight = U64_MAX;
}

void svf_igb_dirty_destroy(struct svf_igb_vfio *iv)
{
	mutex_destroy(&iv->dirty.lock);
}
