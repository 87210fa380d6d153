// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO device plumbing: open/close, and the BAR0 split. The first two pages
 * of BAR0 (control, mailbox, interrupt and statistics registers) are
 * trapped so that state the device cannot report truthfully is tracked from
 * the guest's writes. With dirty tracking (the default) the RX register
 * page 0x2000-0x2FFF is trapped too, so that every RX buffer handed to the
 * VF by an RDT write is seen (dirty.c); the TX page 0x3000-0x3FFF stays
 * mmapped so transmit never traps. Without it both doorbell pages are
 * mmapped.
 *
 * The MSI-X BAR is not mmappable (svf_igb_quirk_no_mmap(), quirks.c).
 *
 * Device dirty tracking (vfio_log_ops, dirty.c) is offered only where the
 * kernel has CONFIG_IOMMUFD_DRIVER (without it the core's iova_bitmap is
 * a stub and every DMA_LOGGING_REPORT would fail), and only on an open
 * where it can work (svf_igb_log_offer(): not through iommufd, not with
 * dirty_tracking=0, not without an IOMMU domain).
 */
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>
#include "igbvf_vfio.h"
#include "regs.h"

static int svf_igb_vfio_open_device(struct vfio_device *core_vdev)
{
	struct svf_igb_vfio *iv = to_svf_igb(core_vdev);
	struct vfio_pci_core_device *vdev = &iv->core_device;
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;
	ret = vfio_pci_core_setup_barmap(vdev, 0);
	if (ret) {
		vfio_pci_core_disable(vdev);
		return ret;
	}
	mutex_lock(&iv->state_mutex);
	iv->mig_state = VFIO_DEVICE_STATE_RUNNING;
	svf_igb_shadow_reset(iv);
	svf_igb_dirty_open(iv);
	svf_igb_state_mutex_unlock(iv);
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static void svf_igb_vfio_close_device(struct vfio_device *core_vdev)
{
	struct svf_igb_vfio *iv = to_svf_igb(core_vdev);

	svf_igb_mig_close(iv);
	svf_igb_release_pf(iv);
	vfio_pci_core_close_device(core_vdev);
}

/*
 * Where BAR0's mmappable part begins: the end of the trapped registers,
 * rounded up to this host's page size. With 64 KiB pages nothing of the
 * 16 KiB BAR is mmapped and every access goes through read/write.
 */
static u32 svf_igb_mmap_start(struct svf_igb_vfio *iv)
{
	return ALIGN(svf_igb_dirty_trap_end(iv), PAGE_SIZE);
}

static long svf_igb_vfio_region_info(struct vfio_device *core_vdev,
				     unsigned long arg)
{
	struct svf_igb_vfio *iv = to_svf_igb(core_vdev);
	struct vfio_pci_core_device *vdev = &iv->core_device;
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	u32 mmap_start = svf_igb_mmap_start(iv);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_region_info info;
	size_t size;
	int ret;

	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.index != VFIO_PCI_BAR0_REGION_INDEX &&
	    !svf_igb_quirk_no_mmap(info.index))
		return vfio_pci_core_ioctl(core_vdev,
					   VFIO_DEVICE_GET_REGION_INFO, arg);

	info.offset = VFIO_PCI_INDEX_TO_OFFSET(info.index);
	info.size = pci_resource_len(vdev->pdev, info.index);
	info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (info.index == VFIO_PCI_BAR0_REGION_INDEX &&
	    vdev->bar_mmap_supported[0] && info.size > mmap_start) {
		size = struct_size(sparse, areas, 1);
		sparse = kzalloc(size, GFP_KERNEL);
		if (!sparse)
			return -ENOMEM;
		sparse->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
		sparse->header.version = 1;
		sparse->nr_areas = 1;
		sparse->areas[0].offset = mmap_start;
		sparse->areas[0].size = info.size - mmap_start;
		ret = vfio_info_add_capability(&caps, &sparse->header, size);
		kfree(sparse);
		if (ret)
			return ret;
		info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
	}
	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
			info.cap_offset = 0;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user((void __user *)arg + sizeof(info),
					 caps.buf, caps.size)) {
				kfree(caps.buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
		kfree(caps.buf);
	}
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

static long svf_igb_vfio_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
			       unsigned long arg)
{
	switch (cmd) {
	case VFIO_DEVICE_GET_REGION_INFO:
		return svf_igb_vfio_region_info(core_vdev, arg);
	case VFIO_DEVICE_IOEVENTFD:
		/* an ioeventfd would write BAR0 behind the trap */
		return -ENOTTY;
	default:
		return vfio_pci_core_ioctl(core_vdev, cmd, arg);
	}
}

static bool svf_igb_trapped(struct svf_igb_vfio *iv, loff_t *ppos)
{
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;

	return VFIO_PCI_OFFSET_TO_INDEX(*ppos) == VFIO_PCI_BAR0_REGION_INDEX &&
	       pos < svf_igb_dirty_trap_end(iv);
}

/*
 * Trapped BAR0 accesses: the device only decodes aligned dwords, and
 * igbvf only issues those, so anything else is refused. The VF is resumed
 * for the access as vfio_pci_rw() does: from runtime suspend, and out of
 * a user's LOW_POWER_ENTRY, which the uAPI has any access end.
 */
