// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration: the VFIO migration state machine (uAPI v2) and the data
 * fds. Arcs are taken one at a time as vfio_mig_get_next_state() orders
 * them, under state_mutex; user copies happen only under a data fd's own
 * lock, never under state_mutex.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include "igbvf_vfio.h"
#include "trace.h"

/*
 * End the data fds' state: every later read or write fails with -ENODEV.
 * The flag is set without migf->lock because reset_done() gets here with
 * the vfio core's memory_lock held, migf->lock is held across copies to
 * and from user memory (mmap_lock), and a user page fault on a BAR takes
 * memory_lock under mmap_lock (lockdep: memory_lock -> migf->lock ->
 * mmap_lock -> memory_lock).
 *
 * With @wait, a read, write or restore in flight is waited for and the fd
 * let go. Without (a reset), the fd stays referenced, disabled, until a
 * waiter reaps it: close_device must still wait for a writer that was
 * asleep in copy_from_user() when the reset came, or its restore could
 * run after close_device, on an unmapped BAR or a freed device.
 */
static void svf_igb_disable_fds(struct svf_igb_vfio *iv, bool wait)
{
	struct svf_igb_migf **slots[] = { &iv->resuming_migf, &iv->saving_migf };
	int i;

	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		struct svf_igb_migf *migf = *slots[i];

		if (!migf)
			continue;
		WRITE_ONCE(migf->disabled, true);
		wake_up_interruptible(&migf->poll_wait);
		if (!wait)
			continue;
		mutex_lock(&migf->lock);
		mutex_unlock(&migf->lock);
		*slots[i] = NULL;
		fput(migf->filp);
	}
}

/* Let go of fds a reset disabled (state_mutex held, no memory_lock). */
static void svf_igb_reap_fds(struct svf_igb_vfio *iv)
{
	if ((iv->resuming_migf && READ_ONCE(iv->resuming_migf->disabled)) ||
	    (iv->saving_migf && READ_ONCE(iv->saving_migf->disabled)))
		svf_igb_disable_fds(iv, true);
}

/* Bring the driver back to RUNNING after a reset: no fd, no shadow. */
static void svf_igb_reset_state_locked(struct svf_igb_vfio *iv)
{
	iv->mig_state = VFIO_DEVICE_STATE_RUNNING;
	svf_igb_disable_fds(iv, false);
	svf_igb_shadow_reset(iv);
}

/**
 * svf_igb_state_mutex_unlock() - drop state_mutex, running a deferred reset
 * @iv: the device
 *
 * reset_done() can run while another path holds state_mutex (and the core
 * holds memory_lock around the reset), so it only flags the reset; whoever
 * drops state_mutex next carries it out.
 */
void svf_igb_state_mutex_unlock(struct svf_igb_vfio *iv)
{
again:
	spin_lock(&iv->reset_lock);
	if (iv->deferred_reset) {
		iv->deferred_reset = false;
		spin_unlock(&iv->reset_lock);
		svf_igb_reset_state_locked(iv);
		goto again;
	}
	mutex_unlock(&iv->state_mutex);
	spin_unlock(&iv->reset_lock);
}

void svf_igb_reset_done(struct svf_igb_vfio *iv)
{
	/* a restore waiting for the PF sees it and stops (mbx.c) */
	atomic_inc(&iv->reset_gen);
	svf_igb_dirty_reset_done(iv);
	spin_lock(&iv->reset_lock);
	iv->deferred_reset = true;
	if (!mutex_trylock(&iv->state_mutex)) {
		spin_unlock(&iv->reset_lock);
		return;
	}
	spin_unlock(&iv->reset_lock);
	svf_igb_state_mutex_unlock(iv);
}

void svf_igb_mig_close(struct svf_igb_vfio *iv)
{
	mutex_lock(&iv->state_mutex);
	svf_igb_disable_fds(iv, true);
	svf_igb_reset_state_locked(iv);
	svf_igb_dirty_close(iv);
	svf_igb_state_mutex_unlock(iv);
}

static int svf_igb_release_file(struct inode *inode, struct file *filp)
{
	struct svf_igb_migf *migf = filp->private_data;

	mutex_destroy(&migf->lock);
	kvfree(migf);
	return 0;
}

