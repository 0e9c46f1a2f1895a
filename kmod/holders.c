// SPDX-License-Identifier: GPL-2.0
/*
 * Holders: which processes opened or mapped an object, kept as the files
 * and mappings come and go, so that nobody walks the task list to find
 * them (KIPC_OBJ_A_HOLDERS of the netlink family).
 *
 * One record per open file description and one per map file (one per
 * mmap() call): so never more records than opens and mappings.  A record
 * names the process that opened or mapped (its tgid and comm then), and
 * keeps naming it: an fd inherited over fork() or passed over a socket,
 * and a mapping fork() duplicates, stay attributed to the process that
 * made them; a record whose process has exited stays while its file or
 * mapping lives on.  Records of one process are kept next to each other,
 * so the reply, one KIPC_OBJ_A_HOLDER per process, is one pass.
 *
 * Locking: each object's holders_lock, a leaf; see docs/design.md,
 * section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kipc_netlink.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "kipc.h"

/**
 * struct kipc_holder - one open file or mapping of an object
 * @node: in the object's @holders, under its @holders_lock
 * @obj: the object
 * @file: the open file; NULL for a mapping's map file
 * @tgid: the process that opened or mapped (a reference)
 * @comm: its command name then
 */
struct kipc_holder {
	struct list_head node;
	struct kipc_object *obj;
	const struct file *file;
	struct pid *tgid;
	char comm[TASK_COMM_LEN];
};

/**
 * kipc_holder_alloc() - a record of the current process, not yet added
 *
 * Allocated before any lock is taken; give it to kipc_holder_add(), or
 * free it with kipc_holder_free().
 *
 * Return: the record, or NULL without memory.
 */
struct kipc_holder *kipc_holder_alloc(void)
{
	struct kipc_holder *h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);

	if (!h)
		return NULL;
	INIT_LIST_HEAD(&h->node);
	h->tgid = get_pid(task_tgid(current));
	get_task_comm(h->comm, current);
	return h;
}

/**
 * kipc_holder_free() - free a record that is not (or no longer) added
 * @h: the record, or NULL
 */
void kipc_holder_free(struct kipc_holder *h)
{
	if (!h)
		return;
	put_pid(h->tgid);
	kfree(h);
}

/**
 * kipc_holder_add() - count a new open file or mapping of @obj
 * @obj: the object
 * @h: a record from kipc_holder_alloc(), now owned by @obj
 * @file: the open file, or NULL for a mapping
 *
 * The record goes after the last one of the same process, if any.  The
 * cost is a walk of @obj's records: one per open file and mapping.
 */
void kipc_holder_add(struct kipc_object *obj, struct kipc_holder *h,
		     const struct file *file)
{
	struct list_head *at = &obj->holders;
	struct kipc_holder *i;

	h->obj = obj;
	h->file = file;
	spin_lock(&obj->holders_lock);
	list_for_each_entry(i, &obj->holders, node)
		if (i->tgid == h->tgid)
			at = &i->node;
	if (at == &obj->holders)
		list_add_tail(&h->node, at);
	else
		list_add(&h->node, at);
	if (file)
		WRITE_ONCE(obj->nr_files, obj->nr_files + 1);
	else
		WRITE_ONCE(obj->nr_maps, obj->nr_maps + 1);
	spin_unlock(&obj->holders_lock);
}

static void kipc_holder_unlink(struct kipc_holder *h)
{
	struct kipc_object *obj = h->obj;

	lockdep_assert_held(&obj->holders_lock);
	list_del_init(&h->node);
	if (h->file)
		WRITE_ONCE(obj->nr_files, obj->nr_files - 1);
	else
		WRITE_ONCE(obj->nr_maps, obj->nr_maps - 1);
}

/**
 * kipc_holder_del() - a mapping's map file is released: forget its record
 * @h: the record kipc_holder_add() added; freed
 */
void kipc_holder_del(struct kipc_holder *h)
{
	struct kipc_object *obj = h->obj;

	spin_lock(&obj->holders_lock);
	kipc_holder_unlink(h);
	spin_unlock(&obj->holders_lock);
	kipc_holder_free(h);
}

/**
 * kipc_holder_del_file() - an open file of @obj is released
 * @obj: the object
 * @file: the file, whose record kipc_holder_add() added
 *
 * The record is found by @file (a walk of @obj's records) and freed.
 */
void kipc_holder_del_file(struct kipc_object *obj, const struct file *file)
{
	struct kipc_holder *h, *found = NULL;

	spin_lock(&obj->holders_lock);
	list_for_each_entry(h, &obj->holders, node) {
		if (h->file == file) {
			found = h;
			kipc_holder_unlink(h);
			break;
		}
	}
	spin_unlock(&obj->holders_lock);
	WARN_ON_ONCE(!found);
	kipc_holder_free(found);
}

/**
 * kipc_holder_obj() - the object a mapping's record is of
 * @h: the record
 *
 * Return: the object.
 */
