// SPDX-License-Identifier: GPL-2.0
/*
 * Shared regions: memory of a fixed size that processes map with mmap(2).
 *
 * The memory is a shmem file of the region's size, made with VM_NORESERVE:
 * zero-filled, allocated a page at a time as it is touched, pageable and
 * swappable like tmpfs, and charged to the memory cgroup of the task that
 * touches a page first.  Only the kernel holds that file; user space never
 * sees it.  The whole size is charged to the creator's uid at creation.
 *
 * A mapping's file is a private one of its own (as for channels) that
 * holds a reference to the region, so the region, its memory and its
 * charge live on while any mapping does, after the last fd and the name
 * are gone.  That file is a second file on the shmem file's inode (as
 * System V shared memory makes one per attach): the mapping is then in
 * the page cache's reverse map like a tmpfs mapping, so reclaim, swap,
 * migration and mincore() see it, and code that meets a shmem mapping
 * (smaps' swap count, khugepaged) meets a shmem inode.  (It used to be an
 * anon inode's file with the shmem f_mapping: smaps then read the anon
 * inode as a shmem one, which KASAN caught.)  Faults take their
 * page from the shmem file with the region's own vm_operations_struct
 * (fault-around maps what the page cache already holds).
 *
 * A region's size is fixed, and no one ever truncates its shmem file, so
 * the page cache never shrinks under a mapping.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/file.h>
#include <linux/kipc_netlink.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <net/netlink.h>

#include "kipc.h"

/**
 * struct kipc_region_obj - a shared region
 * @obj: the common part
 * @shm: the shmem file holding the memory, @size bytes
 * @size: bytes, a multiple of PAGE_SIZE
 * @nmaps: mappings (vmas) of the region in all address spaces
 *
 * No lock of the region's own.  @shm and @size are immutable
 * after creation and @nmaps is atomic.  Faults take the page lock of a
 * page of @shm under the mm's mmap or vma lock, as for any file.
 */
struct kipc_region_obj {
	struct kipc_object obj;
	struct file *shm;
	u64 size;
	atomic_long_t nmaps;
};

static inline struct kipc_region_obj *to_region(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_region_obj, obj);
}

/* ---- creation -------------------------------------------------------- */

/* The size asked for, rounded up to pages; -EINVAL if 0 or too big. */
static int kipc_region_check_attr(const struct kipc_region_attr *a,
				  u64 *size)
{
	u64 max = READ_ONCE(kipc_max_region_size);

	if (!kipc_args_clean(a->flags, a->__pad, a->reserved,
			     sizeof(a->reserved)))
		return -EINVAL;
	if (!a->size || a->size > max || a->size > U64_MAX - (PAGE_SIZE - 1))
		return -EINVAL;
	*size = round_up(a->size, (u64)PAGE_SIZE);
	if (*size > max || *size > MAX_LFS_FILESIZE)
		return -EINVAL;
	return 0;
}

static struct kipc_object *kipc_region_obj_create(const void *attr)
{
	struct kipc_region_obj *r;
	struct file *shm;
	u64 size;
	int err;

	err = kipc_region_check_attr(attr, &size);
	if (err)
		return ERR_PTR(err);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	/* VM_NORESERVE: pages come (and are accounted) as they are touched. */
	shm = shmem_file_setup("kipc-region", size, VM_NORESERVE);
	if (IS_ERR(shm)) {
		kfree(r);
		return ERR_CAST(shm);
	}
	r->shm = shm;
	r->size = size;
	atomic_long_set(&r->nmaps, 0);
	r->obj.charge = size;
	return &r->obj;
}

static void kipc_region_obj_destroy(struct kipc_object *obj)
{
	struct kipc_region_obj *r = to_region(obj);

	/* The last reference: no file and no mapping is left. */
	WARN_ON_ONCE(atomic_long_read(&r->nmaps));
	fput(r->shm);
	kfree(r);
}

/* ---- info and fdinfo ------------------------------------------------- */

static u64 kipc_region_resident(struct kipc_region_obj *r)
{
	return (u64)READ_ONCE(r->shm->f_mapping->nrpages) << PAGE_SHIFT;
}

static void kipc_region_get_info(struct kipc_region_obj *r,
				 struct kipc_region_info *in)
{
	in->size = r->size;
	in->mappings = atomic_long_read(&r->nmaps);
	in->resident = kipc_region_resident(r);
}

/* KIPC_REGION_IOC_INFO: the size, the mappings now, the bytes resident now. */
static void kipc_region_fill_info(struct file *file, struct kipc_object *obj,
				  struct kipc_region_info *in)
{
	kipc_region_get_info(to_region(obj), in);
}

KIPC_DEFINE_IOC_INFO(kipc_region, struct kipc_region_info,
		     KIPC_REGION_INFO_SIZE_VER0, __pad);

static void kipc_region_show_fdinfo(struct seq_file *m,
				    struct kipc_object *obj)
{
	struct kipc_region_info in;