static ssize_t svf_igb_save_read(struct file *filp, char __user *buf, size_t len,
				 loff_t *pos)
{
	struct svf_igb_migf *migf = filp->private_data;
	ssize_t done;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	if (READ_ONCE(migf->disabled)) {
		done = -ENODEV;
		goto out;
	}
	if (*pos > migf->total_length) {
		done = -EINVAL;
		goto out;
	}
	len = min_t(size_t, migf->total_length - *pos, len);
	if (!len && !migf->final) {
		/* PRE_COPY: nothing more until STOP_COPY */
		done = -ENOMSG;
		goto out;
	}
	if (len && copy_to_user(buf, migf->data + *pos, len)) {
		done = -EFAULT;
		goto out;
	}
	*pos += len;
	done = len;
out:
	mutex_unlock(&migf->lock);
	return done;
}

/*
 * Readable while there are bytes to read, at the permanent end of the
 * stream (STOP_COPY: read() returns 0) and once the fd ended (read() fails
 * at once); not at PRE_COPY's temporary end (read() says -ENOMSG), where
 * the uAPI has user space wait in poll() for more. Only STOP_COPY's blob or
 * the end of the fd follow it, and both wake the poller. read() never
 * blocks: the blob is built synchronously by the STOP_COPY arc.
 */
static __poll_t svf_igb_save_poll(struct file *filp,
				  struct poll_table_struct *wait)
{
	struct svf_igb_migf *migf = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &migf->poll_wait, wait);
	mutex_lock(&migf->lock);
	if (READ_ONCE(migf->disabled))
		mask = EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	else if (filp->f_pos < migf->total_length || migf->final)
		mask = EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&migf->lock);
	return mask;
}

/*
 * VFIO_MIG_GET_PRECOPY_INFO: the compatibility record is the initial data;
 * the VF has no state worth sending before STOP_COPY (dirty_bytes 0).
 * An enabled save fd without its blob means PRE_COPY(_P2P): the fd alone
 * answers, without touching the device, which may be gone (unbound) while
 * user space still holds the fd. Anything else is another state, which
 * the uAPI answers with -EINVAL: STOP_COPY (the blob), or the fd ended
 * when the device left PRE_COPY or STOP_COPY, or was reset or closed.
 */
static long svf_igb_precopy_ioctl(struct file *filp, unsigned int cmd,
				  unsigned long arg)
{
	struct svf_igb_migf *migf = filp->private_data;
	struct vfio_precopy_info info = {};
	unsigned long minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	int ret = 0;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	mutex_lock(&migf->lock);
	if (READ_ONCE(migf->disabled) || migf->final)
		ret = -EINVAL;
	else if (filp->f_pos < migf->total_length)
		info.initial_bytes = migf->total_length - filp->f_pos;
	mutex_unlock(&migf->lock);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
}

/* The first @len bytes of @data open with a compatibility record. */
static bool svf_igb_stream_has_compat(const u8 *data, size_t len)
{
	__le32 magic;

	if (len < sizeof(magic))
		return false;
	memcpy(&magic, data, sizeof(magic));
	return le32_to_cpu(magic) == SVF_COMPAT_MAGIC;
}

/*
 * Where the blob starts: after the records accepted by
 * svf_igb_check_records(), or at 0 in a bare blob (a 1.0/1.1 source).
 */
static size_t svf_igb_blob_off(const struct svf_igb_migf *migf)
{
	if (!svf_igb_stream_has_compat(migf->data, migf->total_length))
		return 0;
	return migf->compat_ok ? migf->blob_off : SVF_COMPAT_LEN;
}

/* Make a refusal visible: the trace event and debugfs' last_refused. */
static void svf_igb_note_refusal(struct svf_igb_migf *migf, const char *field,
				 size_t len, int err)
{
	trace_svf_igb_refused(migf->iv->core_device.pdev, field, len);
	svf_igb_debugfs_refused(migf->iv, migf->data, migf->total_length,
				field, err);
}

