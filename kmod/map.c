// SPDX-License-Identifier: GPL-2.0
/*
 * What every mmap of an object shares: the checks of the mapping and the
 * file the mapping refers to.
 *
 * Design: docs/design.md, section 5 (fast paths shared with user space).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "kipc.h"

/**
 * kipc_map_check() - check a new mapping of an object and fix its flags
 * @file: the object's fd being mapped
 * @vma: the mapping
 * @size: bytes the object has to map (with KIPC_MAP_WINDOW, a multiple of
 *	the page size)
 * @how: KIPC_MAP_* flags: how the type maps
 *
 * Without KIPC_MAP_WINDOW the mapping must cover exactly @size bytes at
 * offset 0; with it, any whole pages of the @size.
 *
 * Shared or private is told by VM_MAYSHARE, not VM_SHARED: for MAP_SHARED
 * of a file not open for writing, do_mmap() clears VM_SHARED (and
 * VM_MAYWRITE) but keeps VM_MAYSHARE, so a test of VM_SHARED would refuse
 * a read-only shared mapping as if it were private.  MAP_PRIVATE is
 * refused (EINVAL) unless KIPC_MAP_PRIVATE lets it be a copy-on-write
 * view, as for a file.
 *
 * A shared mapping through an fd not open for writing is read-only for
 * good: PROT_WRITE is refused (EACCES, as do_mmap() already does) and
 * VM_MAYWRITE is cleared here too, so that mprotect() cannot add write
 * later (EACCES), whatever do_mmap() does.  Whether a type has such fds
 * at all is its own decision, made when the fd is opened: channels and
 * mutexes are read-write only, so they never see one; semaphores and
 * regions give read-only fds a read-only view.  A write-only fd maps
 * nothing (EACCES, also from do_mmap()).
 *
 * Return: 0; -EINVAL for the offset, the length or MAP_PRIVATE; -EACCES.
 */
int kipc_map_check(struct file *file, struct vm_area_struct *vma,
		   unsigned long size, unsigned int how)
{
	unsigned long pages = size >> PAGE_SHIFT;

	/* do_mmap() has checked that pgoff + the length does not wrap. */
	if (how & KIPC_MAP_WINDOW) {
		if (vma->vm_pgoff >= pages ||
		    vma_pages(vma) > pages - vma->vm_pgoff)
			return -EINVAL;
	} else if (vma->vm_pgoff || vma->vm_end - vma->vm_start != size) {
		return -EINVAL;
	}
	if (!(vma->vm_flags & VM_MAYSHARE))
		return how & KIPC_MAP_PRIVATE ? 0 : -EINVAL;
	if (!(file->f_mode & FMODE_READ))
		return -EACCES;
	if (!(file->f_mode & FMODE_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	return 0;
}

/*
 * A mapping's file: holds a reference to the object, not to an fd.  Its
 * private_data is the mapping's holder record (holders.c), which knows
 * the object.
 */
static int kipc_map_release(struct inode *inode, struct file *file)
{
	struct kipc_holder *h = file->private_data;
	struct kipc_object *obj = kipc_holder_obj(h);

	kipc_holder_del(h);
	kipc_object_put(obj);
	return 0;
}

static const struct file_operations kipc_map_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_map_release,
};

/* A new file on @backing's inode, as shmem_file_setup() makes its own. */
static struct file *kipc_map_file_on(struct file *backing, const char *name,
				     int flags)
{
	struct inode *inode = file_inode(backing);
	struct file *mfile;

	/*
	 * The inode reference goes to the new dentry, the module reference
	 * to the file (fput() drops it with the fops, as for any open file;
	 * anon_inode_getfile() takes it itself).  The caller's fd pins the
	 * module meanwhile.
	 */
	ihold(inode);
	__module_get(THIS_MODULE);
	mfile = alloc_file_pseudo(inode, backing->f_path.mnt, name, flags,
				  &kipc_map_fops);
	if (IS_ERR(mfile)) {
		module_put(THIS_MODULE);
		iput(inode);
	}
	return mfile;
}

/**
 * kipc_map_file() - the file a new mapping of an object refers to
 * @file: the object's fd being mapped
 * @name: the file's name, as /proc/<pid>/maps shows it
 * @backing: NULL, or a shmem file whose pages the mapping shows
 *
 * The mapping refers to a file of its own, not to @file: it keeps the
 * object alive (a reference dropped when the last mapping is gone) but
 * does not keep @file open, so that closing the last fd closes what the
 * type ties to fds (a channel's end, a pipe's reader).  The new file has
 * @file's access; its private_data is the mapping's holder record, which
 * attributes the mapping to the current process for as long as the map
 * file lives (fork() shares it; see kipc_object_put_holders()).  The type
 * finds its object through vma->vm_private_data, never through the map
 * file.  The caller hands it to the vma with vma_set_file() and drops its
 * own reference with fput().
 *
 * Without @backing the file is an anon inode's.  With it, the file is a
 * second file on @backing's inode, as System V shared memory makes one
 * for each attach: the vma is then in the shmem page cache's reverse map,
 * and whoever finds a shmem mapping there (smaps' swap count, khugepaged)
 * finds a shmem inode behind it, not the anon inode.
 *
 * Return: the file, or an ERR_PTR() (-ENOMEM, or the file's errors).
 */
struct file *kipc_map_file(struct file *file, const char *name,
			   struct file *backing)
{
	int flags = file->f_mode & FMODE_WRITE ? O_RDWR : O_RDONLY;
	struct kipc_object *obj = kipc_file_obj(file);
	struct kipc_holder *h;
	struct file *mfile;

	h = kipc_holder_alloc();
	if (!h)
		return ERR_PTR(-ENOMEM);
	if (backing)
		mfile = kipc_map_file_on(backing, name, flags);
	else
		mfile = anon_inode_getfile(name, &kipc_map_fops, h, flags);
	if (IS_ERR(mfile)) {
		kipc_holder_free(h);
		return mfile;
	}
	/* From here on the map file's release undoes both. */
	kipc_object_get(obj);
	kipc_holder_add(obj, h, NULL);
	mfile->private_data = h;
	return mfile;
}
