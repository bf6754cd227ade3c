/* Planted allocator misuse (explicit ktest suites, one panic each): the checks docs/mm.md promises do stop it. */
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/mm.h>

/*
 * Each suite ends its boot in a panic, so each is run only when named
 * (tests/test_boot_faults.py boots them one by one and reads the panic
 * line). The objects are kept live next to the misused one so that the
 * slab is neither freed nor cached: the check that fires is the one named.
 */

static void selftest_kfree_twice(struct ktest *t)
{
	void *keep, *obj;

	t->expectations++;
	kernel_enter();
	keep = kmalloc(64);
	obj = kmalloc(64);
	kfree(obj);
	kfree(obj); /* its used bit is clear now */
	kfree(keep);
	kernel_exit();
}

static const struct ktest_case kfree_twice_cases[] = { KTEST_CASE(selftest_kfree_twice) };
KTEST_SUITE_EXPLICIT(selftest_mm_kfree_twice, kfree_twice_cases);

/* 2048-byte objects are a slab each: the second slab to empty goes back to page_free. */
static void selftest_kfree_after_slab_freed(struct ktest *t)
{
	void *a, *b;

	t->expectations++;
	kernel_enter();
	kmalloc_shrink(); /* no cached empty slab: a's becomes it, b's is freed */
	a = kmalloc(KMALLOC_MAX);
	b = kmalloc(KMALLOC_MAX);
	kfree(a);
	kfree(b);
	kfree(b); /* its page is free now */
	kernel_exit();
}

static const struct ktest_case kfree_freed_slab_cases[] = { KTEST_CASE(
	selftest_kfree_after_slab_freed) };
KTEST_SUITE_EXPLICIT(selftest_mm_kfree_freed_slab, kfree_freed_slab_cases);

static void selftest_kfree_inside(struct ktest *t)
{
	u8 *obj;

	t->expectations++;
	kernel_enter();
	obj = kmalloc(64);
	kfree(obj + 8); /* not an object's start */
	kfree(obj);
	kernel_exit();
}

static const struct ktest_case kfree_inside_cases[] = { KTEST_CASE(selftest_kfree_inside) };
KTEST_SUITE_EXPLICIT(selftest_mm_kfree_inside, kfree_inside_cases);

static void selftest_kfree_page(struct ktest *t)
{
	u8 *page;

	t->expectations++;
	kernel_enter();
	page = page_alloc();
	kfree(page + 256); /* an allocated page, but no slab: its first word is no cache */
	page_free(page);
	kernel_exit();
}

static const struct ktest_case kfree_page_cases[] = { KTEST_CASE(selftest_kfree_page) };
KTEST_SUITE_EXPLICIT(selftest_mm_kfree_page, kfree_page_cases);

static void selftest_page_free_twice(struct ktest *t)
{
	void *page;

	t->expectations++;
	kernel_enter();
	page = page_alloc();
	page_free(page);
	page_free(page); /* its allocated bit is clear now */
	kernel_exit();
}

static const struct ktest_case page_free_twice_cases[] = { KTEST_CASE(selftest_page_free_twice) };
KTEST_SUITE_EXPLICIT(selftest_mm_page_free_twice, page_free_twice_cases);
