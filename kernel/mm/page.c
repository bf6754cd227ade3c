/* Page-frame allocator: free RAM pages in per-CPU arenas, stealing between arenas, double-free detection. */
#include <locklab/console.h>
#include <locklab/initcall.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/platform.h>
#include <locklab/string.h>
#include <asm/sysreg.h>
#include <asm/memory.h>
#include "mm_internal.h"

/*
 * Free pages live in CONFIG_NR_CPUS arenas, one per CPU. An arena holds
 *  - boot spans: RAM never handed out since boot, described in the arena
 *    itself, so boot writes nothing into free RAM (in QEMU the first touch
 *    of guest RAM costs a host page fault: touching 512 MiB at boot took
 *    about a second);
 *  - runs: contiguous free pages given back by page_free or moved by a
 *    steal, linked through a header in each run's first page.
 * A page is taken from the end of the head run (else of the last boot
 * span), and a freed page that ends the head run extends it, so LIFO use
 * keeps runs whole. A CPU allocates from and frees into its own arena;
 * when that is empty, page_alloc steals a batch from another arena.
 *
 * Which pages are handed out is recorded in one bit per page (zone.allocated),
 * so that page_free can tell a double free or a foreign pointer from a page
 * it gave out.
 *
 * Lock order: kmalloc_cache -> page_arena. Two page_arena locks are NEVER
 * held at once (all arenas share one lock class; holding two would be a
 * recursion for lockdep and an ABBA deadlock between two stealing CPUs): a
 * steal locks the victim, detaches a batch, unlocks it, and only then locks
 * its own arena to put the batch there.
 */

#define STEAL_BATCH 32		    /* pages moved by one steal */
#define MAP_BLOCK   (2UL << 20)	    /* mmu.c maps RAM as Normal memory only in whole 2 MiB blocks */
#define MAP_LIMIT   LINEAR_MAP_SIZE /* and only below 512 GiB (the 39-bit linear map) */
#define MAX_EXCL    (PLAT_MAX_RESERVED + 3) /* reserved[], kernel image, DTB, the bitmaps */
/* each excluded range splits a zone at most once more */
#define MAX_SPANS (PLAT_MAX_MEM + MAX_EXCL)

/* At the start of the first page of a run of free pages; guarded by its arena's lock. */
struct free_run {
	struct free_run *next;
	u64 npages;
};

struct span {
	u64 base;   /* first page */
	u64 npages; /* pages still free, from base up */
};

struct arena {
	struct klock lock;     /* first: guards the fields below and the runs on the list */
	struct free_run *head; /* guarded by lock: free runs */
	/* guarded by lock: untouched RAM, used from the last span's end */
	struct span boot[MAX_SPANS];
	u32 nr_boot; /* guarded by lock: spans in boot[] with pages left */
	u64 nr_free; /* guarded by lock: pages in the runs and the boot spans */
} __aligned(64);

static struct arena arenas[CONFIG_NR_CPUS];

/*
 * A 2 MiB-aligned stretch of RAM the allocator manages, by its linear-map
 * addresses (asm/memory.h): everything here, spans and excluded ranges too,
 * is a kernel virtual address, converted once from the device tree's
 * physical ones in mm_init. Written by mm_init on
 * the boot CPU before any other CPU or task exists, read-only afterwards:
 * no lock.
 */
struct zone {
	u64 base, end;	/* [base, end), page-aligned */
	u64 *allocated; /* one bit per page: handed out (atomic, see page_mark_allocated) */
};

struct range {
	u64 base, end;
};

static struct zone zones[PLAT_MAX_MEM];
static int nr_zones;
static u64 total_pages; /* pages put into the arenas at boot; constant after mm_init */
static u64 zva_block;	/* DC ZVA block size in bytes, or 0 if DC ZVA is prohibited */

static void *run_page(struct free_run *r, u64 i)
{
	return (u8 *)r + i * PAGE_SIZE;
}

static void arena_push(struct arena *a, void *page)
{
	struct free_run *r = a->head;

	klock_assert_held(&a->lock);
	a->nr_free++;
	if (r && run_page(r, r->npages) == page) {
		r->npages++; /* the page just after the head run: it grows */
		return;
	}
	r = page;
	r->next = a->head;
	r->npages = 1;
	a->head = r;
}

static void *arena_pop(struct arena *a)
{
	struct free_run *r = a->head;

	klock_assert_held(&a->lock);
	if (r) {
		a->nr_free--;
		if (r->npages > 1)
			return run_page(r, --r->npages); /* the last page of the run */
		a->head = r->next;
		return r;
	}
	if (a->nr_boot) {
		struct span *s = &a->boot[a->nr_boot - 1];

		a->nr_free--;
		if (--s->npages == 0)
			a->nr_boot--;
		return (void *)(s->base + s->npages * PAGE_SIZE);
	}
	return NULL;
}

