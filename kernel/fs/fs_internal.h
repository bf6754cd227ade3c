/* fs/ private structures: inodes, the inode table, directory entries, and the VFS operations sys_fs.c calls. */
#ifndef KERNEL_FS_FS_INTERNAL_H
#define KERNEL_FS_FS_INTERNAL_H

#include <locklab/klock.h>
#include <locklab/file.h>
#include <locklab/fs.h>
#include <locklab/mm.h>
#include <locklab/errno.h>
#include <asm/atomic.h>

/*
 * Lock order in fs/ (lockdep checks it: classes, and parent/child inodes
 * through subclasses; two inodes of one subclass at once are ours to keep):
 *
 *   fd_table  ->  (nothing: takes file references with an atomic only)
 *   file      ->  inode                      (read, write, readdir, lseek on a file)
 *   inode     ->  inode/1                    only parent directory before a child of it
 *   inode     ->  inode_hash                 (creating an inode under its parent's lock)
 *   inode_hash    is a leaf: nothing is taken while a bucket lock is held
 *
 * Path lookup holds one inode lock at a time (reference the child, drop the
 * parent's lock). No rename and no hard links, so "parent before child"
 * can never meet "child before parent". The child's lock is taken as
 * lockdep subclass INODE_CHILD ("inode/1" in reports), so lockdep learns
 * inode -> inode/1 and reports the reverse. inode_put() and file_put() are
 * never called with an fs data lock held. Allocation (mm) nests inside any
 * of them: mm never calls back into fs.
 */

#define FILE_PAGES_MAX	   64				/* a file holds at most this many pages */
#define FILE_SIZE_MAX	   (FILE_PAGES_MAX * PAGE_SIZE) /* writes beyond get -EFBIG */
#define DIR_BUCKETS	   16				/* name hash buckets per directory */
#define INODE_HASH_BUCKETS 64				/* buckets of the inode table */

/* Directory position (file offset of a directory fd): bucket << DIRPOS_SHIFT | last cookie returned. */
#define DIRPOS_SHIFT	   40
#define DIRPOS_COOKIE_MASK ((1ULL << DIRPOS_SHIFT) - 1)

struct inode;

/* Lockdep subclasses of the "inode" class (klock_lock_nested): a directory, then a child named in it. */
enum inode_subclass {
	INODE_PARENT = 0, /* every plain klock_lock() of an inode */
	INODE_CHILD = 1,  /* taken while its parent directory's lock is held */
};

/* A name in a directory; owned by the directory and guarded by its lock. */
struct dentry {
	struct dentry *next; /* guarded by the directory's lock: bucket chain, in cookie order */
	/* holds one reference (refs) and one link (nlink) of it; never changes */
	struct inode *inode;
	u64 cookie;		 /* never changes: the directory's next_cookie when it was added */
	u32 hash;		 /* never changes */
	u32 len;		 /* never changes */
	char name[NAME_MAX + 1]; /* never changes */
};

struct inode {
	/*
	 * Class "inode", SUBSYS_FS: guards nlink, size and the file data or the
	 * directory's entries below. Order: a parent directory's lock before
	 * the lock of a child of it (both class "inode"; the child's taken as
	 * subclass INODE_CHILD); before inode_hash.
	 */
	struct klock lock;
	u32 ino;  /* never changes */
	u32 type; /* S_IFREG or S_IFDIR; never changes */
	/* never changes: a special file's ops (special.c; an S_IFREG with no pages), else NULL */
	const struct file_ops *special;
	u32 mode; /* never changes: a special file's S_IRUSR/S_IWUSR */
	/*
	 * Atomic: references in memory (files, cwds, lookups in progress, a
	 * directory's child directories through their '..', fs_root) plus one
	 * per directory entry naming the inode. So it reaches 0 only once nlink
	 * has; the drop to 0 happens under the inode's hash bucket lock, and
	 * only there may it go from 0 to 1 (inode_lookup), so the inode is
	 * unhashed and freed exactly once.
	 */
	u32 refs;
	/*
	 * Atomic: mmap regions of the file (mmap.c), each also holding one of
	 * refs. It rises from 0 only under lock, where O_TRUNC reads it: while
	 * it is above 0 no page of the file is freed, so a fault may look the
	 * pages up without the lock.
	 */
	u32 maps;
	/* guarded by lock: entries naming it (+1 for '.' and one per subdir '..', dirs) */
	u32 nlink;
	/* guarded by lock: a special file or a directory above one: unlink -EPERM, rmdir -EBUSY */
	bool pinned;
	/* guarded by lock: bytes (files), entries (directories); a fault reads it without (atomic) */
	u64 size;
	struct inode *hash_next; /* guarded by the inode table bucket's lock */
	union {
		/*
		 * S_IFREG: page i holds bytes [i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
		 * NULL is a hole. Guarded by lock, except that a fault in a shared
		 * mapping fills a hole without it (inode_page): a slot goes from
		 * NULL to a page by compare-and-swap, read with acquire.
		 */
		void *pages[FILE_PAGES_MAX];
		struct {
			struct dentry *buckets[DIR_BUCKETS]; /* guarded by lock */
			/* guarded by lock: cookies only grow, from 1 */
			u64 next_cookie;
			/* Referenced unless this is the root (its own parent); never changes. */
			struct inode *parent;
		} dir;
	};
};

