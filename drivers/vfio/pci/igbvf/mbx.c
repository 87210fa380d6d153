// SPDX-License-Identifier: GPL-2.0
/*
 * The VF side of the PF/VF mailbox, used on the destination to redo the
 * VF_RESET handshake and replay the guest's PF-side configuration after
 * vfio-pci has reset the VF. It follows igbvf's protocol: take VFU, write
 * the message into VMBMEM, raise REQ, wait for PFACK (the PF read it),
 * wait for PFSTS (the PF replied), read the reply, ACK it. Every wait is
 * bounded. Read-to-clear bits the driver consumes that are not part of its
 * own exchange are kept for the guest (iv->r2c).
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include "igbvf_vfio.h"
#include "regs.h"

#define IGBVF_MBX_TIMEOUT_MS	2000

static unsigned int fault_mbx_delay_ms;
module_param_unsafe(fault_mbx_delay_ms, uint, 0600);
MODULE_PARM_DESC(fault_mbx_delay_ms,
		 "Testing only: wait this long before each message the driver sends the PF (a slow PF)");

/*
 * Wait until @bit has been seen. Reading V2PMAILBOX clears PFSTS, PFACK and
 * RSTD, and the PF often sets PFACK and PFSTS before the first read, so
 * every bit read is accumulated in *@seen.
 */
static int igbvf_mbx_wait(struct igbvf_vfio *iv, u32 bit, u32 *seen)
{
	unsigned long end = jiffies + msecs_to_jiffies(IGBVF_MBX_TIMEOUT_MS);
	void __iomem *bar = igbvf_bar0(iv);
	u32 v;

	while (!(*seen & bit)) {
		v = ioread32(bar + IGBVF_V2PMAILBOX);
		if (v == ~0U)
			return -EIO;
		/* RSTD belongs to the guest's view of the PF */
		iv->r2c |= v & IGBVF_V2P_RSTD;
		*seen |= v;
		if (*seen & bit)
			break;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(500, 1000);
	}
	return 0;
}

/**
 * igbvf_mbx_send() - send one message to the PF and read its reply
 * @iv: the device (shadow_lock held)
 * @msg: message words
 * @words: number of words in @msg (1..16)
 * @reply: reply buffer
 * @reply_words: words to read back
 *
 * Return: 0, -ETIMEDOUT if the PF does not answer, -EIO if the VF is gone.
 */
int igbvf_mbx_send(struct igbvf_vfio *iv, const u32 *msg, int words,
		   u32 *reply, int reply_words)
{
	void __iomem *bar = igbvf_bar0(iv);
	u32 seen = 0;
	int i, ret;

	lockdep_assert_held(&iv->shadow_lock);
	if (fault_mbx_delay_ms)
		msleep(fault_mbx_delay_ms);
	/* drop stale PFACK/PFSTS so the waits below see only this exchange */
	iv->r2c |= ioread32(bar + IGBVF_V2PMAILBOX) & IGBVF_V2P_RSTD;
	iowrite32(IGBVF_V2P_VFU, bar + IGBVF_V2PMAILBOX);
	for (i = 0; i < words; i++)
		iowrite32(msg[i], bar + IGBVF_VMBMEM + 4 * i);
	iowrite32(IGBVF_V2P_REQ, bar + IGBVF_V2PMAILBOX);
	ret = igbvf_mbx_wait(iv, IGBVF_V2P_PFACK, &seen);
	if (ret)
		return ret;
	ret = igbvf_mbx_wait(iv, IGBVF_V2P_PFSTS, &seen);
	if (ret)
		return ret;
	iowrite32(IGBVF_V2P_VFU, bar + IGBVF_V2PMAILBOX);
	for (i = 0; i < reply_words; i++)
		reply[i] = ioread32(bar + IGBVF_VMBMEM + 4 * i);
	iowrite32(IGBVF_V2P_ACK, bar + IGBVF_V2PMAILBOX);
	return 0;
}
