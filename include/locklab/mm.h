/* Memory management: the page-frame allocator (per-CPU arenas) and kmalloc size classes. */
#ifndef LOCKLAB_MM_H
#define LOCKLAB_MM_H

#include <locklab/types.h>

#define PAGE_SIZE   4096UL
#define KMALLOC_MAX 2048UL /* larger requests take whole pages */

/*
 * Callers must be inside the kernel scope (a sys_* call, or kernel_enter()
 * around the call): under the BKL strategy that is the lock that guards
 * the allocator. May be called from any task on any CPU; never sleeps.
 */
void *page_alloc(void);	    /* one zeroed page, or NULL if memory is exhausted */
void page_free(void *page); /* a page from page_alloc; anything else panics with the address */
/*
 * Summed over every arena, each under its lock but one at a time: exact
 * while nothing allocates or frees (a leak check's moment). Meanwhile,
 * under FINE, a steal batch between two arenas is missed, or counted
 * twice if it moves from an arena already summed to one not yet summed.
 */
u64 mm_free_pages(void);
u64 mm_total_pages(void); /* pages the allocator manages (RAM minus kernel, DTB, reserved) */

void *kmalloc(u64 size); /* zeroed; NULL for size 0, size > KMALLOC_MAX, or no memory */
void kfree(void *p);	 /* NULL is allowed */
u64 kmalloc_live(void);	 /* objects allocated and not yet freed, over all size classes */
/*
 * Gives every size class's cached empty slab back to page_alloc; returns
 * how many pages. A leak check calls it before mm_free_pages() at both of
 * its ends, so a slab kept for reuse does not read as a lost page.
 */
u64 kmalloc_shrink(void);

#endif
