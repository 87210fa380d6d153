// SPDX-License-Identifier: GPL-2.0
/*
 * What the host's operator set for the VF through its PF's net device (ip
 * link set PF vf N ...): state the VF cannot read and the guest never sees.
 * The port VLAN decides which network the guest is on, so the source sends
 * it in the guest record and a destination whose VF has another one refuses
 * the stream before the source stops. Spoof checking, trust and link state
 * stay each host's policy (Documentation/igbvf-vfio-pci.rst).
 */
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include "igbvf_vfio.h"

static int svf_igb_is_netdev(struct device *dev, void *data)
{
	return dev->class && !strcmp(dev->class->name, "net");
}

/**
 * svf_igb_port_vlan() - the VF's administrative port VLAN as its PF driver
 * reports it (ndo_get_vf_config(), what ip link show prints)
 * @pdev: the VF
 *
 * Takes the RTNL lock.
 *
 * Return: SVF_PORT_VLAN_* bits, zero for none, or SVF_PORT_VLAN_UNKNOWN if
 * no net device of the PF answers (a user-space PF driver, a PF being
 * unbound, a fatal signal).
 */
u32 svf_igb_port_vlan(struct pci_dev *pdev)
{
	struct ifla_vf_info ivi = { .vlan_proto = htons(ETH_P_8021Q) };
	struct pci_dev *pf = pci_physfn(pdev);
	int id = pci_iov_vf_id(pdev);
	const struct net_device_ops *ops;
	struct net_device *nd;
	struct device *d;
	int ret = -ENODEV;

	if (id < 0)
		return SVF_PORT_VLAN_UNKNOWN;
	d = device_find_child(&pf->dev, NULL, svf_igb_is_netdev);
	if (!d)
		return SVF_PORT_VLAN_UNKNOWN;
	/* the reference keeps the net_device's memory, RTNL its registration */
	nd = to_net_dev(d);
	if (!rtnl_lock_killable()) {
		ops = nd->netdev_ops;
		if (nd->reg_state == NETREG_REGISTERED && ops->ndo_get_vf_config)
			ret = ops->ndo_get_vf_config(nd, id, &ivi);
		rtnl_unlock();
	}
	put_device(d);
	if (ret || ivi.vlan > VLAN_VID_MASK || ivi.qos > 7)
		return SVF_PORT_VLAN_UNKNOWN;
	return ivi.vlan | ivi.qos << SVF_PORT_VLAN_QOS_SHIFT |
	       (ivi.vlan_proto == htons(ETH_P_8021AD) ? SVF_PORT_VLAN_8021AD : 0);
}

static void svf_igb_port_vlan_str(u32 pv, char *buf, size_t size)
{
	if (pv == SVF_PORT_VLAN_UNKNOWN)
		snprintf(buf, size, "an unknown port VLAN");
	else if (!pv)
		snprintf(buf, size, "no port VLAN");
	else
		snprintf(buf, size, "port VLAN %u qos %u (%s)",
			 pv & SVF_PORT_VLAN_VID,
			 (pv & SVF_PORT_VLAN_QOS) >> SVF_PORT_VLAN_QOS_SHIFT,
			 pv & SVF_PORT_VLAN_8021AD ? "802.1ad" : "802.1Q");
}

/**
 * svf_igb_check_port_vlan() - may a guest from a VF with port VLAN @src
 * come up on this VF?
 * @pdev: the destination VF
 * @src: the source VF's port VLAN, from the guest record
 *
 * The same port VLAN (or none on both) is taken. Another one is refused:
 * the guest would be on another network with nothing to tell it. When one
 * side cannot tell (a source before format 1.5, a PF without a net device)
 * the stream is taken, with a warning if the other side has a port VLAN.
 *
 * Return: 0, or -EPERM, said in one line naming guest.port_vlan.
 */
int svf_igb_check_port_vlan(struct pci_dev *pdev, u32 src)
{
	u32 here = svf_igb_port_vlan(pdev);
	char a[48], b[48];

	if (src == here)
		return 0;
	svf_igb_port_vlan_str(src, a, sizeof(a));
	svf_igb_port_vlan_str(here, b, sizeof(b));
	if (src != SVF_PORT_VLAN_UNKNOWN && here != SVF_PORT_VLAN_UNKNOWN) {
		pci_err(pdev, "migration stream refused: guest.port_vlan: the source VF had %s, this VF has %s\n",
			a, b);
		return -EPERM;
	}
	/* one side cannot tell: a warning if the other has a port VLAN */
	if (src == SVF_PORT_VLAN_UNKNOWN ? here : src)
		pci_warn(pdev, "guest.port_vlan not checked: the source VF had %s, this VF has %s\n",
			 a, b);
	return 0;
}
