/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _IGBVF_VFIO_H
#define _IGBVF_VFIO_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vfio_pci_core.h>
#include <linux/wait.h>
#include "dirty.h"
#include "model.h"

/**
 * struct svf_igb_prov - what PRE_COPY's guest record provisioned on a VF
 * @m: the guest's PF-side configuration (only those fields are set)
 * @reply: the PF's answer to the VF_RESET handshake (the MAC it holds)
 */
struct svf_igb_prov {
	struct svf_model m;
	u32 reply[3];
};

/**
 * struct svf_igb_migf - a migration data fd
 * @filp: its file
 * @iv: the device; valid while @lock is held by an enabled fd (closing the
 *      device waits for @lock after disabling the fd)
 * @poll_wait: (saving) woken when @final or @disabled is set
 * @lock: protects the fields below
 * @disabled: the fd's state ended: every read or write fails with -ENODEV
 * @total_length: bytes in @data
 * @final: (saving) @data is complete: the end of the stream is permanent
 * @compat_ok: (resuming) the stream's compatibility (and guest) records
 *             were accepted
 * @blob_off: (resuming) where the blob starts, once @compat_ok
 * @provisioned: (resuming) @prov holds what this VF was provisioned with
 * @prov: (resuming) see svf_igb_provision()
 * @loaded: (resuming) @data was validated and programmed into the VF
 * @half_done: (resuming) a restore failed part-way: the VF and its PF may
 *             hold part of the state
 * @reset_gen: the device's reset generation when the fd was opened
 * @load_err: (resuming) why the last blob was refused, 0 if it was not
 * @data: the stream: a compatibility record, then the device-state blob
 */
struct svf_igb_migf {
	struct file *filp;
	struct svf_igb_vfio *iv;
	wait_queue_head_t poll_wait;
	struct mutex lock;	/* the fields below; a restore runs under it */
	bool disabled;
	size_t total_length;
	bool final;
	bool compat_ok;
	size_t blob_off;
	bool provisioned;
	struct svf_igb_prov prov;
	bool loaded;
	bool half_done;
	int load_err;
	int reset_gen;
	u8 data[SVF_MAX_STREAM];
};

/**
 * struct svf_igb_vfio - one 82576 VF bound to igbvf-vfio-pci
 * @core_device: vfio-pci core state (must stay first)
 * @state_mutex: serializes migration state changes
 * @mig_state: current VFIO migration state
 * @reset_lock: protects @deferred_reset
 * @deferred_reset: a reset happened while @state_mutex was held
 * @saving_migf: the data fd of STOP_COPY
 * @resuming_migf: the data fd of RESUMING
 * @shadow_lock: protects the fields below; taken in the BAR0 trap path
 * @shadow: guest-written registers the device cannot report and the
 *          PF-side configuration the guest obtained
 * @stats_adj: added to the VF's statistics so the guest sees them continue
 * @req: the guest's mailbox request awaiting the PF's reply
 * @req_pending: @req is valid
 * @reply_seen: the guest saw PFSTS since it posted @req: the PF answered
 * @r2c: V2PMAILBOX read-to-clear bits read by the driver, owed to the guest
 * @vlan_overflow: the PF acknowledged more VLANs than the state carries
 * @uc_overflow: the PF acknowledged more unicast filters than it carries
 * @raise: vectors to raise when the VF runs again
 * @quiesced: RX/TX queues and interrupts are held off by the driver
 * @saved_rxdctl: RXDCTL values to restore when leaving quiesce
 * @saved_txdctl: TXDCTL values to restore when leaving quiesce
 * @reset_gen: counts resets of the VF (reset_done), so that a restore
 *             that dropped its locks to wait knows the VF was reset
 * @dirty: the dirty-page tracker (dirty.c)
 * @stats: migrations saved, restored, refused, restores failed part-way
 * @dbg_dir: this VF's debugfs directory (debugfs.c)
 * @dbg_lock: protects the refused stream below
 * @refused: the last stream refused, as received
 * @refused_len: its length (0: none yet)
 * @refused_field: the field the decoder named
 * @refused_err: the errno the user got
 */
struct svf_igb_vfio {
	struct vfio_pci_core_device core_device;
	struct mutex state_mutex;	/* migration state, data fds */
	enum vfio_device_mig_state mig_state;
	spinlock_t reset_lock;		/* deferred_reset */
	bool deferred_reset;
	struct svf_igb_migf *saving_migf;
	struct svf_igb_migf *resuming_migf;

