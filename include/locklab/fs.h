/* The VFS seen from outside fs/: file types, stat and directory entries, the root, inode references. */
#ifndef LOCKLAB_FS_H
#define LOCKLAB_FS_H

#include <locklab/types.h>

#define NAME_MAX 55 /* bytes in one path component, without the NUL */

#define S_IFREG 1
#define S_IFDIR 2

/* A special file's mode (fs_special_register): which opens it allows; the owner's bits of Linux's. */
#define S_IRUSR 0400
#define S_IWUSR 0200

struct stat {
	u32 ino;
	u32 type; /* S_IFREG or S_IFDIR */
	u32 nlink;
	u64 size; /* bytes (files), entries (directories) */
};

struct dirent {
	u32 ino;
	u32 type;
	char name[NAME_MAX + 1];
};

struct inode;
struct file;
struct file_ops;

struct inode *fs_root(void); /* referenced */
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
u64 fs_inodes_live(void); /* inodes allocated and not yet freed (leak checks) */

/*
 * Mappings of ramfs files (kernel/fs/mmap.c, for kernel/mm/vm.c).
 * fs_mmap_begin: fd's inode for a mapping with prot (PROT_*), shared or
 * private, with a mapping reference; *may_write says whether PROT_WRITE
 * may be given to it later (mprotect). 0, -EBADF, -ENODEV (not a regular
 * ramfs file), -EACCES (fd's access mode). fs_mmap_dup takes one more
 * (a region cut in two), fs_mmap_end drops one: after the region's pages
 * left every TLB, with no fs or mm lock held. fs_mmap_page: the file's
 * page idx in *page, a hole filled with a zeroed page if fill (else
 * NULL), and how many of its bytes are in the file (1..PAGE_SIZE); -EIO
 * past the end, -ENOMEM. No lock: any context a fault is in.
 */
long fs_mmap_begin(int fd, u32 prot, bool shared, struct inode **out, bool *may_write);
void fs_mmap_dup(struct inode *ino);
void fs_mmap_end(struct inode *ino);
long fs_mmap_page(struct inode *ino, u64 idx, bool fill, void **page);

/*
 * Special files (kernel/fs/special.c), Linux's procfs reduced: a name whose
 * opens get ops instead of ramfs's pages. ops->open sets up each open file,
 * read/write/lseek/release serve it. mode (S_IRUSR, S_IWUSR) says which
 * access modes an open may ask for (-EPERM otherwise). The missing
 * directories of path are created; the file and the directories above it
 * cannot be removed (unlink -EPERM, rmdir -EBUSY). stat says a regular file
 * of size 0. Call at boot, from an initcall after INITCALL_FS; 0 or -errno.
 */
long fs_special_register(const char *path, const struct file_ops *ops, u32 mode);

/*
 * Opens path (a kernel string) as open(2) does, but hands the file to the
 * caller in *out, referenced, instead of installing an fd: for the kernel's
 * own reads (the program loader), which must not take a slot of a full
 * table nor read through an fd number another task sharing the table
 * could close. 0 or open's -errno; file_put() ends it. Call it, use the
 * file (f->ops) and put it inside kernel_enter()/kernel_exit(), as a sys_*
 * call would: under the BKL the fs code asserts the lock is held.
 */
long fs_open_file(const char *path, int flags, struct file **out);

/*
 * A text made when a special file is opened and read at any offset later
 * (Linux's seq_file, reduced): the reader sees one consistent snapshot
 * however small its reads. Up to FS_TEXT_MAX bytes; more is cut off.
 */
#define FS_TEXT_PAGES 8
#define FS_TEXT_MAX   (FS_TEXT_PAGES * 4096UL)
struct fs_text;
struct fs_text *fs_text_new(void);			/* empty; NULL if no memory */
void fs_text_line(struct fs_text *t, const char *line); /* appends line and a newline */
/* A read of f at its offset (the file's lock held across it); the ops' read calls it. */
long fs_text_read(struct file *f, const struct fs_text *t, void *buf, u64 n);
void fs_text_free(struct fs_text *t); /* NULL is fine */

#endif
