// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded random-ioctl fuzzer for kipc.
 *
 * Several processes, each with several threads, issue random ioctls on
 * /dev/kipc and on the object fds they make: random commands, sizes,
 * direction bits, flags, reserved bytes and field values, with good, NULL,
 * kernel, unaligned, page-straddling and read-only pointers, while random
 * fds are closed and a per-thread timer keeps interrupting blocked calls.
 *
 * It fails if a call returns an errno the command does not document, if
 * objects are left behind, or if it never reached the error paths it
 * aims at (each command must have returned several distinct errnos).
 * Buffers the kernel writes to are the fuzzer's own (struct fz_out), and
 * names a spoiled CREATE made are noted and unlinked (fz_note_name()).  The
 * kernel side is judged by the VM harness: any KASAN, lockdep or other
 * report in the console fails the run.
 *
 * KIPC_FUZZ_ITERS (default 20000) iterations per thread, KIPC_FUZZ_SEED.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libkipc.h"
#include "kselftest_harness.h"
#include "kipc_test_util.h"

#define NPROCS		2
#define NTHREADS	3
#define NFDS		32
#define NNAMES		6
#define NANCHORS	(KIPC_TYPE_MAX + 1)
#define MAX_ERRNO	134
#define BUF_SIZE	256

enum fz_cmd {
	FZ_VERSION, FZ_CREATE, FZ_OPEN, FZ_UNLINK, FZ_STATS,
	FZ_OBJ_INFO, FZ_SIGNAL, FZ_RESET, FZ_WAIT, FZ_EV_INFO,
	FZ_Q_SEND, FZ_Q_RECV, FZ_Q_INFO, FZ_Q_NOTIFY,
	FZ_BOGUS, FZ_READ, FZ_WRITE,
	FZ_REOPEN, FZ_CH_SENDV, FZ_CH_RECVV, FZ_CH_WAIT, FZ_CH_INFO,
	FZ_PIPE_CAP, FZ_PIPE_INFO, FZ_MMAP,
	FZ_REGION_INFO, FZ_SEM_POST, FZ_SEM_WAIT, FZ_SEM_INFO,
	FZ_MTX_LOCK, FZ_MTX_UNLOCK, FZ_MTX_CONSISTENT, FZ_MTX_INFO,
	FZ_COND_WAIT, FZ_COND_SIGNAL, FZ_WAIT_MANY, FZ_NCMDS
};

static const char *const fz_names[FZ_NCMDS] = {
	"VERSION", "CREATE", "OPEN", "UNLINK", "STATS",
	"OBJ_INFO", "EVENT_SIGNAL", "EVENT_RESET", "EVENT_WAIT", "EVENT_INFO",
	"QUEUE_SEND", "QUEUE_RECV", "QUEUE_INFO", "QUEUE_NOTIFY",
	"unknown", "read(2)", "write(2)",
	"REOPEN", "CHAN_SENDV", "CHAN_RECVV", "CHAN_WAIT", "CHAN_INFO",
	"PIPE_SET_CAP", "PIPE_INFO", "mmap(2)",
	"REGION_INFO", "SEM_POST", "SEM_WAIT", "SEM_INFO",
	"MUTEX_LOCK", "MUTEX_UNLOCK", "MUTEX_CONSIST", "MUTEX_INFO",
	"COND_WAIT", "COND_SIGNAL", "WAIT_MANY",
};

static const unsigned long fz_cmds[FZ_NCMDS] = {
	KIPC_IOC_VERSION, KIPC_IOC_CREATE, KIPC_IOC_OPEN, KIPC_IOC_UNLINK,
	KIPC_IOC_STATS, KIPC_IOC_OBJ_INFO, KIPC_EVENT_IOC_SIGNAL,
	KIPC_EVENT_IOC_RESET, KIPC_EVENT_IOC_WAIT, KIPC_EVENT_IOC_INFO,
	KIPC_QUEUE_IOC_SEND, KIPC_QUEUE_IOC_RECV, KIPC_QUEUE_IOC_INFO,
	KIPC_QUEUE_IOC_NOTIFY,
	_IOWR(KIPC_IOC_MAGIC, 0x7f, struct kipc_stats), 0, 0,
	KIPC_IOC_REOPEN, KIPC_CHAN_IOC_SENDV, KIPC_CHAN_IOC_RECVV,
	KIPC_CHAN_IOC_WAIT, KIPC_CHAN_IOC_INFO, KIPC_PIPE_IOC_SET_CAPACITY,
	KIPC_PIPE_IOC_INFO, 0,
	KIPC_REGION_IOC_INFO, KIPC_SEM_IOC_POST, KIPC_SEM_IOC_WAIT,
	KIPC_SEM_IOC_INFO, KIPC_MUTEX_IOC_LOCK, KIPC_MUTEX_IOC_UNLOCK,
	KIPC_MUTEX_IOC_CONSISTENT, KIPC_MUTEX_IOC_INFO, KIPC_COND_IOC_WAIT,
	KIPC_COND_IOC_SIGNAL, KIPC_IOC_WAIT_MANY,
};

