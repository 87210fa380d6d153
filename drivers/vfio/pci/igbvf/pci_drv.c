// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: vfio-pci variant driver for the Intel 82576 virtual
 * function (8086:10ca).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "igbvf_vfio.h"
#include "regs.h"

#define PCI_DEVICE_ID_INTEL_82576_VF	0x10ca

static int svf_igb_vfio_pci_probe(struct pci_dev *pdev,
				  const struct pci_device_id *id)
{
	struct svf_igb_vfio *ivdev;
	int ret;

	/* the trap split and the register map assume the 82576 VF's BAR0 */
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < IGBVF_BAR0_SIZE) {
		pci_err(pdev, "BAR0 is %llu bytes, the 82576 VF has %u: not bound\n",
			(u64)pci_resource_len(pdev, 0), IGBVF_BAR0_SIZE);
		return -ENODEV;
	}

	ivdev = vfio_alloc_device(svf_igb_vfio, core_device.vdev,
				  &pdev->dev, &svf_igb_vfio_ops);
	if (IS_ERR(ivdev))
		return PTR_ERR(ivdev);

	dev_set_drvdata(&pdev->dev, &ivdev->core_device);
	svf_igb_debugfs_add(ivdev);
	ret = vfio_pci_core_register_device(&ivdev->core_device);
	if (ret) {
		svf_igb_debugfs_remove(ivdev);
		vfio_put_device(&ivdev->core_device.vdev);
	}
	return ret;
}

static void svf_igb_vfio_pci_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	svf_igb_debugfs_remove(container_of(vdev, struct svf_igb_vfio,
					    core_device));
	vfio_put_device(&vdev->vdev);
}

static void svf_igb_vfio_pci_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	svf_igb_reset_done(container_of(vdev, struct svf_igb_vfio, core_device));
}

static const struct pci_error_handlers svf_igb_vfio_pci_err_handlers = {
	.reset_done = svf_igb_vfio_pci_reset_done,
	.error_detected = vfio_pci_core_aer_err_detected,
};

static const struct pci_device_id svf_igb_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL,
					  PCI_DEVICE_ID_INTEL_82576_VF) },
	{}
};
MODULE_DEVICE_TABLE(pci, svf_igb_vfio_pci_table);

static struct pci_driver svf_igb_vfio_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = svf_igb_vfio_pci_table,
	.probe = svf_igb_vfio_pci_probe,
	.remove = svf_igb_vfio_pci_remove,
	.err_handler = &svf_igb_vfio_pci_err_handlers,
	.driver_managed_dma = true,
};

static int __init svf_igb_vfio_pci_init(void)
{
	int ret;

	svf_igb_debugfs_init();
	ret = pci_register_driver(&svf_igb_vfio_pci_driver);
	if (ret)
		svf_igb_debugfs_exit();
	return ret;
}
module_init(svf_igb_vfio_pci_init);

static void __exit svf_igb_vfio_pci_exit(void)
{
	pci_unregister_driver(&svf_igb_vfio_pci_driver);
	svf_igb_debugfs_exit();
}
module_exit(svf_igb_vfio_pci_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION("0.6.0");
MODULE_DESCRIPTION("vfio-pci variant driver with live migration for the Intel 82576 VF");
