// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking of the VF's DMA writes, in software, on any kernel.
 *
 * The type1 container reports, once a group has pinned a page through
 * vfio_pin_pages(), only pages pinned at some time since the last report
 * (vfio_iova_dirty_bitmap()) instead of all mapped RAM. So the driver pins
 * exactly the pages the VF can write, for as long as it can write them:
 *
 * - RX buffers: an RDT write hands descriptors to the VF. The RX register
 *   page is trapped; before the write reaches the VF the new descriptors are
 *   read (vfio_dma_rw()) and their buffer addresses recorded (the
 *   write-back format overwrites the address in the ring, which is why it
 *   is taken at the RDT write). Once RDH has passed a descriptor (the VF
 *   wrote its buffer and write-back before moving RDH) its pages are
 *   pinned and released at once: "touched". A page pinned at any time
 *   since the last report is in the next one, so every buffer the VF wrote
 *   is reported once, by the first report after the driver saw RDH pass
 *   it: at the next RDT write, or at the latest when the VF is quiesced,
 *   which QEMU does before its last report. Buffers the VF owns but has
 *   not written are not reported. When RDH cannot attribute completions
 *   (the guest moved RDH or the ring, a reset) every record is touched.
 * - Descriptor rings and TX head write-back: pinned whenever the VF is
 *   quiesced (the TX register page stays mmapped, so their addresses are
 *   read then). QEMU stops the devices before its last bitmap report, so
 *   that report carries every ring page with all its writes.
 *
 * Once a device has pinned, its group stays in pinned-page scope for the
 * container's life: tracking then never stops while the device is open,
 * also after a cancelled migration, and restarts at every later open.
 * PRE_COPY touches the RX rings, so that the scope starts with it even if
 * no frame arrives.
 *
 * Where the kernel has CONFIG_IOMMUFD_DRIVER the same pins also feed
 * vfio_log_ops (QEMU's device dirty tracking): a log, started by
 * DMA_LOGGING_START, counts the pins of every page and reports a page at
 * every report while it is pinned and once more after it is released,
 * which is what the container reports for the same pins (a touched page:
 * once).
 *
 * Lock order: dirty.lock -> (type1's iommu->lock, mmap_lock) and
 * dirty.lock -> memory_lock -> shadow_lock. Nothing takes dirty.lock under
 * memory_lock: a reset only sets @flush. The log lives under dirty.lock;
 * a report writes the user's bitmap under it (mmap_lock).
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
#define IGBVF_RX_PAGES_MAX	64
#define IGBVF_SRRCTL_BSIZEPKT	0x7F		/* 1 KiB units */
#define IGBVF_SRRCTL_BSIZEHDR	0xF00		/* 64 B units */
#define IGBVF_SRRCTL_DESCTYPE	0x0E000000
#define IGBVF_DESCTYPE_LEGACY	0x00000000
#define IGBVF_DESCTYPE_SPLIT	0x04000000
#define IGBVF_DESCTYPE_HDR_ALWAYS 0x0A000000

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

/* Pin one page for the VF's writes. Return: true if pinned. */
static bool svf_igb_pin_one(struct svf_igb_vfio *iv, u64 iova)
{
	struct svf_igb_dirty *d = &iv->dirty;
	struct page *page;
	int ret;

	ret = vfio_pin_pages(svf_igb_vdev(iv), iova, 1, IOMMU_WRITE, &page);
	if (ret == 1) {
		d->pinned++;
		svf_igb_log_pin(iv, iova, true);
		return true;
	}
	/*
	 * Not mapped, or mapped read-only: the IOMMU stops the VF's write
	 * too, nothing can become dirty. No address space (-ENODEV): its
	 * process is exiting, no log outlives it. Anything else loses the log.
	 */
	if (ret != -EINVAL && ret != -EPERM && ret != -ENODEV && !d->lost) {
		d->lost = true;
		pci_err(iv->core_device.pdev,
			"dirty tracking: cannot pin IOVA 0x%llx (%d); migration will fail\n",
			iova, ret);
	}
	return false;
}

static void svf_igb_unpin_one(struct svf_igb_vfio *iv, u64 iova)
{
	vfio_unpin_pages(svf_igb_vdev(iv), iova, 1);
	iv->dirty.pinned--;
	svf_igb_log_pin(iv, iova, false);
}

/*
 * Touch a page the VF may have written: pin it and release it at once, so
 * that the next report has it (dirty.lock held).
 */
static void svf_igb_touch_one(struct svf_igb_vfio *iv, u64 iova)
{
	if (fault_skip_pins) {
		fault_skip_pins--;
		return;
	}
	if (svf_igb_pin_one(iv, iova))
		svf_igb_unpin_one(iv, iova);
}

/* Record the pages of [@addr, @addr + @len) in @r. */
static void svf_igb_rec_range(struct svf_igb_pinrange *r, u64 addr, u32 len)
{
	u64 first = addr & PAGE_MASK, last = (addr + len - 1) & PAGE_MASK;
	unsigned int n = ((last - first) >> PAGE_SHIFT) + 1;

	r->iova = first;
	r->mask = 0;
	if (!len || last < first || n > IGBVF_RX_PAGES_MAX)
		return;
	r->mask = n == 64 ? ~0ULL : BIT_ULL(n) - 1;
}

/* Forget @r's pages; touch them first if the VF may have written them. */
static void svf_igb_end_range(struct svf_igb_vfio *iv, struct svf_igb_pinrange *r,
			      bool touch)
{
	while (touch && r->mask) {
		unsigned int i = __ffs64(r->mask);

		svf_igb_touch_one(iv, r->iova + ((u64)i << PAGE_SHIFT));
		r->mask &= ~BIT_ULL(i);
	}
	r->mask = 0;
}

static void svf_igb_rx_pop(struct svf_igb_vfio *iv, struct svf_igb_rxtrack *t,
			   bool touch)
{
	struct svf_igb_rxrec *rec = &t->fifo[t->first];

	svf_igb_end_range(iv, &rec->pkt, touch);
	svf_igb_end_range(iv, &rec->hdr, touch);
	t->first = (t->first + 1) % IGBVF_FIFO_LEN;
	t->count--;
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

/*
 * The buffer sizes the VF may write for one descriptor (82576 SRRCTL):
 * BSIZEPACKET 0 falls back to the PF's RCTL.BSIZE, at most 16 KiB.
 */
static void svf_igb_rx_sizes(u32 srrctl, u32 *pkt, u32 *hdr)
{
	u32 type = srrctl & IGBVF_SRRCTL_DESCTYPE;

	*pkt = (srrctl & IGBVF_SRRCTL_BSIZEPKT) << 10;
	if (!*pkt)
		*pkt = SZ_16K;
	*hdr = 0;
	if (type == IGBVF_DESCTYPE_SPLIT || type == IGBVF_DESCTYPE_HDR_ALWAYS) {
		*hdr = ((srrctl & IGBVF_SRRCTL_BSIZEHDR) >> 8) << 6;
		if (!*hdr)
			*hdr = SZ_1K;
	}
}

/* Record the buffers of descriptors [t->tail, @tail), make @tail current. */
static void svf_igb_rx_post(struct svf_igb_vfio *iv, struct svf_igb_rxtrack *t,
			    u32 tail)
{
	u64 ring = ((u64)t->rdbah << 32) | t->rdbal;
	u32 n = svf_igb_rx_ndesc(t), pkt, hdr;
	__le64 desc[2];

	if (n && tail >= n && !iv->dirty.lost) {
		/* what the VF makes of it is undefined: refuse to guess */
		pci_err(iv->core_device.pdev,
			"dirty tracking: RX queue tail %u outside its ring of %u; migration will fail\n",
			tail, n);
		iv->dirty.lost = true;
	}
	if (!n || tail >= n || t->tail >= n) {
		/* a ring being set up: the queue's enable records [RDH, RDT) */
		t->tail = tail;
		t->resync = true;
		return;
	}
	svf_igb_rx_sizes(t->srrctl, &pkt, &hdr);
	while (t->tail != tail) {
		struct svf_igb_rxrec *rec;

		if (t->count == IGBVF_FIFO_LEN) {
			if (!iv->dirty.lost)
				pci_err(iv->core_device.pdev,
					"dirty tracking: RX queue posted more buffers than it holds; migration will fail\n");
			iv->dirty.lost = true;
			break;
		}
		rec = &t->fifo[(t->first + t->count) % IGBVF_FIFO_LEN];
		memset(rec, 0, sizeof(*rec));
		t->count++;
		/* an unreadable descriptor is unreadable for the VF too */
		if (!vfio_dma_rw(svf_igb_vdev(iv), ring + 16 * t->tail, desc,
				 sizeof(desc), false)) {
			/* bit 0 of the read format's addresses is not address */
			svf_igb_rec_range(&rec->pkt,
					  le64_to_cpu(desc[0]) & ~1ULL, pkt);
			if (hdr && (t->srrctl & IGBVF_SRRCTL_DESCTYPE) !=
				   IGBVF_DESCTYPE_LEGACY)
				svf_igb_rec_range(&rec->hdr,
						  le64_to_cpu(desc[1]) & ~1ULL,
						  hdr);
		}
		t->tail = (t->tail + 1) % n;
	}
	t->tail = tail;
}

/* Touch and forget the buffers of the descriptors RDH has passed. */
static void svf_igb_rx_complete(struct svf_igb_vfio *iv, int q)
{
	struct svf_igb_rxtrack *t = &iv->dirty.rx[q];
	u32 n = svf_igb_rx_ndesc(t), rdh, done;

	if (t->resync || !n || svf_igb_bar_read(iv, IGBVF_RDH(q), &rdh))
		return;
	if (rdh >= n) {
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
	    svf_igb_bar_read(iv, IGBVF_SRRCTL(q), &t->srrctl))
		return;
	t->first = (old.first + old.count) % IGBVF_FIFO_LEN;
	t->count = 0;
	t->head = rdh;
	t->tail = rdh;
	t->resync = false;
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

static void svf_igb_ring_release(struct svf_igb_vfio *iv, u64 *ring, u32 nr)
{
	while (nr--)
		svf_igb_unpin_one(iv, ring[nr]);
}

/* Pin the pages of a ring or write-back area into d->ring. */
static void svf_igb_ring_add(struct svf_igb_vfio *iv, u64 base, u32 len)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u64 a;

	if (!len)
		return;
	for (a = base & PAGE_MASK; a <= ((base + len - 1) & PAGE_MASK) &&
	     d->nr_ring < IGBVF_RING_PINS; a += PAGE_SIZE)
		if (svf_igb_pin_one(iv, a))
			d->ring[d->nr_ring++] = a;
}

/**
 * svf_igb_dirty_quiesced() - the VF is held off: pin its rings as they are
 * @iv: the device (state_mutex held)
 *
 * The last bitmap report QEMU asks for comes after this, so it carries the
 * rings and head write-back areas with everything the VF wrote to them,
 * and every RX buffer it wrote: those RDH has passed are touched now.
 */
void svf_igb_dirty_quiesced(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u64 old[IGBVF_RING_PINS];
	u32 nr_old, lo, hi, len, q;

	mutex_lock(&d->lock);
	if (!d->on)
		goto out;
	svf_igb_dirty_apply_flush(iv);
	nr_old = d->nr_ring;
	memcpy(old, d->ring, sizeof(old[0]) * nr_old);
	d->nr_ring = 0;
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		svf_igb_rx_complete(iv, q);
		/* completions RDH cannot attribute: touch every record */
		if (d->rx[q].resync)
			svf_igb_rx_resync(iv, q);
		if (!svf_igb_bar_read(iv, IGBVF_RDBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_RDBAH(q), &hi) &&
		    !svf_igb_bar_read(iv, IGBVF_RDLEN(q), &len))
			svf_igb_ring_add(iv, ((u64)hi << 32) | lo,
					 min_t(u32, len, SVF_RING_MAX));
		if (!svf_igb_bar_read(iv, IGBVF_TDBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_TDBAH(q), &hi) &&
		    !svf_igb_bar_read(iv, IGBVF_TDLEN(q), &len))
			svf_igb_ring_add(iv, ((u64)hi << 32) | lo,
					 min_t(u32, len, SVF_RING_MAX));
		if (!svf_igb_bar_read(iv, IGBVF_TDWBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_TDWBAH(q), &hi) && (lo & 1))
			svf_igb_ring_add(iv, ((u64)hi << 32) | (lo & ~3U), 4);
	}
	svf_igb_ring_release(iv, old, nr_old);
	trace_svf_igb_dirty(iv->core_device.pdev, d->pinned, d->nr_ring,
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
 * touches the old records. Drops the ring pins; the next quiesce takes
 * them again before any final report.
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
	}
	svf_igb_ring_release(iv, d->ring, d->nr_ring);
	d->nr_ring = 0;
	mutex_unlock(&d->lock);
}

/*
 * Forget everything and drop every pin: the device closes. The records are
 * not touched: QEMU closes its devices at exit, once its address space is
 * gone, and refuses to unplug one while it migrates, so no log can still
 * want them.
 */
static void svf_igb_dirty_release_all(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	int q;

	for (q = 0; q < SVF_NR_QUEUES; q++) {
		if (d->rx[q].fifo)
			svf_igb_rx_release(iv, &d->rx[q], false);
		kvfree(d->rx[q].fifo);
		memset(&d->rx[q], 0, sizeof(d->rx[q]));
	}
	svf_igb_ring_release(iv, d->ring, d->nr_ring);
	d->nr_ring = 0;
	WARN_ON(d->pinned);
}

/*
 * Touch the first page of each RX ring that is set up (dirty.lock held):
 * the group enters pinned-page scope now, not at the first frame, so
 * that QEMU's reports stop counting all RAM as soon as pre-copy starts.
 * The VF writes its rings, which the last report carries anyway.
 */
static void svf_igb_dirty_scope(struct svf_igb_vfio *iv)
{
	u32 lo, hi, len, q;

	for (q = 0; q < SVF_NR_QUEUES; q++)
		if (!svf_igb_bar_read(iv, IGBVF_RDBAL(q), &lo) &&
		    !svf_igb_bar_read(iv, IGBVF_RDBAH(q), &hi) &&
		    !svf_igb_bar_read(iv, IGBVF_RDLEN(q), &len) && len &&
		    svf_igb_pin_one(iv, (((u64)hi << 32) | lo) & PAGE_MASK))
			svf_igb_unpin_one(iv, (((u64)hi << 32) | lo) & PAGE_MASK);
}

/**
 * svf_igb_dirty_start() - track the VF's writes from now on
 * @iv: the device (state_mutex held, device open)
 *
 * Called on entering PRE_COPY, by DMA_LOGGING_START and at every open once
 * tracking has been on: records the buffers of every descriptor the VF
 * owns now and touches the RX rings (svf_igb_dirty_scope()). Without a
 * type1 container (iommufd) or with the RX page mmapped, nothing is
 * pinned and the container keeps reporting all RAM dirty.
 *
 * Return: 0 or -ENOMEM.
 */
int svf_igb_dirty_start(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	int q, ret = 0;

	mutex_lock(&d->lock);
	if (!d->enabled)
		goto out;
	if (d->on)
		goto scope;
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
	d->on = true;
	d->sticky = true;
scope:
	svf_igb_dirty_scope(iv);
out:
	mutex_unlock(&d->lock);
	return ret;
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
		pci_err(iv->core_device.pdev,
			"migration refused: dirty tracking incomplete (pin failed)\n");
	return ret;
}

/* Registers whose writes the tracker must see, before or after the VF. */
static bool svf_igb_dirty_watched(u32 off)
{
	return off == IGBVF_CTRL ||
	       (off >= IGBVF_RXQ(0) && off < IGBVF_RXQ(SVF_NR_QUEUES));
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
 * has passed are touched first.
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
	if (off == IGBVF_CTRL) {
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
		/* enabling: the VF takes [RDH, RDT) as it finds them */
		if (val & IGBVF_XDCTL_EN)
			svf_igb_rx_resync(iv, q);
		break;
	}
	ret = svf_igb_trap_write(iv, off, val);
	if (ret)
		goto out;
	switch (reg) {
	case IGBVF_RDBAL(0) - IGBVF_RXQ(0):
		t->rdbal = val;
		t->resync = true;
		break;
	case IGBVF_RDBAH(0) - IGBVF_RXQ(0):
		t->rdbah = val;
		t->resync = true;
		break;
	case IGBVF_RDLEN(0) - IGBVF_RXQ(0):
		t->rdlen = val;
		t->resync = true;
		break;
	case IGBVF_SRRCTL(0) - IGBVF_RXQ(0):
		t->srrctl = val;
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

/* Forget the pages of @r in [@start, @end): they are being unmapped. */
static void svf_igb_unmap_range(struct svf_igb_pinrange *r, u64 start, u64 end)
{
	u64 m = r->mask;

	while (m) {
		unsigned int b = __ffs64(m);
		u64 a = r->iova + ((u64)b << PAGE_SHIFT);

		m &= ~BIT_ULL(b);
		if (a >= start && a < end)
			r->mask &= ~BIT_ULL(b);
	}
}

/**
 * svf_igb_dirty_dma_unmap() - user space unmaps [@iova, @iova + @length)
 * @iv: the device
 * @iova: start
 * @length: bytes
 *
 * type1 requires every pin in the range gone on return: only ring pages
 * are held pinned. RX buffers there are forgotten; the VF cannot write
 * there once the mapping is gone.
 */
void svf_igb_dirty_dma_unmap(struct svf_igb_vfio *iv, u64 iova, u64 length)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u64 end = iova + length;
	u32 q, i, j;

	mutex_lock(&d->lock);
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		struct svf_igb_rxtrack *t = &d->rx[q];

		for (i = 0; t->fifo && i < t->count; i++) {
			struct svf_igb_rxrec *rec =
				&t->fifo[(t->first + i) % IGBVF_FIFO_LEN];

			svf_igb_unmap_range(&rec->pkt, iova, end);
			svf_igb_unmap_range(&rec->hdr, iova, end);
		}
	}
	for (i = 0, j = 0; i < d->nr_ring; i++) {
		if (d->ring[i] >= iova && d->ring[i] < end)
			svf_igb_unpin_one(iv, d->ring[i]);
		else
			d->ring[j++] = d->ring[i];
	}
	d->nr_ring = j;
	mutex_unlock(&d->lock);
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
	if (WARN_ON_ONCE(!pin && !n))
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

/*
 * Enter the pages pinned now into a log just started (dirty.lock held):
 * ring pages; RX buffers are only touched.
 */
static void svf_igb_log_seed(struct svf_igb_vfio *iv)
{
	struct svf_igb_dirty *d = &iv->dirty;
	u32 i;

	for (i = 0; i < d->nr_ring; i++)
		svf_igb_log_pin(iv, d->ring[i], true);
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
 * vfio_pin_pages() fail), so the rings cannot be read: refused rather
 * than reported empty. No IOMMU domain (no-IOMMU mode) is the same.
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
 * Return: 0; -EINVAL for a page size that is not a power of two or a range
 * that is empty or not page aligned; -EBUSY if logging is on already;
 * -EOPNOTSUPP where the pins cannot see the rings (one line in the kernel
 * log says why); -ENOMEM.
 */
static int svf_igb_log_start(struct vfio_device *vdev,
			     struct rb_root_cached *ranges, u32 nnodes,
			     u64 *page_size)
{
	struct svf_igb_vfio *iv = to_svf_igb(vdev);
	struct svf_igb_dirty *d = &iv->dirty;
	struct svf_igb_logrange *r;
	const char *why;
	int ret = 0;

	if (!*page_size || !is_power_of_2(*page_size))
		return -EINVAL;
	r = svf_igb_log_ranges(ranges, nnodes);
	if (IS_ERR(r))
		return PTR_ERR(r);

	mutex_lock(&iv->state_mutex);
	why = svf_igb_log_unsupported(iv);
	if (why) {
		pci_err(iv->core_device.pdev, "DMA logging refused: %s\n", why);
		ret = -EOPNOTSUPP;
		goto out;
	}
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
	svf_igb_log_seed(iv);
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
#else
static inline void svf_igb_log_end(struct svf_igb_dirty *d)
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
	if (iv->dirty.sticky && iv->dirty.enabled)
		svf_igb_dirty_start(iv);
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
}

void svf_igb_dirty_destroy(struct svf_igb_vfio *iv)
{
	mutex_destroy(&iv->dirty.lock);
}