/*
 * The records that open the stream: the compatibility record, then (minor
 * 4 on) the guest record, with which this VF is checked (its port VLAN
 * too) and provisioned (svf_igb_provision()). Return 0 once both were
 * accepted, -EAGAIN while bytes are missing, or the refusal's errno,
 * reported in one line.
 */
static int svf_igb_check_records(struct svf_igb_migf *migf)
{
	struct pci_dev *pdev = migf->iv->core_device.pdev;
	const size_t clen = sizeof(struct svf_compat);
	const char *field;
	size_t len = clen;
	u16 minor;
	u64 t0;
	int ret;

	if (migf->total_length < clen)
		return -EAGAIN;
	ret = svf_compat_check(migf->data, pdev->vendor, pdev->device, &len,
			       &minor, &field);
	if (!ret && len > clen) {
		if (migf->total_length < len)
			return -EAGAIN;
		memset(&migf->prov, 0, sizeof(migf->prov));
		ret = svf_guest_check(migf->data + clen, minor, &migf->prov.m,
				      &field);
		if (!ret) {
			/* it says why itself */
			ret = svf_igb_check_port_vlan(pdev,
						      migf->prov.m.port_vlan);
			if (ret) {
				svf_igb_note_refusal(migf, "guest.port_vlan",
						     len, ret);
				return ret;
			}
			t0 = ktime_get_ns();
			ret = svf_igb_provision(migf->iv, &migf->prov,
						migf->reset_gen);
			trace_svf_igb_phase(pdev, "provision", ret,
					    ktime_get_ns() - t0);
			/* it said why itself */
			if (ret) {
				svf_igb_note_refusal(migf, "guest", len, ret);
				return ret;
			}
			migf->provisioned = true;
		}
	}
	if (ret) {
		dev_err_ratelimited(&pdev->dev,
				    "migration stream rejected: invalid %s%s\n", field,
				    len > clen ? " (guest record)" : "");
		svf_igb_note_refusal(migf, field, migf->total_length, ret);
		return ret;
	}
	migf->blob_off = len;
	migf->compat_ok = true;
	return 0;
}

/* The restore, with memory decode on for it (quirks.c). */
static int svf_igb_restore_decoding(struct svf_igb_migf *migf,
				    const struct svf_model *m)
{
	struct pci_dev *pdev = migf->iv->core_device.pdev;
	u16 cmd = svf_igb_quirk_decode_on(pdev);
	u64 t0 = ktime_get_ns();
	int ret;

	ret = svf_igb_restore(migf->iv, m, migf->reset_gen,
			      migf->provisioned ? &migf->prov : NULL);
	trace_svf_igb_phase(pdev, "restore", ret, ktime_get_ns() - t0);
	svf_igb_quirk_decode_restore(pdev, cmd);
	return ret;
}

/*
 * Validate the blob in @migf and program it into the VF. Called with
 * migf->lock held and the fd enabled, so the device is in RESUMING with
 * this fd: leaving RESUMING and closing the device both wait for
 * migf->lock. A reset does not (see svf_igb_disable_fds()): a restore it
 * races with runs on the reset VF and the device is RUNNING, but the fd
 * stays referenced, so close_device still waits for it.
 */
