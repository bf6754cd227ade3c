/* ktest suite "mm": pages and kmalloc objects distinct, aligned, zeroed; exhaustion; exact counts after stress, also with memory tight. */
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/mm.h>
#include <locklab/smp.h>
#include <locklab/time.h>

#define NR_TEST_PAGES 64
#define STRESS_MS     300
#define STRESS_SLOTS  48

/* Every byte of [p, p+size) is zero. */
static bool is_zero(const void *p, u64 size)
{
	const u8 *b = p;

	for (u64 i = 0; i < size; i++)
		if (b[i])
			return false;
	return true;
}

static void fill(void *p, u64 size, u64 tag)
{
	u64 *w = p;
	u8 *b = p;
	u64 i;

	for (i = 0; i < size / 8; i++)
		w[i] = tag ^ (i << 24);
	for (i *= 8; i < size; i++)
		b[i] = (u8)(tag + i);
}

static bool holds(const void *p, u64 size, u64 tag)
{
	const u64 *w = p;
	const u8 *b = p;
	u64 i;

	for (i = 0; i < size / 8; i++)
		if (w[i] != (tag ^ (i << 24)))
			return false;
	for (i *= 8; i < size; i++)
		if (b[i] != (u8)(tag + i))
			return false;
	return true;
}

static void mm_pages_distinct_aligned_zeroed(struct ktest *t)
{
	void *pages[NR_TEST_PAGES];
	u64 start, total;
	u32 n = 0, bad_align = 0, bad_zero = 0, bad_pattern = 0;

	kernel_enter();
	start = mm_free_pages();
	total = mm_total_pages();
	for (; n < NR_TEST_PAGES; n++) {
		pages[n] = page_alloc();
		if (!pages[n])
			break;
		bad_align += ((u64)pages[n] & (PAGE_SIZE - 1)) != 0;
		bad_zero += !is_zero(pages[n], PAGE_SIZE);
		fill(pages[n], PAGE_SIZE, 0x1000 + n);
	}
	KT_EXPECT_EQ(t, mm_free_pages(), start - n);
	/* Each page still holds its own pattern: no two allocations share a page. */
	for (u32 i = 0; i < n; i++)
		bad_pattern += !holds(pages[i], PAGE_SIZE, 0x1000 + i);
	for (u32 i = 0; i < n; i++)
		page_free(pages[i]);
	KT_EXPECT_EQ(t, mm_free_pages(), start);
	kernel_exit();
	KT_EXPECT_EQ(t, n, NR_TEST_PAGES);
	KT_EXPECT_EQ(t, bad_align, 0);
	KT_EXPECT_EQ(t, bad_zero, 0);
	KT_EXPECT_EQ(t, bad_pattern, 0);
	KT_EXPECT_LE(t, start, total);
	KT_EXPECT_GE(t, total, 1024); /* QEMU gives 512 MiB: the allocator must manage most of it */
}

static const u64 test_sizes[] = { 1,   8,   15,	  16,	17,   31,   32,	  33,  63,
				  64,  65,  100,  128,	129,  255,  256,  257, 500,
				  512, 513, 1000, 1024, 1025, 1500, 2047, 2048 };
#define PER_SIZE   3
#define NR_OBJS	   (ARRAY_SIZE(test_sizes) * PER_SIZE)
#define MANY_SMALL (KMALLOC_MAX / sizeof(void *)) /* 256: more than one slab of 16-byte objects */

