/* What page.c lends kmalloc.c inside kernel/mm: the allocated-page check used to validate kfree. */
#ifndef KERNEL_MM_INTERNAL_H
#define KERNEL_MM_INTERNAL_H

#include <locklab/types.h>

/*
 * True if 'page' is the start of a page the allocator manages and has handed
 * out (page_alloc returned it and page_free has not yet taken it back).
 * A snapshot: only meaningful for a page the caller owns or is about to
 * give back. Needs no lock.
 */
bool mm_page_allocated(const void *page);

#endif