	struct mutex shadow_lock;	/* shadow, trap path */
	struct svf_model shadow;
	u32 stats_adj[SVF_NR_STATS];
	u32 req[SVF_MBX_WORDS];
	bool req_pending;
	bool reply_seen;
	u32 r2c;
	bool vlan_overflow;
	bool uc_overflow;
	u32 raise;
	bool quiesced;
	u32 saved_rxdctl[SVF_NR_QUEUES];
	u32 saved_txdctl[SVF_NR_QUEUES];
	atomic_t reset_gen;

	struct svf_igb_dirty dirty;

	struct {
		atomic_t saved, restored, refused, restore_failed;
	} stats;
	struct dentry *dbg_dir;
	struct mutex dbg_lock;	/* refused* */
	u8 refused[SVF_MAX_STREAM];
	size_t refused_len;
	char refused_field[32];
	int refused_err;
};

static inline struct svf_igb_vfio *to_svf_igb(struct vfio_device *vdev)
{
	return container_of(vdev, struct svf_igb_vfio, core_device.vdev);
}

static inline void __iomem *svf_igb_bar0(struct svf_igb_vfio *iv)
{
	return iv->core_device.barmap[0];
}

/*
 * BAR0 is reachable (memory_lock held): mapped, and the VF in D0 (a VF's
 * memory decode is the PF's, so the power state is what can turn it off).
 */
static inline bool svf_igb_bar_usable(struct svf_igb_vfio *iv)
{
	return iv->core_device.pdev->current_state == PCI_D0 && svf_igb_bar0(iv);
}

/* One BAR0 read as vfio-pci's own BAR access does it: under memory_lock. */
static inline int svf_igb_bar_read(struct svf_igb_vfio *iv, u32 off, u32 *val)
{
	struct vfio_pci_core_device *vdev = &iv->core_device;
	int ret = 0;

	down_read(&vdev->memory_lock);
	if (svf_igb_bar_usable(iv))
		*val = ioread32(svf_igb_bar0(iv) + off);
	else
		ret = -EIO;
	up_read(&vdev->memory_lock);
	return ret;
}

/**
 * struct svf_igb_mbx_ctx - what one restore's mailbox exchanges share
 * @deadline: jiffies by which the whole replay must be done
 * @reset_gen: @reset_gen of the device when its RESUMING began
 */
struct svf_igb_mbx_ctx {
	unsigned long deadline;
	int reset_gen;
};

/* vfio_dev.c */
extern const struct vfio_device_ops svf_igb_vfio_ops;

/* lm.c */
extern const struct vfio_migration_ops svf_igb_vfio_mig_ops;
void svf_igb_state_mutex_unlock(struct svf_igb_vfio *iv);
void svf_igb_reset_done(struct svf_igb_vfio *iv);
void svf_igb_mig_close(struct svf_igb_vfio *iv);

/* model.c */
void svf_igb_shadow_reset(struct svf_igb_vfio *iv);
int svf_igb_trap_read(struct svf_igb_vfio *iv, u32 off, u32 *val);
int svf_igb_trap_write(struct svf_igb_vfio *iv, u32 off, u32 val);
int svf_igb_quiesce(struct svf_igb_vfio *iv);
void svf_igb_unquiesce(struct svf_igb_vfio *iv);
int svf_igb_capture(struct svf_igb_vfio *iv, struct svf_model *m);
int svf_igb_restore(struct svf_igb_vfio *iv, const struct svf_model *m,
		    int reset_gen, const struct svf_igb_prov *prov);
void svf_igb_release_pf(struct svf_igb_vfio *iv);
int svf_igb_provision(struct svf_igb_vfio *iv, struct svf_igb_prov *prov,
		      int reset_gen);

/* host.c: what the host's operator set for the VF through its PF */
u32 svf_igb_port_vlan(struct pci_dev *pdev);
int svf_igb_check_port_vlan(struct pci_dev *pdev, u32 src);

/* quirks.c: QEMU's igb, answered in one place */
bool svf_igb_quirk_write_dropped(u32 off);
bool svf_igb_quirk_no_mmap(unsigned int index);
u16 svf_igb_quirk_decode_on(struct pci_dev *pdev);
void svf_igb_quirk_decode_restore(struct pci_dev *pdev, u16 cmd);

/* debugfs.c */
void svf_igb_debugfs_init(void);
void svf_igb_debugfs_exit(void);
void svf_igb_debugfs_add(struct svf_igb_vfio *iv);
void svf_igb_debugfs_remove(struct svf_igb_vfio *iv);
void svf_igb_debugfs_refused(struct svf_igb_vfio *iv, const void *data,
			     size_t len, const char *field, int err);

/* mbx.c */
int svf_igb_mbx_lock(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx);
int svf_igb_mbx_send(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
		     const u32 *msg, int words, u32 *reply, int reply_words);

#endif