static int svf_igb_load_locked(struct svf_igb_migf *migf, size_t off)
{
	struct svf_igb_vfio *iv = migf->iv;
	struct pci_dev *pdev = iv->core_device.pdev;
	const char *field;
	struct svf_model *m;
	int ret;

	if (off > migf->total_length) {
		dev_err_ratelimited(&pdev->dev,
				    "migration stream rejected: it ends within its compat records (%zu bytes)\n",
				    migf->total_length);
		svf_igb_note_refusal(migf, "compat", migf->total_length, -EINVAL);
		migf->load_err = -EINVAL;
		return -EINVAL;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	ret = svf_blob_decode(migf->data + off, migf->total_length - off,
			      pdev->vendor, pdev->device, m, &field);
	/* user space can send blobs at any rate: one line each, rate-limited */
	if (ret) {
		dev_err_ratelimited(&pdev->dev,
				    "migration state rejected: invalid %s (%zu bytes)\n",
				    field, migf->total_length - off);
		svf_igb_note_refusal(migf, field, migf->total_length - off, ret);
	} else {
		ret = svf_igb_restore_decoding(migf, m);
		/* the VF and its PF may now hold part of the state */
		migf->half_done = ret != 0;
		atomic_inc(ret ? &migf->iv->stats.restore_failed :
			   &migf->iv->stats.restored);
	}
	kfree(m);
	migf->loaded = !ret;
	migf->load_err = ret;
	return ret;
}

/*
 * The compatibility record (PRE_COPY's initial bytes) is checked as soon
 * as it is complete, so that with QEMU's switchover-ack an incompatible
 * destination fails the migration while the source still runs. The blob
 * is loaded as soon as its last byte (per the header's total_len)
 * arrives, so that a destination that cannot take it fails the write and
 * with it QEMU's loading of the migration stream: the source then
 * resumes. RESUMING -> STOP reports the same result.
 */
static ssize_t svf_igb_resume_write(struct file *filp, const char __user *buf,
				    size_t len, loff_t *pos)
{
	struct svf_igb_migf *migf = filp->private_data;
	const struct svf_header *h;
	struct pci_dev *pdev;
	size_t need, off;
	loff_t end;
	ssize_t done;
	int ret;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;

	mutex_lock(&migf->lock);
	/* the VFS does not serialize a stream file's position: check it here */
	if (*pos < 0 || check_add_overflow((loff_t)len, *pos, &end)) {
		done = -EINVAL;
		goto out;
	}
	if (READ_ONCE(migf->disabled)) {
		done = -ENODEV;
		goto out;
	}
	/* enabled: close_device has not run yet, the device is there */
	pdev = migf->iv->core_device.pdev;
	if (migf->loaded || migf->load_err) {
		/*
		 * The blob ended: bytes after it make the whole stream invalid.
		 * A refusal already reported keeps its errno.
		 */
		if (!migf->load_err) {
			dev_err_ratelimited(&pdev->dev,
					    "migration state rejected: data after total_len\n");
			migf->loaded = false;
			migf->load_err = -EINVAL;
		}
		done = migf->load_err;
		goto out;
	}
	if (end > SVF_MAX_STREAM) {
		/* no valid stream is that large */
		done = -EFBIG;
		goto out;
	}
	if (copy_from_user(migf->data + *pos, buf, len)) {
		done = -EFAULT;
		goto out;
	}
	/* a blob alone may not exceed SVF_MAX_BLOB either */
	if (end > SVF_MAX_BLOB &&
	    !svf_igb_stream_has_compat(migf->data, max_t(size_t, end,
						       migf->total_length))) {
		done = -EFBIG;
		goto out;
	}
	*pos += len;
	migf->total_length = max_t(size_t, migf->total_length, *pos);
	done = len;
	/* a reset or close ended the fd while this writer slept in the copy */
	if (READ_ONCE(migf->disabled)) {
		done = -ENODEV;
		goto out;
	}
	if (svf_igb_stream_has_compat(migf->data, migf->total_length) &&
	    !migf->compat_ok) {
		ret = svf_igb_check_records(migf);
		if (ret == -EAGAIN)
			goto out;
		if (ret) {
			migf->load_err = ret;
			done = ret;
			goto out;
		}
	}
	off = svf_igb_blob_off(migf);
	if (migf->total_length - off < sizeof(*h))
		goto out;
	h = (const struct svf_header *)(migf->data + off);
	need = le32_to_cpu(h->total_len);
	if (need <= migf->total_length - off || need > SVF_MAX_BLOB) {
		ret = svf_igb_load_locked(migf, off);
		if (ret)
			done = ret;
	}
out:
	mutex_unlock(&migf->lock);
	return done;
}

/*
 * write() never waits: always writable. Once the fd ended, write() fails:
 * EPOLLERR too. Nothing to wait for, so no wait queue.
 */
static __poll_t svf_igb_resume_poll(struct file *filp,
				    struct poll_table_struct *wait)
{
	struct svf_igb_migf *migf = filp->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	if (READ_ONCE(migf->disabled))
		mask |= EPOLLERR;
	return mask;
}

static const struct file_operations svf_igb_save_fops = {
	.owner = THIS_MODULE,
	.read = svf_igb_save_read,
	.poll = svf_igb_save_poll,
	.unlocked_ioctl = svf_igb_precopy_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = svf_igb_release_file,
};

static const struct file_operations svf_igb_resume_fops = {
	.owner = THIS_MODULE,
	.write = svf_igb_resume_write,
	.poll = svf_igb_resume_poll,
	.release = svf_igb_release_file,
};

static struct svf_igb_migf *svf_igb_alloc_migf(struct svf_igb_vfio *iv,
					       const struct file_operations *fops,
					   int flags)
{
	struct svf_igb_migf *migf;
	struct file *filp;

	migf = kvzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	filp = anon_inode_getfile("igbvf-vfio-pci-mig", fops, migf, flags);
	if (IS_ERR(filp)) {
		kvfree(migf);
		return ERR_CAST(filp);
	}
	migf->filp = filp;
	migf->iv = iv;
	migf->reset_gen = atomic_read(&iv->reset_gen);
	stream_open(filp->f_inode, filp);
	init_waitqueue_head(&migf->poll_wait);
	mutex_init(&migf->lock);
	return migf;
}

/* A save fd whose stream opens with the compatibility record. */
static struct svf_igb_migf *svf_igb_save_open(struct svf_igb_vfio *iv)
{
	struct pci_dev *pdev = iv->core_device.pdev;
	struct svf_igb_migf *migf;
	struct svf_model *m;

	m = kmalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	migf = svf_igb_alloc_migf(iv, &svf_igb_save_fops, O_RDONLY);
	if (IS_ERR(migf)) {
		kfree(m);
		return migf;
	}
	/* the guest record: the PF-side configuration as the guest has it now */
	mutex_lock(&iv->shadow_lock);
	memcpy(m, &iv->shadow, sizeof(*m));
	mutex_unlock(&iv->shadow_lock);
	/* and the host's: the destination refuses another port VLAN */
	m->port_vlan = svf_igb_port_vlan(pdev);
	svf_compat_encode(pdev->vendor, pdev->device, m, migf->data);
	kfree(m);
	migf->total_length = SVF_COMPAT_LEN;
	get_file(migf->filp);
	iv->saving_migf = migf;
	return migf;
}

/*
 * Capture the stopped VF and append its blob to the save fd's stream,
 * opening one if PRE_COPY did not. The blob is decoded again before it is
 * offered, so that odd state the guest wrote fails here, on the source,
 * and not at the switch-over on the destination.
 */
static struct file *svf_igb_save(struct svf_igb_vfio *iv)
{
	struct pci_dev *pdev = iv->core_device.pdev;
	struct svf_igb_migf *migf = iv->saving_migf;
	bool opened = false;
	struct svf_model *m;
	const char *field;
	u64 t0;
	int len;

	len = svf_igb_dirty_check(iv);
	if (len)
		return ERR_PTR(len);
	m = kzalloc(2 * sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	if (!migf) {
		migf = svf_igb_save_open(iv);
		if (IS_ERR(migf)) {
			kfree(m);
			return ERR_CAST(migf);
		}
		opened = true;
	}
	t0 = ktime_get_ns();
	len = svf_igb_capture(iv, m);
	trace_svf_igb_phase(pdev, "capture", len, ktime_get_ns() - t0);
	mutex_lock(&migf->lock);
	if (!len)
		len = svf_blob_encode(m, pdev->vendor, pdev->device,
				      migf->data + migf->total_length,
				      sizeof(migf->data) - migf->total_length);
	if (len > 0 &&
	    svf_blob_decode(migf->data + migf->total_length, len, pdev->vendor,
			    pdev->device, m + 1, &field)) {
		pci_err(pdev, "migration state of this VF is invalid: %s\n",
			field);
		trace_svf_igb_refused(pdev, field, len);
		len = -EINVAL;
	}
	if (len > 0) {
		migf->total_length += len;
		migf->final = true;
		atomic_inc(&iv->stats.saved);
	}
	mutex_unlock(&migf->lock);
	/* a PRE_COPY poller waits for the blob */
	if (len > 0)
		wake_up_interruptible(&migf->poll_wait);
	kfree(m);
	if (len < 0) {
		if (opened) {
			svf_igb_disable_fds(iv, true);
			fput(migf->filp);	/* the reference for user space */
		}
		return ERR_PTR(len);
	}
	return opened ? migf->filp : NULL;
}

/*
 * RESUMING -> STOP: the blob must have been loaded. A blob refused before
 * it reached the device (invalid, incomplete) fails the arc with its errno
 * and is discarded: the fd takes a new blob from offset 0, or
 * VFIO_DEVICE_RESET ends RESUMING. A restore that failed part-way may
 * have left the VF and its PF half-configured: *@broken is set and the
 * device goes to ERROR, which only a reset leaves (as pds does).
 */
static int svf_igb_load(struct svf_igb_vfio *iv, bool *broken)
{
	struct svf_igb_migf *migf = iv->resuming_migf;
	int ret = 0;

	mutex_lock(&migf->lock);
	if (!migf->loaded && !migf->load_err)
		svf_igb_load_locked(migf, svf_igb_blob_off(migf));
	ret = migf->load_err;
	*broken = ret && migf->half_done;
	if (ret && !*broken) {
		migf->load_err = 0;
		migf->loaded = false;
		migf->compat_ok = false;
		migf->provisioned = false;
		migf->total_length = 0;
		migf->filp->f_pos = 0;
	}
	mutex_unlock(&migf->lock);
	return ret;
}

/* Hold the VF off (RUNNING -> RUNNING_P2P, PRE_COPY -> PRE_COPY_P2P). */
static int svf_igb_stop_vf(struct svf_igb_vfio *iv)
{
	u64 t0 = ktime_get_ns();
	int ret = svf_igb_quiesce(iv);

	trace_svf_igb_phase(iv->core_device.pdev, "quiesce", ret,
			    ktime_get_ns() - t0);
	if (!ret)
		svf_igb_dirty_quiesced(iv);
	return ret;
}

/* Let it run again (the reverse arcs); its buffers are recorded first. */
static void svf_igb_run_vf(struct svf_igb_vfio *iv)
{
	u64 t0 = ktime_get_ns();

	svf_igb_dirty_unquiesced(iv);
	svf_igb_unquiesce(iv);
	trace_svf_igb_phase(iv->core_device.pdev, "unquiesce", 0,
			    ktime_get_ns() - t0);
}

/*
 * Enter PRE_COPY(_P2P): a save fd offering the compatibility record, and
 * dirty tracking from now on. QEMU starts its dirty log and takes its
 * first, all-dirty bitmap before it asks for PRE_COPY, and sends no page
 * before that: writes the VF made earlier are in that first pass.
 */
static struct file *svf_igb_precopy(struct svf_igb_vfio *iv)
{
	struct svf_igb_migf *migf;
	int ret;

	ret = svf_igb_dirty_start(iv);
	if (ret)
		return ERR_PTR(ret);
	migf = svf_igb_save_open(iv);
	return IS_ERR(migf) ? ERR_CAST(migf) : migf->filp;
}

/**
 * svf_igb_step() - take one arc of the migration state machine
 * @iv: the device (state_mutex held)
 * @next: the state vfio_mig_get_next_state() chose
 *
 * Return: the data fd the arc opens, NULL, or an ERR_PTR.
 */
static struct file *svf_igb_step(struct svf_igb_vfio *iv,
				 enum vfio_device_mig_state next)
{
	enum vfio_device_mig_state cur = iv->mig_state;
	struct svf_igb_migf *migf;
	int ret;

	/* quiesce: no DMA, no interrupt; what the VF wrote is touched if tracking */
	if ((cur == VFIO_DEVICE_STATE_RUNNING &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY &&
	     next == VFIO_DEVICE_STATE_PRE_COPY_P2P)) {
		ret = svf_igb_stop_vf(iv);
		return ret ? ERR_PTR(ret) : NULL;
	}
	if ((cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     next == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	     next == VFIO_DEVICE_STATE_PRE_COPY)) {
		svf_igb_run_vf(iv);
		return NULL;
	}
	/* the VF has no peer-to-peer traffic: STOP and RUNNING_P2P coincide */
	if ((cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     next == VFIO_DEVICE_STATE_STOP) ||
	    (cur == VFIO_DEVICE_STATE_STOP &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P))
		return NULL;
	if ((cur == VFIO_DEVICE_STATE_RUNNING &&
	     next == VFIO_DEVICE_STATE_PRE_COPY) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     next == VFIO_DEVICE_STATE_PRE_COPY_P2P))
		return svf_igb_precopy(iv);
	/*
	 * A cancelled migration: the data fd ends, tracking does not (the
	 * container stays in pinned-page scope, see dirty.c).
	 */
	if ((cur == VFIO_DEVICE_STATE_PRE_COPY &&
	     next == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&
	     next == VFIO_DEVICE_STATE_RUNNING_P2P)) {
		svf_igb_disable_fds(iv, true);
		return NULL;
	}
	/* the PRE_COPY fd carries on: the blob follows the record */
	if ((cur == VFIO_DEVICE_STATE_STOP ||
	     cur == VFIO_DEVICE_STATE_PRE_COPY_P2P) &&
	    next == VFIO_DEVICE_STATE_STOP_COPY)
		return svf_igb_save(iv);
	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    next == VFIO_DEVICE_STATE_STOP) {
		svf_igb_disable_fds(iv, true);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    next == VFIO_DEVICE_STATE_RESUMING) {
		migf = svf_igb_alloc_migf(iv, &svf_igb_resume_fops, O_WRONLY);
		if (IS_ERR(migf))
			return ERR_CAST(migf);
		get_file(migf->filp);
		iv->resuming_migf = migf;
		return migf->filp;
	}
	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    next == VFIO_DEVICE_STATE_STOP) {
		bool broken;

		/* refused: RESUMING (queues disabled), or ERROR if half done */
		ret = svf_igb_load(iv, &broken);
		if (ret && broken) {
			svf_igb_disable_fds(iv, true);
			iv->mig_state = VFIO_DEVICE_STATE_ERROR;
		}
		if (ret)
			return ERR_PTR(ret);
		svf_igb_disable_fds(iv, true);
		return NULL;
	}
	return ERR_PTR(-EINVAL);
}