/*
 * Detaches up to max pages from a: whole runs from the head, the tail of a
 * run too long to take whole, then the tail of the last boot span (which
 * becomes a run: its header is written into the first page taken). Returns
 * the page count and the chain first..*last of detached runs.
 */
static u64 arena_detach(struct arena *a, u64 max, struct free_run **first, struct free_run **last)
{
	u64 n = 0;

	klock_assert_held(&a->lock);
	*first = *last = NULL;
	while (n < max && (a->head || a->nr_boot)) {
		struct free_run *r = a->head;

		if (!r) {
			struct span *s = &a->boot[a->nr_boot - 1];
			u64 take = MIN(s->npages, max - n);

			s->npages -= take;
			if (!s->npages)
				a->nr_boot--;
			r = (struct free_run *)(s->base + s->npages * PAGE_SIZE);
			r->npages = take;
		} else if (r->npages <= max - n) {
			a->head = r->next;
		} else {
			struct free_run *tail = run_page(r, r->npages - (max - n));

			r->npages -= max - n;
			tail->npages = max - n;
			r = tail;
		}
		n += r->npages;
		r->next = NULL;
		if (*last)
			(*last)->next = r;
		else
			*first = r;
		*last = r;
	}
	a->nr_free -= n;
	return n;
}

/* Puts the chain of runs first..last (n pages) at the front of a's list. */
static void arena_splice(struct arena *a, struct free_run *first, struct free_run *last, u64 n)
{
	klock_assert_held(&a->lock);
	last->next = a->head;
	a->head = first;
	a->nr_free += n;
}

static struct zone *zone_of(u64 addr)
{
	for (int i = 0; i < nr_zones; i++)
		if (addr >= zones[i].base && addr < zones[i].end)
			return &zones[i];
	return NULL;
}

static u64 *page_bit(const struct zone *z, u64 addr, u64 *mask)
{
	u64 idx = (addr - z->base) / PAGE_SIZE;

	*mask = 1UL << (idx % 64);
	return &z->allocated[idx / 64];
}

/*
 * The allocated bits are changed with atomic read-modify-writes because one
 * word holds the bits of 64 pages that may sit in different arenas and be
 * allocated or freed at the same time on different CPUs under different
 * locks (or, for a double free, under none yet): a plain |= or &= would lose
 * a neighbour's update. Relaxed order is enough: the bit orders nothing
 * else. A page moves between owners only through an arena list, under the
 * arena lock; page_free clears the bit before it takes that lock and
 * page_alloc sets it after releasing it, so the lock's release/acquire
 * already orders the clear before the next set (and the page's contents).
 * The fetch returns the old bit, so of two racing frees exactly one wins.
 */
static void page_mark_allocated(u64 addr)
{
	struct zone *z = zone_of(addr);
	u64 mask;

	if (!z || (addr & (PAGE_SIZE - 1)))
		panic("mm: free list holds 0x%llx, not a page of the allocator (free list corrupted)",
		      (unsigned long long)addr);
	if (__atomic_fetch_or(page_bit(z, addr, &mask), mask, __ATOMIC_RELAXED) & mask)
		panic("mm: free list holds page 0x%llx, which is marked allocated (free list corrupted)",
		      (unsigned long long)addr);
}

bool mm_page_allocated(const void *page)
{
	u64 addr = (u64)page, mask;
	struct zone *z = zone_of(addr);

	if (!z || (addr & (PAGE_SIZE - 1)))
		return false;
	return __atomic_load_n(page_bit(z, addr, &mask), __ATOMIC_RELAXED) & mask;
}

static void page_zero(void *page)
{
	u64 a = (u64)page;

	if (!zva_block) {
		memset(page, 0, PAGE_SIZE);
		return;
	}
	for (; a < (u64)page + PAGE_SIZE; a += zva_block)
		__asm__ volatile("dc zva, %0" : : "r"(a) : "memory");
}

/*
 * Takes a batch from some other arena, never holding two arena locks at
 * once (see the top of the file): lock the victim, detach, unlock; then
 * lock our own arena, add the batch and pop one page for the caller in the
 * same hold, so no other CPU can take the whole batch in between. NULL if
 * every other arena was empty when looked at. While a batch is between
 * the two arenas, mm_free_pages() does not count it.
 */
static void *arena_steal(struct arena *own)
{
	u32 me = (u32)(own - arenas);

	for (u32 i = 1; i < CONFIG_NR_CPUS; i++) {
		struct arena *victim = &arenas[(me + i) % CONFIG_NR_CPUS];
		struct free_run *first, *last;
		void *p;
		u64 n;

		klock_lock(&victim->lock);
		n = arena_detach(victim, STEAL_BATCH, &first, &last);
		klock_unlock(&victim->lock);
		if (!n)
			continue;
		klock_lock(&own->lock);
		arena_splice(own, first, last, n);
		p = arena_pop(own);
		klock_unlock(&own->lock);
		return p;
	}
	return NULL;
}

