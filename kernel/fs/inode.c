/* Inodes: the inode table (hashed by number, a lock per bucket), references, file data in pages, the root. */
#include "fs_internal.h"
#include <locklab/initcall.h>
#include <locklab/panic.h>
#include <locklab/string.h>
#include <locklab/uaccess.h>
#include <asm/atomic.h>

/* A bucket of the inode table. */
struct inode_bucket {
	struct klock
		lock; /* class "inode_hash", SUBSYS_FS: guards head and each chained inode's hash_next; a leaf */
	struct inode *head; /* guarded by lock */
};

static struct inode_bucket inode_table[INODE_HASH_BUCKETS];
static u32 next_ino = 1;   /* atomic: numbers are never reused (u32 wraps after 4G creations) */
static u64 inodes_live;	   /* atomic: inodes allocated and not yet freed */
static struct inode *root; /* set once by fs_init; holds the reference that keeps the root alive */

static struct inode_bucket *bucket_of(u32 ino)
{
	return &inode_table[ino % INODE_HASH_BUCKETS];
}

struct inode *inode_new(u32 type)
{
	struct inode *ino = kmalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	klock_init(&ino->lock, "inode", SUBSYS_FS);
	ino->ino = atomic_fetch_add_relaxed(&next_ino, 1U);
	ino->type = type;
	ino->refs = 1;
	ino->nlink = 0;
	ino->size = 0;
	ino->hash_next = NULL;
	if (type == S_IFDIR)
		ino->dir.next_cookie = 1; /* kmalloc zeroed the buckets and parent */
	atomic_fetch_add_relaxed(&inodes_live, 1UL);
	return ino;
}

/* Returns the pages and the memory of an inode nobody can reach any more. */
static void inode_free(struct inode *ino)
{
	struct inode *parent = NULL;

	if (ino->type == S_IFREG) {
		for (u32 i = 0; i < FILE_PAGES_MAX; i++)
			if (ino->pages[i])
				page_free(ino->pages[i]);
	} else {
		/* rmdir removed it only when empty, and nothing can add to a removed directory. */
		for (u32 b = 0; b < DIR_BUCKETS; b++)
			if (ino->dir.buckets[b])
				panic("fs: freeing directory inode %u with entries", ino->ino);
		if (ino->dir.parent != ino)
			parent = ino->dir.parent;
	}
	kfree(ino);
	atomic_fetch_add_relaxed(&inodes_live, (u64)-1);
	if (parent)
		inode_put(parent); /* its '..' reference */
}

void inode_discard(struct inode *ino)
{
	inode_free(ino);
}

void inode_hash_insert(struct inode *ino)
{
	struct inode_bucket *b = bucket_of(ino->ino);

	klock_lock(&b->lock);
	ino->hash_next = b->head;
	b->head = ino;
	klock_unlock(&b->lock);
}

static void bucket_unhash(struct inode_bucket *b, struct inode *ino)
{
	klock_assert_held(&b->lock);
	for (struct inode **pp = &b->head; *pp; pp = &(*pp)->hash_next) {
		if (*pp == ino) {
			*pp = ino->hash_next;
			return;
		}
	}
	panic("fs: inode %u not in the inode table", ino->ino);
}

struct inode *inode_lookup(u32 nr)
{
	struct inode_bucket *b = bucket_of(nr);
	struct inode *found = NULL;

	subsys_enter(SUBSYS_FS);
	klock_lock(&b->lock);
	for (struct inode *i = b->head; i; i = i->hash_next) {
		if (i->ino == nr) {
			/* Hashed means refs > 0: the drop to 0 unhashes under this lock. */
			atomic_fetch_add_relaxed(&i->refs, 1U);
			found = i;
			break;
		}
	}
	klock_unlock(&b->lock);
	subsys_exit(SUBSYS_FS);
	return found;
}

void inode_get(struct inode *ino)
{
	/* The caller holds a reference, or the lock of a directory whose entry holds one. */
	atomic_fetch_add_relaxed(&ino->refs, 1U);
}

void inode_put(struct inode *ino)
{
	u32 old = atomic_load_relaxed(&ino->refs);
	struct inode_bucket *b;
	bool last;

	/* Not the last reference: drop it without the bucket lock (release: our writes before the freer's). */
	while (old > 1)
		if (atomic_cmpxchg_release(&ino->refs, &old, old - 1))
			return;
	subsys_enter(SUBSYS_FS);
	b = bucket_of(ino->ino);
	klock_lock(&b->lock);
	/* acq_rel: the freer sees every other holder's writes. A lookup may have raised it meanwhile. */
	last = __atomic_fetch_sub(&ino->refs, 1U, __ATOMIC_ACQ_REL) == 1;
	if (last)
		bucket_unhash(b, ino);
	klock_unlock(&b->lock);
	if (last)
		inode_free(ino);
	subsys_exit(SUBSYS_FS);
}

u64 fs_inodes_live(void)
{
	return atomic_load_relaxed(&inodes_live);
}

