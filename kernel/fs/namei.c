/* Path lookup (one directory lock at a time) and the namespace operations: open/create, mkdir, unlink, rmdir, stat, chdir. */
#include "fs_internal.h"
#include <locklab/proc.h>
#include <locklab/errno.h>

/*
 * Path rules: absolute from the root, relative from current_proc()->cwd;
 * repeated slashes are one; '.' and '..' are resolved here, not stored
 * ('..' of the root is the root); every component is at most NAME_MAX
 * bytes (-ENAMETOOLONG); a missing name is -ENOENT, a file used as a
 * directory -ENOTDIR; a trailing slash asks for a directory. A removed
 * directory (nlink 0) holds no names and takes none (-ENOENT).
 *
 * Locks: each step locks one directory, references the child and unlocks.
 * An operation that changes a directory locks it, then (parent before
 * child) the child named in it, as lockdep subclass INODE_CHILD: lockdep
 * then knows the order, and reports a child taken before its parent.
 */

/* A path cut before its last component. */
struct nameidata {
	struct inode *dir; /* referenced: where the last component is looked up */
	const char *last;  /* the last component, 'len' bytes (not NUL-terminated) */
	u32 len;	   /* 0 when there is none: the path is only slashes */
	bool slash;	   /* the path ends with a slash */
};