/* Errnos each command may return (besides 0).  Anything else fails. */
static const int fz_common[] = { EINVAL, EFAULT, E2BIG, ENOTTY, EBADF, 0 };
static const int fz_allowed[FZ_NCMDS][10] = {
	[FZ_CREATE] = { ENAMETOOLONG, EEXIST, ENOSPC, EDQUOT, EMFILE, ENOMEM },
	[FZ_OPEN] = { ENAMETOOLONG, ENOENT, EACCES, EMFILE, ENOMEM, EISCONN },
	[FZ_UNLINK] = { ENAMETOOLONG, ENOENT, EACCES, ENOMEM },
	[FZ_WAIT] = { EAGAIN, ETIMEDOUT, EINTR },
	[FZ_Q_SEND] = { EAGAIN, ETIMEDOUT, EINTR, EMSGSIZE, ENOMEM },
	[FZ_Q_RECV] = { EAGAIN, ETIMEDOUT, EINTR, EMSGSIZE },
	[FZ_Q_NOTIFY] = { EBUSY, ENOENT },
	[FZ_READ] = { EAGAIN, EINTR, EMSGSIZE, EIO },
	[FZ_WRITE] = { EAGAIN, EINTR, EMSGSIZE, ENOMEM, EPIPE, EIO, EOVERFLOW },
	[FZ_REOPEN] = { EACCES, EISCONN, EMFILE, ENOMEM },
	[FZ_CH_SENDV] = { EAGAIN, ETIMEDOUT, EINTR, EMSGSIZE, EPIPE, EIO },
	[FZ_CH_RECVV] = { EAGAIN, ETIMEDOUT, EINTR, EMSGSIZE, EIO },
	[FZ_CH_WAIT] = { EAGAIN, ETIMEDOUT, EINTR },
	[FZ_PIPE_CAP] = { EBUSY, EDQUOT, ENOMEM },
	[FZ_MMAP] = { ENODEV, EBUSY, EACCES, ENOMEM, EAGAIN },
	[FZ_SEM_POST] = { EOVERFLOW, ENOMEM },
	[FZ_SEM_WAIT] = { EAGAIN, ETIMEDOUT, EINTR, ENOMEM },
	[FZ_MTX_LOCK] = { EOWNERDEAD, ENOTRECOVERABLE, EDEADLK, EBUSY,
			  ETIMEDOUT, EINTR },
	[FZ_MTX_UNLOCK] = { EPERM },
	[FZ_MTX_CONSISTENT] = { EPERM },
	[FZ_COND_WAIT] = { ETIMEDOUT, EOWNERDEAD, ENOTRECOVERABLE, EPERM,
			   EINTR },
	[FZ_WAIT_MANY] = { EAGAIN, ETIMEDOUT, EINTR, EOWNERDEAD, EDEADLK,
			   ENOTRECOVERABLE, ENOMEM },
};

static int fz_in(const int *list, int err)
{
	for (; *list; list++)
		if (*list == err)
			return 1;
	return 0;
}

static int fz_documented(int cmd, int err)
{
	return !err || fz_in(fz_common, err) || fz_in(fz_allowed[cmd], err);
}

#define NODD		64

/* A name made by a spoiled CREATE (a prefix of ours, or other bytes). */
struct fz_odd_name {
	char name[256];
};

/*
 * Shared by all processes: which errnos each command returned, and the
 * odd names that were created, for the parent to unlink.
 */
struct fz_stats {
	_Atomic uint64_t calls[FZ_NCMDS];
	_Atomic uint64_t seen[FZ_NCMDS][(MAX_ERRNO + 63) / 64];
	_Atomic uint64_t bad[FZ_NCMDS];
	_Atomic int bad_errno[FZ_NCMDS];
	_Atomic unsigned int nodd;
	struct fz_odd_name odd[NODD];
};

struct fz_proc {
	struct fz_stats *stats;
	_Atomic int fds[NFDS];
	/* One object of each type and a channel's second end, for the run */
	int anchors[NANCHORS];
	unsigned int nanchors;
	int dev;
	char *page;		/* writable page, followed by a guard page */
	char *ro;		/* a read-only page */
	unsigned long iters;
	uint64_t seed;
};

#define WM_BYTES	512
#define RX_BYTES	65536	/* a receive's buffer */

/*
 * Where the kernel writes more than an ioctl's own struct: each buffer ends
 * at a guard page, in a mapping of the thread's own.  A spoiled size or
 * count (the fuzzer's own doing) then makes the kernel write into this
 * area or fail with EFAULT, never over the fuzzer's stack.
 */
struct fz_out {
	unsigned char *wm;		/* WAIT_MANY's objects */
	struct kipc_chan_msg *rxv;	/* RECVV's KIPC_CHAN_MAX_BATCH entries */
	unsigned char *rx;		/* RECVV's and QUEUE_RECV's buffer */
};

struct fz_thread {
	struct fz_proc *p;
	uint64_t rng;
	struct fz_out out;
};

static uint64_t fz_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned int fz_below(uint64_t *s, unsigned int n)
{
	return fz_rand(s) % n;
}

static void fz_record(struct fz_stats *st, int cmd, int err)
{
	atomic_fetch_add(&st->calls[cmd], 1);
	if (err < 0 || err >= MAX_ERRNO)
		err = MAX_ERRNO - 1;
	atomic_fetch_or(&st->seen[cmd][err / 64], 1ULL << (err % 64));
	if (!fz_documented(cmd, err)) {
		atomic_fetch_add(&st->bad[cmd], 1);
		atomic_store(&st->bad_errno[cmd], err);
	}
}

/* A name from a small set, so that creators, openers and unlinkers meet. */
static void fz_name(uint64_t *s, char *buf, uint32_t *len)
{
	*len = snprintf(buf, 32, "fz.%d.%u", (int)getppid() % 1000,
			fz_below(s, NNAMES));
}