struct inode *fs_root(void)
{
	inode_get(root);
	return root;
}

long inode_read(struct inode *ino, u64 pos, void *buf, u64 n)
{
	u8 *out = buf;
	u64 done = 0;

	klock_assert_held(&ino->lock);
	if (pos >= ino->size)
		return 0;
	n = MIN(n, ino->size - pos);
	while (done < n) {
		u64 p = pos + done, in_page = p % PAGE_SIZE;
		u64 chunk = MIN(n - done, PAGE_SIZE - in_page);
		u8 *page = atomic_load_acquire(&ino->pages[p / PAGE_SIZE]);

		/* buf may be a user process's: a page it never touched is faulted in (uaccess.h) */
		if (page ? copy_to_user(out + done, page + in_page, chunk) :
			   clear_user(out + done, chunk)) /* a hole */
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return (long)done;
}

void *inode_page(struct inode *ino, u32 idx)
{
	void *page = atomic_load_acquire(&ino->pages[idx]), *fresh;

	if (page)
		return page;
	fresh = page_alloc(); /* zeroed: release below publishes the zeros with it */
	if (!fresh)
		return NULL;
	if (atomic_cmpxchg_acq_rel(&ino->pages[idx], &page, fresh))
		return fresh;
	page_free(fresh); /* a fault (or this write) filled the hole first: page is that one */
	return page;
}

/*
 * The last page's bytes past the end may hold what a shared mapping
 * stored there (mmap.c maps the whole page): a write that leaves a gap
 * after the end zeroes them first, so the gap reads as zeros (as Linux).
 */
static void zero_gap(struct inode *ino, u64 pos)
{
	u64 off = ino->size % PAGE_SIZE;
	u8 *page;

	if (pos <= ino->size || !off)
		return;
	page = atomic_load_acquire(&ino->pages[ino->size / PAGE_SIZE]);
	if (page)
		memset(page + off, 0, MIN(PAGE_SIZE - off, pos - ino->size));
}

long inode_write(struct inode *ino, u64 pos, const void *buf, u64 n)
{
	const u8 *in = buf;
	u64 done = 0;

	klock_assert_held(&ino->lock);
	if (pos >= FILE_SIZE_MAX)
		return -EFBIG;
	n = MIN(n, FILE_SIZE_MAX - pos);
	zero_gap(ino, pos);
	while (done < n) {
		u64 p = pos + done, in_page = p % PAGE_SIZE;
		/*
		 * Nor past a page of buf: a user page is readable whole or not
		 * at all, so a copy that fails wrote nothing into the file and
		 * done is what it holds. One across a page could leave the
		 * bytes before the bad page in the file, uncounted: over old
		 * bytes, or past the end, where a later gap would show them.
		 */
		u64 chunk = MIN(MIN(n - done, PAGE_SIZE - in_page),
				PAGE_SIZE - ((u64)(in + done) % PAGE_SIZE));
		u8 *page = inode_page(ino, (u32)(p / PAGE_SIZE));

		if (!page)
			break; /* out of memory: a short write, or -ENOSPC if nothing was written */
		if (copy_from_user(page + in_page, in + done, chunk)) {
			if (!done)
				return -EFAULT;
			break; /* the bytes before the bad one are written */
		}
		done += chunk;
	}
	if (!done)
		return -ENOSPC;
	/* release: a mapping's fault reads size without the lock (fs_mmap_page), then the bytes below it */
	atomic_store_release(&ino->size, MAX(ino->size, pos + done));
	return (long)done;
}

void inode_truncate(struct inode *ino)
{
	klock_assert_held(&ino->lock);
	BUG_ON(atomic_load_relaxed(&ino->maps) != 0); /* O_TRUNC refuses a mapped file (mmap.c) */
	for (u32 i = 0; i < FILE_PAGES_MAX; i++) {
		if (ino->pages[i]) {
			page_free(ino->pages[i]);
			ino->pages[i] = NULL;
		}
	}
	atomic_store_release(&ino->size, 0UL);
}

void inode_fill_stat(struct inode *ino, struct stat *st)
{
	klock_assert_held(&ino->lock);
	st->ino = ino->ino;
	st->type = ino->type;
	st->nlink = ino->nlink;
	st->size = ino->size;
}

/* Creates the root directory: its own parent, nlink 2 ('/' names it, and '.'). */
static void fs_init(void)
{
	kernel_enter();
	subsys_enter(SUBSYS_FS);
	for (u32 i = 0; i < INODE_HASH_BUCKETS; i++)
		klock_init(&inode_table[i].lock, "inode_hash", SUBSYS_FS);
	root = inode_new(S_IFDIR);
	if (!root)
		panic("fs: no memory for the root directory");
	root->dir.parent = root;
	klock_lock(&root->lock);
	root->nlink = 2;
	klock_unlock(&root->lock);
	inode_hash_insert(root);
	subsys_exit(SUBSYS_FS);
	kernel_exit();
}
initcall(fs_init, INITCALL_FS);
