// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated adapter: tracking of the guest's trapped register writes and
 * mailbox traffic, quiesce, capture of the VF into the model and restore of
 * the model into a freshly reset VF.
 */
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/string.h>
#include "igbvf_vfio.h"
#include "regs.h"

static const u32 svf_igb_stat_regs[SVF_NR_STATS] = {
	IGBVF_GPRC, IGBVF_GPTC, IGBVF_GORC, IGBVF_GOTC, IGBVF_MPRC,
	IGBVF_GPRLBC, IGBVF_GPTLBC, IGBVF_GORLBC, IGBVF_GOTLBC,
};

void svf_igb_shadow_reset(struct svf_igb_vfio *iv)
{
	mutex_lock(&iv->shadow_lock);
	memset(&iv->shadow, 0, sizeof(iv->shadow));
	memset(iv->stats_adj, 0, sizeof(iv->stats_adj));
	iv->req_pending = false;
	iv->r2c = 0;
	iv->vlan_overflow = false;
	iv->uc_overflow = false;
	iv->quiesced = false;
	mutex_unlock(&iv->shadow_lock);
}

static int svf_igb_stat_index(u32 off)
{
	int i;

	for (i = 0; i < SVF_NR_STATS; i++)
		if (svf_igb_stat_regs[i] == off)
			return i;
	return -1;
}

/*
 * A VF reset makes the PF forget the VF's configuration (igb_vf_reset()),
 * all but LPE and the unicast filters, and set VLAN stripping its own way.
 */
static void svf_igb_pf_forget(struct svf_igb_vfio *iv)
{
	struct svf_model *s = &iv->shadow;

	s->pf_flags &= SVF_PF_LPE_SET;
	s->nr_mc = 0;
	s->nr_vlans = 0;
	s->promisc = 0;
	iv->vlan_overflow = false;
}

/* SET_MAC_ADDR with a filter sub-command, as igb 6.12 treats it. */
static void svf_igb_commit_filter(struct svf_igb_vfio *iv, u32 info,
				  const u8 *mac, bool ack)
{
	struct svf_model *s = &iv->shadow;
	int i;

	if (info == IGBVF_MAC_FILTER_CLR) {
		/*
		 * igbvf sends CLR with a zero address, which igb refuses, so
		 * the PF keeps stale entries; what the guest asks for after
		 * it is its list, and what a destination must hold.
		 */
		s->nr_uc = 0;
		iv->uc_overflow = false;
		return;
	}
	if (info != IGBVF_MAC_FILTER_ADD || !ack)
		return;
	for (i = 0; i < s->nr_uc; i++)
		if (ether_addr_equal(s->uc[i], mac))
			return;
	if (s->nr_uc == SVF_MAX_UC) {
		iv->uc_overflow = true;
		return;
	}
	memcpy(s->uc[s->nr_uc++], mac, ETH_ALEN);
}

/* The PF answered the guest's pending request: record the outcome. */
static void svf_igb_commit(struct svf_igb_vfio *iv, const u32 *reply)
{
	struct svf_model *s = &iv->shadow;
	const u32 *req = iv->req;
	u32 type = req[0] & 0xFFFF;
	u32 info = (req[0] & IGBVF_MSGINFO_MASK) >> IGBVF_MSGINFO_SHIFT;
	int i, j;

	if ((reply[0] & 0xFFFF) != type)
		return;
	if (type == IGBVF_MSG_RESET) {
		/* the reply names the MAC the PF holds for the VF */
		svf_igb_pf_forget(iv);
		if (reply[0] & IGBVF_MSG_ACK)
			memcpy(s->mac, &reply[1], ETH_ALEN);
		return;
	}
	if (type == IGBVF_MSG_SET_MAC && info) {
		svf_igb_commit_filter(iv, info, (const u8 *)&req[1],
				      reply[0] & IGBVF_MSG_ACK);
		return;
	}
	if (!(reply[0] & IGBVF_MSG_ACK))
		return;
	switch (type) {
	case IGBVF_MSG_SET_MAC:
		memcpy(s->mac, &req[1], ETH_ALEN);
		s->pf_flags |= SVF_PF_MAC_SET;
		break;
	case IGBVF_MSG_SET_MC:
		/* igb keeps the count it was told: above 30, MC promisc */
		s->nr_mc = min_t(u32, info, SVF_MAX_MC);
		if (info > SVF_MAX_MC)
			s->pf_flags |= SVF_PF_MC_OVERFLOW;
		else
			s->pf_flags &= ~SVF_PF_MC_OVERFLOW;
		for (i = 0; i < s->nr_mc; i++)
			s->mc[i] = ((const u16 *)&req[1])[i];
		break;
	case IGBVF_MSG_SET_VLAN: {
		u16 vid = req[1] & 0xFFF;

		/* removing VLAN 0 is acknowledged and changes nothing */
		if (!info && !vid)
			break;
		for (i = 0; i < s->nr_vlans && s->vlans[i] != vid; i++)
			;
		if (info && vid && i == s->nr_vlans) {
			if (i == SVF_MAX_VLANS)
				iv->vlan_overflow = true;
			else
				s->vlans[s->nr_vlans++] = vid;
		} else if (!info && i < s->nr_vlans) {
			for (j = i; j + 1 < s->nr_vlans; j++)
				s->vlans[j] = s->vlans[j + 1];
			s->nr_vlans--;
		}
		/* igb_set_vf_vlan_msg(): stripping follows the last VLAN */
		s->pf_flags |= SVF_PF_VLAN_STRIP_SET;
		if (vid)
			s->pf_flags |= SVF_PF_VLAN_STRIP;
		else
			s->pf_flags &= ~SVF_PF_VLAN_STRIP;
		break;
	}
	case IGBVF_MSG_SET_LPE:
		s->max_frame = min_t(u32, req[1], SVF_MAX_FRAME);
		s->pf_flags |= SVF_PF_LPE_SET;
		break;
	case IGBVF_MSG_SET_PROMISC:
		s->promisc = req[0] & SVF_PROMISC_VALID;
		s->pf_flags |= SVF_PF_PROMISC_SET;
		break;
	}
}