/*
 * An fd of ours, or -1: a quarter of the time one of the anchors, which
 * live through the run, so that every type's calls keep meeting their own
 * type however the slots have been replaced.
 */
static int fz_pick_fd(struct fz_thread *t)
{
	struct fz_proc *p = t->p;

	if (p->nanchors && !fz_below(&t->rng, 4))
		return p->anchors[fz_below(&t->rng, p->nanchors)];
	return atomic_load(&p->fds[fz_below(&t->rng, NFDS)]);
}

/* A deadline up to 2 ms away in *@dl if @flags ask for one. */
static void fz_deadline(uint64_t *s, uint32_t flags, struct kipc_timespec *dl)
{
	if (flags & KIPC_WAIT_DEADLINE)
		kipc_deadline_after(fz_below(s, 2000000), dl);
}

/* Wait flags: non-blocking but once in @odds, then any of @mask. */
static uint32_t fz_wait_flags(uint64_t *s, unsigned int odds, uint32_t mask,
			      struct kipc_timespec *dl)
{
	uint32_t flags = fz_below(s, odds) ? KIPC_WAIT_NONBLOCK :
			 fz_rand(s) & mask;

	fz_deadline(s, flags, dl);
	return flags;
}

/* A create's attributes @a, of @size bytes but once in 8. */
static void fz_attr(uint64_t *s, struct kipc_create *c, void *a, size_t size)
{
	c->attr = (uintptr_t)a;
	c->attr_size = fz_below(s, 8) ? size : fz_below(s, 64);
}

/* An object of a wait for many: usually one of ours, clean. */
static void fz_fill_wait_obj(struct fz_thread *t, struct kipc_wait_obj *o)
{
	uint64_t *s = &t->rng;

	o->fd = fz_below(s, 8) ? fz_pick_fd(t) : (int)fz_rand(s);
	if (!fz_below(s, 16))
		o->flags = 1U << fz_below(s, 32);
	if (!fz_below(s, 16))
		o->reserved[fz_below(s, 2)] = fz_rand(s);
}

/*
 * KIPC_IOC_WAIT_MANY: a few of our fds, any or all, mostly without
 * blocking; the objects' array is sometimes bad memory or oddly sized.
 */
static void fz_fill_wait_many(struct fz_thread *t, struct kipc_wait_many *w)
{
	uint64_t *s = &t->rng;
	unsigned int i, n, size;

	n = fz_below(s, 8) ? 1 + fz_below(s, 4) : fz_rand(s) & 0xff;
	size = fz_below(s, 6) ? sizeof(struct kipc_wait_obj) :
	       fz_below(s, 2) ? 8 * fz_below(s, 9) : fz_rand(s) & 0x1fff;
	memset(t->out.wm, 0, WM_BYTES);
	for (i = 0; i < n && (i + 1) * (size_t)size <= WM_BYTES &&
	     size >= sizeof(struct kipc_wait_obj); i++)
		fz_fill_wait_obj(t, (void *)(t->out.wm + i * size));
	if (!fz_below(s, 16) && size > sizeof(struct kipc_wait_obj) &&
	    size <= WM_BYTES)
		t->out.wm[size - 1] = 1;	/* E2BIG */
	w->count = n;
	w->obj_size = size;
	/* Our buffer only where all the objects fit: the kernel writes. */
	w->objs = fz_below(s, 8) && n * (size_t)size <= WM_BYTES ?
		  (uintptr_t)t->out.wm :
		  fz_below(s, 2) ? (uintptr_t)t->p->ro : fz_rand(s);
	w->flags = fz_below(s, 2) ? KIPC_WAIT_NONBLOCK :
		   fz_below(s, 2) ? KIPC_WAIT_NONBLOCK | KIPC_WAIT_ALL :
		   fz_rand(s) & 0xf;
	fz_deadline(s, w->flags, &w->deadline);
}

/* Give back the mutexes a wait for many took (UNLOCK: ENOTTY if none). */
static void fz_wait_many_done(struct fz_thread *t,
			      const struct kipc_wait_many *w)
{
	unsigned int i;

	if ((void *)(uintptr_t)w->objs != t->out.wm)
		return;
	for (i = 0; i < w->count && (i + 1) * (size_t)w->obj_size <= WM_BYTES;
	     i++) {
		const struct kipc_wait_obj *o =
			(void *)(t->out.wm + i * w->obj_size);

		if (o->ready)
			ioctl(o->fd, KIPC_MUTEX_IOC_UNLOCK, 0);
	}
}

