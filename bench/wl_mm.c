/* Workload "mm": page and kmalloc churn on every CPU; nothing may be lost or handed out twice. */
#include "bench.h"
#include <locklab/klock.h>
#include <locklab/mm.h>

#define MM_PAGES 2 /* pages per op, besides one kmalloc object */

static struct bench_mem before;

static long mm_setup(struct bench_run *r)
{
	(void)r;
	bench_mem_snapshot(&before);
	return 0;
}

static void mm_work(struct bench_worker *w)
{
	u64 tag = (u64)w->idx << 48;

	while (bench_running(w)) {
		u64 *pages[MM_PAGES], *obj, size = 16UL << (bench_rand(w) % 8);

		kernel_enter();
		for (u32 i = 0; i < MM_PAGES; i++) {
			pages[i] = page_alloc();
			/*
			 * Word 0, with the slot: a second owner of the page, in either
			 * of its slots, overwrites it (with word i, one page handed to
			 * two workers as slots 0 and 1 went unseen).
			 */
			if (pages[i])
				pages[i][0] = tag | (u64)i << 40 | w->ops;
		}
		obj = kmalloc(size);
		if (obj)
			obj[0] = tag | w->ops;
		for (u32 i = 0; i < MM_PAGES; i++) {
			if (!pages[i]) {
				w->bad++; /* a few pages per CPU can never exhaust RAM */
				continue;
			}
			w->bad += pages[i][0] != (tag | (u64)i << 40 | w->ops);
			page_free(pages[i]);
		}
		if (obj) {
			w->bad += obj[0] != (tag | w->ops);
			kfree(obj);
		} else {
			w->bad++;
		}
		kernel_exit();
		w->ops++;
	}
}

static bool mm_check(struct bench_run *r)
{
	return bench_mem_unchanged(r->wl->name, &before);
}

BENCH_WORKLOAD(wl_mm) = {
	.name = "mm",
	.what = "page_alloc/page_free and kmalloc/kfree churn",
	.setup = mm_setup,
	.work = mm_work,
	.check = mm_check,
};
