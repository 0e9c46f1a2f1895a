// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: inter-process communication objects in the kernel.
 *
 * /dev/kipc creates and opens objects; every object is a file descriptor.
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "kipc.h"

#define KIPC_NAME_LEN_LIMIT	4095
#define KIPC_MSG_SIZE_LIMIT	(16U << 20)
#define KIPC_CAPACITY_LIMIT	SZ_1G
#define KIPC_WAIT_OBJECTS_LIMIT	128

unsigned int kipc_max_objects = 65536;
EXPORT_SYMBOL_IF_KUNIT(kipc_max_objects);
unsigned int kipc_max_objects_per_uid = 4096;
EXPORT_SYMBOL_IF_KUNIT(kipc_max_objects_per_uid);
unsigned int kipc_max_name_len = 255;
EXPORT_SYMBOL_IF_KUNIT(kipc_max_name_len);
unsigned long kipc_max_bytes_per_uid = 64UL << 20;
EXPORT_SYMBOL_IF_KUNIT(kipc_max_bytes_per_uid);
unsigned int kipc_max_queue_msgs = 65536;
unsigned int kipc_max_queue_msg_size = 1U << 20;
unsigned int kipc_max_channel_capacity = 4U << 20;
EXPORT_SYMBOL_IF_KUNIT(kipc_max_channel_capacity);
unsigned int kipc_max_pipe_capacity = 1U << 20;
unsigned long kipc_max_region_size = 64UL << 20;
unsigned int kipc_max_wait_objects = 64;
unsigned int kipc_ns_reap_ms = 1000;
unsigned int kipc_max_objects_per_ns = 16384;
unsigned long kipc_max_bytes_per_ns = 256UL << 20;

