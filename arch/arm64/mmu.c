/* The final kernel map (TTBR1, linear) from the device tree: RAM Normal write-back, W^X over the kernel image, the rest Device. */
#include <locklab/fdt.h>
#include <locklab/console.h>
#include <locklab/mmu.h>
#include <locklab/platform.h>
#include <locklab/printf.h>
#include <locklab/stack_guard.h>
#include <locklab/string.h>
#include <asm/boot.h>
#include <asm/sysreg.h>
#include <asm/cache.h>
#include <asm/memory.h>

/*
 * The upper half (TTBR1), 39 bits: VA = PAGE_OFFSET + PA (asm/memory.h),
 * 4 KiB granule, walks start at level 1: 512 entries of 1 GiB, indexed by
 * VA bits [38:30] = PA bits [38:30]. So the builders below work on
 * physical addresses (what descriptors hold); callers convert kernel
 * pointers with virt_to_phys, and the walkers convert table addresses
 * back with phys_to_virt. A GiB that RAM covers entirely is one Normal block,
 * one with no RAM is one Device block, and one that RAM covers in part gets
 * a level-2 table of 2 MiB blocks. RAM is whatever /memory lists; reserved
 * ranges stay mapped (they are RAM, just not ours to allocate) unless their
 * /reserved-memory node says no-map.
 *
 * Then, page by page where a boundary falls inside a block (set_range
 * splits only the blocks it covers in part): the kernel text read-only and
 * executable, its rodata read-only, all other RAM never executable (W^X: a
 * stray write cannot change code, a stray jump cannot run data); holes for
 * no-map reserved ranges and for the guard page below each kernel stack.
 */
#define L1_ENTRIES 512
#define L2_TABLES  8
/* 4 KiB pages: the image's section boundaries, guard pages, no-map ends; 2 MiB each */
#define L3_TABLES 32
#define GIB	  (1UL << 30)
#define MIB2	  (1UL << 21)
#define PAGE	  4096UL

/* In .pgtables, beside head.S's early table: uaccess_ok refuses that one range. */
static u64 pg_l1[L1_ENTRIES] __aligned(4096) __section(".pgtables.l1");
static u64 pg_l2[L2_TABLES][512] __aligned(4096) __section(".pgtables.l2");
static u64 pg_l3[L3_TABLES][512] __aligned(4096) __section(".pgtables.l3");
static int l2_used, l3_used;
static const struct platform_info *mmu_plat; /* for mmu_describe() */

u64 kernel_ttbr1; /* physical; read by head.S's secondaries via struct cpu_boot */

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
 * The table under entry *e of a level whose entries span 'span' bytes. A
 * block (or an invalid entry) is first replaced by a table of 512 entries
 * with the same attributes: blocks at level 2, pages at level 3 (type bits
 * 0b11). Only before the MMU uses the tables, so no break-before-make.
 */
static u64 *table_below(u64 *e, u64 span, int level)
{
	u64 attrs = *e & ~PTE_ADDR_MASK, base = *e & PTE_ADDR_MASK & ~(span - 1), *t;

	if ((*e & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE))
		return phys_to_virt(*e & PTE_ADDR_MASK);
	if (level == 1 ? l2_used == L2_TABLES : l3_used == L3_TABLES)
		return NULL;
	t = level == 1 ? pg_l2[l2_used++] : pg_l3[l3_used++];
	for (u64 j = 0; j < 512; j++)
		t[j] = (*e & PTE_VALID) ?
			       (base + j * (span / 512)) | attrs | (level == 2 ? PTE_TABLE : 0) :
			       0;
	*e = virt_to_phys(t) | PTE_VALID | PTE_TABLE;
	return t;
}

/*
 * Maps [va, end) of table t (at 'level') with the attributes desc, or
 * unmaps it if desc is 0. An entry the range covers whole becomes one
 * block (a table it replaces is not reused: the callers go from coarse to
 * fine, so that does not happen in practice); one it covers in part is
 * split. False if the tables ran out (that part keeps its old mapping).
 */
