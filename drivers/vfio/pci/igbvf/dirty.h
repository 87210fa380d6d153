/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software dirty tracking of the VF's DMA writes through the type1
 * container's pinned-page dirty scope and, on kernels with
 * CONFIG_IOMMUFD_DRIVER, through vfio_log_ops (dirty.c).
 */
#ifndef _IGBVF_VFIO_DIRTY_H
#define _IGBVF_VFIO_DIRTY_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/shadowvf/igbvf_state.h>

/* a buffer's pages, touched one by one: bit n of @mask is page @iova + n */
struct svf_igb_pinrange {
	u64 iova;
	u64 mask;
};

/* one RX descriptor handed to the VF: its packet and header buffers */
struct svf_igb_rxrec {
	struct svf_igb_pinrange pkt, hdr;
};

/**
 * struct svf_igb_rxtrack - the buffers one RX queue owns
 * @fifo: posted descriptors in posting order, oldest first
 * @first: index of the oldest record in @fifo
 * @count: records in @fifo
 * @head: RDH as last read; records before it are done
 * @tail: RDT as last written
 * @rdbal: ring registers as the guest last wrote them
 * @rdbah: see @rdbal
 * @rdlen: see @rdbal
 * @srrctl: see @rdbal
 * @resync: the guest moved RDH or the ring: @head cannot attribute
 *          completions, so records stay until the queue stops or is
 *          enabled, and are all touched then
 */
struct svf_igb_rxtrack {
	struct svf_igb_rxrec *fifo;
	u32 first, count;
	u32 head, tail;
	u32 rdbal, rdbah, rdlen, srrctl;
	bool resync;
};

/* ring pages and head write-back pages: 2 x (RX ring + TX ring + TDWB) */
#define IGBVF_RING_PINS	(SVF_NR_QUEUES * (2 * (SVF_RING_MAX / 4096 + 1) + 1))

/* a range user space started DMA logging on: [start, last], page aligned */
struct svf_igb_logrange {
	u64 start, last;
};

/**
 * struct svf_igb_dirtylog - the DMA log of vfio_log_ops, fed by the pins
 * @on: between DMA_LOGGING_START and DMA_LOGGING_STOP (or close)
 * @pages: IOVA page number -> pins the tracker holds on that page now. An
 *         entry with no pin is a page released since the last report that
 *         covered it: reported once more, then erased (type1's semantics)
 * @ranges: the started ranges, sorted, disjoint
 * @nr_ranges: entries in @ranges
 */
struct svf_igb_dirtylog {
	bool on;
	struct xarray pages;
	struct svf_igb_logrange *ranges;
	u32 nr_ranges;
};

/**
 * struct svf_igb_dirty - the tracker of one device
 * @lock: the fields below; held across a tracked register write
 * @enabled: the RX register page is trapped for this open (module param)
 * @on: tracking: every RX buffer handed to the VF is recorded, and touched
 *      (pinned and released) once the VF is done with it
 * @sticky: tracking was on once since the device was bound: the container
 *          stays in pinned-page dirty scope, so every later open tracks
 * @lost: a page the VF may write could not be touched: the dirty log is
 *        incomplete and a save fails
 * @flush: a reset stopped the queues (set without @lock)
 * @rx: per RX queue
 * @ring: pinned ring and head write-back pages (IOVAs)
 * @nr_ring: entries in @ring
 * @pinned: pages pinned now
 * @log: the DMA log (CONFIG_IOMMUFD_DRIVER only; never on otherwise)
 */
struct svf_igb_dirty {
	struct mutex lock;	/* the fields below */
	bool enabled;
	bool on;
	bool sticky;
	bool lost;
	atomic_t flush;
	struct svf_igb_rxtrack rx[SVF_NR_QUEUES];
	u64 ring[IGBVF_RING_PINS];
	u32 nr_ring;
	unsigned long pinned;
	struct svf_igb_dirtylog log;
};

struct svf_igb_vfio;

void svf_igb_dirty_init(struct svf_igb_vfio *iv);
void svf_igb_dirty_destroy(struct svf_igb_vfio *iv);
void svf_igb_dirty_open(struct svf_igb_vfio *iv);
void svf_igb_dirty_close(struct svf_igb_vfio *iv);
int svf_igb_dirty_start(struct svf_igb_vfio *iv);
void svf_igb_dirty_quiesced(struct svf_igb_vfio *iv);
void svf_igb_dirty_unquiesced(struct svf_igb_vfio *iv);
int svf_igb_dirty_check(struct svf_igb_vfio *iv);
u32 svf_igb_dirty_trap_end(struct svf_igb_vfio *iv);
int svf_igb_dirty_write(struct svf_igb_vfio *iv, u32 off, u32 val);
void svf_igb_dirty_reset_done(struct svf_igb_vfio *iv);
void svf_igb_dirty_dma_unmap(struct svf_igb_vfio *iv, u64 iova, u64 length);

#if IS_ENABLED(CONFIG_IOMMUFD_DRIVER)
extern const struct vfio_log_ops svf_igb_log_ops;
#endif

#endif
