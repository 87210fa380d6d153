// SPDX-License-Identifier: GPL-2.0
/*
 * igbvf-vfio-pci: vfio-pci variant driver for the Intel 82576 virtual
 * function (8086:10ca).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#define PCI_DEVICE_ID_INTEL_82576_VF	0x10ca

struct igbvf_vfio_pci_device {
	struct vfio_pci_core_device core_device;
};

static int igbvf_vfio_pci_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops igbvf_vfio_pci_ops = {
	.name = "igbvf-vfio-pci",
	.init = vfio_pci_core_init_dev,
	.release = vfio_pci_core_release_dev,
	.open_device = igbvf_vfio_pci_open_device,
	.close_device = vfio_pci_core_close_device,
	.ioctl = vfio_pci_core_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = vfio_pci_core_read,
	.write = vfio_pci_core_write,
	.mmap = vfio_pci_core_mmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
};

static int igbvf_vfio_pci_probe(struct pci_dev *pdev,
				const struct pci_device_id *id)
{
	struct igbvf_vfio_pci_device *ivdev;
	int ret;

	ivdev = vfio_alloc_device(igbvf_vfio_pci_device, core_device.vdev,
				  &pdev->dev, &igbvf_vfio_pci_ops);
	if (IS_ERR(ivdev))
		return PTR_ERR(ivdev);

	dev_set_drvdata(&pdev->dev, &ivdev->core_device);
	ret = vfio_pci_core_register_device(&ivdev->core_device);
	if (ret)
		vfio_put_device(&ivdev->core_device.vdev);
	return ret;
}

static void igbvf_vfio_pci_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id igbvf_vfio_pci_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_VENDOR_ID_INTEL,
					  PCI_DEVICE_ID_INTEL_82576_VF) },
	{}
};
MODULE_DEVICE_TABLE(pci, igbvf_vfio_pci_table);

static struct pci_driver igbvf_vfio_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = igbvf_vfio_pci_table,
	.probe = igbvf_vfio_pci_probe,
	.remove = igbvf_vfio_pci_remove,
	.err_handler = &vfio_pci_core_err_handlers,
	.driver_managed_dma = true,
};
module_pci_driver(igbvf_vfio_pci_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfio-pci variant driver with live migration for the Intel 82576 VF");
