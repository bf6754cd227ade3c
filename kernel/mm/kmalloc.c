/* kmalloc: power-of-two size classes (16..2048 bytes), one slab cache each, slabs are single pages. */
#include <locklab/initcall.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/panic.h>
#include <locklab/string.h>
#include "mm_internal.h"

/*
 * A slab is one page from page_alloc: a header (struct slab) at its start,
 * then objects of one size class, aligned to their size up to a cache line
 * (the header is padded to one), so the cache-line layout of a lock inside
 * an object holds. kfree finds the header
 * by masking the object's address down to its page.
 *
 * A slab whose last object is freed is kept as the cache's one empty slab
 * (c->empty) if it has none, and given back to page_free otherwise (like
 * Linux's partial lists): a workload that empties a size class on every op
 * would otherwise build and free a slab, and take the page_arena lock
 * twice, on every op. kmalloc_shrink() gives the cached empty slabs back,
 * so a leak check that shrinks before each count still sees every page.
 *
 * Lock order: kmalloc_cache -> page_arena. (kmalloc and kfree call
 * page_alloc/page_free with no cache lock held; any code that does nest
 * them must take the cache lock first.)
 */

#define KMALLOC_MIN   16UL
#define NR_CLASSES    8 /* 16, 32, ..., 2048 */
#define SLAB_MAX_OBJS 256

struct kcache;

/* Every field but 'cache' is guarded by cache->lock. */
struct slab {
	/* set before the slab is published, then constant: read without the lock */
	struct kcache *cache;
	/* guarded by cache->lock: on cache->partial while it has a free object and one in use */
	struct slab *next, *prev;
	/* guarded by cache->lock: free objects, linked through their first word */
	void *free;
	u32 inuse; /* guarded by cache->lock: objects handed out */
	/* guarded by cache->lock: one bit per handed-out object (double kfree) */
	u64 used[SLAB_MAX_OBJS / 64];
};
#define SLAB_HDR ALIGN_UP(sizeof(struct slab), (u64)CACHE_LINE_BYTES)

struct kcache {
	/* first: guards the fields below and the headers of this cache's slabs */
	struct klock lock;
	u64 size;     /* object size; constant after kmalloc_init */
	u64 per_slab; /* objects per slab; constant after kmalloc_init */
	/* guarded by lock: slabs with at least one free object and one in use */
	struct slab *partial;
	/* guarded by lock: at most one slab with no object in use, on no list */
	struct slab *empty;
	u64 live;     /* guarded by lock: objects allocated and not freed */
	u64 nr_slabs; /* guarded by lock: slab pages this cache holds */
} __aligned(64);

static struct kcache kcaches[NR_CLASSES];

static void slab_link(struct kcache *c, struct slab *s)
{
	klock_assert_held(&c->lock);
	s->prev = NULL;
	s->next = c->partial;
	if (c->partial)
		c->partial->prev = s;
	c->partial = s;
}