static void fz_fill(struct fz_thread *t, int cmd, unsigned char *buf,
		    char *name)
{
	uint64_t *s = &t->rng;
	uint32_t len;

	memset(buf, 0, BUF_SIZE);
	switch (cmd) {
	case FZ_CREATE: {
		struct kipc_create *c = (void *)buf;

		c->type = fz_below(s, 4) ? 1 + fz_below(s, KIPC_TYPE_MAX) :
			  fz_rand(s);
		c->flags = fz_below(s, 4) ? 0 : fz_rand(s) & 0x1f;
		c->mode = fz_below(s, 8) ? 0600 : fz_rand(s) & 0x3ff;
		if (c->type == KIPC_TYPE_QUEUE && fz_below(s, 2)) {
			struct kipc_queue_attr *a = (void *)(buf + 128);

			a->max_msgs = fz_below(s, 8);
			a->max_msg_size = fz_below(s, 2) ? fz_below(s, 64) :
					  fz_rand(s) & 0xfffff;
			fz_attr(s, c, a, sizeof(*a));
		}
		/* Mostly one-page rings: few pages to fail under faults. */
		if (c->type == KIPC_TYPE_CHANNEL && fz_below(s, 8)) {
			struct kipc_channel_attr *a = (void *)(buf + 128);

			a->capacity[0] = fz_below(s, 4) ? 4096 : fz_rand(s) & 0x3ffff;
			a->capacity[1] = fz_below(s, 4) ? 4096 : fz_rand(s);
			a->max_msg[fz_below(s, 2)] = fz_rand(s) & 0x1fff;
			fz_attr(s, c, a, sizeof(*a));
		}
		if (c->type == KIPC_TYPE_REGION && fz_below(s, 8)) {
			struct kipc_region_attr *a = (void *)(buf + 128);

			a->size = fz_below(s, 4) ? 4096 * (1 + fz_below(s, 4)) :
				  fz_rand(s) & 0xffffffff;
			fz_attr(s, c, a, sizeof(*a));
		}
		if (c->type == KIPC_TYPE_MUTEX && fz_below(s, 2)) {
			struct kipc_mutex_attr *a = (void *)(buf + 128);

			a->flags = fz_below(s, 2) ? KIPC_MUTEX_RECURSIVE : fz_rand(s);
			c->attr = (uintptr_t)a;
			c->attr_size = sizeof(*a);
		}
		if (c->type == KIPC_TYPE_PIPE && fz_below(s, 2)) {
			struct kipc_pipe_attr *a = (void *)(buf + 128);

			a->capacity = fz_below(s, 2) ? fz_below(s, 65536) :
				      fz_rand(s);
			fz_attr(s, c, a, sizeof(*a));
		}
		if (fz_below(s, 2)) {
			fz_name(s, name, &len);
			c->name = (uintptr_t)name;
			c->name_len = fz_below(s, 8) ? len : fz_rand(s) & 0x1fff;
		}
		break;
	}
	case FZ_OPEN:
	case FZ_UNLINK: {
		struct kipc_open *o = (void *)buf;

		o->type = fz_below(s, 4) ? 1 + fz_below(s, KIPC_TYPE_MAX) :
			  fz_rand(s);
		o->flags = fz_below(s, 2) ? 0 : fz_rand(s) & 0x1f;
		fz_name(s, name, &len);
		o->name = (uintptr_t)name;
		o->name_len = fz_below(s, 8) ? len : fz_rand(s) & 0x1fff;
		break;
	}
	case FZ_SIGNAL:
		((struct kipc_event_signal *)buf)->value = fz_rand(s);
		break;
	case FZ_Q_SEND: {
		struct kipc_queue_send *q = (void *)buf;

		q->flags = fz_wait_flags(s, 3, 0x7, &q->deadline);
		q->priority = fz_below(s, 4) ? fz_below(s, 8) : fz_rand(s) & 0xffff;
		q->msg = (uintptr_t)(buf + 128);
		q->len = fz_below(s, 4) ? fz_below(s, 100) : fz_rand(s) & 0xfffff;
		break;
	}
	case FZ_Q_RECV: {
		struct kipc_queue_recv *q = (void *)buf;

		q->flags = fz_wait_flags(s, 3, 0x7, &q->deadline);
		q->buf = (uintptr_t)t->out.rx;
		/* Sometimes large: a large message must not block the queue. */
		q->size = fz_below(s, 4) ? fz_below(s, 100) : fz_below(s, RX_BYTES);
		break;
	}
	case FZ_Q_NOTIFY: {
		struct kipc_queue_notify *n = (void *)buf;

		n->signo = fz_below(s, 2) ? SIGUSR1 : 0;
		n->value = n->signo ? fz_rand(s) : 0;
		break;
	}
	case FZ_REOPEN:
		((struct kipc_reopen *)buf)->flags =
			fz_below(s, 2) ? 0 : fz_rand(s) & 0x1f;
		break;
	case FZ_CH_SENDV:
	case FZ_CH_RECVV: {
		struct kipc_chan_xfer *x = (void *)buf;
		struct kipc_chan_msg *m = (void *)(buf + 96);
		unsigned int i;

		x->flags = fz_wait_flags(s, 3, 0x7, &x->deadline);
		x->count = fz_below(s, 8) ? 1 + fz_below(s, 4) : fz_rand(s) & 0x7ff;
		if (cmd == FZ_CH_RECVV)
			m = t->out.rxv;	/* the kernel writes each len */
		x->msgs = (uintptr_t)m;
		for (i = 0; i < 4; i++) {
			m[i].buf = (uintptr_t)(cmd == FZ_CH_RECVV ? t->out.rx :
					       buf + 160);
			m[i].len = fz_below(s, 4) ? fz_below(s, 96) :
				   cmd == FZ_CH_RECVV ? fz_below(s, RX_BYTES) :
				   fz_rand(s) & 0x1ffff;
		}
		break;
	}
	case FZ_CH_WAIT: {
		struct kipc_chan_wait *w = (void *)buf;

		w->flags = fz_wait_flags(s, 3, 0x7, &w->deadline);
		w->events = fz_rand(s) & (fz_below(s, 4) ? 0x3 : 0xf);
		w->wake = fz_rand(s) & (fz_below(s, 4) ? 0x7 : 0xf);
		w->need = fz_below(s, 2) ? 0 : fz_below(s, 2) ? fz_below(s, 256) :
			  fz_rand(s) & 0x3ffff;
		break;
	}
	case FZ_SEM_POST:
	case FZ_SEM_WAIT: {
		struct kipc_sem_op *o = (void *)buf;

		o->flags = fz_below(s, 2) ? KIPC_WAIT_NONBLOCK :
			   fz_below(s, 2) ? KIPC_SEM_UNDO | KIPC_WAIT_NONBLOCK :
			   fz_rand(s) & 0x107;
		if (cmd == FZ_SEM_POST)
			o->flags &= ~KIPC_WAIT_NONBLOCK;
		fz_deadline(s, o->flags, &o->deadline);
		o->count = fz_below(s, 4) ? 1 : fz_rand(s);
		break;
	}
	case FZ_MTX_LOCK: {
		struct kipc_mutex_lock *l = (void *)buf;

		l->flags = fz_wait_flags(s, 2, 0x3, &l->deadline);
		break;
	}
	case FZ_COND_WAIT: {
		struct kipc_cond_wait *w = (void *)buf;

		w->flags = KIPC_WAIT_DEADLINE;
		kipc_deadline_after(fz_below(s, 2000000), &w->deadline);
		w->mutex_fd = fz_below(s, 8) ? (uint32_t)fz_pick_fd(t) :
			      fz_rand(s);
		break;
	}
	case FZ_COND_SIGNAL:
		((struct kipc_cond_signal *)buf)->flags = fz_rand(s) & 0x1;
		break;
	case FZ_WAIT_MANY:
		fz_fill_wait_many(t, (struct kipc_wait_many *)buf);
		break;
	case FZ_PIPE_CAP:
		((struct kipc_pipe_capacity *)buf)->capacity =
			fz_below(s, 2) ? fz_below(s, 1 << 17) : fz_rand(s);
		break;
	case FZ_WAIT: {
		struct kipc_event_wait *w = (void *)buf;

		w->flags = fz_wait_flags(s, 3, 0x7, &w->deadline);
		break;
	}
	default:
		break;
	}
	/*
	 * Spoil something a third of the time: one byte anywhere, but not
	 * the pointer to a receive's buffer or buffers or a wait's objects,
	 * at offset 8 in each (the kernel would write where the spoiled
	 * pointer points, in this process).  A spoiled size or count is
	 * fine: see struct fz_out.
	 */
	if (!fz_below(s, 3)) {
		unsigned int at = fz_below(s, 96);
		bool writes = cmd == FZ_Q_RECV || cmd == FZ_CH_RECVV ||
			      cmd == FZ_WAIT_MANY;

		if (!writes || at < 8 || at >= 16)
			buf[at] = fz_rand(s);
	}
	/* ...but never ask for a signal that would end the worker. */
	if (cmd == FZ_Q_NOTIFY) {
		struct kipc_queue_notify *n = (void *)buf;

		if (n->signo && n->signo <= 64 && n->signo != SIGUSR1)
			n->signo = SIGUSR1;
	}
}

