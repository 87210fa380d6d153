// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs for operators: /sys/kernel/debug/igbvf-vfio-pci/<VF>/
 *
 *   state         the migration state, counters and the dirty tracker
 *   last_refused  the last stream this VF refused, as it was received
 *                 (svf-inspect names the field: Documentation/operators.rst)
 *
 * Everything here is read without the driver's locks, as a snapshot: a
 * debugfs reader never waits for a migration.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include "igbvf_vfio.h"

static struct dentry *svf_igb_debugfs_root;

static const char *svf_igb_state_name(u32 s)
{
	static const char *const names[] = {
		[VFIO_DEVICE_STATE_ERROR] = "ERROR",
		[VFIO_DEVICE_STATE_STOP] = "STOP",
		[VFIO_DEVICE_STATE_RUNNING] = "RUNNING",
		[VFIO_DEVICE_STATE_STOP_COPY] = "STOP_COPY",
		[VFIO_DEVICE_STATE_RESUMING] = "RESUMING",
		[VFIO_DEVICE_STATE_RUNNING_P2P] = "RUNNING_P2P",
		[VFIO_DEVICE_STATE_PRE_COPY] = "PRE_COPY",
		[VFIO_DEVICE_STATE_PRE_COPY_P2P] = "PRE_COPY_P2P",
	};

	return s < ARRAY_SIZE(names) && names[s] ? names[s] : "?";
}

static int svf_igb_state_show(struct seq_file *sf, void *unused)
{
	struct svf_igb_vfio *iv = sf->private;
	struct svf_igb_dirty *d = &iv->dirty;

	seq_printf(sf, "state: %s\n",
		   svf_igb_state_name(READ_ONCE(iv->mig_state)));
	seq_printf(sf, "saved: %u\nrestored: %u\nrefused: %u\nrestore_failed: %u\n",
		   atomic_read(&iv->stats.saved),
		   atomic_read(&iv->stats.restored),
		   atomic_read(&iv->stats.refused),
		   atomic_read(&iv->stats.restore_failed));
	mutex_lock(&iv->dbg_lock);
	if (iv->refused_len)
		seq_printf(sf, "last_refused: %s (%zu bytes, errno %d)\n",
			   iv->refused_field, iv->refused_len,
			   iv->refused_err);
	else
		seq_puts(sf, "last_refused: none\n");
	mutex_unlock(&iv->dbg_lock);
	/* pins live only inside a touch: 0 or 1 */
	seq_printf(sf, "dirty_tracking: %s%s%s\npinned_pages: %d\ntouched_at_stop: %lu\n",
		   READ_ONCE(d->on) ? "on" : "off",
		   READ_ONCE(d->sticky) ? " sticky" : "",
		   READ_ONCE(d->lost) ? " lost" : "",
		   READ_ONCE(d->inflight) != U64_MAX, READ_ONCE(d->touched));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svf_igb_state);

static ssize_t svf_igb_refused_read(struct file *filp, char __user *buf,
				    size_t len, loff_t *pos)
{
	struct svf_igb_vfio *iv = filp->private_data;
	ssize_t ret;

	mutex_lock(&iv->dbg_lock);
	ret = simple_read_from_buffer(buf, len, pos, iv->refused,
				      iv->refused_len);
	mutex_unlock(&iv->dbg_lock);
	return ret;
}

static const struct file_operations svf_igb_refused_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = svf_igb_refused_read,
	.llseek = default_llseek,
};

/**
 * svf_igb_debugfs_refused() - keep a refused stream for the operator
 * @iv: the device
 * @data: the stream as received (compatibility record and blob)
 * @len: its length
 * @field: the field the decoder named
 * @err: the errno the user got
 */
void svf_igb_debugfs_refused(struct svf_igb_vfio *iv, const void *data,
			     size_t len, const char *field, int err)
{
	atomic_inc(&iv->stats.refused);
	mutex_lock(&iv->dbg_lock);
	iv->refused_len = min(len, sizeof(iv->refused));
	memcpy(iv->refused, data, iv->refused_len);
	strscpy(iv->refused_field, field ?: "?", sizeof(iv->refused_field));
	iv->refused_err = err;
	mutex_unlock(&iv->dbg_lock);
}

void svf_igb_debugfs_add(struct svf_igb_vfio *iv)
{
	struct dentry *dir;

	mutex_init(&iv->dbg_lock);
	dir = debugfs_create_dir(pci_name(iv->core_device.pdev),
				 svf_igb_debugfs_root);
	debugfs_create_file("state", 0400, dir, iv, &svf_igb_state_fops);
	debugfs_create_file("last_refused", 0400, dir, iv,
			    &svf_igb_refused_fops);
	iv->dbg_dir = dir;
}

void svf_igb_debugfs_remove(struct svf_igb_vfio *iv)
{
	debugfs_remove_recursive(iv->dbg_dir);
	iv->dbg_dir = NULL;
	mutex_destroy(&iv->dbg_lock);
}

void svf_igb_debugfs_init(void)
{
	svf_igb_debugfs_root = debugfs_create_dir("igbvf-vfio-pci", NULL);
}

void svf_igb_debugfs_exit(void)
{
	debugfs_remove_recursive(svf_igb_debugfs_root);
}
