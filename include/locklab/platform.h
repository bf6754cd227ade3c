/* The platform as the boot CPU found it (device tree + entry state), for code and tests that report it. */
#ifndef LOCKLAB_PLATFORM_H
#define LOCKLAB_PLATFORM_H

#include <locklab/fdt.h>

const struct platform_info *platform(void);
u32 boot_entry_level(void);
/* Where the device tree blob lies in RAM, as a physical address (it stays in use: bootargs point into it). */
void platform_dtb_range(u64 *base, u64 *size);
/*
 * The pages a no-map reserved range leaves unmapped, [*base, *end): its
 * range rounded out to whole pages, as the page allocator excludes it.
 * False for a range that is mapped (not no-map).
 */
static inline bool plat_nomap_pages(const struct plat_range *r, u64 *base, u64 *end)
{
	*base = ALIGN_DOWN(r->base, 4096UL);
	*end = ALIGN_UP(r->base + r->size, 4096UL);
	return r->no_map;
}
/* The kernel image in memory, text to end of BSS and page tables (from the linker script). */
extern char _text[], _end[];

#endif