_Static_assert(offsetof(struct kipc_queue_recv, buf) == 8, "spoil");
_Static_assert(offsetof(struct kipc_chan_xfer, msgs) == 8, "spoil");
_Static_assert(offsetof(struct kipc_wait_many, objs) == 8, "spoil");

/* A pointer: usually good, else NULL, kernel, unaligned, straddling... */
static void *fz_pointer(struct fz_thread *t, unsigned char *buf,
			unsigned int size)
{
	struct fz_proc *p = t->p;
	long pg = sysconf(_SC_PAGESIZE);

	switch (fz_below(&t->rng, 12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)0xffffffff81000000UL;
	case 2:
		return (void *)(uintptr_t)fz_rand(&t->rng);
	case 3:	/* straddles into the guard page */
		memcpy(p->page + pg - size / 2, buf, size / 2);
		return p->page + pg - size / 2;
	case 4:	/* readable, not writable */
		return p->ro;
	case 5:	/* unaligned */
		memmove(buf + 1, buf, BUF_SIZE - 1);
		return buf + 1;
	default:
		return buf;
	}
}

static unsigned long fz_command(struct fz_thread *t, int cmd)
{
	unsigned long c = fz_cmds[cmd];
	unsigned int size;

	switch (fz_below(&t->rng, 10)) {
	case 0:	/* another size */
		size = fz_below(&t->rng, 2) ? fz_below(&t->rng, BUF_SIZE) :
		       _IOC_SIZE(c) + 8 * fz_below(&t->rng, 4);
		return _IOC(_IOC_DIR(c), _IOC_TYPE(c), _IOC_NR(c), size);
	case 1:	/* another direction */
		return _IOC(fz_below(&t->rng, 4), _IOC_TYPE(c), _IOC_NR(c),
			    _IOC_SIZE(c));
	default:
		return c;
	}
}

static void fz_keep_fd(struct fz_thread *t, int fd)
{
	int old = atomic_exchange(&t->p->fds[fz_below(&t->rng, NFDS)], fd);

	if (old >= 0)
		close(old);
}

/*
 * mmap(2) of a random fd: usually a channel's whole area, then a scribble
 * over its shared indices (the kernel must cope: EIO, never worse).
 */
