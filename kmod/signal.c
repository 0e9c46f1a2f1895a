// SPDX-License-Identifier: GPL-2.0
/*
 * Signals for every object that can become ready: O_ASYNC (.fasync),
 * KIPC_IOC_NOTIFY (one registered process) and KIPC_IOC_SIGNAL_HOLDERS
 * (every process holding the object).
 *
 * The types call kipc_signal_ready() where they wake their pollers, after
 * dropping their own locks: it sends SIGIO to the O_ASYNC files
 * (kill_fasync()) and fires the registration.  The registration lives in
 * the object, under its sig_lock, a leaf taken under no type lock; the
 * signal is sent after sig_lock is dropped, with a reference on the
 * registration, so that a registration removed meanwhile stays valid.
 * A queue keeps its own registration (queue.c), reached through
 * &kipc_type.notify, with the mq_notify() semantics it always had.
 *
 * Semaphores and mutexes are armed at registration (their poll is called
 * once, with no table), so that the next post or unlock comes through the
 * kernel; a channel's poll likewise asks the peer to wake it.  A change
 * made entirely in user space after the object was seen ready, with
 * nobody polling, is not seen (docs/design.md, "Signals").
 *
 * Locking: see docs/design.md, section 7.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kipc_netlink.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "kipc.h"

/**
 * struct kipc_sig_reg - a KIPC_IOC_NOTIFY registration
 * @ref: one for &kipc_object.notify, one per signal being sent
 * @tgid: the registered process
 * @tid: the thread that registered, which the signal goes to
 * @ns: its user namespace, for the signal's si_uid
 * @signo: signal number
 * @flags: KIPC_NOTIFY_*
 * @end: the channel end it was made on (0 for the other types)
 * @value: si_value of the signal
 */
struct kipc_sig_reg {
	refcount_t ref;
	struct pid *tgid;
	struct pid *tid;
	struct user_namespace *ns;
	int signo;
	u32 flags;
	unsigned int end;
	u64 value;
};

static void kipc_sig_reg_put(struct kipc_sig_reg *r)
{
	if (!r || !refcount_dec_and_test(&r->ref))
		return;
	put_pid(r->tgid);
	put_pid(r->tid);
	put_user_ns(r->ns);
	kfree(r);
}

/**
 * kipc_signal_init() - an object's signal state at creation
 * @obj: the object
 */
void kipc_signal_init(struct kipc_object *obj)
{
	spin_lock_init(&obj->sig_lock);
	obj->notify = NULL;
	obj->fasync[0] = NULL;
	obj->fasync[1] = NULL;
}

/**
 * kipc_signal_release() - free what is left at the object's last put
 * @obj: the object
 *
 * Every file has been released, so the O_ASYNC lists are empty and the
 * registration is normally gone with its process's close.
 */
void kipc_signal_release(struct kipc_object *obj)
{
	WARN_ON_ONCE(obj->fasync[0] || obj->fasync[1]);
	kipc_sig_reg_put(obj->notify);
	obj->notify = NULL;
}

/**
 * kipc_signal_fasync() - &file_operations.fasync of every object file
 * @fd: the fd fcntl() was called on
 * @file: its file
 * @on: O_ASYNC set or cleared
 *
 * Return: 0 or 1 as fasync_helper(); -EINVAL for an object that never
 * becomes ready (a region, a condition variable).
 */
int kipc_signal_fasync(int fd, struct file *file, int on)
{
	struct kipc_object *obj = kipc_file_obj(file);
	int ret;

	if (!obj->type->signals)
		return -EINVAL;
	ret = fasync_helper(fd, file, on, &obj->fasync[kipc_file_tag(file)]);
	/* Arm a semaphore's or mutex's fast path, as poll does. */
	if (ret >= 0 && on && obj->type->poll)
		obj->type->poll(file, obj, NULL);
	return ret;
}

/* Send @r's signal from the current task, which made the object ready. */
static void kipc_sig_send(struct kipc_sig_reg *r)
{
	struct kernel_siginfo info;
	struct task_struct *t;

	clear_siginfo(&info);
	info.si_signo = r->signo;
	info.si_code = SI_QUEUE;
	info.si_value.sival_ptr = (void __user *)(uintptr_t)r->value;
	rcu_read_lock();
	info.si_pid = task_tgid_nr_ns(current, ns_of_pid(r->tgid));
	rcu_read_unlock();
	info.si_uid = from_kuid_munged(r->ns, current_uid());

	t = get_pid_task(r->tid, PIDTYPE_PID);
	if (t && (READ_ONCE(t->flags) & PF_EXITING)) {
		/* A thread-directed signal would die with the thread. */
		put_task_struct(t);
		t = NULL;
	}
	if (!t)
		t = get_pid_task(r->tgid, PIDTYPE_TGID);
	if (t) {
		send_sig_info(r->signo, &info, t);
		put_task_struct(t);
	}
}

