/* Open files (reference counted) and fd tables (lowest free fd first), for fs and ipc alike. */
#include <locklab/file.h>
#include <locklab/errno.h>
#include <locklab/mm.h>
#include <locklab/panic.h>
#include <locklab/proc.h>
#include <asm/atomic.h>

/* A slot an open in progress holds (fd_reserve): taken, but no file in it yet. */
#define FD_RESERVED ((struct file *)1)

/* A file in slot s: neither free nor reserved. */
static bool slot_has_file(struct file *s)
{
	return s && s != FD_RESERVED;
}

/*
 * Locks: a table's "fd_table" lock guards its slots only; references are
 * taken with an atomic inside it and dropped (file_put, which may run a
 * release and free memory) after it is let go. Callers hold no subsystem
 * lock after fs in the order (ipc, mm) when they call in here.
 */

struct file *file_alloc(const struct file_ops *ops, void *priv, u32 flags)
{
	struct file *f;

	subsys_enter(SUBSYS_FS);
	f = kmalloc(sizeof(*f));
	if (f) {
		klock_init(&f->lock, "file", SUBSYS_FS);
		f->refs = 1;
		f->flags = flags;
		f->ops = ops;
		f->priv = priv;
		f->offset = 0;
	}
	subsys_exit(SUBSYS_FS);
	return f;
}

void file_get(struct file *f)
{
	/* The caller holds a reference already (or a table slot's, under the table lock). */
	atomic_fetch_add_relaxed(&f->refs, 1U);
}

void file_put(struct file *f)
{
	/* acq_rel: the last one sees every other holder's writes before it releases and frees. */
	if (atomic_fetch_add_acq_rel(&f->refs, (u32)-1) != 1)
		return;
	subsys_enter(SUBSYS_FS);
	if (f->ops->release)
		f->ops->release(f);
	kfree(f);
	subsys_exit(SUBSYS_FS);
}

struct files *files_alloc(void)
{
	struct files *fs;

	subsys_enter(SUBSYS_FS);
	fs = kmalloc(sizeof(*fs)); /* zeroed: every slot free */
	if (fs)
		klock_init(&fs->lock, "fd_table", SUBSYS_FS);
	subsys_exit(SUBSYS_FS);
	return fs;
}

struct files *files_dup(struct files *from)
{
	struct files *fs = files_alloc();

	if (!fs)
		return NULL;
	subsys_enter(SUBSYS_FS);
	/* The new table is nobody else's yet: only 'from' needs its lock. */
	klock_lock(&from->lock);
	for (u32 i = 0; i < FD_MAX; i++) {
		/* a slot reserved by an open in progress is that open's table's, not the copy's */
		fs->fd[i] = slot_has_file(from->fd[i]) ? from->fd[i] : NULL;
		if (fs->fd[i])
			file_get(fs->fd[i]);
	}
	klock_unlock(&from->lock);
	subsys_exit(SUBSYS_FS);
	return fs;
}

void files_free(struct files *fs)
{
	struct file *open[FD_MAX];

	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	for (u32 i = 0; i < FD_MAX; i++) {
		open[i] = fs->fd[i];
		fs->fd[i] = NULL;
	}
	klock_unlock(&fs->lock);
	for (u32 i = 0; i < FD_MAX; i++)
		if (slot_has_file(open[i]))
			file_put(open[i]);
	kfree(fs);
	subsys_exit(SUBSYS_FS);
}

static u32 count_open(struct files *fs)
{
	u32 n = 0;

	klock_assert_held(&fs->lock);
	for (u32 i = 0; i < FD_MAX; i++)
		n += slot_has_file(fs->fd[i]);
	return n;
}

u32 files_count(struct files *fs)
{
	u32 n;

	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	n = count_open(fs);
	klock_unlock(&fs->lock);
	subsys_exit(SUBSYS_FS);
	return n;
}

static struct files *my_files(void)
{
	struct proc *p = current_proc();

	return p ? p->files : NULL; /* set at spawn, freed at exit: stable while the process runs */
}

/* Lowest free slot, or -EMFILE. */
static int slot_take(struct files *fs, struct file *f)
{
	klock_assert_held(&fs->lock);
	for (int i = 0; i < FD_MAX; i++) {
		if (!fs->fd[i]) {
			fs->fd[i] = f;
			return i;
		}
	}
	return -EMFILE;
}

int fd_install(struct file *f)
{
	struct files *fs = my_files();
	int fd;

	if (!fs)
		return -EMFILE;
	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	fd = slot_take(fs, f);
	klock_unlock(&fs->lock);
	subsys_exit(SUBSYS_FS);
	return fd;
}

int fd_reserve(void)
{
	return fd_install(FD_RESERVED);
}

/* Sets slot fd, which this task reserved, to f (NULL: free again). */
static void reserved_set(int fd, struct file *f)
{
	struct files *fs = my_files();

	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	/* nobody else fills or frees a reserved slot: close and install pass it by */
	BUG_ON(fs->fd[fd] != FD_RESERVED);
	fs->fd[fd] = f;
	klock_unlock(&fs->lock);
	subsys_exit(SUBSYS_FS);
}

void fd_install_reserved(int fd, struct file *f)
{
	reserved_set(fd, f);
}

void fd_unreserve(int fd)
{
	reserved_set(fd, NULL);
}

struct file *fd_get(int fd)
{
	struct files *fs = my_files();
	struct file *f;

	if (!fs || fd < 0 || fd >= FD_MAX)
		return NULL;
	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	f = fs->fd[fd];
	if (!slot_has_file(f))
		f = NULL;
	else
		file_get(f); /* the slot's reference keeps it alive while we take ours */
	klock_unlock(&fs->lock);
	subsys_exit(SUBSYS_FS);
	return f;
}

int fd_uninstall(int fd, struct file *f)
{
	struct files *fs = my_files();
	bool held;

	if (!fs || fd < 0 || fd >= FD_MAX)
		return -EBADF;
	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	held = fs->fd[fd] == f; /* another task of a shared table may have reused the number */
	if (held)
		fs->fd[fd] = NULL;
	klock_unlock(&fs->lock);
	if (held)
		file_put(f);
	subsys_exit(SUBSYS_FS);
	return held ? 0 : -EBADF;
}

int fd_close(int fd)
{
	struct files *fs = my_files();
	struct file *f;

	if (!fs || fd < 0 || fd >= FD_MAX)
		return -EBADF;
	subsys_enter(SUBSYS_FS);
	klock_lock(&fs->lock);
	f = fs->fd[fd];
	if (slot_has_file(f))
		fs->fd[fd] = NULL;
	else
		f = NULL; /* closed, or reserved by an open not yet done: it is not ours to free */
	klock_unlock(&fs->lock);
	if (f)
		file_put(f);
	subsys_exit(SUBSYS_FS);
	return f ? 0 : -EBADF;
}