static void fz_mmap(struct fz_thread *t)
{
	struct kipc_channel_info in = { 0 };
	uint64_t *s = &t->rng;
	size_t len = 4096 * (1 + fz_below(s, 80));
	int fd = fz_pick_fd(t), err = 0;
	uint32_t *w;
	void *map;

	if (fd < 0)
		fd = t->p->dev;
	if (fz_below(s, 4) && !ioctl(fd, KIPC_CHAN_IOC_INFO, &in))
		len = in.map_size;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   fz_below(s, 8) ? MAP_SHARED : MAP_PRIVATE, fd,
		   fz_below(s, 8) ? 0 : 4096);
	if (map == MAP_FAILED) {
		err = errno;
	} else {
		w = map;
		/* Mostly the two rings' indices and locks. */
		if (!fz_below(s, 4))
			w[fz_below(s, fz_below(s, 4) ? 96 : 1024)] = fz_rand(s);
		munmap(map, len);
	}
	fz_record(t->p->stats, FZ_MMAP, err);
}

/*
 * After a successful CREATE of @c: if a spoiled name pointer or length
 * made a name other than @ours, note it, or the run would leave it behind.
 * The bytes are still where the kernel read them.
 */
static void fz_note_name(struct fz_stats *st, const struct kipc_create *c,
			 const char *ours)
{
	unsigned int i;

	if (!c->name_len || c->name_len >= sizeof(st->odd[0].name) ||
	    (c->name == (uintptr_t)ours && c->name_len == strlen(ours)))
		return;
	i = atomic_fetch_add(&st->nodd, 1);
	if (i >= NODD)
		return;		/* the parent fails the run */
	memcpy(st->odd[i].name, (void *)(uintptr_t)c->name, c->name_len);
	st->odd[i].name[c->name_len] = 0;
}

static void fz_one(struct fz_thread *t)
{
	unsigned char buf[BUF_SIZE + 8] __attribute__((aligned(8)));
	int cmd = fz_below(&t->rng, FZ_NCMDS), fd, ret, err;
	char name[32];
	unsigned long c;
	void *arg;

	if (!fz_below(&t->rng, 40)) {	/* random close */
		fd = atomic_exchange(&t->p->fds[fz_below(&t->rng, NFDS)], -1);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!fz_below(&t->rng, 40)) {	/* poll a random fd */
		struct pollfd pfd = { .fd = fz_pick_fd(t), .events = POLLIN };

		poll(&pfd, 1, 0);
		return;
	}

	if (cmd == FZ_MMAP) {
		fz_mmap(t);
		return;
	}
	if (cmd == FZ_READ || cmd == FZ_WRITE) {
		size_t len = fz_below(&t->rng, 4) ? fz_below(&t->rng, 80) :
			     fz_rand(&t->rng) & 0xfffff;
		void *p = fz_below(&t->rng, 8) ? (void *)buf : NULL;

		fd = fz_pick_fd(t);
		if (fd < 0)
			fd = t->p->dev;	/* the device: EINVAL */
		if (len > BUF_SIZE && p == buf)
			len = BUF_SIZE;
		ret = cmd == FZ_READ ? read(fd, p, len) : write(fd, p, len);
		fz_record(t->p->stats, cmd, ret < 0 ? errno : 0);
		return;
	}

	fz_fill(t, cmd, buf, name);
	c = fz_command(t, cmd);
	arg = fz_pointer(t, buf, _IOC_SIZE(c));
	if (cmd == FZ_RESET || cmd == FZ_MTX_UNLOCK ||
	    cmd == FZ_MTX_CONSISTENT)	/* _IO: the argument must be 0 */
		arg = fz_below(&t->rng, 4) ? NULL : (void *)(uintptr_t)fz_rand(&t->rng);
	fd = cmd <= FZ_STATS || cmd == FZ_BOGUS || cmd == FZ_WAIT_MANY ?
	     t->p->dev : fz_pick_fd(t);
	if (cmd == FZ_CH_WAIT && fd >= 0 && fz_below(&t->rng, 2)) {
		/* Never wait long: the timer interrupts, but be quick. */
		((struct kipc_chan_wait *)buf)->flags = KIPC_WAIT_NONBLOCK;
	}
	if (fd < 0)
		fd = t->p->dev;	/* no object yet: ENOTTY on the device */

	ret = ioctl(fd, c, arg);
	err = ret < 0 ? errno : 0;
	fz_record(t->p->stats, cmd, err);
	if (!err && cmd == FZ_CREATE)
		fz_note_name(t->p->stats, arg, name);
	if (!err && cmd == FZ_CREATE && arg == buf)
		fz_keep_fd(t, ((struct kipc_create *)buf)->fd);
	else if (!err && cmd == FZ_OPEN && arg == buf)
		fz_keep_fd(t, ((struct kipc_open *)buf)->fd);
	else if (!err && cmd == FZ_REOPEN && arg == buf)
		fz_keep_fd(t, ((struct kipc_reopen *)buf)->fd);
	else if ((!err || err == EOWNERDEAD) && cmd == FZ_WAIT_MANY &&
		 arg == buf && c == fz_cmds[cmd])
		fz_wait_many_done(t, (struct kipc_wait_many *)buf);
	else if ((!err || err == EOWNERDEAD) && cmd == FZ_MTX_LOCK &&
		 fz_below(&t->rng, 2)) {
		/* As the owner: CONSISTENT's own answers (0, EINVAL). */
		ret = ioctl(fd, KIPC_MUTEX_IOC_CONSISTENT, 0);
		fz_record(t->p->stats, FZ_MTX_CONSISTENT, ret < 0 ? errno : 0);
		/* Unlock what was taken, half the time: UNLOCK's success. */
		ret = ioctl(fd, KIPC_MUTEX_IOC_UNLOCK, 0);
		fz_record(t->p->stats, FZ_MTX_UNLOCK, ret < 0 ? errno : 0);
	}
}