static bool set_level(u64 *t, int level, u64 va, u64 end, u64 desc)
{
	u64 span = level == 1 ? GIB : level == 2 ? MIB2 : PAGE;
	bool ok = true;

	while (va < end) {
		u64 lo = va & ~(span - 1), hi = lo + span, *e = &t[(va / span) % 512], *next;

		if (va == lo && end >= hi)
			*e = desc ? lo | desc | (level == 3 ? PTE_TABLE : 0) : 0;
		else if ((next = table_below(e, span, level)))
			ok &= set_level(next, level + 1, va, MIN(end, hi), desc);
		else
			ok = false;
		va = hi;
	}
	return ok;
}

/* set_level from the top, for the pages [base, base+size) touches (physical addresses). */
static bool set_range(u64 base, u64 size, u64 desc)
{
	return set_level(pg_l1, 1, ALIGN_DOWN(base, PAGE), ALIGN_UP(base + size, PAGE), desc);
}

/* Unmaps the 4 KiB page at kernel address va: the next access there faults. */
static bool unmap_page(u64 va)
{
	return set_range(virt_to_phys((void *)va), PAGE, 0);
}

static void unmap_guards(void (*region)(struct stack_region *r))
{
	struct stack_region r;
	u32 done = 0;

	region(&r);
	for (u32 i = 0; i < r.count; i++)
		done += unmap_page(r.base + i * r.slot_size);
	if (done < r.count)
		printk("mmu: out of page tables: %u of %u %s guard pages left mapped",
		       r.count - done, r.count, r.what);
}

bool stack_guard_hit(u64 addr, char *buf, u32 n)
{
	void (*const regions[])(struct stack_region * r) = { task_stack_region, boot_stack_region,
							     exc_stack_region };

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
				 task_stack_owner((u32)slot) ? task_stack_owner((u32)slot) :
							       "none");
		else
			snprintf(buf, n, "%s%llu", r.what, (unsigned long long)slot);
		return true;
	}
	return false;
}

/* Does physical [base, end) overlap what the kernel cannot lose: its image, the DTB it still reads? */
static bool overlaps_kernel(u64 base, u64 end)
{
	u64 dtb, dtb_size;

	platform_dtb_range(&dtb, &dtb_size);
	return (base < virt_to_phys(_end) && end > virt_to_phys(_text)) ||
	       (dtb_size && base < dtb + dtb_size && end > dtb);
}

/* Holes for the no-map reserved ranges. */
static void unmap_nomap(const struct platform_info *p)
{
	for (int i = 0; i < p->nr_reserved; i++) {
		u64 base, end;

		if (!plat_nomap_pages(&p->reserved[i], &base, &end))
			continue;
		if (overlaps_kernel(base, end))
			printk("mmu: no-map range 0x%llx-0x%llx overlaps the kernel or its device tree: left mapped",
			       (unsigned long long)base, (unsigned long long)end - 1);
		else if (!set_range(base, end - base, 0))
			printk("mmu: out of page tables: no-map range 0x%llx-0x%llx partly mapped",
			       (unsigned long long)base, (unsigned long long)end - 1);
	}
}

/* W^X over the image: text read-only executable, rodata read-only; the rest stays PTE_KERNEL_DATA. */
static void protect_image(void)
{
	bool ok = set_range(virt_to_phys(_text), (u64)__rodata_start - (u64)_text, PTE_KERNEL_TEXT);

	ok &= set_range(virt_to_phys(__rodata_start), (u64)__data_start - (u64)__rodata_start,
			PTE_KERNEL_RODATA);
	if (!ok)
		printk("mmu: out of page tables: part of the kernel text or rodata left writable");
}

bool stack_guard_overlaps(u64 addr, u64 len)
{
	void (*const regions[])(struct stack_region * r) = { task_stack_region, boot_stack_region,
							     exc_stack_region };
	u64 end = addr + len;

	for (u32 k = 0; k < sizeof(regions) / sizeof(regions[0]); k++) {
		struct stack_region r;
		u64 slot, guard;

		regions[k](&r);
		if (end <= r.base || addr >= r.base + r.count * r.slot_size)
			continue;
		if (addr < r.base)
			return true; /* covers slot 0's guard */
		/* Guards start each slot: the range meets the one of its first slot or of the next. */
		slot = (addr - r.base) / r.slot_size;
		guard = r.base + slot * r.slot_size;
		if (addr < guard + STACK_GUARD_SIZE ||
		    (slot + 1 < r.count && end > guard + r.slot_size))
			return true;
	}
	return false;
}

