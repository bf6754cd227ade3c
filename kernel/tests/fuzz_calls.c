/* The syscall fuzzer's calls: pick one sys_* call, give it random arguments, check what it returns. */
#include "fuzz.h"
#include <locklab/sched.h>
#include <locklab/string.h>
#include <locklab/syscall.h>

/* A new fd is the lowest free one (docs/fs.md, as POSIX): the worker's mirror knows which that is. */
static void fd_opened(struct fz_worker *w, const char *call, long fd, u8 kind, u8 pipe)
{
	long lowest = 0;

	while (lowest < FD_MAX && w->fds[lowest].kind != FZ_CLOSED)
		lowest++;
	if (fd < 0 || fd >= FD_MAX || w->fds[fd].kind != FZ_CLOSED) {
		fz_violation(w, call, "returned an fd that is not a free slot", fd);
		return;
	}
	if (fd != lowest)
		fz_violation(w, call, "returned a free fd above the lowest", fd);
	w->fds[fd] = (struct fz_fd){ kind, pipe };
}

static void fd_closed(struct fz_worker *w, int fd)
{
	struct fz_fd *f = &w->fds[fd];

	if (f->kind == FZ_PIPE_R)
		w->pipes[f->pipe].r_open = false;
	else if (f->kind == FZ_PIPE_W)
		w->pipes[f->pipe].w_open = false;
	f->kind = FZ_CLOSED;
}

/* Open flags: the valid combinations, then (from NR_VALID_FLAGS on) ones the kernel must refuse. */
static const int open_flags[] = { O_RDONLY,
				  O_WRONLY,
				  O_RDWR,
				  O_CREAT | O_RDWR,
				  O_CREAT | O_EXCL | O_WRONLY,
				  O_TRUNC | O_RDWR,
				  O_APPEND | O_WRONLY,
				  O_DIRECTORY,
				  O_ACCMODE,
				  0x7fffffff,
				  -1 };
#define NR_VALID_FLAGS 8

/* Every fd of the worker is open: an open's fd, taken before its lookup, is -EMFILE. */
static bool table_full(struct fz_worker *w)
{
	for (u32 fd = 0; fd < FD_MAX; fd++)
		if (w->fds[fd].kind == FZ_CLOSED)
			return false;
	return true;
}

static void do_open(struct fz_worker *w, bool creat)
{
	long must, r;
	const char *p = fz_path(w, &must);
	u32 f = fz_pick(w, ARRAY_SIZE(open_flags));

	if (!creat && f >= NR_VALID_FLAGS)
		/* which error comes first, the flags' or the path's, is not fixed */
		must = FZ_MUST_FAIL;
	else if (must == -ENAMETOOLONG && table_full(w) && strnlen(p, PATH_MAX) < PATH_MAX)
		/* a component past NAME_MAX is found by the lookup, after the fd (docs/fs.md) */
		must = -EMFILE;
	r = creat ? sys_creat(p) : sys_open(p, open_flags[f]);
	fz_result(w, creat ? "creat" : "open", r, must);
	if (r >= 0)
		fd_opened(w, "open", r, FZ_OPEN, 0);
}

static void do_close(struct fz_worker *w)
{
	long must;
	int fd = fz_fd(w, &must);
	long r = sys_close(fd);

	/* The table is this process's alone: an fd it has open must close. */
	fz_result(w, "close", r, must ? must : FZ_MUST_OK);
	if (r == 0 && fd >= 0 && fd < FD_MAX)
		fd_closed(w, fd);
}

/*
 * read and write. On a pipe the worker knows what the kernel will do:
 * reads ask at most for what is in it while a writer is open (no sleep),
 * writes at most for the room left while a reader is open.
 */