static void slab_unlink(struct kcache *c, struct slab *s)
{
	klock_assert_held(&c->lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static u64 slab_index(struct kcache *c, struct slab *s, void *obj)
{
	return ((u64)obj - (u64)s - SLAB_HDR) / c->size;
}

/* Takes a free object from s (on c's partial list); unlinks s when that was its last. */
static void *slab_take(struct kcache *c, struct slab *s)
{
	void *obj;
	u64 i;

	klock_assert_held(&c->lock);
	obj = s->free;
	s->free = *(void **)obj;
	i = slab_index(c, s, obj);
	s->used[i / 64] |= 1UL << (i % 64);
	s->inuse++;
	c->live++;
	if (!s->free)
		slab_unlink(c, s);
	return obj;
}

/*
 * Returns obj to s; when that empties s, takes it off the partial list and
 * caches it as c->empty, or returns true if c already has an empty slab
 * (the caller frees s's page).
 */
static bool slab_put(struct kcache *c, struct slab *s, void *obj)
{
	u64 i = slab_index(c, s, obj);
	u64 bit = 1UL << (i % 64);

	klock_assert_held(&c->lock);
	if (!(s->used[i / 64] & bit))
		panic("kfree: %p is not allocated (double kfree?)", obj);
	s->used[i / 64] &= ~bit;
	if (!s->free)
		slab_link(c, s); /* was full: has a free object again */
	*(void **)obj = s->free;
	s->free = obj;
	s->inuse--;
	c->live--;
	if (s->inuse)
		return false;
	slab_unlink(c, s);
	if (!c->empty) {
		c->empty = s;
		return false;
	}
	c->nr_slabs--;
	return true;
}

/* A fresh slab for c, not yet visible to anyone: no lock needed to fill it. */
static struct slab *slab_new(struct kcache *c)
{
	struct slab *s = page_alloc(); /* zeroed */
	u8 *obj;

	if (!s)
		return NULL;
	s->cache = c;
	obj = (u8 *)s + SLAB_HDR;
	s->free = obj;
	for (u64 i = 0; i + 1 < c->per_slab; i++, obj += c->size)
		*(void **)obj = obj + c->size;
	return s; /* the last object's link is 0 from the zeroed page */
}

static struct kcache *size_class(u64 size)
{
	u32 i = 0;

	while ((KMALLOC_MIN << i) < size)
		i++;
	return &kcaches[i];
}

void *kmalloc(u64 size)
{
	struct kcache *c;
	struct slab *s;
	void *obj;

	if (size == 0 || size > KMALLOC_MAX)
		return NULL;
	c = size_class(size);
	subsys_enter(SUBSYS_MM);
	klock_lock(&c->lock);
	s = c->partial;
	if (!s && c->empty) {
		/* Partial slabs first (they pack objects); then the cached empty one, without page_alloc. */
		s = c->empty;
		c->empty = NULL;
		slab_link(c, s);
	}
	if (!s) {
		/* No page allocation under the cache lock: keep its hold short. */
		klock_unlock(&c->lock);
		s = slab_new(c);
		if (!s) {
			subsys_exit(SUBSYS_MM);
			return NULL;
		}
		klock_lock(&c->lock);
		c->nr_slabs++;
		slab_link(c, s);
	}
	obj = slab_take(c, s);
	klock_unlock(&c->lock);
	memset(obj, 0, c->size); /* ours alone now: zero it outside the lock */
	subsys_exit(SUBSYS_MM);
	return obj;
}

void kfree(void *p)
{
	struct slab *s = (struct slab *)ALIGN_DOWN((u64)p, PAGE_SIZE);
	struct kcache *c;
	u64 off;
	bool empty;

	if (!p)
		return;
	subsys_enter(SUBSYS_MM);
	if (!mm_page_allocated(s))
		panic("kfree: %p is not in an allocated page", p);
	c = s->cache;
	if ((u64)c < (u64)kcaches || (u64)c >= (u64)(kcaches + NR_CLASSES) ||
	    ((u64)c - (u64)kcaches) % sizeof(*c))
		panic("kfree: %p is not in a kmalloc slab", p);
	off = (u64)p - (u64)s;
	if (off < SLAB_HDR || (off - SLAB_HDR) % c->size ||
	    (off - SLAB_HDR) / c->size >= c->per_slab)
		panic("kfree: %p is not the start of a %llu-byte object", p,
		      (unsigned long long)c->size);
	klock_lock(&c->lock);
	empty = slab_put(c, s, p);
	klock_unlock(&c->lock);
	if (empty)
		page_free(s);
	subsys_exit(SUBSYS_MM);
}

u64 kmalloc_live(void)
{
	u64 n = 0;

	subsys_enter(SUBSYS_MM);
	for (u32 i = 0; i < NR_CLASSES; i++) {
		klock_lock(&kcaches[i].lock);
		n += kcaches[i].live;
		klock_unlock(&kcaches[i].lock);
	}
	subsys_exit(SUBSYS_MM);
	return n;
}

u64 kmalloc_shrink(void)
{
	u64 n = 0;

	subsys_enter(SUBSYS_MM);
	for (u32 i = 0; i < NR_CLASSES; i++) {
		struct kcache *c = &kcaches[i];
		struct slab *s;

		klock_lock(&c->lock);
		s = c->empty;
		c->empty = NULL;
		if (s)
			c->nr_slabs--;
		klock_unlock(&c->lock);
		if (s) {
			page_free(s); /* off every list: nobody else can reach it */
			n++;
		}
	}
	subsys_exit(SUBSYS_MM);
	return n;
}

/* Same initcall level as the page allocator, after it (link order); needs no pages. */
static void kmalloc_init(void)
{
	for (u32 i = 0; i < NR_CLASSES; i++) {
		struct kcache *c = &kcaches[i];

		klock_init(&c->lock, "kmalloc_cache", SUBSYS_MM);
		c->size = KMALLOC_MIN << i;
		c->per_slab = MIN((PAGE_SIZE - SLAB_HDR) / c->size, (u64)SLAB_MAX_OBJS);
	}
	BUG_ON((KMALLOC_MIN << (NR_CLASSES - 1)) != KMALLOC_MAX);
}
initcall(kmalloc_init, INITCALL_MM);