	kipc_region_get_info(to_region(obj), &in);
	seq_printf(m, "region-size:\t%llu\n", in.size);
	seq_printf(m, "region-mappings:\t%llu\n", in.mappings);
	seq_printf(m, "region-resident:\t%llu\n", in.resident);
}

/*
 * &kipc_type.nl_state: the size and the bytes resident, as INFO reports
 * them (no lock: @size is fixed, the page count a snapshot).  A region
 * has no waiters, and no counters: its traffic is loads and stores.
 */
static int kipc_region_nl_state(struct sk_buff *skb, struct kipc_object *obj,
				u32 *nr_waiters)
{
	struct kipc_region_info in;

	kipc_region_get_info(to_region(obj), &in);
	*nr_waiters = 0;
	if (nla_put_u64_64bit(skb, KIPC_REGION_A_SIZE, in.size,
			      KIPC_REGION_A_PAD) ||
	    nla_put_u64_64bit(skb, KIPC_REGION_A_RESIDENT, in.resident,
			      KIPC_REGION_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* ---- mmap ---------------------------------------------------------------- */

static void kipc_region_vm_open(struct vm_area_struct *vma)
{
	struct kipc_region_obj *r = vma->vm_private_data;

	atomic_long_inc(&r->nmaps);
}

static void kipc_region_vm_close(struct vm_area_struct *vma)
{
	struct kipc_region_obj *r = vma->vm_private_data;

	atomic_long_dec(&r->nmaps);
}

/*
 * The page at vmf->pgoff of the shmem file, locked, its reference handed
 * to the fault (VM_FAULT_LOCKED).  shmem returns it unlocked: if it left
 * the page cache meanwhile (moved to the swap cache by reclaim), look it
 * up again, as filemap_fault() does.
 */
static vm_fault_t kipc_region_fault(struct vm_fault *vmf)
{
	struct kipc_region_obj *r = vmf->vma->vm_private_data;
	struct address_space *mapping = r->shm->f_mapping;
	struct folio *folio;
	struct page *page;

	if (vmf->pgoff >= r->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	for (;;) {
		page = shmem_read_mapping_page(mapping, vmf->pgoff);
		if (IS_ERR(page))
			return vmf_error(PTR_ERR(page));
		folio = page_folio(page);
		folio_lock(folio);
		if (folio->mapping == mapping)
			break;
		folio_unlock(folio);
		folio_put(folio);
	}
	vmf->page = page;
	return VM_FAULT_LOCKED;
}

/*
 * .map_pages: on a read fault, also map the neighbouring pages that are
 * already in the page cache, as tmpfs does (the vma's file's f_mapping is
 * the shmem page cache).
 */
static const struct vm_operations_struct kipc_region_vm_ops = {
	.open		= kipc_region_vm_open,
	.close		= kipc_region_vm_close,
	.fault		= kipc_region_fault,
	.map_pages	= filemap_map_pages,
};

static int kipc_region_mmap(struct file *file, struct kipc_object *obj,
			    struct vm_area_struct *vma)
{
	struct kipc_region_obj *r = to_region(obj);
	struct file *mfile;
	int err;

	/*
	 * Any pages of the region; MAP_PRIVATE keeps VM_MAYWRITE: its
	 * writes go to private copies.
	 */
	err = kipc_map_check(file, vma, r->size,
			     KIPC_MAP_WINDOW | KIPC_MAP_PRIVATE);
	if (err)
		return err;
	/* On the shmem inode: the vma goes into its page cache's reverse map. */
	mfile = kipc_map_file(file, "kipc-region-map", r->shm);
	if (IS_ERR(mfile))
		return PTR_ERR(mfile);

	atomic_long_inc(&r->nmaps);	/* vm_ops->close undoes it */
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_private_data = r;
	vma->vm_ops = &kipc_region_vm_ops;
	vma_set_file(vma, mfile);
	fput(mfile);
	return 0;
}

/* ---- the type ------------------------------------------------------------- */

static const struct kipc_ioc kipc_region_ioctls[] = {
	{ KIPC_REGION_IOC_INFO, KIPC_REGION_INFO_SIZE_VER0,
	  kipc_region_ioc_info },
};

const struct kipc_type kipc_region_type = {
	.type		= KIPC_TYPE_REGION,
	.name		= "region",
	.inode_name	= "[kipc-region]",
	.attr_size	= sizeof(struct kipc_region_attr),
	.attr_min	= KIPC_REGION_ATTR_SIZE_VER0,
	.create		= kipc_region_obj_create,
	.destroy	= kipc_region_obj_destroy,
	.ioctls		= kipc_region_ioctls,
	.nr_ioctls	= ARRAY_SIZE(kipc_region_ioctls),
	.show_fdinfo	= kipc_region_show_fdinfo,
	.mmap		= kipc_region_mmap,
	.nl_state	= kipc_region_nl_state,
};
EXPORT_SYMBOL_IF_KUNIT(kipc_region_type);