/* inode.c: the inode table and inode life cycle (callers are inside the fs subsystem scope). */
/* refs 1, nlink 0, not yet hashed; NULL if no memory */
struct inode *inode_new(u32 type);
void inode_discard(struct inode *ino);	   /* frees an inode_new() never hashed (nor linked) */
void inode_hash_insert(struct inode *ino); /* makes it findable by inode_lookup() */
struct inode *inode_lookup(u32 ino);	   /* referenced, or NULL */
long inode_read(struct inode *ino, u64 pos, void *buf, u64 n);	      /* lock held */
long inode_write(struct inode *ino, u64 pos, const void *buf, u64 n); /* lock held */
void inode_truncate(struct inode *ino); /* lock held, maps 0: frees every page */
/* Page idx of a file (a hole gets a zeroed page); NULL without memory. Lock-free (mmap.c's faults). */
void *inode_page(struct inode *ino, u32 idx);
void inode_fill_stat(struct inode *ino, struct stat *st); /* lock held */

/* dir.c: entries of one directory (its lock held). */
struct dentry *dir_find(struct inode *dir, const char *name, u32 len);
struct dentry *dentry_new(const char *name, u32 len); /* NULL if no memory; not linked */
/* d takes over a ref of child */
void dir_add(struct inode *dir, struct dentry *d, struct inode *child);
/* unlinks d; the caller kfree's it and puts d->inode */
void dir_remove(struct inode *dir, struct dentry *d);
long dir_fill(struct inode *dir, u64 *pos, struct dirent *ents, u32 max); /* or -EFAULT */

/* namei.c: paths (kernel copies, NUL-terminated) to inodes, and the namespace operations. */
long vfs_lookup(const char *path, struct inode **out); /* referenced */
long vfs_open(const char *path, int flags);	       /* fd */
long vfs_mkdir(const char *path);
long vfs_unlink(const char *path);
long vfs_rmdir(const char *path);
long vfs_stat(const char *path, struct stat *st);
long vfs_chdir(const char *path);
/* Creates path (its directory exists) as a special file with ops and mode (special.c); *dir_out is its directory, referenced. */
long vfs_mknod_special(const char *path, const struct file_ops *ops, u32 mode,
		       struct inode **dir_out);

/*
 * Test points (ktest builds only) inside an O_CREAT open, where a test can
 * plant another task's work (fs_race_test.c): FS_OPEN_CREATED just after
 * the open created its file, FS_OPEN_CLEANUP in a failed open after its
 * create and before its cleanup. Called inside the fs subsystem scope with
 * no data lock held; the hook may sleep. At FS_OPEN_CREATED it may return
 * an -errno the open then fails with, as if it had run out of memory for
 * its file (the only failure left after a create): that open's cleanup
 * is how a test reaches FS_OPEN_CLEANUP. 0 lets the open go on.
 */
enum fs_open_point { FS_OPEN_CREATED, FS_OPEN_CLEANUP };
#ifdef CONFIG_KTEST
extern long (*fs_open_hook)(enum fs_open_point at, const char *path); /* set only by the test */
static inline long fs_test_open(enum fs_open_point at, const char *path)
{
	long (*hook)(enum fs_open_point, const char *) = atomic_load_relaxed(&fs_open_hook);

	return hook ? hook(at, path) : 0;
}
#else
static inline long fs_test_open(enum fs_open_point at, const char *path)
{
	(void)at;
	(void)path;
	return 0;
}
#endif

/* special.c: an open of a special file (ino referenced; the reference is put): 0 and *out, the file in no fd table, or -errno. */
long special_open(struct inode *ino, int flags, struct file **out);

/* ramfs.c: file operations of regular files and directories. */
extern const struct file_ops ramfs_file_ops;
extern const struct file_ops ramfs_dir_ops;
long vfs_readdir(struct file *f, struct dirent *ents, u32 max);

#endif
