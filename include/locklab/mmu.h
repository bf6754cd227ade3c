/* The final kernel map (arch/arm64/mmu.c, the TTBR1 linear map): what it maps how, for boot, fault reports and uaccess. */
#ifndef LOCKLAB_MMU_H
#define LOCKLAB_MMU_H

#include <locklab/fdt.h>

/*
 * Builds the map from the device tree and switches to it: RAM Normal
 * write-back and never executable, except the kernel's text (read-only,
 * executable) and rodata (read-only); everything else Device. Left
 * unmapped: each kernel stack's guard page and each no-map reserved range.
 */
int mmu_init(const struct platform_info *p);

/*
 * If addr lies in a part of RAM the map protects, or in the lower half
 * that TTBR0 leaves empty, writes what it is into buf ("kernel text
 * (read-only)", "no-map reserved memory 0x50000000-0x500fffff", "the
 * lower half (...)", ...) and returns true. Guard pages are
 * stack_guard_hit()'s to name.
 */
bool mmu_describe(u64 addr, char *buf, u32 n);

/* The leaf descriptor (block or page) mapping kernel address va in the final map, or 0 if nothing maps it (a TTBR0 address included). */
u64 mmu_lookup(u64 va);

#endif