/* Read the PF's reply to the guest's pending request and commit it. */
static void svf_igb_take_reply(struct svf_igb_vfio *iv)
{
	void __iomem *bar = svf_igb_bar0(iv);
	u32 reply[3];
	int i;

	for (i = 0; i < ARRAY_SIZE(reply); i++)
		reply[i] = ioread32(bar + IGBVF_VMBMEM + 4 * i);
	svf_igb_commit(iv, reply);
	iv->req_pending = false;
}

/*
 * Register access takes memory_lock as vfio-pci's BAR access does, so that
 * no access reaches a VF in D3 or in the middle of a reset; memory_lock is
 * taken before shadow_lock, the order a reset (reset_done) imposes.
 */
static int svf_igb_hw_lock(struct svf_igb_vfio *iv)
{
	struct vfio_pci_core_device *vdev = &iv->core_device;

	down_read(&vdev->memory_lock);
	if (!svf_igb_bar_usable(iv)) {
		up_read(&vdev->memory_lock);
		return -EIO;
	}
	mutex_lock(&iv->shadow_lock);
	return 0;
}

static void svf_igb_hw_unlock(struct svf_igb_vfio *iv)
{
	mutex_unlock(&iv->shadow_lock);
	up_read(&iv->core_device.memory_lock);
}

int svf_igb_trap_read(struct svf_igb_vfio *iv, u32 off, u32 *val)
{
	void __iomem *bar = svf_igb_bar0(iv);
	int i;

	if (svf_igb_hw_lock(iv))
		return -EIO;
	*val = ioread32(bar + off);
	if (off == IGBVF_V2PMAILBOX) {
		/* bits the driver consumed on the guest's behalf */
		*val |= iv->r2c;
		iv->r2c = 0;
		if (iv->req_pending && (*val & IGBVF_V2P_PFSTS))
			iv->reply_seen = true;
	} else if (off == IGBVF_VMBMEM && iv->req_pending && iv->reply_seen &&
		   (*val & (IGBVF_MSG_ACK | IGBVF_MSG_NACK))) {
		/* only a reply the PF signalled is the PF's */
		svf_igb_take_reply(iv);
	} else {
		i = svf_igb_stat_index(off);
		if (i >= 0)
			*val += iv->stats_adj[i];
	}
	svf_igb_hw_unlock(iv);
	return 0;
}

int svf_igb_trap_write(struct svf_igb_vfio *iv, u32 off, u32 val)
{
	void __iomem *bar = svf_igb_bar0(iv);
	struct svf_model *s = &iv->shadow;

	if (svf_igb_quirk_write_dropped(off))
		return 0;

	if (svf_igb_hw_lock(iv))
		return -EIO;
	switch (off) {
	case IGBVF_EIMS:
		s->eims |= val & SVF_VECTOR_MASK;
		break;
	case IGBVF_EIMC:
		s->eims &= ~val;
		break;
	case IGBVF_EIAC:
		s->eiac = val & SVF_VECTOR_MASK;
		break;
	case IGBVF_EIAM:
		s->eiam = val & SVF_VECTOR_MASK;
		break;
	case IGBVF_IVAR0:
		s->ivar0 = val & SVF_IVAR_VALID;
		break;
	case IGBVF_IVAR_MISC:
		s->ivar_misc = val & SVF_IVAR_MISC_VALID;
		break;
	case IGBVF_EITR(0):
	case IGBVF_EITR(1):
	case IGBVF_EITR(2):
		s->eitr[(off - IGBVF_EITR(0)) / 4] = val & SVF_EITR_VALID;
		break;
	case IGBVF_V2PMAILBOX:
		if (val & IGBVF_V2P_REQ) {
			memcpy(iv->req, s->vmbmem, sizeof(iv->req));
			iv->req_pending = true;
			iv->reply_seen = false;
		}
		break;
	case IGBVF_CTRL:
	case IGBVF_CTRL_DUP:
		if (val & IGBVF_CTRL_RST) {
			/* the 82576 VF reset clears its interrupt setup */
			s->eims = 0;
			s->eiac = 0;
			s->eiam = 0;
			s->ivar0 = 0;
			s->ivar_misc = 0;
			memset(s->eitr, 0, sizeof(s->eitr));
			svf_igb_pf_forget(iv);
			iv->req_pending = false;
		}
		break;
	default:
		if (off >= IGBVF_VMBMEM &&
		    off < IGBVF_VMBMEM + 4 * SVF_MBX_WORDS) {
			s->vmbmem[(off - IGBVF_VMBMEM) / 4] = val;
			/* the guest rewrote the buffer: no reply to attribute */
			iv->req_pending = false;
		}
		break;
	}
	iowrite32(val, bar + off);
	svf_igb_hw_unlock(iv);
	return 0;
}