/*
 * Map @out: [wm page][guard][RECVV entries][guard][rx page][guard], each
 * buffer at the end of its part.  Every RECVV entry points at the receive
 * buffer, so that a spoiled count finds entries the kernel may write to.
 */
static int fz_out_map(struct fz_out *out)
{
	size_t pg = sysconf(_SC_PAGESIZE);
	size_t rxv = KIPC_CHAN_MAX_BATCH * sizeof(struct kipc_chan_msg);
	size_t rxv_end = 2 * pg + (rxv + pg - 1) / pg * pg;
	size_t rx_end = rxv_end + pg + (RX_BYTES + pg - 1) / pg * pg;
	size_t len = rx_end + pg;
	unsigned char *a;
	unsigned int i;

	a = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return -errno;
	out->wm = a + pg - WM_BYTES;
	out->rxv = (void *)(a + rxv_end - rxv);
	out->rx = a + rx_end - RX_BYTES;
	if (mprotect(a + pg, pg, PROT_NONE) ||
	    mprotect(a + rxv_end, pg, PROT_NONE) ||
	    mprotect(a + rx_end, pg, PROT_NONE))
		return -errno;
	for (i = 0; i < KIPC_CHAN_MAX_BATCH; i++) {
		out->rxv[i].buf = (uintptr_t)out->rx;
		out->rxv[i].len = i % 97;
	}
	return 0;
}

static void fz_tick(int sig)
{
	(void)sig;
}

/* Interrupt this thread every few milliseconds. */
static int fz_timer(timer_t *timer)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	struct itimerspec its = {
		.it_value = { .tv_nsec = 3000000 },
		.it_interval = { .tv_nsec = 3000000 },
	};

	sev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, timer))
		return -errno;
	return timer_settime(*timer, 0, &its, NULL) ? -errno : 0;
}

static void *fz_thread_main(void *arg)
{
	struct fz_thread *t = arg;
	unsigned long i;
	timer_t timer;

	if (fz_out_map(&t->out) || fz_timer(&timer)) {
		fprintf(stderr, "fuzz worker setup: %s\n", strerror(errno));
		return (void *)1;
	}
	for (i = 0; i < t->p->iters; i++)
		fz_one(t);
	timer_delete(timer);
	return NULL;
}

/*
 * Remove @name for every type.  Under fault injection an unlink may itself
 * fail with ENOMEM (documented): retry, boundedly, so cleanup is complete.
 */
static void fz_unlink_all(const char *name)
{
	int type, n;

	for (type = 1; type <= KIPC_TYPE_MAX; type++)
		for (n = 0; n < 1000; n++)
			if (kipc_unlink(type, name) != -ENOMEM)
				break;
}

/* Retry a creation that fails for want of memory (fault injection). */
static int fz_retry(int ret)
{
	return ret < 0 && ret != -EINVAL;	/* ENOMEM, EINTR, ENOSPC... */
}

/* Keep @fd as an anchor, and dups of it in two slots. */
static void fz_seed_slots(struct fz_proc *p, int *slot, int fd)
{
	int i;

	p->anchors[p->nanchors++] = fd;
	for (i = 0; i < 2 && *slot < NFDS; i++) {
		int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

		if (d >= 0)
			p->fds[(*slot)++] = d;
	}
}

/*
 * Start with one anonymous object of every type (and a channel's second
 * end), the anchors, so that every type's calls are reached even when
 * fault injection makes most creations fail.  Small channel rings: few
 * pages to fail.
 */
static void fz_seed_objects(struct fz_proc *p)
{
	struct kipc_channel_attr ca = { .capacity = { 4096, 4096 } };
	struct kipc_region_attr ra = { .size = 8192 };
	int type, fd = -1, n, slot = 0;

	for (type = 1; type <= KIPC_TYPE_MAX; type++) {
		const void *attr = type == KIPC_TYPE_CHANNEL ? (void *)&ca :
				   type == KIPC_TYPE_REGION ? (void *)&ra : NULL;
		size_t size = type == KIPC_TYPE_CHANNEL ? sizeof(ca) :
			      type == KIPC_TYPE_REGION ? sizeof(ra) : 0;

		for (n = 0; n < 1000; n++) {
			fd = kipc_create(type, NULL, 0600, attr, size, 0);
			if (!fz_retry(fd))
				break;
		}
		if (fd >= 0)
			fz_seed_slots(p, &slot, fd);
		if (fd >= 0 && type == KIPC_TYPE_CHANNEL) {
			for (n = 0; n < 1000; n++) {
				fd = kipc_reopen(fd, 0);
				if (!fz_retry(fd))
					break;
			}
			if (fd >= 0)
				fz_seed_slots(p, &slot, fd);
		}
	}
}