static int kipc_param_set_bounded(const char *val, const struct kernel_param *kp,
				  unsigned int max)
{
	unsigned int n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (n < 1 || n > max)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

static int kipc_param_set_count(const char *val, const struct kernel_param *kp)
{
	return kipc_param_set_bounded(val, kp, INT_MAX);
}

static int kipc_param_set_name_len(const char *val,
				   const struct kernel_param *kp)
{
	return kipc_param_set_bounded(val, kp, KIPC_NAME_LEN_LIMIT);
}

static int kipc_param_set_bytes(const char *val, const struct kernel_param *kp)
{
	unsigned long n;
	int err;

	err = kstrtoul(val, 0, &n);
	if (err)
		return err;
	if (n < 1)
		return -EINVAL;
	WRITE_ONCE(*(unsigned long *)kp->arg, n);
	return 0;
}

static int kipc_param_set_msg_size(const char *val,
				   const struct kernel_param *kp)
{
	return kipc_param_set_bounded(val, kp, KIPC_MSG_SIZE_LIMIT);
}

/* Ring and pipe buffer sizes: a page to 1 GiB. */
static int kipc_param_set_capacity(const char *val,
				   const struct kernel_param *kp)
{
	unsigned int n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (n < PAGE_SIZE || n > KIPC_CAPACITY_LIMIT)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}

/* Objects of one wait for many: each is one spinlock held at once. */
static int kipc_param_set_wait_objects(const char *val,
				       const struct kernel_param *kp)
{
	return kipc_param_set_bounded(val, kp, KIPC_WAIT_OBJECTS_LIMIT);
}

/* How often dead IPC namespaces are looked for: 10 ms to a minute. */
static int kipc_param_set_reap_ms(const char *val,
				  const struct kernel_param *kp)
{
	unsigned int n;
	int err;

	err = kstrtouint(val, 0, &n);
	if (err)
		return err;
	if (n < 10 || n > 60000)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	kipc_ns_reap_ms_changed();
	return 0;
}

static const struct kernel_param_ops kipc_reap_ms_ops = {
	.set = kipc_param_set_reap_ms,
	.get = param_get_uint,
};

static const struct kernel_param_ops kipc_wait_objects_ops = {
	.set = kipc_param_set_wait_objects,
	.get = param_get_uint,
};

static const struct kernel_param_ops kipc_capacity_ops = {
	.set = kipc_param_set_capacity,
	.get = param_get_uint,
};

static const struct kernel_param_ops kipc_bytes_ops = {
	.set = kipc_param_set_bytes,
	.get = param_get_ulong,
};

static const struct kernel_param_ops kipc_msg_size_ops = {
	.set = kipc_param_set_msg_size,
	.get = param_get_uint,
};

static const struct kernel_param_ops kipc_count_ops = {
	.set = kipc_param_set_count,
	.get = param_get_uint,
};

static const struct kernel_param_ops kipc_name_len_ops = {
	.set = kipc_param_set_name_len,
	.get = param_get_uint,
};

module_param_cb(max_objects, &kipc_count_ops, &kipc_max_objects, 0644);
MODULE_PARM_DESC(max_objects,
		 "Objects alive at once, all users together; creation beyond fails with ENOSPC (1..INT_MAX, default 65536)");
module_param_cb(max_objects_per_uid, &kipc_count_ops,
		&kipc_max_objects_per_uid, 0644);
MODULE_PARM_DESC(max_objects_per_uid,
		 "Objects charged to one effective uid; creation beyond fails with EDQUOT (1..INT_MAX, default 4096)");
module_param_cb(max_name_len, &kipc_name_len_ops, &kipc_max_name_len, 0644);
MODULE_PARM_DESC(max_name_len,
		 "Longest object name in bytes; longer ones fail with ENAMETOOLONG (1..4095, default 255)");
module_param_cb(max_bytes_per_uid, &kipc_bytes_ops, &kipc_max_bytes_per_uid,
		0644);
MODULE_PARM_DESC(max_bytes_per_uid,
		 "Memory one effective uid's objects may hold (queue capacities); creation beyond fails with EDQUOT (default 64 MiB)");
module_param_cb(max_queue_msgs, &kipc_count_ops, &kipc_max_queue_msgs, 0644);
MODULE_PARM_DESC(max_queue_msgs,
		 "Largest capacity of a message queue in messages; more is EINVAL (default 65536)");
module_param_cb(max_queue_msg_size, &kipc_msg_size_ops,
		&kipc_max_queue_msg_size, 0644);
MODULE_PARM_DESC(max_queue_msg_size,
		 "Largest message size a queue may be created with; more is EINVAL (1..16 MiB, default 1 MiB)");

module_param_cb(max_channel_capacity, &kipc_capacity_ops,
		&kipc_max_channel_capacity, 0644);
MODULE_PARM_DESC(max_channel_capacity,
		 "Largest ring of a channel in bytes; more is EINVAL (page size..1 GiB, default 4 MiB)");
module_param_cb(max_pipe_capacity, &kipc_capacity_ops,
		&kipc_max_pipe_capacity, 0644);
MODULE_PARM_DESC(max_pipe_capacity,
		 "Largest pipe buffer in bytes; more is EINVAL (page size..1 GiB, default 1 MiB)");

module_param_cb(max_region_size, &kipc_bytes_ops, &kipc_max_region_size,
		0644);
MODULE_PARM_DESC(max_region_size,
		 "Largest shared region in bytes; more is EINVAL (default 64 MiB)");
module_param_cb(max_wait_objects, &kipc_wait_objects_ops,
		&kipc_max_wait_objects, 0644);
MODULE_PARM_DESC(max_wait_objects,
		 "Most objects in one KIPC_IOC_WAIT_MANY; more is EINVAL (1..128, default 64)");

module_param_cb(ns_reap_ms, &kipc_reap_ms_ops, &kipc_ns_reap_ms, 0644);
MODULE_PARM_DESC(ns_reap_ms,
		 "How often the names of IPC namespaces that died are dropped, in ms (10..60000, default 1000)");
module_param_cb(max_objects_per_ns, &kipc_count_ops, &kipc_max_objects_per_ns,
		0644);
MODULE_PARM_DESC(max_objects_per_ns,
		 "Objects made in one IPC namespace other than the initial one; creation beyond fails with ENOSPC (1..INT_MAX, default 16384)");
module_param_cb(max_bytes_per_ns, &kipc_bytes_ops, &kipc_max_bytes_per_ns,
		0644);
MODULE_PARM_DESC(max_bytes_per_ns,
		 "Memory the objects of one IPC namespace other than the initial one may hold; creation beyond fails with ENOSPC (default 256 MiB)");

static long kipc_ioc_version(void __user *arg, unsigned int usize)
{
	struct kipc_version v;
	int err;

	err = kipc_copy_in(&v, sizeof(v), KIPC_VERSION_SIZE_VER0, arg, usize);
	if (err)
		return err;
	/* Output fields are ignored on input, so a struct can be reused. */
	if (!kipc_args_clean(v.flags, v.__pad, v.reserved, sizeof(v.reserved)))
		return -EINVAL;

	v.api_version = KIPC_API_VERSION;
	v.features = KIPC_FEATURE_NAMED | KIPC_FEATURE_STATS |
		     KIPC_FEATURE_OBJ_INFO | KIPC_FEATURE_REOPEN |
		     KIPC_FEATURE_WAIT_MANY | KIPC_FEATURE_SEM_RW |
		     KIPC_FEATURE_NETLINK | KIPC_FEATURE_NOTIFY |
		     KIPC_FEATURE_IPCNS;
	v.types = (1ULL << KIPC_TYPE_EVENT) | (1ULL << KIPC_TYPE_QUEUE) |
		  (1ULL << KIPC_TYPE_CHANNEL) | (1ULL << KIPC_TYPE_PIPE) |
		  (1ULL << KIPC_TYPE_REGION) | (1ULL << KIPC_TYPE_SEMAPHORE) |
		  (1ULL << KIPC_TYPE_MUTEX) | (1ULL << KIPC_TYPE_COND);
	v.max_name_len = READ_ONCE(kipc_max_name_len);
	return kipc_copy_out(arg, usize, &v, sizeof(v));
}

struct kipc_dev_ioc {
	unsigned int cmd;
	unsigned int min_size;
	long (*fn)(void __user *arg, unsigned int usize);
};

static const struct kipc_dev_ioc kipc_dev_ioctls[] = {
	{ KIPC_IOC_VERSION, KIPC_VERSION_SIZE_VER0, kipc_ioc_version },
	{ KIPC_IOC_CREATE, KIPC_CREATE_SIZE_VER0, kipc_ioc_create },
	{ KIPC_IOC_OPEN, KIPC_OPEN_SIZE_VER0, kipc_ioc_open },
	{ KIPC_IOC_UNLINK, KIPC_UNLINK_SIZE_VER0, kipc_ioc_unlink },
	{ KIPC_IOC_STATS, KIPC_STATS_SIZE_VER0, kipc_ioc_stats },
	{ KIPC_IOC_WAIT_MANY, KIPC_WAIT_MANY_SIZE_VER0, kipc_ioc_wait_many },
};

static long kipc_misc_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	unsigned int i;
	int usize;

	for (i = 0; i < ARRAY_SIZE(kipc_dev_ioctls); i++) {
		usize = kipc_ioc_size(cmd, kipc_dev_ioctls[i].cmd,
				      kipc_dev_ioctls[i].min_size);
		if (usize == -ENOTTY)
			continue;
		if (usize < 0)
			return usize;
		return kipc_dev_ioctls[i].fn((void __user *)arg, usize);
	}
	return -ENOTTY;
}

