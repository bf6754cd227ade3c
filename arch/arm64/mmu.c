/* The final identity map, built from the device tree: RAM Normal write-back, everything else Device. */
#include <locklab/fdt.h>
#include <locklab/console.h>
#include <locklab/printf.h>
#include <locklab/stack_guard.h>
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
#define L3_TABLES 16 /* 4 KiB pages where guard pages are: 2 MiB each, the stacks need a few */
#define GIB (1UL << 30)
#define MIB2 (1UL << 21)

static u64 pg_l1[L1_ENTRIES] __aligned(4096);
static u64 pg_l2[L2_TABLES][512] __aligned(4096);
static u64 pg_l3[L3_TABLES][512] __aligned(4096);
static int l2_used, l3_used;

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

/* Output address bits [47:12] of a descriptor; the rest are attributes and type. */
#define PTE_ADDR_MASK 0x0000fffffffff000UL

/*
 * Replaces the block at *e (covering 'size' bytes) by a table of 512
 * entries covering size/512 each, with the same attributes: blocks at
 * level 2, pages at level 3 (type bits 0b11). Before the MMU uses the
 * tables, so no break-before-make is needed.
 */
static bool split_block(u64 *e, u64 size, u64 (*table)[512], int *used, int max, bool to_pages)
{
	u64 attrs = *e & ~PTE_ADDR_MASK, base = *e & PTE_ADDR_MASK & ~(size - 1), *t;

	if (*used == max)
		return false;
	t = table[(*used)++];
	for (u64 j = 0; j < 512; j++)
		t[j] = (base + j * (size / 512)) | attrs | (to_pages ? PTE_TABLE : 0);
	*e = (u64)t | PTE_VALID | PTE_TABLE;
	return true;
}

/* Unmaps the 4 KiB page at va (identity map): the next access there faults. */
static bool unmap_page(u64 va)
{
	u64 *l1e = &pg_l1[(va >> 30) % L1_ENTRIES], *l2e, *l3;

	if (!(*l1e & PTE_TABLE) && !split_block(l1e, GIB, pg_l2, &l2_used, L2_TABLES, false))
		return false;
	l2e = &((u64 *)(*l1e & PTE_ADDR_MASK))[(va >> 21) & 511];
	if (!(*l2e & PTE_TABLE) && !split_block(l2e, MIB2, pg_l3, &l3_used, L3_TABLES, true))
		return false;
	l3 = (u64 *)(*l2e & PTE_ADDR_MASK);
	l3[(va >> 12) & 511] = 0;
	return true;
}

static void unmap_guards(void (*region)(struct stack_region *r))
{
	struct stack_region r;
	u32 done = 0;

	region(&r);
	for (u32 i = 0; i < r.count; i++)
		done += unmap_page(r.base + i * r.slot_size);
	if (done < r.count)
		printk("mmu: out of page tables: %u of %u %s guard pages left mapped", r.count - done, r.count,
		       r.what);
}

bool stack_guard_hit(u64 addr, char *buf, u32 n)
{
	void (*const regions[])(struct stack_region *r) = { task_stack_region, boot_stack_region, exc_stack_region };

	for (u32 k = 0; k < sizeof(regions) / sizeof(regions[0]); k++) {
		struct stack_region r;
		u64 slot;

		regions[k](&r);
		if (addr < r.base || addr >= r.base + r.count * r.slot_size)
			continue;
		slot = (addr - r.base) / r.slot_size;
		if (addr - r.base - slot * r.slot_size >= STACK_GUARD_SIZE)
			return false; /* in a stack, not in its guard */
		if (k == 0)
			snprintf(buf, n, "%s %llu (task %s)", r.what, (unsigned long long)slot,
				 task_stack_owner((u32)slot) ? task_stack_owner((u32)slot) : "none");
		else
			snprintf(buf, n, "%s%llu", r.what, (unsigned long long)slot);
		return true;
	}
	return false;
}

int mmu_init(const struct platform_info *p)
{
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
	/* Below every kernel stack, a hole: an overflow faults instead of writing over its neighbour. */
	unmap_guards(task_stack_region);
	unmap_guards(boot_stack_region);
	unmap_guards(exc_stack_region);
	/* Secondaries walk these tables with their MMU about to turn on. */
	dcache_clean_range(pg_l1, sizeof(pg_l1));
	dcache_clean_range(pg_l2, sizeof(pg_l2));
	dcache_clean_range(pg_l3, sizeof(pg_l3));
	kernel_ttbr0 = (u64)pg_l1;

	mmu_switch_ttbr0(kernel_ttbr0); /* break-before-make: see head.S */
	return 0;
}