/*
 * Let a guest mailbox request the PF has not answered yet complete, so the
 * reply (and the configuration it commits) is part of the state. If the
 * guest already read PFSTS (read-to-clear), the PF has answered and the
 * reply waits in VMBMEM: igbvf reads the status before the message.
 */
static void svf_igb_settle_mailbox(struct svf_igb_vfio *iv)
{
	void __iomem *bar = svf_igb_bar0(iv);
	unsigned long end = jiffies + msecs_to_jiffies(1000);

	while (iv->req_pending) {
		if (!iv->reply_seen)
			iv->r2c |= ioread32(bar + IGBVF_V2PMAILBOX) &
				   IGBVF_V2P_R2C;
		if (iv->reply_seen || (iv->r2c & IGBVF_V2P_PFSTS)) {
			if (ioread32(bar + IGBVF_VMBMEM) &
			    (IGBVF_MSG_ACK | IGBVF_MSG_NACK))
				svf_igb_take_reply(iv);
			iv->req_pending = false;
			break;
		}
		if (time_after(jiffies, end)) {
			pci_warn(iv->core_device.pdev,
				 "PF did not answer mailbox message 0x%08x\n",
				 iv->req[0]);
			break;
		}
		usleep_range(500, 1000);
	}
}

static bool fault_queue_stuck;
module_param_unsafe(fault_queue_stuck, bool, 0600);
MODULE_PARM_DESC(fault_queue_stuck,
		 "Testing only: report the VF's queues as still enabled after quiesce disabled them");

/* igb_rx_fifo_flush_82575() gives the 82576's queues 10 ms to stop */
#define IGBVF_QUEUE_STOP_MS	20

/*
 * The 82576 keeps a disabled queue's ENABLE bit set until the queue has
 * actually stopped (its DMA done): wait for every queue to read back 0.
 */
static int svf_igb_wait_queues_stopped(struct svf_igb_vfio *iv)
{
	unsigned long end = jiffies + msecs_to_jiffies(IGBVF_QUEUE_STOP_MS);
	void __iomem *bar = svf_igb_bar0(iv);
	u32 busy;
	int q;

	for (;;) {
		busy = fault_queue_stuck ? IGBVF_XDCTL_EN : 0;
		for (q = 0; q < SVF_NR_QUEUES; q++)
			busy |= ioread32(bar + IGBVF_RXDCTL(q)) |
				ioread32(bar + IGBVF_TXDCTL(q));
		if (!(busy & IGBVF_XDCTL_EN))
			return 0;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(100, 200);
	}
}

/*
 * Enable the queues as quiesce found them, then write the tails (TDT sends
 * work posted before the switch, RDT hands the ring to the adapter) and
 * unmask the interrupts the guest had unmasked.
 */
static void svf_igb_resume_queues(struct svf_igb_vfio *iv)
{
	void __iomem *bar = svf_igb_bar0(iv);
	int q;

	for (q = 0; q < SVF_NR_QUEUES; q++) {
		iowrite32(iv->saved_txdctl[q], bar + IGBVF_TXDCTL(q));
		iowrite32(iv->saved_rxdctl[q], bar + IGBVF_RXDCTL(q));
	}
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		iowrite32(ioread32(bar + IGBVF_TDT(q)), bar + IGBVF_TDT(q));
		iowrite32(ioread32(bar + IGBVF_RDT(q)), bar + IGBVF_RDT(q));
	}
	iowrite32(iv->shadow.eims, bar + IGBVF_EIMS);
}

/**
 * svf_igb_quiesce() - hold the VF off: no DMA, no interrupts
 * @iv: the device (state_mutex held)
 *
 * Masks the VF's interrupts, disables its RX queues (QEMU's adapter, like
 * the 82576, drops frames for a disabled queue) and TX queues after TX has
 * drained, and waits until every queue reports that it has stopped. A TX
 * queue that does not drain within the bound keeps its TDH/TDT as they
 * are: the destination sends the posted work.
 *
 * Return: 0; -ETIMEDOUT if a queue did not stop (the VF runs on as it
 * was), -EIO if the VF no longer responds.
 */
int svf_igb_quiesce(struct svf_igb_vfio *iv)
{
	void __iomem *bar = svf_igb_bar0(iv);
	unsigned long end;
	int q, ret;

	ret = svf_igb_hw_lock(iv);
	if (ret)
		return ret;
	if (ioread32(bar + IGBVF_STATUS) == ~0U) {
		svf_igb_hw_unlock(iv);
		return -EIO;
	}
	svf_igb_settle_mailbox(iv);
	iowrite32(SVF_VECTOR_MASK, bar + IGBVF_EIMC);
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		iv->saved_rxdctl[q] = ioread32(bar + IGBVF_RXDCTL(q));
		iowrite32(iv->saved_rxdctl[q] & ~IGBVF_XDCTL_EN,
			  bar + IGBVF_RXDCTL(q));
	}
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		iv->saved_txdctl[q] = ioread32(bar + IGBVF_TXDCTL(q));
		end = jiffies + msecs_to_jiffies(100);
		while ((iv->saved_txdctl[q] & IGBVF_XDCTL_EN) &&
		       ioread32(bar + IGBVF_TDH(q)) !=
		       ioread32(bar + IGBVF_TDT(q)) &&
		       !time_after(jiffies, end))
			usleep_range(100, 200);
		iowrite32(iv->saved_txdctl[q] & ~IGBVF_XDCTL_EN,
			  bar + IGBVF_TXDCTL(q));
	}
	ret = svf_igb_wait_queues_stopped(iv);
	/* an interrupt of an unmasked vector may have been cut off */
	iv->raise = iv->shadow.eims;
	if (ret) {
		pci_err(iv->core_device.pdev,
			"VF queues did not stop within %u ms: migration refused\n",
			IGBVF_QUEUE_STOP_MS);
		svf_igb_resume_queues(iv);
	} else {
		iv->quiesced = true;
	}
	svf_igb_hw_unlock(iv);
	return ret;
}

