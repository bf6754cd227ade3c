/* The final identity map, built from the device tree: RAM Normal write-back, everything else Device. */
#include <locklab/fdt.h>
#include <locklab/console.h>
#include <locklab/string.h>
#include <asm/sysreg.h>
#include <asm/cache.h>

/*
 * 39-bit VA = PA (identity), 4 KiB granule, walks start at level 1:
 * 512 entries of 1 GiB. A GiB that RAM covers entirely is one Normal block,
 * one with no RAM is one Device block, and one that RAM covers in part gets
 * a level-2 table of 2 MiB blocks. RAM is whatever /memory lists (reserved
 * ranges stay mapped: they are RAM, just not ours to allocate).
 */
#define L1_ENTRIES 512
#define L2_TABLES 8
#define GIB (1UL << 30)
#define MIB2 (1UL << 21)

static u64 pg_l1[L1_ENTRIES] __aligned(4096);
static u64 pg_l2[L2_TABLES][512] __aligned(4096);

u64 kernel_ttbr0; /* read by head.S's secondaries via struct cpu_boot */
void mmu_switch_ttbr0(u64 ttbr0);

/*
 * How much of [base, base+size) the /memory ranges cover: 0 none, 1 part,
 * 2 all. Walks the window from its start, extending the covered prefix
 * with any range that overlaps it, so overlapping ranges are not counted
 * twice.
 */
static int ram_cover(const struct platform_info *p, u64 base, u64 size)
{
	u64 end = base + size, reach = base;
	bool any = false, grew = true;

	while (grew && reach < end) {
		grew = false;
		for (int i = 0; i < p->nr_mem; i++) {
			u64 lo = p->mem[i].base, hi = p->mem[i].base + p->mem[i].size;

			if (lo <= reach && hi > reach) {
				reach = MIN(hi, end);
				grew = any = true;
			}
		}
	}
	if (reach >= end)
		return 2;
	for (int i = 0; i < p->nr_mem && !any; i++)
		any = p->mem[i].base < end && p->mem[i].base + p->mem[i].size > base;
	return any ? 1 : 0;
}

int mmu_init(const struct platform_info *p)
{
	int l2_used = 0;

	for (u64 i = 0; i < L1_ENTRIES; i++) {
		u64 base = i * GIB;
		int c = ram_cover(p, base, GIB);

		if (c != 1) {
			pg_l1[i] = base | (c ? PTE_BLOCK_NORMAL : PTE_BLOCK_DEVICE);
			continue;
		}
		if (l2_used == L2_TABLES) {
			printk("mmu: RAM map too fragmented (more than %d partial GiB); "
			       "mapping GiB %llu as Normal", L2_TABLES, (unsigned long long)i);
			pg_l1[i] = base | PTE_BLOCK_NORMAL;
			continue;
		}
		u64 *l2 = pg_l2[l2_used++];
		for (u64 j = 0; j < 512; j++) {
			u64 b = base + j * MIB2;
			/* A 2 MiB block only partly RAM stays Device: no speculative fills of non-RAM. */
			l2[j] = b | (ram_cover(p, b, MIB2) == 2 ? PTE_BLOCK_NORMAL : PTE_BLOCK_DEVICE);
		}
		pg_l1[i] = (u64)l2 | PTE_VALID | PTE_TABLE;
	}
	/* Secondaries walk these tables with their MMU about to turn on. */
	dcache_clean_range(pg_l1, sizeof(pg_l1));
	dcache_clean_range(pg_l2, sizeof(pg_l2));
	kernel_ttbr0 = (u64)pg_l1;

	mmu_switch_ttbr0(kernel_ttbr0); /* break-before-make: see head.S */
	return 0;
}
