// SPDX-License-Identifier: GPL-2.0
/*
 * Workarounds for the emulated adapter this driver is developed and tested
 * on (QEMU 10.0's igb and igbvf, hw/net/igb_core.c and hw/net/igbvf.c) and
 * for QEMU's VFIO code. Each answers a behaviour of the emulation; each is
 * harmless on a real 82576, whose VF behaves as the comment says, so none
 * is conditional. They live here so that none hides in the driver's logic.
 */
#include <linux/pci.h>
#include "igbvf_vfio.h"
#include "regs.h"

/**
 * svf_igb_quirk_write_dropped() - a trapped BAR0 write that must not reach
 *                                 the emulated VF
 * @off: BAR0 offset
 *
 * QEMU's igbvf maps the VF's PBACL (0xF04) onto the PF's PBACLR
 * (vf_to_pf_addr() in hw/net/igbvf.c), whose write clears the PF's pending
 * MSI-X vectors (igb_set_pbaclr()), so a guest's write would cost the PF
 * its interrupts. On an 82576 the VF's PBACL is the
 * VF's own and igbvf never writes it; dropping the write loses nothing.
 *
 * Return: true if the write is to be dropped.
 */
bool svf_igb_quirk_write_dropped(u32 off)
{
	return off == IGBVF_PBACL;
}

/**
 * svf_igb_quirk_no_mmap() - a region QEMU must not mmap
 * @index: VFIO region index
 *
 * The MSI-X BAR (BAR3: the MSI-X table and PBA, nothing else). QEMU
 * emulates the table over an mmapped BAR, which leaves a RAM-device
 * section that does not start on a page; during migration QEMU 10 asks
 * the type1 container for that section's dirty bitmap and fails ("Failed
 * to get dirty bitmap for iova ...: Invalid argument",
 * vfio_legacy_query_dirty_bitmap() in hw/vfio/container.c). QEMU emulates what is
 * in that BAR anyway, so trapping it costs nothing, on any device.
 *
 * Return: true if @index is never mmapped.
 */
bool svf_igb_quirk_no_mmap(unsigned int index)
{
	return index == IGBVF_MSIX_BAR;
}

/**
 * svf_igb_quirk_decode_on() - let the restore reach the emulated VF
 * @pdev: the VF
 *
 * QEMU writes a VF's COMMAND register back only after the device state,
 * and before that (at machine reset) it cleared memory decode. A real VF
 * ignores the bit (a VF's memory decode is the PF's VF MSE in its SR-IOV
 * capability; the VF's own COMMAND.MEM does not apply), but QEMU's
 * igbvf honours it and then answers nothing at all, so the restore's
 * mailbox handshake would time out. vfio-pci does not track the bit for
 * VFs. Pair with svf_igb_quirk_decode_restore().
 *
 * Return: the COMMAND value to put back.
 */
u16 svf_igb_quirk_decode_on(struct pci_dev *pdev)
{
	u16 cmd = PCI_COMMAND_MEMORY;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND,
				      cmd | PCI_COMMAND_MEMORY);
	return cmd;
}

/**
 * svf_igb_quirk_decode_restore() - put back the user's COMMAND value
 * @pdev: the VF
 * @cmd: what svf_igb_quirk_decode_on() returned
 */
void svf_igb_quirk_decode_restore(struct pci_dev *pdev, u16 cmd)
{
	if (!(cmd & PCI_COMMAND_MEMORY))
		pci_write_config_word(pdev, PCI_COMMAND, cmd);
}