/**
 * svf_igb_unquiesce() - let the VF run again
 * @iv: the device (state_mutex held)
 *
 * Resumes the queues (svf_igb_resume_queues()) and raises the vectors that
 * were unmasked at the quiesce (on a destination: the source's, carried
 * as the blob's irq.pending) once, so a guest that waited for an
 * interrupt across the switch is woken (a spurious one is harmless).
 */
void svf_igb_unquiesce(struct svf_igb_vfio *iv)
{
	void __iomem *bar = svf_igb_bar0(iv);

	if (svf_igb_hw_lock(iv))
		return;
	if (!iv->quiesced)
		goto out;
	svf_igb_resume_queues(iv);
	if (iv->raise)
		iowrite32(iv->raise, bar + IGBVF_EICS);
	iv->quiesced = false;
out:
	svf_igb_hw_unlock(iv);
}

/**
 * svf_igb_capture() - snapshot a quiesced VF into the model
 * @iv: the device (state_mutex held, device STOPped)
 * @m: the model to fill
 *
 * Return: 0, or -EIO if the VF cannot be accessed.
 */
int svf_igb_capture(struct svf_igb_vfio *iv, struct svf_model *m)
{
	void __iomem *bar = svf_igb_bar0(iv);
	int q, i;
	u32 v;

	if (svf_igb_hw_lock(iv))
		return -EIO;
	/* the PF acknowledged more than the state (and igb) can hold */
	if (iv->vlan_overflow || iv->uc_overflow) {
		pci_err(iv->core_device.pdev,
			"guest state cannot be migrated: more than %s\n",
			iv->vlan_overflow ? "32 VLANs" : "3 unicast MAC filters");
		svf_igb_hw_unlock(iv);
		return -EOVERFLOW;
	}
	*m = iv->shadow;
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		struct svf_model_rxq *r = &m->rx[q];
		struct svf_model_txq *t = &m->tx[q];

		r->rdbal = ioread32(bar + IGBVF_RDBAL(q));
		r->rdbah = ioread32(bar + IGBVF_RDBAH(q));
		r->rdlen = ioread32(bar + IGBVF_RDLEN(q));
		r->srrctl = ioread32(bar + IGBVF_SRRCTL(q));
		r->rdh = ioread32(bar + IGBVF_RDH(q));
		r->rdt = ioread32(bar + IGBVF_RDT(q));
		r->rxctl = ioread32(bar + IGBVF_RXCTL(q));
		r->rxdctl = iv->quiesced ? iv->saved_rxdctl[q] :
			    ioread32(bar + IGBVF_RXDCTL(q));
		t->tdbal = ioread32(bar + IGBVF_TDBAL(q));
		t->tdbah = ioread32(bar + IGBVF_TDBAH(q));
		t->tdlen = ioread32(bar + IGBVF_TDLEN(q));
		t->tdh = ioread32(bar + IGBVF_TDH(q));
		t->tdt = ioread32(bar + IGBVF_TDT(q));
		t->txctl = ioread32(bar + IGBVF_TXCTL(q));
		t->tdwbal = ioread32(bar + IGBVF_TDWBAL(q));
		t->tdwbah = ioread32(bar + IGBVF_TDWBAH(q));
		t->txdctl = iv->quiesced ? iv->saved_txdctl[q] :
			    ioread32(bar + IGBVF_TXDCTL(q));
	}
	m->psrtype = ioread32(bar + IGBVF_PSRTYPE);
	m->nr_stats = SVF_NR_STATS;
	for (i = 0; i < SVF_NR_STATS; i++)
		m->stats[i] = ioread32(bar + svf_igb_stat_regs[i]) +
			      iv->stats_adj[i];
	/* the mailbox as the guest will find it, reply bits included */
	for (i = 0; i < SVF_MBX_WORDS; i++)
		m->vmbmem[i] = ioread32(bar + IGBVF_VMBMEM + 4 * i);
	v = ioread32(bar + IGBVF_V2PMAILBOX);
	iv->r2c |= v & IGBVF_V2P_R2C;
	m->r2c = (iv->r2c & SVF_R2C_VALID) | (v & SVF_MBX_VFU);
	m->irq_pending = iv->quiesced ? iv->raise : iv->shadow.eims;
	svf_igb_hw_unlock(iv);
	return 0;
}

/* The whole replay's bound: igb answers each message within milliseconds. */
#define IGBVF_RESTORE_TIMEOUT_MS	3000

/*
 * Send one replayed request; the PF must acknowledge it. Return: 0,
 * -EPERM if the PF refused it (NACK), -EPROTO if the reply is not to it,
 * or svf_igb_mbx_send()'s error.
 */
