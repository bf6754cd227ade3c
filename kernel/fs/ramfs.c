/* ramfs file operations: read, write, lseek of regular files at the file offset; readdir cursors on directories. */
#include "fs_internal.h"
#include <locklab/errno.h>

/*
 * Each operation takes the file's lock (its offset) and then the inode's
 * (its size and pages): order file -> inode. Both stay held across the
 * copy, so a read or write at the file offset is atomic with respect to
 * other users of the same open file and of the same inode.
 */

/* A read or write at the file offset; a write to an O_APPEND file first moves it to the end. */
static long file_rw(struct file *f, void *buf, u64 n, bool write)
{
	struct inode *ino = f->priv;
	long r;

	subsys_enter(SUBSYS_FS);
	klock_lock(&f->lock);
	klock_lock(&ino->lock);
	if (write && (f->flags & O_APPEND))
		f->offset = ino->size;
	r = write ? inode_write(ino, f->offset, buf, n) : inode_read(ino, f->offset, buf, n);
	if (r > 0)
		f->offset += (u64)r;
	klock_unlock(&ino->lock);
	klock_unlock(&f->lock);
	subsys_exit(SUBSYS_FS);
	return r;
}

static long file_read(struct file *f, void *buf, u64 n)
{
	return file_rw(f, buf, n, false);
}

static long file_write(struct file *f, const void *buf, u64 n)
{
	/* inode_write only reads buf; the cast lets one body serve both directions. */
	return file_rw(f, (void *)buf, n, true);
}

/* New offset base + off, or -EINVAL if it is negative or overflows. */
static long offset_add(u64 base, s64 off)
{
	s64 pos;

	if (__builtin_add_overflow((s64)base, off, &pos) || pos < 0)
		return -EINVAL;
	return pos;
}

static long file_lseek(struct file *f, s64 off, int whence)
{
	struct inode *ino = f->priv;
	long r;

	subsys_enter(SUBSYS_FS);
	klock_lock(&f->lock);
	switch (whence) {
	case SEEK_SET: r = off < 0 ? -EINVAL : off; break;
	case SEEK_CUR: r = offset_add(f->offset, off); break;
	case SEEK_END:
		klock_lock(&ino->lock);
		r = offset_add(ino->size, off);
		klock_unlock(&ino->lock);
		break;
	default: r = -EINVAL;
	}
	if (r >= 0)
		f->offset = (u64)r;
	klock_unlock(&f->lock);
	subsys_exit(SUBSYS_FS);
	return r;
}

/* The file's reference to its inode goes; an unlinked file's pages go with the last one. */
static void ramfs_release(struct file *f)
{
	inode_put(f->priv);
}

const struct file_ops ramfs_file_ops = {
	.read = file_read,
	.write = file_write,
	.lseek = file_lseek,
	.release = ramfs_release,
};

static long dir_read(struct file *f, void *buf, u64 n)
{
	(void)f;
	(void)buf;
	(void)n;
	return -EISDIR;
}

/* A directory's offset is a readdir cursor: it may be rewound (0) or set to a value it had; SEEK_CUR 0 reads it. */
static long dir_lseek(struct file *f, s64 off, int whence)
{
	long r = -EINVAL;

	subsys_enter(SUBSYS_FS);
	klock_lock(&f->lock);
	if (whence == SEEK_SET && off >= 0) {
		f->offset = (u64)off;
		r = off;
	} else if (whence == SEEK_CUR && off == 0) {
		r = (long)f->offset;
	}
	klock_unlock(&f->lock);
	subsys_exit(SUBSYS_FS);
	return r;
}

const struct file_ops ramfs_dir_ops = {
	.read = dir_read,
	.write = NULL, /* never opened for writing */
	.lseek = dir_lseek,
	.release = ramfs_release,
};

long vfs_readdir(struct file *f, struct dirent *ents, u32 max)
{
	struct inode *dir = f->priv;
	long n;

	if (f->ops != &ramfs_dir_ops)
		return -ENOTDIR;
	subsys_enter(SUBSYS_FS);
	klock_lock(&f->lock);
	klock_lock(&dir->lock);
	n = dir_fill(dir, &f->offset, ents, max);
	klock_unlock(&dir->lock);
	klock_unlock(&f->lock);
	subsys_exit(SUBSYS_FS);
	return n;
}