static void mm_kmalloc_size_classes(struct ktest *t)
{
	void *obj[NR_OBJS];
	u64 size[NR_OBJS];
	void **many;
	u64 live, free_pages;
	u32 bad_align = 0, bad_zero = 0, overlaps = 0, bad_pattern = 0, n = 0, m = 0;

	kernel_enter();
	kmalloc_shrink(); /* counts without cached empty slabs at both ends */
	live = kmalloc_live();
	free_pages = mm_free_pages();
	for (u32 i = 0; i < ARRAY_SIZE(test_sizes); i++)
		for (u32 k = 0; k < PER_SIZE; k++, n++) {
			size[n] = test_sizes[i];
			obj[n] = kmalloc(size[n]);
			if (!obj[n])
				goto out;
			bad_align += ((u64)obj[n] & 15) != 0;
			bad_zero += !is_zero(obj[n], size[n]);
			fill(obj[n], size[n], 0x5a00 + n);
		}
	KT_EXPECT_EQ(t, kmalloc_live(), live + NR_OBJS);
	for (u32 i = 0; i < n; i++) {
		bad_pattern += !holds(obj[i], size[i], 0x5a00 + i);
		for (u32 j = i + 1; j < n; j++)
			overlaps += (u64)obj[i] < (u64)obj[j] + size[j] &&
				    (u64)obj[j] < (u64)obj[i] + size[i];
	}
	/* Many small objects: several slabs of one class, then every one of them handed back. */
	many = kmalloc(MANY_SMALL * sizeof(void *));
	if (many) {
		for (; m < MANY_SMALL; m++) {
			many[m] = kmalloc(16);
			if (!many[m])
				break;
			bad_align += ((u64)many[m] & 15) != 0;
			bad_zero += !is_zero(many[m], 16);
			fill(many[m], 16, 0x7700 + m);
		}
		for (u32 i = 0; i < m; i++) {
			bad_pattern += !holds(many[i], 16, 0x7700 + i);
			kfree(many[i]);
		}
		kfree(many);
	}
out:
	for (u32 i = 0; i < n; i++)
		kfree(obj[i]);
	kfree(NULL);
	KT_EXPECT(t, kmalloc(0) == NULL);
	KT_EXPECT(t, kmalloc(KMALLOC_MAX + 1) == NULL);
	KT_EXPECT_EQ(t, kmalloc_live(), live);
	kmalloc_shrink();
	KT_EXPECT_EQ(t, mm_free_pages(), free_pages);
	kernel_exit();
	KT_EXPECT_EQ(t, n, NR_OBJS);
	KT_EXPECT_EQ(t, m, MANY_SMALL);
	KT_EXPECT_EQ(t, bad_align, 0);
	KT_EXPECT_EQ(t, bad_zero, 0);
	KT_EXPECT_EQ(t, overlaps, 0);
	KT_EXPECT_EQ(t, bad_pattern, 0);
}

/*
 * A cache keeps one empty slab: freeing a class's last object and
 * allocating again reuses that slab's page without page_alloc; a second
 * slab that empties is freed; kmalloc_shrink() gives the cached one back.
 * 2048-byte slabs hold one object, so each object is a slab of its own.
 */
static void mm_kmalloc_keeps_one_empty_slab(struct ktest *t)
{
	void *a, *b, *c;
	u64 start, after_free, after_reuse, after_two, after_free_two, shrunk, shrunk_again;

	kernel_enter();
	kmalloc_shrink();
	start = mm_free_pages();
	a = kmalloc(KMALLOC_MAX);
	kfree(a);
	after_free = mm_free_pages(); /* the slab stays cached */
	b = kmalloc(KMALLOC_MAX);
	after_reuse = mm_free_pages(); /* ...and is reused: no page taken */
	c = kmalloc(KMALLOC_MAX);
	after_two = mm_free_pages();
	kfree(b);
	kfree(c);
	after_free_two = mm_free_pages(); /* one of the two empty slabs is freed */
	shrunk = kmalloc_shrink();
	shrunk_again = kmalloc_shrink();
	KT_EXPECT_EQ(t, mm_free_pages(), start);
	kernel_exit();
	KT_ASSERT(t, a && b && c);
	KT_EXPECT_EQ(t, after_free, start - 1);
	KT_EXPECT(t, b == a);
	KT_EXPECT_EQ(t, after_reuse, start - 1);
	KT_EXPECT_EQ(t, after_two, start - 2);
	KT_EXPECT_EQ(t, after_free_two, start - 1);
	KT_EXPECT_EQ(t, shrunk, 1);
	KT_EXPECT_EQ(t, shrunk_again, 0);
}

/*
 * Every free page can be allocated from one CPU: the arenas of the other
 * CPUs are reached by stealing. The pages are chained through their first
 * word (they are ours while allocated), so no array is needed.
 */