static void do_rw(struct fz_worker *w, bool is_write)
{
	const char *call = is_write ? "write" : "read";
	long must, r;
	int fd = fz_fd(w, &must);
	bool bad;
	u64 n;
	void *buf = fz_buf(w, &n, FZ_BUF, !is_write, &bad);
	struct fz_fd *f = must ? NULL : &w->fds[fd];
	struct fz_pipe *p =
		f && (f->kind == FZ_PIPE_R || f->kind == FZ_PIPE_W) ? &w->pipes[f->pipe] : NULL;

	if (!must && bad && n)
		must = FZ_MUST_FAIL;
	if (p && f->kind == (is_write ? FZ_PIPE_R : FZ_PIPE_W)) {
		must = -EBADF; /* the wrong end */
	} else if (p && !bad) {
		if (!is_write && p->w_open)
			n = MIN(n, p->count);
		if (is_write && p->r_open)
			n = MIN(n, PIPE_BUF_SIZE - p->count);
		if (is_write && !p->r_open && n)
			must = -EPIPE;
		else if (!is_write && !p->w_open && !p->count)
			must = FZ_MUST_OK; /* end of file */
	}
	r = is_write ? sys_write(fd, buf, n) : sys_read(fd, buf, n);
	fz_result(w, call, r, must);
	if (r >= 0 && (u64)r > n)
		fz_violation(w, call, "moved more bytes than asked", r);
	if (p && r > 0) {
		if (is_write && r != (long)n)
			fz_violation(w, call,
				     "a pipe write of at most PIPE_BUF_SIZE bytes was split", r);
		p->count = is_write ? p->count + (u32)r : p->count - (u32)MIN((u64)r, p->count);
	}
}

static void do_lseek(struct fz_worker *w)
{
	static const s64 offs[] = { 0,
				    1,
				    -1,
				    100,
				    4096,
				    1LL << 40,
				    -(1LL << 40),
				    0x7fffffffffffffffLL,
				    -0x7fffffffffffffffLL - 1 };
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, -1, 3, 0x7fffffff };
	long must, r;
	int fd = fz_fd(w, &must), whence = whences[fz_pick(w, ARRAY_SIZE(whences))];
	s64 off = offs[fz_pick(w, ARRAY_SIZE(offs))];
	u8 kind = must ? FZ_CLOSED : w->fds[fd].kind;

	/*
	 * docs/fs.md: a pipe is -ESPIPE whatever the whence; on a file or a
	 * directory SEEK_SET to off >= 0 gives off (a negative one -EINVAL),
	 * and the offset a seek gave is where the file stands: SEEK_CUR 0
	 * gives it back (the fd is this worker's alone).
	 */
	if (kind == FZ_PIPE_R || kind == FZ_PIPE_W)
		must = -ESPIPE;
	else if (!must && whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		must = FZ_MUST_FAIL;
	else if (kind == FZ_OPEN && whence == SEEK_SET)
		must = off < 0 ? -EINVAL : FZ_MUST_OK;
	r = sys_lseek(fd, off, whence);
	fz_result(w, "lseek", r, must);
	if (kind == FZ_OPEN && whence == SEEK_SET && r >= 0 && r != off)
		fz_violation(w, "lseek", "SEEK_SET gave another offset", r);
	if (kind == FZ_OPEN && r >= 0 && sys_lseek(fd, 0, SEEK_CUR) != r)
		fz_violation(w, "lseek", "SEEK_CUR 0 did not give the offset just set", r);
}

static void do_path_call(struct fz_worker *w, u32 which)
{
	static const char *const names[] = { "unlink", "mkdir", "rmdir", "chdir" };
	long must;
	const char *p = fz_path(w, &must);
	long r = which == 0 ? sys_unlink(p) :
		 which == 1 ? sys_mkdir(p) :
		 which == 2 ? sys_rmdir(p) :
			      sys_chdir(p);

	fz_result(w, names[which], r, must);
}

static void do_stat(struct fz_worker *w)
{
	long must;
	const char *p = fz_path(w, &must);
	u32 kind = fz_pick(w, 12);
	struct stat *st = kind == 0 ? NULL :
			  kind == 1 ? (struct stat *)8 :
			  kind == 2 ? fz_protected(w, true) :
				      &w->st;
	long r = sys_stat(p, st);

	fz_result(w, "stat", r, kind < 3 ? FZ_MUST_FAIL : must);
	if (r == 0 && st->type != S_IFREG && st->type != S_IFDIR)
		fz_violation(w, "stat", "returned a type that is neither file nor directory",
			     st->type);
}