int mmu_init(const struct platform_info *p)
{
	mmu_plat = p;
	for (u64 i = 0; i < L1_ENTRIES; i++) {
		u64 base = i * GIB;
		int c = ram_cover(p, base, GIB);

		if (c != 1) {
			pg_l1[i] = base | (c ? PTE_KERNEL_DATA : PTE_BLOCK_DEVICE);
			continue;
		}
		if (l2_used == L2_TABLES) {
			printk("mmu: RAM map too fragmented (more than %d partial GiB); "
			       "mapping GiB %llu as Normal",
			       L2_TABLES, (unsigned long long)i);
			pg_l1[i] = base | PTE_KERNEL_DATA;
			continue;
		}
		u64 *l2 = pg_l2[l2_used++];
		for (u64 j = 0; j < 512; j++) {
			u64 b = base + j * MIB2;
			/* A 2 MiB block only partly RAM stays Device: no speculative fills of non-RAM. */
			l2[j] = b |
				(ram_cover(p, b, MIB2) == 2 ? PTE_KERNEL_DATA : PTE_BLOCK_DEVICE);
		}
		pg_l1[i] = virt_to_phys(l2) | PTE_VALID | PTE_TABLE;
	}
	protect_image();
	unmap_nomap(p);
	/* Below every kernel stack, a hole: an overflow faults instead of writing over its neighbour. */
	unmap_guards(task_stack_region);
	unmap_guards(boot_stack_region);
	unmap_guards(exc_stack_region);
	/* Secondaries walk these tables with their MMU about to turn on. */
	dcache_clean_range(pg_l1, sizeof(pg_l1));
	dcache_clean_range(pg_l2, sizeof(pg_l2));
	dcache_clean_range(pg_l3, sizeof(pg_l3));
	kernel_ttbr1 = virt_to_phys(pg_l1);

	mmu_switch_ttbr1(kernel_ttbr1); /* break-before-make through the identity map: see head.S */
	return 0;
}

u64 mmu_lookup(u64 va)
{
	u64 *t = pg_l1;

	if (!virt_is_linear(va))
		return 0; /* TTBR0: no kernel tables there */
	for (int level = 1; level <= 3; level++) {
		u64 shift = level == 1 ? 30 : level == 2 ? 21 : 12, e = t[(va >> shift) % 512];

		if (!(e & PTE_VALID))
			return 0;
		if (level == 3 || !(e & PTE_TABLE))
			return e;
		t = phys_to_virt(e & PTE_ADDR_MASK);
	}
	return 0;
}

bool mmu_describe(u64 addr, char *buf, u32 n)
{
	const struct platform_info *p = mmu_plat;

	if (addr >= (u64)_text && addr < (u64)__rodata_start) {
		snprintf(buf, n, "kernel text (read-only)");
		return true;
	}
	if (addr >= (u64)__rodata_start && addr < (u64)__data_start) {
		snprintf(buf, n, "kernel rodata (read-only)");
		return true;
	}
	if (addr >= (u64)__pgtables_start && addr < (u64)__pgtables_end) {
		snprintf(buf, n, "the page tables");
		return true;
	}
	/* TTBR0's range (T0SZ gives it as many bits as the linear map): nothing is mapped there yet. */
	if (addr < PAGE) {
		snprintf(buf, n, "a NULL pointer (the lower half, TTBR0, maps nothing)");
		return true;
	}
	if (addr < LINEAR_MAP_SIZE) {
		snprintf(buf, n,
			 "the lower half (user space: a physical address used as a pointer?)");
		return true;
	}
	for (int i = 0; p && i < p->nr_reserved; i++) {
		u64 base, end;

		if (plat_nomap_pages(&p->reserved[i], &base, &end) && virt_is_linear(addr) &&
		    virt_to_phys((void *)addr) >= base && virt_to_phys((void *)addr) < end) {
			snprintf(buf, n, "no-map reserved memory 0x%llx-0x%llx (unmapped)",
				 (unsigned long long)p->reserved[i].base,
				 (unsigned long long)(p->reserved[i].base + p->reserved[i].size -
						      1));
			return true;
		}
	}
	return false;
}