static struct file *
svf_igb_set_state(struct vfio_device *vdev, enum vfio_device_mig_state new_state)
{
	struct svf_igb_vfio *iv = to_svf_igb(vdev);
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	u64 t0;
	int ret;

	mutex_lock(&iv->state_mutex);
	svf_igb_reap_fds(iv);
	/* no arc leaves ERROR (the core WARNs if asked): only a reset does */
	if (iv->mig_state == VFIO_DEVICE_STATE_ERROR)
		res = ERR_PTR(-EINVAL);
	while (!res && new_state != iv->mig_state) {
		ret = vfio_mig_get_next_state(vdev, iv->mig_state, new_state,
					      &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		t0 = ktime_get_ns();
		res = svf_igb_step(iv, next);
		trace_svf_igb_arc(iv->core_device.pdev, iv->mig_state, next,
				  PTR_ERR_OR_ZERO(res), ktime_get_ns() - t0);
		if (IS_ERR(res))
			break;
		iv->mig_state = next;
		if (WARN_ON(res && new_state != iv->mig_state)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	svf_igb_state_mutex_unlock(iv);
	return res;
}

static int svf_igb_get_state(struct vfio_device *vdev,
			     enum vfio_device_mig_state *curr_state)
{
	struct svf_igb_vfio *iv = to_svf_igb(vdev);

	mutex_lock(&iv->state_mutex);
	*curr_state = iv->mig_state;
	svf_igb_state_mutex_unlock(iv);
	return 0;
}

static int svf_igb_get_data_size(struct vfio_device *vdev,
				 unsigned long *stop_copy_length)
{
	*stop_copy_length = SVF_COMPAT_LEN + SVF_BLOB_SIZE;
	return 0;
}

const struct vfio_migration_ops svf_igb_vfio_mig_ops = {
	.migration_set_state = svf_igb_set_state,
	.migration_get_state = svf_igb_get_state,
	.migration_get_data_size = svf_igb_get_data_size,
};
