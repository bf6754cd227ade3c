/* Open files and per-process fd tables, shared by fs (regular files, directories) and ipc (pipes). */
#ifndef LOCKLAB_FILE_H
#define LOCKLAB_FILE_H

#include <locklab/fcntl.h>
#include <locklab/klock.h>

#define FD_MAX 32 /* open files per process */

struct file;

/* What a file does; a NULL entry answers -EINVAL (read/write) or -ESPIPE (lseek). */
struct file_ops {
	/*
	 * Special files only (fs_special_register, fs.h): called once by open,
	 * before the fd is installed, to set up priv (say, the text a read
	 * returns); an error fails the open. release is called either way.
	 */
	long (*open)(struct file *f);
	long (*read)(struct file *f, void *buf, u64 n);
	long (*write)(struct file *f, const void *buf, u64 n);
	long (*lseek)(struct file *f, s64 off, int whence);
	void (*release)(struct file *f); /* the last reference is gone */
};

struct file {
	struct klock lock;	    /* class "file", SUBSYS_FS: guards offset */
	u32 refs;		    /* atomic: fd table slots and calls in progress */
	u32 flags;		    /* O_* given at open; never changes */
	const struct file_ops *ops; /* never changes */
	void *priv; /* the inode, the pipe end, or a special file's state; never changes once open */
	u64 offset; /* guarded by lock */
};

/* An fd table: one per process, copied at spawn. */
struct files {
	struct klock lock; /* class "fd_table", SUBSYS_FS: guards fd[] */
	/* guarded by lock; each slot holds a reference, or is NULL, or FD_RESERVED (file.c) */
	struct file *fd[FD_MAX];
};

/* refs = 1; NULL if no memory */
struct file *file_alloc(const struct file_ops *ops, void *priv, u32 flags);
void file_get(struct file *f);
void file_put(struct file *f); /* calls ops->release and frees it on the last reference */

struct files *files_alloc(void);	     /* empty; NULL if no memory */
struct files *files_dup(struct files *from); /* same files, each referenced again */
void files_free(struct files *fs);	     /* closes every fd, frees the table */
u32 files_count(struct files *fs);	     /* open fds */

/* On the current process's table (see proc.h: current_proc()). */
int fd_install(struct file *f); /* takes over the caller's reference; fd, or -EMFILE */
/*
 * An open takes its fd before it looks at the path (as Linux): the lowest
 * free slot, held empty (fd_get and close see no file there) until
 * fd_install_reserved fills it or fd_unreserve frees it; fd, or -EMFILE.
 */
int fd_reserve(void);
void fd_install_reserved(int fd, struct file *f); /* takes over the caller's reference */
void fd_unreserve(int fd);
struct file *fd_get(int fd); /* a new reference, or NULL for a bad or closed fd */
int fd_close(int fd);	     /* 0 or -EBADF */
/* closes fd only if it still holds f (undoing an install) */
int fd_uninstall(int fd, struct file *f);

#endif