static ssize_t svf_igb_vfio_trap_rw(struct svf_igb_vfio *iv, char __user *buf,
				    size_t count, loff_t *ppos, bool iswrite)
{
	struct pci_dev *pdev = iv->core_device.pdev;
	u32 off = *ppos & VFIO_PCI_OFFSET_MASK;
	u32 val;
	int ret;

	if (count != 4 || (off & 3))
		return -EINVAL;
	ret = pm_runtime_resume_and_get(&pdev->dev);
	if (ret) {
		pci_info_ratelimited(pdev, "runtime resume failed %d\n", ret);
		return -EIO;
	}
	if (!svf_igb_bar0(iv)) {
		ret = -EIO;
	} else if (iswrite) {
		if (copy_from_user(&val, buf, 4))
			ret = -EFAULT;
		else
			ret = svf_igb_dirty_write(iv, off,
						  le32_to_cpu((__force __le32)val));
	} else {
		ret = svf_igb_trap_read(iv, off, &val);
		if (!ret) {
			__le32 lv = cpu_to_le32(val);

			if (copy_to_user(buf, &lv, 4))
				ret = -EFAULT;
		}
	}
	pm_runtime_put(&pdev->dev);
	if (ret)
		return ret;
	*ppos += 4;
	return 4;
}

static ssize_t svf_igb_vfio_read(struct vfio_device *core_vdev, char __user *buf,
				 size_t count, loff_t *ppos)
{
	if (svf_igb_trapped(to_svf_igb(core_vdev), ppos))
		return svf_igb_vfio_trap_rw(to_svf_igb(core_vdev), buf, count,
					  ppos, false);
	return vfio_pci_core_read(core_vdev, buf, count, ppos);
}

static ssize_t svf_igb_vfio_write(struct vfio_device *core_vdev,
				  const char __user *buf, size_t count,
				loff_t *ppos)
{
	if (svf_igb_trapped(to_svf_igb(core_vdev), ppos))
		return svf_igb_vfio_trap_rw(to_svf_igb(core_vdev), (char __user *)buf,
					  count, ppos, true);
	return vfio_pci_core_write(core_vdev, buf, count, ppos);
}

static int svf_igb_vfio_mmap(struct vfio_device *core_vdev,
			     struct vm_area_struct *vma)
{
	unsigned int index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	u64 pgoff = vma->vm_pgoff &
		    ((1ULL << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1);

	/* the trapped pages must never be mapped, nor the MSI-X BAR */
	if ((index == VFIO_PCI_BAR0_REGION_INDEX &&
	     (pgoff << PAGE_SHIFT) < svf_igb_mmap_start(to_svf_igb(core_vdev))) ||
	    svf_igb_quirk_no_mmap(index))
		return -EINVAL;
	return vfio_pci_core_mmap(core_vdev, vma);
}

static int svf_igb_vfio_init_dev(struct vfio_device *core_vdev)
{
	struct svf_igb_vfio *iv = to_svf_igb(core_vdev);
	int ret;

	ret = vfio_pci_core_init_dev(core_vdev);
	if (ret)
		return ret;
	mutex_init(&iv->state_mutex);
	mutex_init(&iv->shadow_lock);
	spin_lock_init(&iv->reset_lock);
	svf_igb_dirty_init(iv);
	core_vdev->migration_flags = VFIO_MIGRATION_STOP_COPY |
				     VFIO_MIGRATION_P2P |
				     VFIO_MIGRATION_PRE_COPY;
	core_vdev->mig_ops = &svf_igb_vfio_mig_ops;
#if IS_ENABLED(CONFIG_IOMMUFD_DRIVER)
	core_vdev->log_ops = &svf_igb_log_ops;
#endif
	return 0;
}

static void svf_igb_vfio_release_dev(struct vfio_device *core_vdev)
{
	struct svf_igb_vfio *iv = to_svf_igb(core_vdev);

	svf_igb_dirty_destroy(iv);
	mutex_destroy(&iv->shadow_lock);
	mutex_destroy(&iv->state_mutex);
	vfio_pci_core_release_dev(core_vdev);
}

/*
 * User space unmaps IOVA: type1 calls this only when pages of the range are
 * pinned, and retries until none is (then BUG()s). The driver's pins last
 * one touch: the tracker keeps new ones out of the range.
 */
static void svf_igb_vfio_dma_unmap(struct vfio_device *core_vdev, u64 iova,
				   u64 length)
{
	svf_igb_dirty_dma_unmap(to_svf_igb(core_vdev), iova, length);
}

const struct vfio_device_ops svf_igb_vfio_ops = {
	.name = "igbvf-vfio-pci",
	.init = svf_igb_vfio_init_dev,
	.release = svf_igb_vfio_release_dev,
	.open_device = svf_igb_vfio_open_device,
	.close_device = svf_igb_vfio_close_device,
	.ioctl = svf_igb_vfio_ioctl,
	.device_feature = vfio_pci_core_ioctl_feature,
	.read = svf_igb_vfio_read,
	.write = svf_igb_vfio_write,
	.mmap = svf_igb_vfio_mmap,
	.dma_unmap = svf_igb_vfio_dma_unmap,
	.request = vfio_pci_core_request,
	.match = vfio_pci_core_match,
	.bind_iommufd = vfio_iommufd_physical_bind,
	.unbind_iommufd = vfio_iommufd_physical_unbind,
	.attach_ioas = vfio_iommufd_physical_attach_ioas,
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
};