static void do_readdir(struct fz_worker *w)
{
	long must;
	int fd = fz_fd(w, &must);
	u32 kind = fz_pick(w, 10), max = fz_pick(w, FZ_ENTS + 1);
	struct dirent *ents = w->ents;
	long r;

	if (kind == 0)
		ents = NULL;
	else if (kind == 1)
		max = 0x7fffffff; /* far more than the buffer */
	else if (kind == 2)
		ents = fz_protected(w, true);
	if (!must && kind < 3 && max)
		must = FZ_MUST_FAIL;
	r = sys_readdir(fd, ents, max);
	fz_result(w, "readdir", r, must);
	if (r > (long)max)
		fz_violation(w, "readdir", "filled more entries than asked", r);
}

static void do_pipe(struct fz_worker *w)
{
	u32 kind = fz_pick(w, 12), slot = 0;
	int *fds = kind == 0 ? NULL :
		   kind == 1 ? (int *)0x10 :
		   kind == 2 ? fz_protected(w, true) :
			       w->pipefds;
	long r;

	while (slot < FD_MAX && (w->pipes[slot].r_open || w->pipes[slot].w_open))
		slot++;
	if (slot == FD_MAX)
		return; /* cannot happen: fewer pipes than fds */
	r = sys_pipe(fds);
	fz_result(w, "pipe", r, kind < 3 ? -EFAULT : FZ_ANY);
	if (r == 0) {
		w->pipes[slot] = (struct fz_pipe){ true, true, 0 };
		fd_opened(w, "pipe", fds[0], FZ_PIPE_R, (u8)slot);
		fd_opened(w, "pipe", fds[1], FZ_PIPE_W, (u8)slot);
	}
}

static void fz_child(void *arg)
{
	(void)arg;
}

static void do_proc(struct fz_worker *w)
{
	static const int bad_pids[] = { 0, -5, -0x7fffffff };
	int status = -1;
	long pid;

	switch (fz_pick(w, 4)) {
	case 0:
		pid = sys_getpid();
		fz_result(w, "getpid", pid, FZ_MUST_OK);
		if (pid != w->pid)
			fz_violation(w, "getpid", "changed", pid);
		break;
	case 1:
		if (fz_pick(w, 4) == 0) {
			fz_result(w, "spawn", sys_spawn(fz_child, NULL, CONFIG_NR_CPUS + 1),
				  -EINVAL);
			break;
		}
		pid = sys_spawn(fz_child, NULL, TASK_ANY_CPU);
		fz_result(w, "spawn", pid, FZ_ANY);
		if (pid > 0) {
			long got = sys_wait((int)pid, &status);

			fz_result(w, "wait", got, FZ_MUST_OK);
			if (got != pid)
				fz_violation(w, "wait", "did not reap the child just spawned", got);
		}
		break;
	case 2:
		if (fz_pick(w, 4) == 0) /* the pointer is checked before the children */
			fz_result(w, "wait", sys_wait(-1, fz_protected(w, true)), -EFAULT);
		else
			/* every child was reaped already */
			fz_result(w, "wait", sys_wait(-1, &status), -ECHILD);
		break;
	default:
		fz_result(w, "wait", sys_wait(bad_pids[fz_pick(w, ARRAY_SIZE(bad_pids))], &status),
			  FZ_MUST_FAIL);
	}
}

void fz_one_call(struct fz_worker *w)
{
	u32 op = fz_pick(w, 100);

	if (op < 14)
		do_open(w, false);
	else if (op < 18)
		do_open(w, true);
	else if (op < 28)
		do_close(w);
	else if (op < 40)
		do_rw(w, false);
	else if (op < 54)
		do_rw(w, true);
	else if (op < 58)
		do_lseek(w);
	else if (op < 84)
		/* chdir is rare: it moves relative paths */
		do_path_call(w, fz_pick(w, 10) ? fz_pick(w, 3) : 3);
	else if (op < 90)
		do_stat(w);
	else if (op < 94)
		do_readdir(w);
	else if (op < 97)
		do_pipe(w);
	else
		do_proc(w);
	w->calls++;
}