static bool is_dots(const char *name, u32 len)
{
	return len == 0 || (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')));
}

static struct inode *start_dir(const char *path)
{
	struct proc *p = current_proc();
	struct inode *cwd;

	/* Referenced under the process's cwd lock: another process-1 task may chdir meanwhile. */
	if (*path == '/' || !p || !(cwd = proc_cwd_get(p)))
		return fs_root();
	return cwd;
}

/* The inode named 'name' in dir, referenced; len 0 or '.' is dir itself. */
static long step(struct inode *dir, const char *name, u32 len, struct inode **out)
{
	long r = 0;

	if (dir->type != S_IFDIR)
		return -ENOTDIR;
	if (len == 0 || (len == 1 && name[0] == '.')) {
		inode_get(dir);
		*out = dir;
		return 0;
	}
	klock_lock(&dir->lock);
	if (dir->nlink == 0) {
		r = -ENOENT;
	} else if (len == 2 && name[0] == '.' && name[1] == '.') {
		*out = dir->dir.parent;
		inode_get(*out); /* held by dir's '..' reference */
	} else {
		struct dentry *d = dir_find(dir, name, len);

		if (d) {
			*out = d->inode;
			inode_get(*out); /* held by the entry's reference */
		} else {
			r = -ENOENT;
		}
	}
	klock_unlock(&dir->lock);
	return r;
}

/* Walks every component but the last; fills nd (nd->dir referenced) or returns -errno. */
static long walk_parent(const char *path, struct nameidata *nd)
{
	struct inode *dir = start_dir(path), *next;
	const char *p = path;

	for (;;) {
		const char *name, *q;
		u32 len;
		long r;

		while (*p == '/')
			p++;
		name = p;
		while (*p && *p != '/')
			p++;
		len = (u32)(p - name);
		if (len > NAME_MAX) {
			inode_put(dir);
			return -ENAMETOOLONG;
		}
		for (q = p; *q == '/'; q++)
			;
		if (!*q) {
			nd->dir = dir;
			nd->last = name;
			nd->len = len;
			nd->slash = *p == '/';
			return 0;
		}
		r = step(dir, name, len, &next);
		inode_put(dir);
		if (r)
			return r;
		dir = next;
	}
}

long vfs_lookup(const char *path, struct inode **out)
{
	struct nameidata nd;
	long r;

	subsys_enter(SUBSYS_FS);
	r = walk_parent(path, &nd);
	if (!r) {
		r = step(nd.dir, nd.last, nd.len, out);
		inode_put(nd.dir);
		if (!r && nd.slash && (*out)->type != S_IFDIR) {
			inode_put(*out);
			r = -ENOTDIR;
		}
	}
	subsys_exit(SUBSYS_FS);
	return r;
}

/*
 * Creates nd's last component in nd's directory as a regular file or a
 * directory (type): open(O_CREAT), mkdir and special files share it.
 * Returns 0 if created, 1 if the name was there already (only when !excl),
 * or an error. With out, *out is the inode, referenced for the caller.
 * special (a special file's ops, with its mode) is set before the name is
 * visible, and then the directory is pinned.
 */
static long dir_create(struct nameidata *nd, u32 type, bool excl, struct inode **out,
		       const struct file_ops *special, u32 mode)
{
	struct inode *dir = nd->dir, *new;
	struct dentry *d, *e;
	long r = 0;

	if (dir->type != S_IFDIR)
		return -ENOTDIR;
	new = inode_new(type);
	d = dentry_new(nd->last, nd->len);
	if (!new || !d) {
		r = -ENOMEM;
		goto out_free;
	}
	new->special = special;
	new->mode = mode;
	klock_lock(&dir->lock);
	if (dir->nlink == 0) {
		r = -ENOENT;
	} else if ((e = dir_find(dir, nd->last, nd->len)) != NULL) {
		if (excl) {
			r = -EEXIST;
		} else {
			*out = e->inode;
			inode_get(*out);
			r = 1; /* found, not created */
		}
	} else {
		klock_lock_nested(&new->lock, INODE_CHILD); /* parent before child */
		new->nlink = type == S_IFDIR ? 2 : 1;	    /* its entry, and a directory's '.' */
		new->pinned = special != NULL;
		klock_unlock(&new->lock);
		if (special)
			dir->pinned = true;
		if (type == S_IFDIR) {
			inode_get(dir); /* the new directory's '..' */
			new->dir.parent = dir;
			dir->nlink++; /* the new '..' */
		}
		if (out) {
			/* the caller's; inode_new's reference goes to the entry */
			inode_get(new);
			*out = new;
		}
		inode_hash_insert(new);
		dir_add(dir, d, new);
		new = NULL;
		d = NULL;
	}
	klock_unlock(&dir->lock);
out_free:
	kfree(d);
	if (new)
		inode_discard(new);
	return r;
}

/*
 * Undoes dir_create() for an open that failed after it: removes the entry
 * only if it still names the inode this call created. Between the create
 * and here the fs locks were free, so another task may have unlinked the
 * name and created a file of its own under it; looking the path up again
 * would remove that task's file. Inode numbers are never reused, so 'ino'
 * names ours even once it has been freed.
 */
static void uncreate(struct nameidata *nd, u32 ino)
{
	struct inode *dir = nd->dir, *child = NULL;
	struct dentry *d;

	klock_lock(&dir->lock);
	d = dir_find(dir, nd->last, nd->len);
	if (d && d->inode->ino == ino) {
		child = d->inode;
		klock_lock_nested(&child->lock, INODE_CHILD); /* parent before child */
		child->nlink--;
		klock_unlock(&child->lock);
		dir_remove(dir, d);
	}
	klock_unlock(&dir->lock);
	if (child) {
		kfree(d);
		inode_put(child); /* the entry's reference */
	}
}

#define OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY)

/*
 * Opens path: installs the file as an fd of the calling process (out
 * NULL: returns the fd) or hands it to the caller, in no fd table (out:
 * returns 0). The fd is reserved first, as Linux takes it: with none
 * free the open is -EMFILE before it creates anything. A file created and
 * then removed again for want of an fd could meanwhile have been opened
 * by another task (its name is visible from the create on), which would
 * find its successfully opened file unlinked behind its back.
 */
static long open_path(const char *path, int flags, struct file **out)
{
	u32 acc = (u32)flags & O_ACCMODE;
	struct nameidata nd;
	struct inode *ino;
	struct file *f = NULL;
	bool created = false;
	u32 created_ino = 0; /* the number of the inode this call created */
	int fd = -1;	     /* the reserved slot, until the file is installed in it */
	long r;

	if ((flags & ~OPEN_FLAGS) || acc == O_ACCMODE ||
	    ((flags & O_CREAT) && (flags & O_DIRECTORY)))
		return -EINVAL;
	if (!out && (fd = fd_reserve()) < 0)
		return fd;
	subsys_enter(SUBSYS_FS);
	r = walk_parent(path, &nd);
	if (r)
		goto out;
	if ((flags & O_CREAT) && !is_dots(nd.last, nd.len)) {
		r = nd.slash ? -EISDIR : dir_create(&nd, S_IFREG, flags & O_EXCL, &ino, NULL, 0);
		created = r == 0;
		if (created)
			created_ino = ino->ino;
		if (r == 1)
			r = 0;
	} else
		r = step(nd.dir, nd.last, nd.len, &ino);
	if (r)
		goto out_put;
	if (created && (r = fs_test_open(FS_OPEN_CREATED, path)) != 0) {
		/* a failure a test planted after the create (fs_internal.h) */
	} else if (ino->type == S_IFDIR) {
		if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			r = -EEXIST; /* '.', '..' or '/' */
		else if ((flags & (O_CREAT | O_TRUNC)) || acc != O_RDONLY)
			r = -EISDIR;
	} else if ((flags & O_DIRECTORY) || nd.slash) {
		r = -ENOTDIR;
	} else if ((flags & O_TRUNC) && acc != O_RDONLY && !ino->special && !created) {
		/*
		 * O_TRUNC on a read-only open is left alone (POSIX leaves it
		 * unspecified); on a special file too, which has no pages (so a
		 * shell's "echo 0 > /proc/lock_stat" works); and on the file this
		 * call created, as Linux does: its name is visible since the
		 * create, so another process may have mapped it meanwhile, and
		 * that must not fail the open that made it (-EBUSY below).
		 */
		klock_lock(&ino->lock);
		if (atomic_load_acquire(&ino->maps))
			r = -EBUSY; /* mapped: its pages stay (mmap.c says why) */
		else
			inode_truncate(ino);
		klock_unlock(&ino->lock);
	}
	if (r) {
		inode_put(ino);
		goto out_undo;
	}
	if (ino->special) {
		r = special_open(ino, flags, &f); /* its own ops, not ramfs's pages */
	} else {
		f = file_alloc(ino->type == S_IFDIR ? &ramfs_dir_ops : &ramfs_file_ops, ino,
			       (u32)flags);
		if (!f) {
			inode_put(ino);
			r = -ENOMEM;
		}
	}
	if (!r && out) {
		*out = f; /* the file holds the inode reference now */
	} else if (!r) {
		fd_install_reserved(fd, f); /* the file holds the inode reference now */
		r = fd;
		fd = -1;
	}
out_undo:
	if (r < 0 && created) {
		/* A failed open (no memory for its file) leaves no new file behind. */
		fs_test_open(FS_OPEN_CLEANUP, path);
		uncreate(&nd, created_ino);
	}
out_put:
	inode_put(nd.dir); /* kept until here: uncreate() works in it */
out:
	if (fd >= 0)
		fd_unreserve(fd); /* the open failed: its fd is free again */
	subsys_exit(SUBSYS_FS);
	return r;
}

long vfs_open(const char *path, int flags)
{
	return open_path(path, flags, NULL);
}

long fs_open_file(const char *path, int flags, struct file **out)
{
	return open_path(path, flags, out);
}

long vfs_mkdir(const char *path)
{
	struct nameidata nd;
	long r;

	subsys_enter(SUBSYS_FS);
	r = walk_parent(path, &nd);
	if (!r) {
		r = nd.dir->type != S_IFDIR  ? -ENOTDIR :
		    is_dots(nd.last, nd.len) ? -EEXIST :
					       dir_create(&nd, S_IFDIR, true, NULL, NULL, 0);
		inode_put(nd.dir);
	}
	subsys_exit(SUBSYS_FS);
	return r;
}

/* unlink (dir false) or rmdir (dir true) of the last component of path. */
static long remove_name(const char *path, bool rmdir)
{
	struct dentry *d = NULL;
	struct inode *dir, *child = NULL;
	struct nameidata nd;
	long r;

	subsys_enter(SUBSYS_FS);
	r = walk_parent(path, &nd);
	if (r)
		goto out;
	dir = nd.dir;
	if (dir->type != S_IFDIR)
		r = -ENOTDIR;
	else if (nd.len == 0)
		r = rmdir ? -EBUSY : -EISDIR; /* the root */
	else if (is_dots(nd.last, nd.len))
		r = !rmdir ? -EISDIR : nd.len == 1 ? -EINVAL : -ENOTEMPTY;
	if (r)
		goto out_put;
	klock_lock(&dir->lock);
	if (dir->nlink == 0 || !(d = dir_find(dir, nd.last, nd.len))) {
		r = -ENOENT;
	} else if (rmdir && d->inode->type != S_IFDIR) {
		r = -ENOTDIR;
	} else if (!rmdir && d->inode->type == S_IFDIR) {
		r = -EISDIR;
	} else if (!rmdir && nd.slash) {
		r = -ENOTDIR;
	} else {
		child = d->inode;
		klock_lock_nested(&child->lock, INODE_CHILD); /* parent before child */
		if (child->pinned)
			r = rmdir ? -EBUSY : -EPERM; /* a special file, or a directory above one */
		else if (!rmdir)
			child->nlink--;
		else if (child->size)
			r = -ENOTEMPTY;
		else
			child->nlink = 0; /* its entry and '.'; from now on it takes no names */
		klock_unlock(&child->lock);
		if (!r) {
			dir_remove(dir, d);
			if (rmdir)
				dir->nlink--; /* the child's '..' */
		}
	}
	klock_unlock(&dir->lock);
	if (!r && child) {
		kfree(d);
		inode_put(child); /* the entry's reference: freed here unless open or a cwd */
	}
out_put:
	inode_put(dir);
out:
	subsys_exit(SUBSYS_FS);
	return r;
}

long vfs_unlink(const char *path)
{
	return remove_name(path, false);
}

long vfs_rmdir(const char *path)
{
	return remove_name(path, true);
}

long vfs_mknod_special(const char *path, const struct file_ops *ops, u32 mode,
		       struct inode **dir_out)
{
	struct nameidata nd;
	long r;

	subsys_enter(SUBSYS_FS);
	r = walk_parent(path, &nd);
	if (!r) {
		r = nd.slash || is_dots(nd.last, nd.len) ?
			    -EINVAL :
			    dir_create(&nd, S_IFREG, true, NULL, ops, mode);
		if (r)
			inode_put(nd.dir);
		else
			*dir_out = nd.dir;
	}
	subsys_exit(SUBSYS_FS);
	return r;
}

long vfs_stat(const char *path, struct stat *st)
{
	struct inode *ino;
	long r;

	subsys_enter(SUBSYS_FS);
	r = vfs_lookup(path, &ino);
	if (!r) {
		klock_lock(&ino->lock);
		inode_fill_stat(ino, st);
		klock_unlock(&ino->lock);
		inode_put(ino);
	}
	subsys_exit(SUBSYS_FS);
	return r;
}

long vfs_chdir(const char *path)
{
	struct proc *p = current_proc();
	struct inode *ino, *old;
	long r;

	subsys_enter(SUBSYS_FS);
	r = vfs_lookup(path, &ino);
	if (!r && ino->type != S_IFDIR) {
		inode_put(ino);
		r = -ENOTDIR;
	} else if (!r && !p) {
		inode_put(ino);
		r = -ESRCH;
	} else if (!r) {
		old = proc_cwd_swap(p, ino);
		if (old)
			inode_put(old);
	}
	subsys_exit(SUBSYS_FS);
	return r;
}