static void mm_exhaustion_reaches_every_arena(struct ktest *t)
{
	void *chain = NULL, *p;
	u64 start, got = 0, at_empty;
	bool kmalloc_failed;

	kernel_enter();
	kmalloc_shrink(); /* no cached empty slab may serve the kmalloc below */
	start = mm_free_pages();
	while ((p = page_alloc()) != NULL) {
		*(void **)p = chain;
		chain = p;
		got++;
	}
	at_empty = mm_free_pages();
	/* A 2048-byte slab holds one object, so no partial (or, shrunk, cached) slab can serve this. */
	p = kmalloc(KMALLOC_MAX);
	kmalloc_failed = p == NULL;
	kfree(p);
	while (chain) {
		p = chain;
		chain = *(void **)p;
		page_free(p);
	}
	KT_EXPECT_EQ(t, mm_free_pages(), start);
	kernel_exit();
	KT_EXPECT_EQ(t, got, start);
	KT_EXPECT_EQ(t, at_empty, 0);
	KT_EXPECT(t, kmalloc_failed);
}

static u64 stress_end;			    /* written before the tasks start */
static u32 stress_ids;			    /* atomic: hands out task ids */
static u64 stress_ops;			    /* atomic */
static u64 stress_errors;		    /* atomic: pattern or zeroing mismatches */
static u64 stress_nomem;		    /* atomic */
static u64 stress_task_ops[CONFIG_NR_CPUS]; /* each written by its task only, read after the join */

struct stress_slot {
	void *p;
	u64 size; /* PAGE_SIZE for a page */
	u64 tag;
	bool page;
};