/**
 * kipc_signal_ready() - an object became readable or writable
 * @obj: the object
 * @end: the channel end that became ready (0 for the other types)
 * @band: POLL_IN or POLL_HUP (readable: fires the registration too), or
 *	POLL_OUT
 *
 * Called by the types where they wake their pollers, with none of their
 * spinlocks held.
 */
void kipc_signal_ready(struct kipc_object *obj, unsigned int end, int band)
{
	struct kipc_sig_reg *r;
	bool one_shot;

	kill_fasync(&obj->fasync[end], SIGIO, band);
	if ((band != POLL_IN && band != POLL_HUP) || !READ_ONCE(obj->notify))
		return;

	spin_lock(&obj->sig_lock);
	r = obj->notify;
	if (r && r->end != end)
		r = NULL;
	one_shot = r && !(r->flags & KIPC_NOTIFY_PERSIST);
	if (one_shot)
		WRITE_ONCE(obj->notify, NULL);	/* the reference moves */
	else if (r)
		refcount_inc(&r->ref);
	if (r)
		kipc_count(&obj->counters.notifications, 1);
	spin_unlock(&obj->sig_lock);
	if (!r)
		return;
	kipc_sig_send(r);
	kipc_sig_reg_put(r);
	kipc_nl_notify(KIPC_EV_NOTIFIED, obj, NULL);
}

/* Remove the current process's registration; -ENOENT if it has none. */
static int kipc_signal_unregister(struct kipc_object *obj)
{
	struct kipc_sig_reg *r = NULL;

	spin_lock(&obj->sig_lock);
	if (obj->notify && obj->notify->tgid == task_tgid(current)) {
		r = obj->notify;
		WRITE_ONCE(obj->notify, NULL);
	}
	spin_unlock(&obj->sig_lock);
	kipc_sig_reg_put(r);
	return r ? 0 : -ENOENT;
}

/**
 * kipc_signal_flush() - a close of one of the object's fds
 * @file: the file closed
 * @obj: its object
 *
 * A process's registration ends when it closes an fd of the object, as a
 * queue's always did (and so at its exit).
 */
void kipc_signal_flush(struct file *file, struct kipc_object *obj)
{
	if (READ_ONCE(obj->notify))
		kipc_signal_unregister(obj);
}

static int kipc_signal_register(struct file *file, struct kipc_object *obj,
				int signo, u64 value, u32 flags)
{
	struct kipc_sig_reg *r, *old = NULL;
	int ret = 0;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	refcount_set(&r->ref, 1);
	r->tgid = get_pid(task_tgid(current));
	r->tid = get_pid(task_pid(current));
	r->ns = get_user_ns(current_user_ns());
	r->signo = signo;
	r->flags = flags;
	r->end = kipc_file_tag(file);
	r->value = value;

	spin_lock(&obj->sig_lock);
	if (obj->notify && obj->notify->tgid != r->tgid) {
		ret = -EBUSY;
	} else {
		old = obj->notify;
		WRITE_ONCE(obj->notify, r);
		r = NULL;
	}
	spin_unlock(&obj->sig_lock);
	kipc_sig_reg_put(old);
	kipc_sig_reg_put(r);
	/* Arm a semaphore's or mutex's fast path, as poll does. */
	if (!ret && obj->type->poll)
		obj->type->poll(file, obj, NULL);
	return ret;
}

/**
 * kipc_ioc_notify() - KIPC_IOC_NOTIFY on any object fd
 * @file: the fd's file; must be readable
 * @obj: its object
 * @arg: user pointer to struct kipc_notify
 * @usize: its size
 *
 * Return: 0; -EINVAL for bad flags, signal or reserved fields, or an
 * object that cannot signal; -EBADF without read access; -EBUSY if
 * another process is registered; -ENOENT removing no registration.
 */
long kipc_ioc_notify(struct file *file, struct kipc_object *obj,
		     unsigned long arg, unsigned int usize)
{
	struct kipc_notify n;
	int err;

	err = kipc_copy_in(&n, sizeof(n), KIPC_NOTIFY_SIZE_VER0,
			   (void __user *)arg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(n.flags & ~KIPC_NOTIFY_FLAGS, 0, n.reserved,
			     sizeof(n.reserved)) ||
	    !valid_signal(n.signo) || (!n.signo && (n.value || n.flags)) ||
	    !obj->type->signals)
		return -EINVAL;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (obj->type->notify)
		return obj->type->notify(file, obj, n.signo, n.value, n.flags);
	if (!n.signo)
		return kipc_signal_unregister(obj);
	return kipc_signal_register(file, obj, n.signo, n.value, n.flags);
}