void *page_alloc(void)
{
	struct arena *a;
	void *p;

	subsys_enter(SUBSYS_MM);
	a = &arenas[smp_processor_id()];
	klock_lock(&a->lock);
	p = arena_pop(a);
	klock_unlock(&a->lock);
	if (!p)
		p = arena_steal(a);
	if (p) {
		page_mark_allocated((u64)p);
		page_zero(p);
	}
	subsys_exit(SUBSYS_MM);
	return p;
}

void page_free(void *page)
{
	u64 addr = (u64)page, mask;
	struct zone *z;
	struct arena *a;

	subsys_enter(SUBSYS_MM);
	z = zone_of(addr);
	if (!z || (addr & (PAGE_SIZE - 1)))
		panic("page_free: 0x%llx is not a page of the allocator", (unsigned long long)addr);
	if (!(__atomic_fetch_and(page_bit(z, addr, &mask), ~mask, __ATOMIC_RELAXED) & mask))
		panic("page_free: page 0x%llx is not allocated (double free, or never handed out)",
		      (unsigned long long)addr);
	a = &arenas[smp_processor_id()];
	klock_lock(&a->lock);
	arena_push(a, page);
	klock_unlock(&a->lock);
	subsys_exit(SUBSYS_MM);
}

u64 mm_free_pages(void)
{
	u64 n = 0;

	subsys_enter(SUBSYS_MM);
	for (u32 i = 0; i < CONFIG_NR_CPUS; i++) {
		klock_lock(&arenas[i].lock);
		n += arenas[i].nr_free;
		klock_unlock(&arenas[i].lock);
	}
	subsys_exit(SUBSYS_MM);
	return n;
}

u64 mm_total_pages(void)
{
	u64 n;

	subsys_enter(SUBSYS_MM);
	n = total_pages; /* constant after mm_init */
	subsys_exit(SUBSYS_MM);
	return n;
}

/* ---- boot: from the device tree's memory to the arenas ---- */

static void range_add(struct range *r, int *n, u64 base, u64 size)
{
	if (!size)
		return;
	r[*n].base = ALIGN_DOWN(base, PAGE_SIZE);
	r[*n].end = ALIGN_UP(base + size, PAGE_SIZE);
	(*n)++;
}

/* If [b, e) overlaps an excluded range, returns true with *skip = that range's end. */
static bool excluded(const struct range *ex, int nex, u64 b, u64 e, u64 *skip)
{
	for (int i = 0; i < nex; i++)
		if (ex[i].base < e && ex[i].end > b) {
			*skip = ex[i].end;
			return true;
		}
	return false;
}

/*
 * The zones: /memory ranges sorted, overlapping or touching ones merged,
 * each cut to whole 2 MiB blocks below 512 GiB, as mmu.c maps RAM (a block
 * only partly RAM is mapped as Device memory, unfit for pages).
 */
