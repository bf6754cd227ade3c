/* Pipes: a one-page ring buffer between a read end and a write end, with blocking read/write, EOF and EPIPE. */
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/proc.h>
#include <locklab/string.h>
#include <locklab/wait.h>
#include <locklab/uaccess.h>
#include <asm/atomic.h>
#include "ipc_internal.h"

/*
 * Scopes: every public operation (the file ops, pipe_create, pipe_close_end)
 * runs inside subsys_enter(SUBSYS_IPC) and is called from within the kernel
 * scope (a sys_* call). Guarded fields are touched only with p->lock taken;
 * helpers that touch them assert it. Sleeps go through wait_event with
 * &p->lock, which releases whatever lock is real under the strategy.
 *
 * Wake-up rule: whoever changes what a sleeper waits for (count, readers,
 * writers) changes it under the lock and then calls wake_up on that side's
 * queue; wait_event marks the sleeper asleep before testing its condition,
 * so a wake-up between the test and the sleep is not lost.
 */

static bool pipe_is_writer(struct file *f)
{
	return (f->flags & O_ACCMODE) == O_WRONLY;
}

static u32 pipe_room(struct pipe *p)
{
	klock_assert_held(&p->lock);
	return PIPE_BUF_SIZE - p->count;
}

/*
 * Moves up to n buffered bytes to dst; returns how many, or -EFAULT (and
 * moves none) if dst, a user process's buffer, cannot be written.
 */
static long pipe_copy_out(struct pipe *p, u8 *dst, u64 n)
{
	u32 take, first;

	klock_assert_held(&p->lock);
	take = (u32)MIN(n, (u64)p->count);
	first = MIN(take, PIPE_BUF_SIZE - p->head); /* up to the end of the ring */
	if (copy_to_user(dst, p->buf + p->head, first) ||
	    copy_to_user(dst + first, p->buf, take - first))
		return -EFAULT;
	p->head = (p->head + take) % PIPE_BUF_SIZE;
	p->count -= take;
	return take;
}

/* Appends up to n bytes from src while there is room; returns how many, or -EFAULT (none appended). */
static long pipe_copy_in(struct pipe *p, const u8 *src, u64 n)
{
	u32 put, tail, first;

	klock_assert_held(&p->lock);
	put = (u32)MIN(n, (u64)pipe_room(p));
	tail = (p->head + p->count) % PIPE_BUF_SIZE;
	first = MIN(put, PIPE_BUF_SIZE - tail);
	if (copy_from_user(p->buf + tail, src, first) ||
	    copy_from_user(p->buf, src + first, put - first))
		return -EFAULT;
	p->count += put;
	return put;
}

/* Sleeps until there is data or no writer is left; 0 means end of file. */
static long pipe_read(struct file *f, void *buf, u64 n)
{
	struct pipe *p = f->priv;
	long got;

	if (pipe_is_writer(f))
		return -EBADF;
	if (n == 0)
		return 0;
	subsys_enter(SUBSYS_IPC);
	klock_lock(&p->lock);
	wait_event(&p->rd_wait, p->count > 0 || p->writers == 0 || proc_interrupted(), &p->lock);
	if (p->count == 0 && p->writers) /* woken by Ctrl-C (proc.h) */
		got = -EINTR;
	else
		got = pipe_copy_out(p, buf, n); /* 0 only when empty with no writers: EOF */
	klock_unlock(&p->lock);
	subsys_exit(SUBSYS_IPC);
	if (got > 0)
		wake_up(&p->wr_wait); /* room was made; our open read end keeps p alive */
	return got;
}

/*
 * Writes all n bytes, sleeping while the pipe is full and a reader remains.
 * A write of up to PIPE_BUF_SIZE bytes waits for room for all of it, so it
 * is never interleaved with another writer's bytes. With no reader left:
 * -EPIPE, or the count already written if some was.
 */
static long pipe_write(struct file *f, const void *buf, u64 n)
{
	struct pipe *p = f->priv;
	const u8 *src = buf;
	u64 done = 0;
	long ret, put;

	if (!pipe_is_writer(f))
		return -EBADF;
	subsys_enter(SUBSYS_IPC);
	klock_lock(&p->lock);
	for (;;) {
		u32 need = n <= PIPE_BUF_SIZE ? (u32)n : 1;

		if (done == n) {
			ret = (long)done;
			break;
		}
		wait_event(&p->wr_wait,
			   p->readers == 0 || pipe_room(p) >= need || proc_interrupted(), &p->lock);
		if (p->readers == 0) {
			ret = done ? (long)done : -EPIPE;
			break;
		}
		if (pipe_room(p) < need) { /* woken by Ctrl-C (proc.h) */
			ret = done ? (long)done : -EINTR;
			break;
		}
		put = pipe_copy_in(p, src + done, n - done);
		if (put < 0) {
			ret = done ? (long)done : put;
			break;
		}
		done += (u64)put;
		/* after each chunk, under the lock: a reader may drain while we wait */
		wake_up(&p->rd_wait);
	}
	klock_unlock(&p->lock);
	subsys_exit(SUBSYS_IPC);
	return ret;
}

static void pipe_release(struct file *f)
{
	pipe_close_end(f->priv, pipe_is_writer(f));
}

const struct file_ops pipe_file_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.lseek = NULL, /* the fs layer answers -ESPIPE */
	.release = pipe_release,
};

struct pipe *pipe_create(void)
{
	struct pipe *p;

	subsys_enter(SUBSYS_IPC);
	p = kmalloc(sizeof(*p));
	if (p) {
		p->buf = page_alloc();
		if (!p->buf) {
			kfree(p);
			p = NULL;
		}
	}
	if (p) {
		/* Not yet visible to anyone else: initialised without the lock. */
		klock_init(&p->lock, "pipe", SUBSYS_IPC);
		wait_queue_init(&p->rd_wait, "pipe_rd_wait");
		wait_queue_init(&p->wr_wait, "pipe_wr_wait");
		p->head = 0;
		p->count = 0;
		p->readers = 1;
		p->writers = 1;
		p->ends = 2;
	}
	subsys_exit(SUBSYS_IPC);
	return p;
}

void pipe_close_end(struct pipe *p, bool writer)
{
	subsys_enter(SUBSYS_IPC);
	klock_lock(&p->lock);
	if (writer)
		p->writers--;
	else
		p->readers--;
	klock_unlock(&p->lock);
	/* The other side re-tests: readers see EOF, writers see EPIPE. */
	wake_up(writer ? &p->rd_wait : &p->wr_wait);
	/* Our last touch of p: release orders it before the free, acquire orders the free after the other end's. */
	if (atomic_fetch_add_acq_rel(&p->ends, (u32)-1) == 1) {
		page_free(p->buf);
		kfree(p);
	}
	subsys_exit(SUBSYS_IPC);
}