static int fz_process(struct fz_stats *stats, unsigned long iters,
		      uint64_t seed)
{
	struct sigaction sa = { .sa_handler = fz_tick };
	struct fz_thread th[NTHREADS];
	pthread_t tid[NTHREADS];
	long pg = sysconf(_SC_PAGESIZE);
	struct fz_proc p = {
		.stats = stats, .iters = iters, .seed = seed,
	};
	int i, rc = 0;

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: EINTR */
	signal(SIGPIPE, SIG_IGN);	/* pipes and channels: EPIPE */
	for (i = 0; i < NFDS; i++)
		p.fds[i] = -1;
	p.dev = open(KIPC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	p.page = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p.ro = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p.dev < 0 || p.page == MAP_FAILED || p.ro == MAP_FAILED) {
		fprintf(stderr, "fuzz worker setup: %s\n", strerror(errno));
		return 1;
	}
	mprotect(p.page + pg, pg, PROT_NONE);
	memset(p.ro, 0, pg);
	fz_seed_objects(&p);
	mprotect(p.ro, pg, PROT_READ);

	for (i = 0; i < NTHREADS; i++) {
		th[i].p = &p;
		th[i].rng = seed * 2654435761ULL + i + 1;
		pthread_create(&tid[i], NULL, fz_thread_main, &th[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(tid[i], &ret);
		rc |= ret != NULL;
	}
	for (i = 0; i < NFDS; i++)
		if (p.fds[i] >= 0)
			close(p.fds[i]);
	for (i = 0; i < (int)p.nanchors; i++)
		close(p.anchors[i]);
	for (i = 0; i < NNAMES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "fz.%d.%d", (int)getppid() % 1000, i);
		fz_unlink_all(name);
	}
	return rc;
}

static int fz_count_errnos(struct fz_stats *st, int cmd, char *list, size_t n)
{
	int e, count = 0;
	size_t off = 0;

	list[0] = 0;
	for (e = 0; e < MAX_ERRNO; e++) {
		if (!(atomic_load(&st->seen[cmd][e / 64]) & (1ULL << (e % 64))))
			continue;
		count++;
		off += snprintf(list + off, n - off, "%s%s", off ? "," : "",
				e ? strerrorname_np(e) : "0");
		if (off >= n)
			break;
	}
	return count;
}

/* Set a module parameter, saving the old value first if @old is given. */
static int fz_param(const char *name, const char *value, char *old,
		    size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return -errno;
	if (old) {
		n = read(fd, old, size - 1);
		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		old[n] = 0;
	}
	n = pwrite(fd, value, strlen(value), 0);
	close(fd);
	return n < 0 ? -errno : 0;
}

TEST(fuzz_ioctls)
{
	const char *env = getenv("KIPC_FUZZ_ITERS");
	const char *min_env = getenv("KIPC_FUZZ_MIN_RESULTS");
	/*
	 * Two: besides ENOTTY (every other type's answer), the call met its
	 * own type, which the anchors make sure of.  Some calls have few
	 * answers (EVENT_RESET: 0, EBADF, EINVAL, ENOTTY), so not more.
	 */
	int min_results = min_env ? atoi(min_env) : 2;
	unsigned long iters = env ? strtoul(env, NULL, 0) : 20000;
	uint64_t seed = getenv("KIPC_FUZZ_SEED") ?
			strtoull(getenv("KIPC_FUZZ_SEED"), NULL, 0) :
			(uint64_t)time(NULL);
	struct kipc_stats before, after;
	struct fz_stats *st;
	pid_t pids[NPROCS];
	uint64_t total = 0;
	char list[512], saved[32];
	int i, status;

	st = kt_shared_map(sizeof(*st));
	ASSERT_NE(NULL, st);
	ASSERT_EQ(0, kipc_stats(&before));
	TH_LOG("seed %llu, %d processes x %d threads x %lu iterations",
	       (unsigned long long)seed, NPROCS, NTHREADS, iters);

	/* A low per-uid limit during the run reaches EDQUOT. */
	ASSERT_EQ(0, fz_param("max_objects_per_uid", "12", saved, sizeof(saved)));
	for (i = 0; i < NPROCS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i]) {
			/* The last process is nobody: EACCES on others' objects. */
			if (i == NPROCS - 1 && (setresgid(65534, 65534, 65534) ||
						setresuid(65534, 65534, 65534)))
				_exit(2);
			_exit(fz_process(st, iters, seed + i));
		}
	}
	for (i = 0; i < NPROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
			TH_LOG("worker %d: status %#x", i, status);
		}
	}
	ASSERT_EQ(0, fz_param("max_objects_per_uid", saved, NULL, 0));
	for (i = 0; i < NNAMES; i++) {	/* whoever created them */
		char name[32];

		snprintf(name, sizeof(name), "fz.%d.%d", (int)getpid() % 1000, i);
		fz_unlink_all(name);
	}
	ASSERT_GE((unsigned int)NODD, atomic_load(&st->nodd));
	for (i = 0; i < (int)atomic_load(&st->nodd); i++)
		fz_unlink_all(st->odd[i].name);

	for (i = 0; i < FZ_NCMDS; i++) {
		int n = fz_count_errnos(st, i, list, sizeof(list));

		uint64_t calls = atomic_load(&st->calls[i]);
		uint64_t bad = atomic_load(&st->bad[i]);

		total += calls;
		TH_LOG("%-13s %7llu calls, %2d distinct results: %s", fz_names[i],
		       (unsigned long long)calls, n, list);
		EXPECT_EQ(0ULL, bad) {
			TH_LOG("%s returned undocumented errno %d", fz_names[i],
			       atomic_load(&st->bad_errno[i]));
		}
		/* Reached its error paths, not only one answer. */
		EXPECT_GE(n, i == FZ_BOGUS ? 1 : min_results);
	}
	TH_LOG("%llu ioctls in all, %u odd names made", (unsigned long long)total,
	       atomic_load(&st->nodd));

	/* Every fd closed and name unlinked: nothing may be left. */
	ASSERT_EQ(0, kipc_stats(&after));
	EXPECT_EQ(before.objects, after.objects);
	EXPECT_EQ(before.named, after.named);
	EXPECT_EQ(after.created - before.created,
		  after.destroyed - before.destroyed);
}

TEST_HARNESS_MAIN