static void zones_from_platform(const struct platform_info *p)
{
	struct range r[PLAT_MAX_MEM];
	int n = 0;

	for (int i = 0; i < p->nr_mem && i < PLAT_MAX_MEM; i++) {
		struct range x = { p->mem[i].base, p->mem[i].base + p->mem[i].size };
		int j = n;

		if (x.end <= x.base)
			continue;
		n++;
		for (; j > 0 && r[j - 1].base > x.base; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
	for (int i = 0; i < n; i++) {
		u64 base = r[i].base, end = r[i].end;

		while (i + 1 < n && r[i + 1].base <= end) {
			end = MAX(end, r[i + 1].end);
			i++;
		}
		base = ALIGN_UP(base, MAP_BLOCK);
		end = ALIGN_DOWN(MIN(end, MAP_LIMIT), MAP_BLOCK);
		if (end > base) {
			zones[nr_zones].base = (u64)phys_to_virt(base);
			zones[nr_zones].end = (u64)phys_to_virt(end);
			nr_zones++;
		}
	}
}

/* Finds npages contiguous pages in a zone that touch no excluded range (first fit). */
static u64 find_unused_span(const struct range *ex, int nex, u64 npages)
{
	u64 len = npages * PAGE_SIZE, skip;

	for (int i = 0; i < nr_zones; i++) {
		u64 a = zones[i].base;

		while (a + len <= zones[i].end) {
			if (!excluded(ex, nex, a, a + len, &skip))
				return a;
			a = MAX(skip, a + PAGE_SIZE);
		}
	}
	return 0;
}

/* The zones minus the excluded ranges, in address order; returns how many. */
static int usable_segments(const struct range *ex, int nex, struct range *seg)
{
	int n = 0;
	u64 skip;

	for (int i = 0; i < nr_zones; i++)
		for (u64 a = zones[i].base, e; a < zones[i].end; a = e) {
			if (excluded(ex, nex, a, a + PAGE_SIZE, &skip)) {
				e = skip;
				continue;
			}
			/* up to the next excluded range (a itself is not in one) */
			e = zones[i].end;
			for (int k = 0; k < nex; k++)
				if (ex[k].base > a && ex[k].base < e)
					e = ex[k].base;
			BUG_ON(n == MAX_SPANS);
			seg[n].base = a;
			seg[n].end = e;
			n++;
		}
	return n;
}

/*
 * Gives arena c its share of the usable pages as boot spans: the pages are
 * cut into CONFIG_NR_CPUS consecutive shares of (almost) equal size, in
 * address order. Only the arena is written, never the RAM itself.
 */
static void deal_share(struct arena *a, u32 c, const struct range *seg, int nseg)
{
	u64 per = total_pages / CONFIG_NR_CPUS, extra = total_pages % CONFIG_NR_CPUS;
	u64 from = c * per + MIN((u64)c, extra), to = from + per + (c < extra), at = 0;

	klock_assert_held(&a->lock);
	for (int i = 0; i < nseg; i++) {
		u64 n = (seg[i].end - seg[i].base) / PAGE_SIZE;
		u64 lo = MAX(at, from), hi = MIN(at + n, to);

		if (lo < hi) {
			a->boot[a->nr_boot].base = seg[i].base + (lo - at) * PAGE_SIZE;
			a->boot[a->nr_boot].npages = hi - lo;
			a->nr_boot++;
			a->nr_free += hi - lo;
		}
		at += n;
	}
}

static void mm_init(void)
{
	const struct platform_info *p = platform();
	struct range ex[MAX_EXCL];
	struct range seg[MAX_SPANS];
	u64 dtb_base, dtb_size, words = 0, bitmap, dczid;
	int nex = 0, nseg;

	dczid = read_sysreg(dczid_el0);
	zva_block = (dczid & 16) ? 0 : 4UL << (dczid & 15);
	if (zva_block > PAGE_SIZE)
		zva_block = 0;

	zones_from_platform(p);
	platform_dtb_range(&dtb_base, &dtb_size);
	range_add(ex, &nex, (u64)_text, (u64)_end - (u64)_text);
	range_add(ex, &nex, (u64)phys_to_virt(dtb_base), dtb_size);
	for (int i = 0; i < p->nr_reserved && i < PLAT_MAX_RESERVED; i++)
		if (p->reserved[i].base < MAP_LIMIT) /* beyond, no zone can hold it */
			range_add(ex, &nex, (u64)phys_to_virt(p->reserved[i].base),
				  MIN(p->reserved[i].size, MAP_LIMIT - p->reserved[i].base));

	/* The allocated bitmaps take pages of RAM themselves, first fit. */
	for (int i = 0; i < nr_zones; i++)
		words += ((zones[i].end - zones[i].base) / PAGE_SIZE + 63) / 64;
	bitmap = find_unused_span(ex, nex, ALIGN_UP(words * 8, PAGE_SIZE) / PAGE_SIZE);
	if (!words || !bitmap)
		panic("mm: no usable RAM (%d zones) for the page allocator", nr_zones);
	memset((void *)bitmap, 0, words * 8);
	range_add(ex, &nex, bitmap, words * 8);
	for (int i = 0; i < nr_zones; i++) {
		zones[i].allocated = (u64 *)bitmap;
		bitmap += ((zones[i].end - zones[i].base) / PAGE_SIZE + 63) / 64 * 8;
	}

	nseg = usable_segments(ex, nex, seg);
	for (int i = 0; i < nseg; i++)
		total_pages += (seg[i].end - seg[i].base) / PAGE_SIZE;

	/* No other CPU or task exists yet, but take the scopes the way every caller does. */
	kernel_enter();
	subsys_enter(SUBSYS_MM);
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		klock_init(&arenas[c].lock, "page_arena", SUBSYS_MM);
		klock_lock(&arenas[c].lock);
		deal_share(&arenas[c], c, seg, nseg);
		klock_unlock(&arenas[c].lock);
	}
	subsys_exit(SUBSYS_MM);
	kernel_exit();
	printk("mm: %llu pages (%llu MiB) free in %u arenas (%d zones, %d spans, bitmap %llu KiB)",
	       (unsigned long long)total_pages, (unsigned long long)(total_pages * PAGE_SIZE >> 20),
	       (u32)CONFIG_NR_CPUS, nr_zones, nseg, (unsigned long long)(words * 8 / 1024));
}
initcall(mm_init, INITCALL_MM);