static int svf_igb_replay_msg(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
			      const u32 *msg, int words, u32 *reply)
{
	int ret;

	ret = svf_igb_mbx_send(iv, ctx, msg, words, reply, 1);
	if (ret)
		return ret;
	if ((reply[0] & 0xFFFF) != (msg[0] & 0xFFFF))
		return -EPROTO;
	return reply[0] & IGBVF_MSG_ACK ? 0 : -EPERM;
}

/*
 * The guest's extra unicast filters. igb keeps a VF's filters across VF
 * resets and frees them only on a CLR that carries a valid address (igbvf
 * sends a zero one), so this VF may hold stale entries from an earlier
 * guest: free them first, ignoring the answer. The filter list is shared
 * by the PF's VFs; an ADD the PF refuses (list full, or an administrative
 * MAC without trust) fails the restore rather than drop the guest's
 * traffic to that address.
 */
static int svf_igb_replay_filters(struct svf_igb_vfio *iv,
				  struct svf_igb_mbx_ctx *ctx,
				const struct svf_model *m, const char **what)
{
	u32 msg[3] = {}, reply[1];
	int ret, i;

	if (!m->nr_uc)
		return 0;
	*what = "SET_MAC_ADDR (filter)";
	msg[0] = IGBVF_MSG_SET_MAC |
		 (IGBVF_MAC_FILTER_CLR << IGBVF_MSGINFO_SHIFT);
	memcpy(&msg[1], m->uc[0], ETH_ALEN);
	ret = svf_igb_replay_msg(iv, ctx, msg, 3, reply);
	if (ret && ret != -EPERM)
		return ret;
	for (i = 0; i < m->nr_uc; i++) {
		msg[0] = IGBVF_MSG_SET_MAC |
			 (IGBVF_MAC_FILTER_ADD << IGBVF_MSGINFO_SHIFT);
		memcpy(&msg[1], m->uc[i], ETH_ALEN);
		ret = svf_igb_replay_msg(iv, ctx, msg, 3, reply);
		if (ret == -EPERM)
			pci_err(iv->core_device.pdev,
				"PF refused unicast filter %pM for this VF (filter list full, or administrative MAC without trust)\n",
				m->uc[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * igb strips VLAN tags for a VF after any acknowledged non-zero SET_VLAN
 * and stops after VLAN 0; the replay's last VLAN may have left it the
 * other way than the guest's last one did.
 */
static int svf_igb_replay_strip(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
				const struct svf_model *m, const char **what)
{
	bool want = m->pf_flags & SVF_PF_VLAN_STRIP;
	u32 msg[2], reply[1];
	int ret;

	if (!(m->pf_flags & SVF_PF_VLAN_STRIP_SET) || want == !!m->nr_vlans)
		return 0;
	*what = "SET_VLAN (stripping)";
	msg[0] = IGBVF_MSG_SET_VLAN | (1 << IGBVF_MSGINFO_SHIFT);
	if (!want) {
		msg[1] = 0;	/* VLAN 0: the VF has it since VF_RESET */
		return svf_igb_replay_msg(iv, ctx, msg, 2, reply);
	}
	/* no VLAN to replay: add and remove one the guest does not use */
	msg[1] = 4095;
	ret = svf_igb_replay_msg(iv, ctx, msg, 2, reply);
	if (ret)
		return ret;
	msg[0] = IGBVF_MSG_SET_VLAN;
	return svf_igb_replay_msg(iv, ctx, msg, 2, reply);
}

/* The VF_RESET handshake: @reply gets the PF's answer (its MAC for the VF). */
static int svf_igb_replay_reset(struct svf_igb_vfio *iv,
				struct svf_igb_mbx_ctx *ctx, u32 *reply,
				const char **what)
{
	u32 msg = IGBVF_MSG_RESET;
	int ret;

	*what = "VF_RESET";
	ret = svf_igb_mbx_send(iv, ctx, &msg, 1, reply, 3);
	if (ret)
		return ret;
	if ((reply[0] & 0xFFFF) != IGBVF_MSG_RESET)
		return -EPROTO;
	return 0;
}

/*
 * The guest's MAC and its extra unicast filters, after the handshake whose
 * reply is @reset_reply: igb then holds for the VF the MAC it named, if it
 * ACKed.
 */
static int svf_igb_replay_macs(struct svf_igb_vfio *iv,
			       struct svf_igb_mbx_ctx *ctx,
			       const struct svf_model *m, const u32 *reset_reply,
			       const char **what)
{
	u32 msg[3] = {}, reply[1];
	int ret;

	if (!is_zero_ether_addr(m->mac) &&
	    !((reset_reply[0] & IGBVF_MSG_ACK) &&
	      ether_addr_equal((const u8 *)&reset_reply[1], m->mac))) {
		msg[0] = IGBVF_MSG_SET_MAC;
		memcpy(&msg[1], m->mac, ETH_ALEN);
		*what = "SET_MAC_ADDR";
		ret = svf_igb_replay_msg(iv, ctx, msg, 3, reply);
		if (ret == -EPERM)
			pci_err(iv->core_device.pdev,
				"PF refused MAC %pM for this VF (administratively set MAC?)\n",
				m->mac);
		if (ret)
			return ret;
	}
	return svf_igb_replay_filters(iv, ctx, m, what);
}

/*
 * The rest of the guest's PF-side configuration: multicast, VLANs and
 * stripping, frame size, promiscuous mode. A refusal is reported here, in
 * one line naming what the PF refused; other errors by the caller.
 */
static int svf_igb_replay_rest(struct svf_igb_vfio *iv,
			       struct svf_igb_mbx_ctx *ctx,
			       const struct svf_model *m, const char **what)
{
	struct pci_dev *pdev = iv->core_device.pdev;
	u32 msg[SVF_MBX_WORDS], reply[3] = {}, nr_mc;
	int ret, i;

	memset(msg, 0, sizeof(msg));
	/* any count above 30 gives the same multicast-promiscuous mode */
	nr_mc = m->pf_flags & SVF_PF_MC_OVERFLOW ? SVF_MAX_MC + 1 : m->nr_mc;
	msg[0] = IGBVF_MSG_SET_MC | (nr_mc << IGBVF_MSGINFO_SHIFT);
	for (i = 0; i < m->nr_mc; i++)
		((u16 *)&msg[1])[i] = m->mc[i];
	*what = "SET_MULTICAST";
	ret = svf_igb_replay_msg(iv, ctx, msg, SVF_MBX_WORDS, reply);
	if (ret == -EPERM)
		pci_err(pdev, "PF refused the multicast list (%u groups) for this VF\n",
			nr_mc);
	if (ret)
		return ret;

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < m->nr_vlans; i++) {
		msg[0] = IGBVF_MSG_SET_VLAN | (1 << IGBVF_MSGINFO_SHIFT);
		msg[1] = m->vlans[i];
		*what = "SET_VLAN";
		ret = svf_igb_replay_msg(iv, ctx, msg, 2, reply);
		if (ret == -EPERM)
			pci_err(pdev, "PF refused VLAN %u for this VF (administrative VLAN?)\n",
				m->vlans[i]);
		if (ret)
			return ret;
	}
	ret = svf_igb_replay_strip(iv, ctx, m, what);
	if (ret)
		return ret;
	if (m->pf_flags & SVF_PF_LPE_SET) {
		msg[0] = IGBVF_MSG_SET_LPE;
		msg[1] = m->max_frame;
		*what = "SET_LPE";
		ret = svf_igb_replay_msg(iv, ctx, msg, 2, reply);
		if (ret == -EPERM)
			pci_err(pdev, "PF refused frame size %u for this VF\n",
				m->max_frame);
		if (ret)
			return ret;
	}
	if (m->pf_flags & SVF_PF_PROMISC_SET) {
		msg[0] = IGBVF_MSG_SET_PROMISC | m->promisc;
		*what = "SET_PROMISC";
		ret = svf_igb_replay_msg(iv, ctx, msg, 1, reply);
		if (ret == -EPERM)
			pci_err(pdev, "PF refused promiscuous mode 0x%x for this VF\n",
				m->promisc);
		if (ret)
			return ret;
	}
	return 0;
}

/* The PF-side configuration of @a and @b is the same. */
static bool svf_igb_pfcfg_equal(const struct svf_model *a,
				const struct svf_model *b)
{
	return ether_addr_equal(a->mac, b->mac) &&
	       a->pf_flags == b->pf_flags && a->max_frame == b->max_frame &&
	       a->promisc == b->promisc && a->nr_mc == b->nr_mc &&
	       a->nr_vlans == b->nr_vlans && a->nr_uc == b->nr_uc &&
	       !memcmp(a->mc, b->mc, a->nr_mc * sizeof(a->mc[0])) &&
	       !memcmp(a->vlans, b->vlans, a->nr_vlans * sizeof(a->vlans[0])) &&
	       !memcmp(a->uc, b->uc, a->nr_uc * sizeof(a->uc[0]));
}

/*
 * Redo the guest's PF-side configuration. If PRE_COPY's guest record
 * provisioned this VF (@prov) with what the blob carries, only the MAC
 * and unicast filters are left, which svf_igb_provision() keeps for the
 * switch-over: the source VF holds that MAC until then. A configuration
 * that changed since is redone whole, from a new VF_RESET.
 */
static int svf_igb_replay(struct svf_igb_vfio *iv, struct svf_igb_mbx_ctx *ctx,
			  const struct svf_model *m,
			  const struct svf_igb_prov *prov, const char **what)
{
	u32 reply[3] = {};
	int ret;

	if (prov && svf_igb_pfcfg_equal(&prov->m, m))
		return svf_igb_replay_macs(iv, ctx, m, prov->reply, what);
	ret = svf_igb_replay_reset(iv, ctx, reply, what);
	if (!ret)
		ret = svf_igb_replay_macs(iv, ctx, m, reply, what);
	if (!ret)
		ret = svf_igb_replay_rest(iv, ctx, m, what);
	return ret;
}

/**
 * svf_igb_restore() - program a validated model into this (reset) VF
 * @iv: the device (in RESUMING, its data fd's lock held)
 * @m: the validated model
 * @reset_gen: the device's reset generation when RESUMING began
 * @prov: what PRE_COPY's guest record provisioned on this VF, or NULL
 *
 * Redoes the VF_RESET handshake on the guest's behalf and replays the
 * PF-side configuration (unless @prov did, see svf_igb_replay()), then
 * programs rings, heads and interrupt configuration
 * with the queues still disabled; queue enables and tails follow on
 * STOP -> RUNNING (svf_igb_unquiesce()). Register access is under
 * memory_lock; the mailbox waits drop it (mbx.c), all within one deadline.
 * On error the VF may be partly configured: the caller enters ERROR.
 *
 * Return: 0, -EPERM if the PF refuses the configuration, -ETIMEDOUT or
 * -EIO if the PF or VF do not respond, -EINTR on a fatal signal, -ENODEV
 * if the VF was reset since RESUMING began.
 */
int svf_igb_restore(struct svf_igb_vfio *iv, const struct svf_model *m,
		    int reset_gen, const struct svf_igb_prov *prov)
{
	struct svf_igb_mbx_ctx ctx = {
		.deadline = jiffies + msecs_to_jiffies(IGBVF_RESTORE_TIMEOUT_MS),
		.reset_gen = reset_gen,
	};
	void __iomem *bar = svf_igb_bar0(iv);
	struct pci_dev *pdev = iv->core_device.pdev;
	const char *what;
	int q, i, ret;

	ret = svf_igb_hw_lock(iv);
	if (ret)
		return ret;
	if (atomic_read(&iv->reset_gen) != reset_gen) {
		ret = -ENODEV;
		goto out;
	}
	iowrite32(SVF_VECTOR_MASK, bar + IGBVF_EIMC);
	for (q = 0; q < SVF_NR_QUEUES; q++) {
		iowrite32(0, bar + IGBVF_RXDCTL(q));
		iowrite32(0, bar + IGBVF_TXDCTL(q));
	}
	iv->r2c = 0;
	ret = svf_igb_replay(iv, &ctx, m, prov, &what);
	if (ret) {
		if (ret != -EPERM)
			pci_err(pdev, "migration restore: PF mailbox %s failed (%d)\n",
				what, ret);
		goto out;
	}

	for (q = 0; q < SVF_NR_QUEUES; q++) {
		const struct svf_model_rxq *r = &m->rx[q];
		const struct svf_model_txq *t = &m->tx[q];

		iowrite32(r->rdbal, bar + IGBVF_RDBAL(q));
		iowrite32(r->rdbah, bar + IGBVF_RDBAH(q));
		iowrite32(r->rdlen, bar + IGBVF_RDLEN(q));
		iowrite32(r->srrctl, bar + IGBVF_SRRCTL(q));
		iowrite32(r->rxctl, bar + IGBVF_RXCTL(q));
		iowrite32(r->rdh, bar + IGBVF_RDH(q));
		/* tails are written with the queue disabled: nothing moves */
		iowrite32(r->rdt, bar + IGBVF_RDT(q));
		iowrite32(t->tdbal, bar + IGBVF_TDBAL(q));
		iowrite32(t->tdbah, bar + IGBVF_TDBAH(q));
		iowrite32(t->tdlen, bar + IGBVF_TDLEN(q));
		iowrite32(t->txctl, bar + IGBVF_TXCTL(q));
		iowrite32(t->tdwbal, bar + IGBVF_TDWBAL(q));
		iowrite32(t->tdwbah, bar + IGBVF_TDWBAH(q));
		iowrite32(t->tdh, bar + IGBVF_TDH(q));
		iowrite32(t->tdt, bar + IGBVF_TDT(q));
		iv->saved_rxdctl[q] = r->rxdctl;
		iv->saved_txdctl[q] = t->txdctl;
	}
	iowrite32(m->psrtype, bar + IGBVF_PSRTYPE);
	iowrite32(m->eiac, bar + IGBVF_EIAC);
	iowrite32(m->eiam, bar + IGBVF_EIAM);
	iowrite32(m->ivar0, bar + IGBVF_IVAR0);
	iowrite32(m->ivar_misc, bar + IGBVF_IVAR_MISC);
	for (i = 0; i < SVF_NR_VECTORS; i++)
		iowrite32(m->eitr[i], bar + IGBVF_EITR(i));
	/*
	 * The guest's mailbox view: its words (written as the buffer's owner),
	 * the bits it has not seen, and the buffer still its own if it was.
	 */
	ret = svf_igb_mbx_lock(iv, &ctx);
	if (ret) {
		what = "VFU";
		pci_err(pdev, "migration restore: PF mailbox %s failed (%d)\n",
			what, ret);
		goto out;
	}
	for (i = 0; i < SVF_MBX_WORDS; i++)
		iowrite32(m->vmbmem[i], bar + IGBVF_VMBMEM + 4 * i);
	if (!(m->r2c & SVF_MBX_VFU))
		iowrite32(0, bar + IGBVF_V2PMAILBOX);
	iv->r2c = m->r2c & SVF_R2C_VALID;
	memset(iv->stats_adj, 0, sizeof(iv->stats_adj));
	for (i = 0; i < m->nr_stats; i++)
		iv->stats_adj[i] = m->stats[i] -
				   ioread32(bar + svf_igb_stat_regs[i]);
	iv->shadow = *m;
	iv->shadow.r2c = 0;
	iv->raise = m->irq_pending;
	iv->req_pending = false;
	iv->quiesced = true;
out:
	svf_igb_hw_unlock(iv);
	return ret;
}

/**
 * svf_igb_release_pf() - make the PF drop the guest's MAC filter
 * @iv: the device, being closed (BAR0 still mapped)
 *
 * On a VF reset igb zeroes its copy of the VF's MAC (unless the operator
 * set one) but leaves the adapter's MAC filter entry as it was until the
 * VF sends VF_RESET (igb_vf_reset_event(), igb_vf_reset_msg()). After a
 * migration nothing would: the source adapter would go on steering the
 * guest's MAC to a VF nobody drives, and its host would no longer reach
 * the guest on its new host. So, as igbvf does at probe, reset the VF and
 * send VF_RESET: the PF rewrites the entry with the zeroed MAC (and NACKs:
 * the VF has no MAC) or with the operator's. Bounded (1 s); a PF that does
 * not answer leaves the entry, as before.
 */
void svf_igb_release_pf(struct svf_igb_vfio *iv)
{
	struct svf_igb_mbx_ctx ctx = {
		.deadline = jiffies + msecs_to_jiffies(1000),
		.reset_gen = atomic_read(&iv->reset_gen),
	};
	struct pci_dev *pdev = iv->core_device.pdev;
	u32 msg = IGBVF_MSG_RESET, reply[3];
	u16 cmd;
	int ret;

	cmd = svf_igb_quirk_decode_on(pdev);
	if (svf_igb_hw_lock(iv))
		goto out;
	iowrite32(SVF_VECTOR_MASK, svf_igb_bar0(iv) + IGBVF_EIMC);
	iowrite32(IGBVF_CTRL_RST, svf_igb_bar0(iv) + IGBVF_CTRL);
	ret = svf_igb_mbx_send(iv, &ctx, &msg, 1, reply, 3);
	svf_igb_hw_unlock(iv);
	if (ret)
		pci_warn(pdev, "PF did not take this VF's reset (%d): it may keep the last guest's MAC filter\n",
			 ret);
out:
	svf_igb_quirk_decode_restore(pdev, cmd);
}

/**
 * svf_igb_provision() - check and provision this VF from PRE_COPY's guest
 * record
 * @iv: the device, in RESUMING (its data fd's lock held)
 * @prov: the guest's PF-side configuration when PRE_COPY began (prov->m);
 *	prov->reply gets the PF's VF_RESET answer for the switch-over
 * @reset_gen: the device's reset generation when RESUMING began
 *
 * Runs while the source still runs, so that a VF whose PF would refuse the
 * guest fails the migration before the source stops, and so that the
 * switch-over need not wait for the PF for what did not change. Resets the
 * unused VF and does the VF_RESET handshake, as igbvf does at probe: igb
 * then names a MAC only if the operator set one (ip link set PF vf N mac),
 * and refuses the VF any other MAC unless the VF is trusted. An operator's
 * MAC is not replaced by a guest's, trusted or not: it must be the
 * guest's. Then asks the PF for the guest's multicast list, VLANs, frame
 * size and promiscuous mode. The MAC and extra unicast filters wait for
 * the switch-over: the source VF still receives on them, possibly on this
 * same adapter.
 *
 * Return: 0; -EPERM if the VF has another administrative MAC or the PF
 * refuses a request (port VLAN, ...); -ENODEV, -EINTR, -ETIMEDOUT, -EIO or
 * -EPROTO if the PF could not be asked. Every error is reported in one
 * line. The PF may hold part of the configuration on error: the next
 * provisioning or restore starts with a reset, and closing the device
 * resets it too.
 */
int svf_igb_provision(struct svf_igb_vfio *iv, struct svf_igb_prov *prov,
		      int reset_gen)
{
	struct svf_igb_mbx_ctx ctx = {
		.deadline = jiffies + msecs_to_jiffies(IGBVF_RESTORE_TIMEOUT_MS),
		.reset_gen = reset_gen,
	};
	struct pci_dev *pdev = iv->core_device.pdev;
	const struct svf_model *m = &prov->m;
	const char *what = "VF_RESET";
	u32 *reply = prov->reply;
	u16 cmd;
	int ret;

	memset(prov->reply, 0, sizeof(prov->reply));
	cmd = svf_igb_quirk_decode_on(pdev);
	ret = svf_igb_hw_lock(iv);
	if (ret)
		goto out;
	if (atomic_read(&iv->reset_gen) != reset_gen) {
		ret = -ENODEV;
		goto unlock;
	}
	/* igb forgets a MAC it did not get from its operator */
	iowrite32(SVF_VECTOR_MASK, svf_igb_bar0(iv) + IGBVF_EIMC);
	iowrite32(IGBVF_CTRL_RST, svf_igb_bar0(iv) + IGBVF_CTRL);
	iv->r2c = 0;
	ret = svf_igb_replay_reset(iv, &ctx, reply, &what);
	if (ret)
		goto unlock;
	if (!is_zero_ether_addr(m->mac) && (reply[0] & IGBVF_MSG_ACK) &&
	    !ether_addr_equal((u8 *)&reply[1], m->mac)) {
		pci_err(pdev, "migration stream refused: guest.mac %pM is not this VF's administrative MAC %pM\n",
			m->mac, (u8 *)&reply[1]);
		ret = -EPERM;
		goto unlock;
	}
	ret = svf_igb_replay_rest(iv, &ctx, m, &what);
unlock:
	svf_igb_hw_unlock(iv);
out:
	if (ret && ret != -EPERM)
		pci_err(pdev, "migration stream refused: PF mailbox %s failed (%d) provisioning this VF\n",
			what, ret);
	svf_igb_quirk_decode_restore(pdev, cmd);
	return ret;
}