/*
 * Signal the process @pid as kill(2) would let the caller: the kernel's
 * own check (a signal 0 through kill_pid(), which applies
 * check_kill_permission() and the LSM hook), then the signal with its
 * value.  Returns 0, -EPERM or -ESRCH.
 */
static int kipc_signal_one(struct pid *pid, int signo, u64 value)
{
	struct kernel_siginfo info;
	struct task_struct *t;
	int err;

	err = kill_pid(pid, 0, 0);
	if (err)
		return err;
	t = get_pid_task(pid, PIDTYPE_TGID);
	if (!t)
		return -ESRCH;
	clear_siginfo(&info);
	info.si_signo = signo;
	info.si_code = SI_QUEUE;
	info.si_value.sival_ptr = (void __user *)(uintptr_t)value;
	rcu_read_lock();
	info.si_pid = task_tgid_nr_ns(current, task_active_pid_ns(t));
	info.si_uid = from_kuid_munged(task_cred_xxx(t, user_ns),
				       current_uid());
	rcu_read_unlock();
	err = send_sig_info(signo, &info, t);
	put_task_struct(t);
	return err;
}

/**
 * kipc_ioc_signal_holders() - KIPC_IOC_SIGNAL_HOLDERS on any object fd
 * @file: the fd's file; must be writable
 * @obj: its object
 * @arg: user pointer to struct kipc_signal_holders
 * @usize: its size
 *
 * Return: the number of processes signalled; -EINVAL for bad flags,
 * signal or reserved fields; -EBADF without write access; -EPERM if every
 * target refused (the counts are written all the same); -EFAULT; -ENOMEM.
 */
long kipc_ioc_signal_holders(struct file *file, struct kipc_object *obj,
			     unsigned long arg, unsigned int usize)
{
	void __user *uarg = (void __user *)arg;
	struct kipc_signal_holders s;
	struct pid **pids;
	unsigned int i, nr;
	int err;

	err = kipc_copy_in(&s, sizeof(s), KIPC_SIGNAL_HOLDERS_SIZE_VER0,
			   uarg, usize);
	if (err)
		return err;
	if (!kipc_args_clean(s.flags, s.__pad, s.reserved,
			     sizeof(s.reserved)) ||
	    !s.signo || !valid_signal(s.signo) || s.signalled || s.refused ||
	    s.gone)
		return -EINVAL;
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;

	pids = kipc_holder_pids(obj, &nr);
	if (IS_ERR(pids))
		return PTR_ERR(pids);
	for (i = 0; i < nr; i++) {
		err = kipc_signal_one(pids[i], s.signo, s.value);
		if (!err)
			s.signalled++;
		else if (err == -ESRCH)
			s.gone++;
		else
			s.refused++;
		put_pid(pids[i]);
	}
	kfree(pids);
	if (kipc_copy_out(uarg, usize, &s, sizeof(s)))
		return -EFAULT;
	if (!s.signalled && s.refused)
		return -EPERM;
	return s.signalled;
}

/**
 * kipc_signal_show_fdinfo() - the registration in an object's fdinfo
 * @m: the fdinfo file
 * @obj: the object
 *
 * Shows the registered process (in the reader's pid namespace, 0 if it
 * is not visible there), its signal and whether it is persistent; nothing
 * without a registration.  A queue shows its own (queue-notify-pid).
 */
void kipc_signal_show_fdinfo(struct seq_file *m, struct kipc_object *obj)
{
	pid_t pid = 0;
	int signo = 0;
	bool persist = false;

	if (!READ_ONCE(obj->notify))
		return;
	spin_lock(&obj->sig_lock);
	if (obj->notify) {
		pid = pid_vnr(obj->notify->tgid);
		signo = obj->notify->signo;
		persist = obj->notify->flags & KIPC_NOTIFY_PERSIST;
	}
	spin_unlock(&obj->sig_lock);
	if (!signo)
		return;
	seq_printf(m, "kipc-notify-pid:\t%d\n", pid);
	seq_printf(m, "kipc-notify-signal:\t%d\n", signo);
	seq_printf(m, "kipc-notify-persist:\t%d\n", persist);
}

/**
 * kipc_signal_armed() - whether anyone wants signals from @obj's @end
 * @obj: the object
 * @end: the channel end (0 for the other types)
 *
 * For a type whose user-space fast path must then keep coming to the
 * kernel.  Racy by nature: a registration made meanwhile arms again.
 *
 * Return: true with an O_ASYNC file of @end or a registration.
 */
bool kipc_signal_armed(struct kipc_object *obj, unsigned int end)
{
	return READ_ONCE(obj->fasync[end]) || READ_ONCE(obj->notify);
}
