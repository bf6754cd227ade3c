/* The kernel's virtual memory layout: a linear map of physical memory in the upper (TTBR1) half, and phys/virt conversions. */
#ifndef ASM_MEMORY_H
#define ASM_MEMORY_H

#include <asm/sysreg.h>

/*
 * The kernel runs from TTBR1: 39-bit upper VA range (T1SZ = 25), so kernel
 * addresses are [0xffffff8000000000, 2^64). That whole range is one linear
 * map of the first 512 GiB of physical space, va = PAGE_OFFSET + pa: RAM
 * Normal write-back, everything else Device (the Pi 5's peripherals at
 * 0x10_0000_0000 and up included). The kernel image is not mapped anywhere
 * else: it runs at the linear alias of wherever the loader put it, so the
 * relocation offset head.S applies is PAGE_OFFSET + load address.
 *
 * A table at level 1 of a 39-bit range is indexed by VA bits [38:30], which
 * for a linear-map address are the physical address's bits [38:30]: the
 * same table serves as an identity map in TTBR0 and as the linear map in
 * TTBR1 (head.S uses this for its early table).
 *
 * TTBR0 (the lower half, 0 to 2^39) is left for user address spaces
 * (arch/arm64/uspace.c): a user process's table and ASID while it runs;
 * in a kernel task an empty table (ASID 0), so any low address, a
 * physical address used as a pointer by mistake included, faults.
 */
#define VA_BITS		39
#define PAGE_OFFSET	(-(_UL(1) << VA_BITS)) /* 0xffffff8000000000 */
#define LINEAR_MAP_SIZE (_UL(1) << VA_BITS) /* physical addresses below this have a linear alias */

#ifndef __ASSEMBLY__
#include <locklab/types.h>

/* Whether va lies in the linear map (the whole TTBR1 range). */
static inline bool virt_is_linear(u64 va)
{
	return va >= PAGE_OFFSET;
}

/*
 * For anything handed to hardware or firmware (page-table entries, TTBR
 * values, the PSCI CPU_ON entry point and context) and for comparisons with
 * device-tree addresses. va must be a linear-map address.
 */
static inline u64 virt_to_phys(const void *va)
{
	return (u64)va - PAGE_OFFSET;
}

/* The linear-map address of physical address pa (pa < LINEAR_MAP_SIZE): RAM, the DTB, device registers. */
static inline void *phys_to_virt(u64 pa)
{
	return (void *)(pa + PAGE_OFFSET);
}
#endif

#endif
