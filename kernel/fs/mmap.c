/* mmap of a ramfs file: what a mapping holds of the inode, and the page a fault maps (found without the inode's lock). */
#include "fs_internal.h"
#include <locklab/mman.h>

/*
 * A mapping (a region of a process, kernel/mm/vm.c) holds one inode
 * reference and one of maps. While maps is above 0 no page of the file is
 * freed: O_TRUNC is refused with -EBUSY (Linux would shrink the file and
 * take its pages out of every process mapping it, which needs a reverse
 * map this kernel does not have), and the last inode_put, which frees
 * them, cannot come. So a fault may find and fill the file's pages
 * without the inode's lock, which it must not take: read() and write()
 * copy to and from user memory under that lock, and the buffer may be a
 * mapping of the same file (the fault would wait for its own task) or of
 * another one (two inode locks, taken in either order by two processes).
 *
 * maps rises from 0 only under the inode's lock, where O_TRUNC reads it,
 * so a truncation either ended before the first mapping of the file or
 * sees it. It falls (release) only after the region's pages are gone from
 * the tables and every TLB.
 */

long fs_mmap_begin(int fd, u32 prot, bool shared, struct inode **out, bool *may_write)
{
	struct file *f = fd_get(fd);
	struct inode *ino;
	u32 acc;
	long r = 0;

	if (!f)
		return -EBADF;
	acc = f->flags & O_ACCMODE;
	/* Linux's rules: read access always; a shared writable mapping writes the file, so O_RDWR without O_APPEND. */
	*may_write = !shared || (acc == O_RDWR && !(f->flags & O_APPEND));
	if (f->ops != &ramfs_file_ops)
		r = -ENODEV; /* a directory, a pipe, the console or a /proc file */
	else if (acc == O_WRONLY || ((prot & PROT_WRITE) && !*may_write))
		r = -EACCES;
	if (!r) {
		ino = f->priv;
		subsys_enter(SUBSYS_FS);
		klock_lock(&ino->lock);
		atomic_fetch_add_relaxed(&ino->maps, 1U);
		inode_get(ino);
		klock_unlock(&ino->lock);
		subsys_exit(SUBSYS_FS);
		*out = ino;
	}
	file_put(f);
	return r;
}

void fs_mmap_dup(struct inode *ino)
{
	/* A region cut in two: maps is above 0 already (the caller's region), no lock needed. */
	atomic_fetch_add_relaxed(&ino->maps, 1U);
	inode_get(ino);
}

void fs_mmap_end(struct inode *ino)
{
	__atomic_fetch_sub(&ino->maps, 1U, __ATOMIC_RELEASE); /* after the caller's unmapping */
	inode_put(ino);
}

long fs_mmap_page(struct inode *ino, u64 idx, bool fill, void **page)
{
	/*
	 * One look at size, which only grows while the file is mapped. Acquire,
	 * pairing with inode_write's release: the bytes below it are written
	 * (relaxed, a weakly ordered CPU could show the new size and old bytes,
	 * and a private copy would keep them).
	 */
	u64 size = atomic_load_acquire(&ino->size);

	/* Past the end (or past any file's end): SIGBUS at EL0, as Linux. */
	if (idx >= FILE_PAGES_MAX || idx * PAGE_SIZE >= size)
		return -EIO;
	*page = fill ? inode_page(ino, (u32)idx) : atomic_load_acquire(&ino->pages[idx]);
	if (fill && !*page)
		return -ENOMEM;
	return (long)MIN(size - idx * PAGE_SIZE, PAGE_SIZE);
}
