/* sys_* calls for files and directories: kernel scope, argument checks, then the VFS (kernel/fs/). */
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include <locklab/string.h>
#include "fs_internal.h"

/*
 * Every call enters the kernel scope first (the BKL under that strategy)
 * and leaves it on every path. Arguments are checked before the VFS sees
 * them: paths are copied with copy_path (-EFAULT, -ENAMETOOLONG, -ENOENT),
 * buffers checked with uaccess_ok (-EFAULT), fds must be open (-EBADF).
 * Order of checks: the fd, then the access mode, then n == 0, then the buffer.
 */

/* Runs op on a kernel copy of upath. */
static long with_path(const char *upath, long (*op)(const char *path))
{
	char path[PATH_MAX];
	long r;

	kernel_enter();
	r = copy_path(path, upath);
	if (r >= 0)
		r = op(path);
	kernel_exit();
	return r;
}

long sys_open(const char *upath, int flags)
{
	char path[PATH_MAX];
	long r;

	kernel_enter();
	r = copy_path(path, upath);
	if (r >= 0)
		r = vfs_open(path, flags);
	kernel_exit();
	return r;
}

long sys_creat(const char *path)
{
	return sys_open(path, O_CREAT | O_WRONLY | O_TRUNC);
}

long sys_close(int fd)
{
	long r;

	kernel_enter();
	r = fd_close(fd);
	kernel_exit();
	return r;
}

/* The fd's file, referenced, if it is open with access 'want' (O_RDONLY for reading, O_WRONLY for writing). */
static long file_for(int fd, u32 want, struct file **out)
{
	struct file *f = fd_get(fd);
	u32 acc;

	if (!f)
		return -EBADF;
	acc = f->flags & O_ACCMODE;
	if (acc != O_RDWR && acc != want) {
		file_put(f);
		return -EBADF;
	}
	*out = f;
	return 0;
}

/* read and write: the same checks, the direction apart (the buffer is written by a read, read by a write). */
static long sys_rw(int fd, void *buf, u64 n, bool write)
{
	struct file *f;
	long r;

	kernel_enter();
	r = file_for(fd, write ? O_WRONLY : O_RDONLY, &f);
	if (r)
		goto out;
	if (n == 0)
		r = 0;
	else if (!uaccess_ok(buf, n, write ? UACCESS_READ : UACCESS_WRITE))
		r = -EFAULT;
	else if (write ? !f->ops->write : !f->ops->read)
		r = -EINVAL;
	else
		r = write ? f->ops->write(f, buf, n) : f->ops->read(f, buf, n);
	file_put(f);
out:
	kernel_exit();
	return r;
}

long sys_read(int fd, void *buf, u64 n)
{
	return sys_rw(fd, buf, n, false);
}

long sys_write(int fd, const void *buf, u64 n)
{
	return sys_rw(fd, (void *)buf, n, true);
}

long sys_lseek(int fd, s64 off, int whence)
{
	struct file *f;
	long r;

	kernel_enter();
	f = fd_get(fd);
	if (!f) {
		r = -EBADF;
	} else {
		if (!f->ops->lseek)
			r = -ESPIPE; /* a pipe, whatever the whence */
		else if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
			r = -EINVAL;
		else
			r = f->ops->lseek(f, off, whence);
		file_put(f);
	}
	kernel_exit();
	return r;
}

long sys_unlink(const char *path)
{
	return with_path(path, vfs_unlink);
}

long sys_mkdir(const char *path)
{
	return with_path(path, vfs_mkdir);
}

long sys_rmdir(const char *path)
{
	return with_path(path, vfs_rmdir);
}

long sys_chdir(const char *path)
{
	return with_path(path, vfs_chdir);
}

long sys_readdir(int fd, struct dirent *ents, u32 max)
{
	struct file *f;
	long r;

	kernel_enter();
	f = fd_get(fd);
	if (!f) {
		r = -EBADF;
	} else {
		if (f->ops != &ramfs_dir_ops)
			r = -ENOTDIR;
		else if (max == 0)
			r = 0;
		else if (!uaccess_ok(ents, (u64)max * sizeof(*ents), UACCESS_WRITE))
			r = -EFAULT;
		else
			r = vfs_readdir(f, ents, max);
		file_put(f);
	}
	kernel_exit();
	return r;
}

long sys_stat(const char *upath, struct stat *ust)
{
	char path[PATH_MAX];
	struct stat st;
	long r;

	kernel_enter();
	memset(&st, 0, sizeof(st)); /* its padding goes to the caller too: no stale kernel stack */
	r = copy_path(path, upath);
	if (r >= 0 && !uaccess_ok(ust, sizeof(*ust), UACCESS_WRITE))
		r = -EFAULT;
	else if (r >= 0)
		r = vfs_stat(path, &st);
	if (r == 0)
		r = copy_to_user(ust, &st, sizeof(st));
	kernel_exit();
	return r;
}