static const struct file_operations kipc_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= kipc_misc_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice kipc_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kipc",
	.fops	= &kipc_dev_fops,
	.mode	= 0666,
};

/* The uapi struct sizes, the same list libkipc asserts. */
#define KIPC_ASSERT_SIZE(type, size) static_assert(sizeof(type) == (size))
#include "kipc_abi.h"

static int __init kipc_init(void)
{
	int err;

	err = kipc_objects_init();
	if (err)
		return err;
	/* Before the device: an object may notify from its creation on. */
	err = kipc_netlink_init();
	if (err)
		goto objects;
	err = misc_register(&kipc_misc);
	if (err)
		goto netlink;
	pr_info("loaded, API version %d\n", KIPC_API_VERSION);
	return 0;

netlink:
	kipc_netlink_exit();
objects:
	kipc_objects_exit();
	return err;
}

static void __exit kipc_exit(void)
{
	misc_deregister(&kipc_misc);
	/* No request may hold an object while the registry is emptied. */
	kipc_netlink_exit();
	/* The names of other IPC namespaces, and kipc's references to them. */
	kipc_ns_exit();
	kipc_objects_exit();
	kipc_mutex_exit();
	pr_info("unloaded\n");
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Inter-process communication objects as file descriptors");
MODULE_AUTHOR("The kipc developers");
MODULE_VERSION("0.1.0");