struct kipc_object *kipc_holder_obj(const struct kipc_holder *h)
{
	return h->obj;
}

static int kipc_holder_put(struct sk_buff *skb, const struct kipc_holder *h,
			   u32 files, u32 maps)
{
	struct nlattr *nest = nla_nest_start(skb, KIPC_OBJ_A_HOLDER);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KIPC_HOLDER_A_PID, pid_vnr(h->tgid)) ||
	    nla_put_string(skb, KIPC_HOLDER_A_COMM, h->comm) ||
	    nla_put_u32(skb, KIPC_HOLDER_A_FILES, files) ||
	    nla_put_u32(skb, KIPC_HOLDER_A_MAPPINGS, maps)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * kipc_object_put_holders() - one KIPC_OBJ_A_HOLDER per holding process
 * @skb: the message, inside the KIPC_OBJ_A_HOLDERS nest the caller opened
 * @obj: the object
 *
 * A process holds @obj while a file it opened (CREATE, OPEN, REOPEN) or a
 * mapping it made is alive, wherever that file or mapping now is: an fd
 * inherited over fork() or passed over a socket, or a mapping duplicated
 * by fork(), counts for the process that opened or mapped it, not for the
 * one that has it now.  A process that exited while a file or mapping it
 * made lives on is still listed, with its comm of then; its pid may no
 * longer exist, or may since name another process.
 *
 * Each nest has KIPC_HOLDER_A_PID (in the caller's pid namespace, 0 if
 * not visible there), KIPC_HOLDER_A_COMM (the comm when it first opened
 * or mapped among the records alive), KIPC_HOLDER_A_FILES and
 * KIPC_HOLDER_A_MAPPINGS.  Runs in the caller's task, under @obj's
 * holders_lock: must not be called with a spinlock of @obj held.
 *
 * Return: 0, or -EMSGSIZE if @skb is full (the nests put so far stay).
 */
int kipc_object_put_holders(struct sk_buff *skb, struct kipc_object *obj)
{
	const struct kipc_holder *h, *run = NULL;
	u32 files = 0, maps = 0;
	int err = 0;

	spin_lock(&obj->holders_lock);
	list_for_each_entry(h, &obj->holders, node) {
		if (run && run->tgid != h->tgid) {
			err = kipc_holder_put(skb, run, files, maps);
			if (err)
				goto out;
			run = NULL;
			files = 0;
			maps = 0;
		}
		if (!run)
			run = h;
		if (h->file)
			files++;
		else
			maps++;
	}
	if (run)
		err = kipc_holder_put(skb, run, files, maps);
out:
	spin_unlock(&obj->holders_lock);
	return err;
}

/**
 * kipc_object_files() - open file descriptions of an object now
 * @obj: the object
 *
 * Files made by CREATE, OPEN and REOPEN, until their release (the last
 * close of every fd sharing them).
 *
 * Return: the count, a snapshot.
 */
unsigned int kipc_object_files(const struct kipc_object *obj)
{
	return READ_ONCE(obj->nr_files);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_files);

/**
 * kipc_object_mappings() - live mappings of an object now
 * @obj: the object
 *
 * Counted per mmap() call (its map file): the parts of a split mapping
 * and the copies fork() makes share one, and count once.
 *
 * Return: the count, a snapshot.
 */
unsigned int kipc_object_mappings(const struct kipc_object *obj)
{
	return READ_ONCE(obj->nr_maps);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_object_mappings);

/**
 * kipc_holder_pids() - the processes holding @obj, each once
 * @obj: the object
 * @nr: out: their number
 *
 * Sleeps (allocates).  A process that opens the object meanwhile may be
 * missed, as with any snapshot.
 *
 * Return: an array of *@nr referenced pids, to release with put_pid()
 * each and kfree(); NULL (*@nr 0) if none; ERR_PTR(-ENOMEM).
 */
struct pid **kipc_holder_pids(struct kipc_object *obj, unsigned int *nr)
{
	struct kipc_holder *h;
	struct pid **pids;
	unsigned int cap, n;

	for (;;) {
		cap = READ_ONCE(obj->nr_files) + READ_ONCE(obj->nr_maps);
		*nr = 0;
		if (!cap)
			return NULL;
		pids = kcalloc(cap, sizeof(*pids), GFP_KERNEL);
		if (!pids)
			return ERR_PTR(-ENOMEM);
		n = 0;
		spin_lock(&obj->holders_lock);
		list_for_each_entry(h, &obj->holders, node) {
			/* Records of one process are next to each other. */
			if (n && pids[n - 1] == h->tgid)
				continue;
			if (n == cap)
				break;
			pids[n++] = get_pid(h->tgid);
		}
		/* The list grew meanwhile: count again. */
		if (&h->node != &obj->holders) {
			spin_unlock(&obj->holders_lock);
			while (n)
				put_pid(pids[--n]);
			kfree(pids);
			continue;
		}
		spin_unlock(&obj->holders_lock);
		*nr = n;
		return pids;
	}
}
