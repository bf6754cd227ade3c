/* Special files (Linux's procfs, reduced): names whose opens get a kernel function's file_ops, and the snapshot text they read from. */
#include "fs_internal.h"
#include <locklab/string.h>
#include <locklab/uaccess.h>

/*
 * A special file is an S_IFREG inode with no pages whose 'special' points
 * at the ops of its owner (say, kernel/locking/lockstat_proc.c). Both
 * fields are set before its name is visible and never change, so open
 * reads them without a lock. It and every directory above it are pinned
 * (under their own locks): unlink and rmdir refuse them, so the inode,
 * held by its entry, lives for ever and an open file needs no reference
 * to it.
 */

_Static_assert(FS_TEXT_MAX == FS_TEXT_PAGES * PAGE_SIZE, "fs.h's FS_TEXT_MAX is in pages");

/* Creates each missing directory on the way to the last component of path (absolute). */
static long make_dirs(const char *path)
{
	char p[PATH_MAX];
	long r;

	if (strlcpy(p, path, sizeof(p)) >= sizeof(p))
		return -ENAMETOOLONG;
	for (char *c = p + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		r = vfs_mkdir(p);
		*c = '/';
		if (r && r != -EEXIST)
			return r;
	}
	return 0;
}

long fs_special_register(const char *path, const struct file_ops *ops, u32 mode)
{
	struct inode *dir, *up;
	long r;

	if (path[0] != '/' || !ops || (mode & ~(u32)(S_IRUSR | S_IWUSR)))
		return -EINVAL;
	kernel_enter();
	subsys_enter(SUBSYS_FS);
	r = make_dirs(path);
	if (!r)
		r = vfs_mknod_special(path, ops, mode, &dir);
	if (!r) {
		/* dir_create pinned dir; the ones above it too, one lock at a time. */
		for (up = dir->dir.parent; up != up->dir.parent; up = up->dir.parent) {
			klock_lock(&up->lock);
			up->pinned = true;
			klock_unlock(&up->lock);
		}
		inode_put(dir);
	}
	subsys_exit(SUBSYS_FS);
	kernel_exit();
	return r;
}

long special_open(struct inode *ino, int flags, struct file **out)
{
	const struct file_ops *ops = ino->special;
	u32 acc = (u32)flags & O_ACCMODE, mode = ino->mode;
	struct file *f;
	long r;

	inode_put(ino); /* pinned: its entry keeps it, and the open file uses only ops */
	if ((acc != O_WRONLY && !(mode & S_IRUSR)) || (acc != O_RDONLY && !(mode & S_IWUSR)))
		return -EPERM;
	f = file_alloc(ops, NULL, (u32)flags);
	if (!f)
		return -ENOMEM;
	r = ops->open ? ops->open(f) : 0; /* before the fd exists: nobody else sees f yet */
	if (r < 0) {
		file_put(f); /* ops->release undoes what open did */
		return r;
	}
	*out = f;
	return 0;
}

/* Written only while the file that owns it is being opened; read-only from then on. */
struct fs_text {
	u64 len;		    /* bytes in pages */
	void *pages[FS_TEXT_PAGES]; /* page i holds bytes [i * PAGE_SIZE, (i + 1) * PAGE_SIZE) */
};

struct fs_text *fs_text_new(void)
{
	return kmalloc(sizeof(struct fs_text));
}

static void text_put(struct fs_text *t, const char *s, u64 n)
{
	while (n && t->len < FS_TEXT_MAX) {
		void **page = &t->pages[t->len / PAGE_SIZE];
		u64 at = t->len % PAGE_SIZE, chunk = MIN(n, PAGE_SIZE - at);

		if (!*page && !(*page = page_alloc()))
			return; /* out of memory: the text ends here */
		memcpy((char *)*page + at, s, chunk);
		t->len += chunk;
		s += chunk;
		n -= chunk;
	}
}

void fs_text_line(struct fs_text *t, const char *line)
{
	text_put(t, line, strlen(line));
	text_put(t, "\n", 1);
}

long fs_text_read(struct file *f, const struct fs_text *t, void *buf, u64 n)
{
	u8 *out = buf;
	u64 done = 0;
	long r;

	subsys_enter(SUBSYS_FS);
	klock_lock(&f->lock);
	if (f->offset < t->len)
		n = MIN(n, t->len - f->offset);
	else
		n = 0;
	while (done < n) {
		u64 p = f->offset + done, at = p % PAGE_SIZE, chunk = MIN(n - done, PAGE_SIZE - at);

		/* buf may be a user process's: the copy may fault a page in (file -> mmap_lock) */
		if (copy_to_user(out + done, (const u8 *)t->pages[p / PAGE_SIZE] + at, chunk))
			break;
		done += chunk;
	}
	f->offset += done;
	r = done || !n ? (long)done : -EFAULT;
	klock_unlock(&f->lock);
	subsys_exit(SUBSYS_FS);
	return r;
}

void fs_text_free(struct fs_text *t)
{
	if (!t)
		return;
	for (u32 i = 0; i < FS_TEXT_PAGES; i++)
		if (t->pages[i])
			page_free(t->pages[i]);
	kfree(t);
}
