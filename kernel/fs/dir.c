/* Directory entries: a hash of names per directory, guarded by the directory inode's lock; readdir cursors. */
#include "fs_internal.h"
#include <locklab/string.h>
#include <locklab/uaccess.h>

/*
 * Each bucket chain is kept in cookie order (new entries go at the tail,
 * and cookies only grow). A readdir position is (bucket, last cookie
 * returned), so a resumed listing takes up exactly after the last name it
 * gave: removing names never makes it repeat or skip one that stays, and a
 * listing of an unchanged directory returns every name once.
 */

static u32 name_hash(const char *name, u32 len)
{
	u32 h = 2166136261U; /* FNV-1a */

	for (u32 i = 0; i < len; i++)
		h = (h ^ (u8)name[i]) * 16777619U;
	return h;
}

struct dentry *dir_find(struct inode *dir, const char *name, u32 len)
{
	u32 h = name_hash(name, len);

	klock_assert_held(&dir->lock);
	for (struct dentry *d = dir->dir.buckets[h % DIR_BUCKETS]; d; d = d->next)
		if (d->hash == h && d->len == len && !memcmp(d->name, name, len))
			return d;
	return NULL;
}

struct dentry *dentry_new(const char *name, u32 len)
{
	struct dentry *d = kmalloc(sizeof(*d));

	if (!d)
		return NULL;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->len = len;
	d->hash = name_hash(name, len);
	return d;
}

void dir_add(struct inode *dir, struct dentry *d, struct inode *child)
{
	struct dentry **pp;

	klock_assert_held(&dir->lock);
	d->inode = child;
	d->cookie = dir->dir.next_cookie++;
	d->next = NULL;
	for (pp = &dir->dir.buckets[d->hash % DIR_BUCKETS]; *pp; pp = &(*pp)->next)
		;
	*pp = d;
	dir->size++;
}

void dir_remove(struct inode *dir, struct dentry *d)
{
	klock_assert_held(&dir->lock);
	for (struct dentry **pp = &dir->dir.buckets[d->hash % DIR_BUCKETS]; *pp;
	     pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			dir->size--;
			return;
		}
	}
}

long dir_fill(struct inode *dir, u64 *pos, struct dirent *ents, u32 max)
{
	u64 bucket = *pos >> DIRPOS_SHIFT, last = *pos & DIRPOS_COOKIE_MASK;
	struct dirent ent;
	u32 n = 0;

	klock_assert_held(&dir->lock);
	while (bucket < DIR_BUCKETS && n < max) {
		struct dentry *d = dir->dir.buckets[bucket];

		while (d && d->cookie <= last)
			d = d->next;
		for (; d && n < max; d = d->next, n++) {
			memset(&ent, 0, sizeof(ent)); /* no stale kernel bytes past the name */
			ent.ino = d->inode->ino;      /* never changes */
			ent.type = d->inode->type;    /* never changes */
			memcpy(ent.name, d->name, d->len + 1);
			/* ents may be a user process's buffer: the entries so far stand */
			if (copy_to_user(&ents[n], &ent, sizeof(ent))) {
				*pos = bucket << DIRPOS_SHIFT | last;
				return n ? (long)n : -EFAULT;
			}
			last = d->cookie;
		}
		if (!d) { /* this bucket is done: on to the next */
			bucket++;
			last = 0;
		}
	}
	*pos = bucket << DIRPOS_SHIFT | last;
	return (long)n;
}