static u64 xorshift(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static u64 stress_release(struct stress_slot *sl)
{
	u64 bad = !holds(sl->p, sl->size, sl->tag);

	kernel_enter();
	if (sl->page)
		page_free(sl->p);
	else
		kfree(sl->p);
	kernel_exit();
	sl->p = NULL;
	return bad;
}

static void mm_stress_task(void *arg)
{
	struct stress_slot slots[STRESS_SLOTS] = { { 0 } };
	u64 id = __atomic_fetch_add(&stress_ids, 1, __ATOMIC_RELAXED) + 1;
	u64 rng = id * 0x9e3779b97f4a7c15ULL, ops = 0, bad = 0, nomem = 0;

	(void)arg;
	while (time_counter() < stress_end) {
		u64 r = xorshift(&rng);
		struct stress_slot *sl = &slots[r % STRESS_SLOTS];

		ops++;
		if (sl->p) {
			bad += stress_release(sl);
			continue;
		}
		sl->page = (r >> 8) % 4 == 0;
		sl->size = sl->page ? PAGE_SIZE : 1 + (r >> 16) % KMALLOC_MAX;
		sl->tag = (id << 48) | ops; /* task id + index: unique to this allocation */
		kernel_enter();
		sl->p = sl->page ? page_alloc() : kmalloc(sl->size);
		kernel_exit();
		if (!sl->p) {
			nomem++;
			continue;
		}
		bad += !is_zero(sl->p, sl->size);
		fill(sl->p, sl->size, sl->tag);
	}
	for (u32 i = 0; i < STRESS_SLOTS; i++)
		if (slots[i].p)
			bad += stress_release(&slots[i]);
	if (id <= CONFIG_NR_CPUS)
		stress_task_ops[id - 1] = ops;
	__atomic_fetch_add(&stress_ops, ops, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stress_errors, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&stress_nomem, nomem, __ATOMIC_RELAXED);
}

/* Runs mm_stress_task on every online CPU for STRESS_MS; returns how many ran. */
static u32 stress_run(void)
{
	stress_ids = 0;
	stress_ops = stress_errors = stress_nomem = 0;
	for (u32 i = 0; i < CONFIG_NR_CPUS; i++)
		stress_task_ops[i] = 0;
	stress_end = time_counter() + (u64)STRESS_MS * time_freq() / 1000;
	return ktest_on_each_cpu(mm_stress_task, NULL, CONFIG_KTEST_CASE_TIMEOUT_MS);
}

static void mm_stress_on_every_cpu(struct ktest *t)
{
	u64 free_pages, live, min_ops = ~0UL;
	u32 n;

	kernel_enter();
	kmalloc_shrink();
	free_pages = mm_free_pages();
	live = kmalloc_live();
	kernel_exit();
	n = stress_run();
	KT_ASSERT(t, n == cpus_online());
	kernel_enter();
	kmalloc_shrink();
	KT_EXPECT_EQ(t, mm_free_pages(), free_pages);
	KT_EXPECT_EQ(t, kmalloc_live(), live);
	kernel_exit();
	KT_EXPECT_EQ(t, stress_errors, 0);
	KT_EXPECT_EQ(t, stress_nomem, 0);
	for (u32 i = 0; i < n; i++)
		min_ops = MIN(min_ops, stress_task_ops[i]);
	KT_EXPECT_GE(t, min_ops, 10); /* every CPU took part (a loaded host may slow it a lot) */
	ktest_note(t, "mm stress: %u cpus, %llu ops in %u ms (min %llu per cpu), %llu errors", n,
		   (unsigned long long)stress_ops, STRESS_MS, (unsigned long long)min_ops,
		   (unsigned long long)stress_errors);
}

/* Takes every free page; returns them chained through their first word, *n their count. */
static void *take_all_pages(u64 *n)
{
	void *chain = NULL, *p;

	*n = 0;
	while ((p = page_alloc()) != NULL) {
		*(void **)p = chain;
		chain = p;
		(*n)++;
	}
	return chain;
}

/* Frees up to max pages of a chain from take_all_pages; returns what is left of it. */
static void *free_chain(void *chain, u64 max)
{
	for (u64 i = 0; i < max && chain; i++) {
		void *p = chain;

		chain = *(void **)p;
		page_free(p);
	}
	return chain;
}

/*
 * The stress above steals only until each CPU's arena holds its working
 * set (a few dozen pages), and never runs out of memory. Here all but
 * TIGHT_PAGES pages are held back first:
 * every CPU's arena runs dry over and over, steals from the others while
 * they allocate and free, and kmalloc and page_alloc return NULL (their
 * out-of-memory paths run, on every CPU at once). Afterwards the count
 * mm_free_pages() keeps must be the real one: exactly TIGHT_PAGES pages
 * can be taken, each of them once (page_alloc panics on a listed page
 * that is marked allocated).
 */
#define TIGHT_PAGES 16

static void mm_stress_with_memory_tight(struct ktest *t)
{
	u64 free_pages, live, held, counted, real, min_ops = ~0UL;
	void *chain, *again;
	u32 n;

	kernel_enter();
	kmalloc_shrink();
	free_pages = mm_free_pages();
	live = kmalloc_live();
	chain = take_all_pages(&held);
	chain = free_chain(chain, TIGHT_PAGES);
	kernel_exit();
	n = stress_run();
	kernel_enter();
	kmalloc_shrink();
	counted = mm_free_pages();
	again = take_all_pages(&real);
	free_chain(again, ~0UL);
	free_chain(chain, ~0UL);
	KT_EXPECT_EQ(t, mm_free_pages(), free_pages);
	KT_EXPECT_EQ(t, kmalloc_live(), live);
	kernel_exit();
	KT_ASSERT(t, n == cpus_online());
	KT_EXPECT_GE(t, held, TIGHT_PAGES);
	KT_EXPECT_EQ(t, counted, TIGHT_PAGES);
	KT_EXPECT_EQ(t, real, counted);
	KT_EXPECT_EQ(t, stress_errors, 0);
	KT_EXPECT_NE(t, stress_nomem, 0); /* memory really ran out */
	for (u32 i = 0; i < n; i++)
		min_ops = MIN(min_ops, stress_task_ops[i]);
	KT_EXPECT_GE(t, min_ops, 10);
	ktest_note(t, "tight stress: %u cpus, %llu ops, %llu out of memory, %llu errors", n,
		   (unsigned long long)stress_ops, (unsigned long long)stress_nomem,
		   (unsigned long long)stress_errors);
}

static const struct ktest_case mm_cases[] = {
	KTEST_CASE(mm_pages_distinct_aligned_zeroed), KTEST_CASE(mm_kmalloc_size_classes),
	KTEST_CASE(mm_kmalloc_keeps_one_empty_slab),  KTEST_CASE(mm_exhaustion_reaches_every_arena),
	KTEST_CASE(mm_stress_on_every_cpu),	      KTEST_CASE(mm_stress_with_memory_tight),
};
KTEST_SUITE(mm, mm_cases);
