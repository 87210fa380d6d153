// SPDX-License-Identifier: GPL-2.0
/*
 * The VF side of the PF/VF mailbox, used on the destination to redo the
 * VF_RESET handshake and replay the guest's PF-side configuration after
 * vfio-pci has reset the VF. It follows igbvf's protocol: take VFU and read
 * it back, write the message into VMBMEM, raise REQ, wait for PFACK (the PF
 * read it), wait for PFSTS (the PF replied), read the reply, ACK it.
 *
 * A whole restore shares one deadline (struct svf_igb_mbx_ctx). While it
 * waits for the PF it holds neither memory_lock nor shadow_lock, which a
 * reset needs; it stops on a fatal signal and when the VF was reset
 * meanwhile. Read-to-clear bits the driver consumes that are not part of
 * its own exchange are kept for the guest (iv->r2c).
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include "igbvf_vfio.h"
#include "regs.h"
#include "trace.h"

static unsigned int fault_mbx_delay_ms;
module_param_unsafe(fault_mbx_delay_ms, uint, 0600);
MODULE_PARM_DESC(fault_mbx_delay_ms,
		 "Testing only: wait this long before each message the driver sends the PF (a slow PF)");

/*
 * Sleep for about @us with the register locks dropped (svf_igb_hw_lock()
 * order), then take them again. Returns with the locks held: 0, -EINTR on
 * a fatal signal, -ETIMEDOUT past the deadline, -ENODEV if the VF was reset
 * meanwhile, -EIO if BAR0 is no longer usable.
 */
static int svf_igb_mbx_sleep(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
			     unsigned int us)
{
	struct vfio_pci_core_device *vdev = &iv->core_device;

	if (fatal_signal_pending(current))
		return -EINTR;
	if (time_after(jiffies, ctx->deadline))
		return -ETIMEDOUT;
	mutex_unlock(&iv->shadow_lock);
	up_read(&vdev->memory_lock);
	usleep_range(us, us + us / 4);
	down_read(&vdev->memory_lock);
	mutex_lock(&iv->shadow_lock);
	if (atomic_read(&iv->reset_gen) != ctx->reset_gen)
		return -ENODEV;
	if (!svf_igb_bar_usable(iv))
		return -EIO;
	return 0;
}

/*
 * Wait until @bit has been seen. Reading V2PMAILBOX clears PFSTS, PFACK and
 * RSTD, and the PF often sets PFACK and PFSTS before the first read, so
 * every bit read is accumulated in *@seen.
 */
static int svf_igb_mbx_wait(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
			    u32 bit, u32 *seen)
{
	void __iomem *bar = svf_igb_bar0(iv);
	u32 v;
	int ret;

	while (!(*seen & bit)) {
		v = ioread32(bar + IGBVF_V2PMAILBOX);
		if (v == ~0U)
			return -EIO;
		/* RSTD belongs to the guest's view of the PF */
		iv->r2c |= v & IGBVF_V2P_RSTD;
		*seen |= v;
		if (*seen & bit)
			break;
		ret = svf_igb_mbx_sleep(iv, ctx, 500);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * svf_igb_mbx_lock() - own the mailbox buffer as igbvf does
 * @iv: the device (svf_igb_hw_lock() held; dropped while waiting)
 * @ctx: the restore's deadline and reset generation
 *
 * Sets VFU and reads it back (e1000_obtain_mbx_lock_vf()): the PF may
 * hold the buffer (PFU) for a moment. Any later V2PMAILBOX write without
 * VFU gives it back.
 *
 * Return: 0 or svf_igb_mbx_send()'s errors.
 */
int svf_igb_mbx_lock(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx)
{
	void __iomem *bar = svf_igb_bar0(iv);
	u32 v;
	int ret;

	for (;;) {
		iowrite32(IGBVF_V2P_VFU, bar + IGBVF_V2PMAILBOX);
		v = ioread32(bar + IGBVF_V2PMAILBOX);
		if (v == ~0U)
			return -EIO;
		iv->r2c |= v & IGBVF_V2P_RSTD;
		if (v & IGBVF_V2P_VFU)
			return 0;
		ret = svf_igb_mbx_sleep(iv, ctx, 500);
		if (ret)
			return ret;
	}
}

/**
 * svf_igb_mbx_send() - send one message to the PF and read its reply
 * @iv: the device (svf_igb_hw_lock() held; dropped while waiting)
 * @ctx: the restore's deadline and reset generation
 * @msg: message words
 * @words: number of words in @msg (1..16)
 * @reply: reply buffer
 * @reply_words: words to read back
 *
 * Return: 0; -ETIMEDOUT if the PF does not answer by the deadline, -EIO if
 * the VF is gone, -EINTR on a fatal signal, -ENODEV if the VF was reset.
 * The register locks are held on return in every case.
 */
int svf_igb_mbx_send(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
		     const u32 *msg, int words, u32 *reply, int reply_words)
{
	void __iomem *bar = svf_igb_bar0(iv);
	u32 seen = 0;
	int i, ret;

	lockdep_assert_held(&iv->shadow_lock);
	if (fault_mbx_delay_ms) {
		ret = svf_igb_mbx_sleep(iv, ctx, fault_mbx_delay_ms * 1000);
		if (ret)
			return ret;
	}
	/* drop stale PFACK/PFSTS so the waits below see only this exchange */
	iv->r2c |= ioread32(bar + IGBVF_V2PMAILBOX) & IGBVF_V2P_RSTD;
	ret = svf_igb_mbx_lock(iv, ctx);
	if (ret)
		return ret;
	for (i = 0; i < words; i++)
		iowrite32(msg[i], bar + IGBVF_VMBMEM + 4 * i);
	iowrite32(IGBVF_V2P_REQ, bar + IGBVF_V2PMAILBOX);
	ret = svf_igb_mbx_wait(iv, ctx, IGBVF_V2P_PFACK, &seen);
	if (!ret)
		ret = svf_igb_mbx_wait(iv, ctx, IGBVF_V2P_PFSTS, &seen);
	if (!ret)
		ret = svf_igb_mbx_lock(iv, ctx);
	if (!ret) {
		for (i = 0; i < reply_words; i++)
			reply[i] = ioread32(bar + IGBVF_VMBMEM + 4 * i);
		iowrite32(IGBVF_V2P_ACK, bar + IGBVF_V2PMAILBOX);
	}
	trace_svf_igb_replay(iv->core_device.pdev, msg[0],
			     ret ? 0 : reply[0], ret);
	return ret;
}
