/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software dirty tracking of the VF's DMA writes through the type1
 * container's pinned-page dirty scope and, on kernels with
 * CONFIG_IOMMUFD_DRIVER, through vfio_log_ops (dirty.c).
 */
#ifndef _IGBVF_VFIO_DIRTY_H
#define _IGBVF_VFIO_DIRTY_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/shadowvf/igbvf_state.h>

/**
 * struct svf_igb_rxrec - one RX descriptor handed to the VF
 * @pkt: its packet buffer address (read format, bit 0 cleared)
 * @hdr: its header buffer address, used while the queue's SRRCTL gives a
 *       header buffer (struct svf_igb_rxtrack.hdr_size)
 * @valid: @pkt was mapped when posted (an unmapped one the VF cannot write)
 * @hdr_valid: the same for @hdr (0 in igbvf's one-buffer mode: not read)
 */
struct svf_igb_rxrec {
	u64 pkt, hdr;
	bool valid, hdr_valid;
};

/**
 * struct svf_igb_rxtrack - the buffers one RX queue owns
 * @fifo: posted descriptors in posting order, oldest first
 * @first: index of the oldest record in @fifo
 * @count: records in @fifo
 * @head: RDH as last read; records before it are done
 * @tail: RDT as last written
 * @rdbal: ring registers as the VF holds them (read back after the
 *         guest's write: the VF masks the low bits)
 * @rdbah: see @rdbal
 * @rdlen: see @rdbal
 * @srrctl: see @rdbal
 * @pkt_size: the largest packet buffer SRRCTL gave since the oldest record
 *            was posted (the VF takes the size when it writes, not when
 *            the buffer is posted)
 * @hdr_size: the same for the header buffer, 0 while no descriptor type
 *            since then had one
 * @resync: the guest or the host moved RDH or the ring: @head cannot
 *          attribute completions, so records stay until the queue stops
 *          or is enabled, and are all touched then
 */
struct svf_igb_rxtrack {
	struct svf_igb_rxrec *fifo;
	u32 first, count;
	u32 head, tail;
	u32 rdbal, rdbah, rdlen, srrctl;
	u32 pkt_size, hdr_size;
	bool resync;
};

/**
 * struct svf_igb_area - a ring or head write-back area the VF could write
 * @base: IOVA
 * @len: bytes
 */
struct svf_igb_area {
	u64 base;
	u32 len;
};

/* RX ring, TX ring and TX head write-back of each queue, moved a few times */
#define IGBVF_AREAS	(SVF_NR_QUEUES * 3 * 4)

/**
 * struct svf_igb_dying - an IOVA range type1 is unmapping
 * @start: first byte
 * @end: last byte + 1 (0: slot unused)
 * @expires: jiffies after which the range may be mapped again
 */
struct svf_igb_dying {
	u64 start, end;
	unsigned long expires;
};

#define IGBVF_DYING	8

/* a range user space started DMA logging on: [start, last], page aligned */
struct svf_igb_logrange {
	u64 start, last;
};

/**
 * struct svf_igb_dirtylog - the DMA log of vfio_log_ops, fed by the touches
 * @on: between DMA_LOGGING_START and DMA_LOGGING_STOP (or close)
 * @pages: IOVA page number -> pins the tracker holds on that page now (only
 *         inside a touch). An entry with no pin is a page touched since the
 *         last report that covered it: reported once, then erased (type1's
 *         semantics)
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
 * @lock: the fields below up to @log; held across a tracked register
 *        write and around every pin. .dma_unmap never takes it.
 * @enabled: the RX register page is trapped for this open (module param)
 * @on: tracking: every RX buffer handed to the VF is recorded, and touched
 *      (pinned and released) once the VF is done with it
 * @sticky: tracking was on once since the device was bound: the container
 *          stays in pinned-page dirty scope, so every later open tracks
 * @lost: a page the VF may write could not be touched: the dirty log is
 *        incomplete and a save fails, until a new migration starts over
 * @old_epoch: touching what the last, incomplete log held: failures no
 *             longer matter (set only inside svf_igb_dirty_restart())
 * @flush: a reset stopped the queues (set without @lock)
 * @rx: per RX queue
 * @area: ring and head write-back areas seen since the last quiesce
 * @nr_area: entries in @area
 * @touched: pages touched at the last quiesce (trace)
 * @unscoped_warned: said once that no page could be pinned
 * @log: the DMA log (CONFIG_IOMMUFD_DRIVER only; never on otherwise)
 * @unmap_lock: the fields below; a spinlock .dma_unmap may take
 * @dying: ranges being unmapped: no touch pins there until they expire
 * @inflight: the IOVA a touch has pinned now, or U64_MAX
 * @unmap_wq: .dma_unmap waits here for a touch of its range to end
 */
struct svf_igb_dirty {
	struct mutex lock;	/* the fields below, up to @log */
	bool enabled;
	bool on;
	bool sticky;
	bool lost;
	bool old_epoch;
	atomic_t flush;
	struct svf_igb_rxtrack rx[SVF_NR_QUEUES];
	struct svf_igb_area area[IGBVF_AREAS];
	u32 nr_area;
	unsigned long touched;
	bool unscoped_warned;
	struct svf_igb_dirtylog log;

	spinlock_t unmap_lock;	/* the fields below */
	struct svf_igb_dying dying[IGBVF_DYING];
	u64 inflight;
	wait_queue_head_t unmap_wq;
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
