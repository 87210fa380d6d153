/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Software dirty tracking of the VF's DMA writes through the type1
 * container's pinned-page dirty scope (dirty.c).
 */
#ifndef _IGBVF_VFIO_DIRTY_H
#define _IGBVF_VFIO_DIRTY_H

#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/shadowvf/igbvf_state.h>

/* a buffer's pages, pinned one by one: bit n of @mask is page @iova + n */
struct igbvf_pinrange {
	u64 iova;
	u64 mask;
};

/* one RX descriptor handed to the VF: its packet and header buffers */
struct igbvf_rxrec {
	struct igbvf_pinrange pkt, hdr;
};

/**
 * struct igbvf_rxtrack - the buffers one RX queue owns
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
 *          completions, so records stay until the queue stops
 */
struct igbvf_rxtrack {
	struct igbvf_rxrec *fifo;
	u32 first, count;
	u32 head, tail;
	u32 rdbal, rdbah, rdlen, srrctl;
	bool resync;
};

/* ring pages and head write-back pages: 2 x (RX ring + TX ring + TDWB) */
#define IGBVF_RING_PINS	(SVF_NR_QUEUES * (2 * (SVF_RING_MAX / 4096 + 1) + 1))

/**
 * struct igbvf_dirty - the tracker of one device
 * @lock: the fields below; held across a tracked register write
 * @enabled: the RX register page is trapped for this open (module param)
 * @on: tracking: every RX buffer handed to the VF is pinned until the VF
 *      is done with it
 * @sticky: tracking was on once since the device was bound: the container
 *          stays in pinned-page dirty scope, so every later open tracks
 * @lost: a page the VF may write could not be pinned: the dirty log is
 *        incomplete and a save fails
 * @flush: a reset stopped the queues (set without @lock)
 * @rx: per RX queue
 * @ring: pinned ring and head write-back pages (IOVAs)
 * @nr_ring: entries in @ring
 * @pinned: pages pinned now
 */
struct igbvf_dirty {
	struct mutex lock;	/* the fields below */
	bool enabled;
	bool on;
	bool sticky;
	bool lost;
	atomic_t flush;
	struct igbvf_rxtrack rx[SVF_NR_QUEUES];
	u64 ring[IGBVF_RING_PINS];
	u32 nr_ring;
	unsigned long pinned;
};

struct igbvf_vfio;

void igbvf_dirty_init(struct igbvf_vfio *iv);
void igbvf_dirty_destroy(struct igbvf_vfio *iv);
void igbvf_dirty_open(struct igbvf_vfio *iv);
void igbvf_dirty_close(struct igbvf_vfio *iv);
int igbvf_dirty_start(struct igbvf_vfio *iv);
void igbvf_dirty_quiesced(struct igbvf_vfio *iv);
void igbvf_dirty_unquiesced(struct igbvf_vfio *iv);
int igbvf_dirty_check(struct igbvf_vfio *iv);
u32 igbvf_dirty_trap_end(struct igbvf_vfio *iv);
int igbvf_dirty_write(struct igbvf_vfio *iv, u32 off, u32 val);
void igbvf_dirty_reset_done(struct igbvf_vfio *iv);
void igbvf_dirty_dma_unmap(struct igbvf_vfio *iv, u64 iova, u64 length);

#endif
