/* Data-cache maintenance by address range, for data that CPUs with the MMU off will read. */
#ifndef ASM_CACHE_H
#define ASM_CACHE_H

#include <asm/sysreg.h>

static inline u64 dcache_line_size(void)
{
	return 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

/* Write dirty lines of [start, start+size) back to the point of coherency (memory). */
static inline void dcache_clean_range(const void *start, u64 size)
{
	u64 line = dcache_line_size();
	u64 a = (u64)start & ~(line - 1);
	u64 end = (u64)start + size;

	for (; a < end; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	dsb(sy); /* cleaning complete before anyone (e.g. PSCI CPU_ON) relies on it */
}

#endif
