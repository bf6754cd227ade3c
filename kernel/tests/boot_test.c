/* ktest suite "boot": exception level, MMU and caches, the upper half, relocation, vectors, platform sanity. */
#include <locklab/ktest.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/mmu.h>
#include <locklab/platform.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/traps.h>
#include <asm/boot.h>
#include <asm/memory.h>
#include <asm/irqflags.h>
#include <asm/sysreg.h>

extern char exception_vectors[];

static void boot_runs_at_el1(struct ktest *t)
{
	KT_EXPECT_EQ(t, current_el(), 1);
	KT_EXPECT(t, boot_entry_level() == 1 || boot_entry_level() == 2);
}

static void boot_mmu_and_caches_on(struct ktest *t)
{
	u64 sctlr = read_sysreg(sctlr_el1);

	KT_EXPECT(t, sctlr & SCTLR_M);
	KT_EXPECT(t, sctlr & SCTLR_C);
	KT_EXPECT(t, sctlr & SCTLR_I);
	/* Our tables, not the early ones or the firmware's. */
	KT_EXPECT_EQ(t, read_sysreg(mair_el1), MAIR_EL1_VALUE);
	KT_EXPECT_EQ(t, read_sysreg(tcr_el1) & 0x3f, TCR_T0SZ_39);
	KT_EXPECT_EQ(t, read_sysreg(tcr_el1) & TCR_T1SZ_MASK, TCR_T1SZ_39);
}

/* Absolute pointers stored in data: correct only if head.S applied the relocations. */
static int reloc_target(void)
{
	return 42;
}
static int (*const reloc_fnptr)(void) = reloc_target;
static const char reloc_str[] = "relocated";
static const char *const reloc_strptr = reloc_str;
static u64 reloc_data_word;
static u64 *reloc_dataptr = &reloc_data_word;

static void boot_relocations_applied(struct ktest *t)
{
	u64 here;

	/* The PC-relative address of the function is the truth; the stored pointer must match. */
	__asm__("adr %0, ." : "=r"(here));
	KT_EXPECT_EQ(t, (u64)reloc_fnptr, (u64)&reloc_target);
	KT_EXPECT_EQ(t, (u64)reloc_strptr, (u64)reloc_str);
	KT_EXPECT_EQ(t, (u64)reloc_dataptr, (u64)&reloc_data_word);
	KT_EXPECT_EQ(t, reloc_fnptr(), 42);
	/* Relocated for the linear alias of the load address, where the code runs. */
	KT_EXPECT(t, here >= (u64)_text && here < (u64)_end);
	KT_EXPECT_EQ(t, (u64)_text, (u64)phys_to_virt(boot_load_addr));
}

static void boot_vectors_installed(struct ktest *t)
{
	KT_EXPECT_EQ(t, read_sysreg(vbar_el1), (u64)exception_vectors);
	KT_EXPECT_EQ(t, (u64)exception_vectors & 0x7ff, 0);
}

static void boot_kernel_in_ram(struct ktest *t)
{
	const struct platform_info *p = platform();
	bool inside = false;

	KT_ASSERT(t, p->nr_mem > 0);
	for (int i = 0; i < p->nr_mem; i++)
		inside |= boot_load_addr >= p->mem[i].base &&
			  virt_to_phys(_end) <= p->mem[i].base + p->mem[i].size;
	KT_EXPECT(t, inside);
	KT_EXPECT(t, p->have_uart);
	KT_EXPECT(t, p->gic_version == 2 || p->gic_version == 3);
	KT_EXPECT(t, p->nr_cpus >= 1);
}

static void boot_cpu_is_in_device_tree(struct ktest *t)
{
	const struct platform_info *p = platform();
	bool found = false;

	for (int i = 0; i < p->nr_cpus; i++)
		found |= p->cpu_mpidr[i] == read_mpidr_hwid();
	KT_EXPECT(t, found);
	KT_EXPECT_EQ(t, smp_processor_id(), 0);
}

/* A leaf descriptor's W^X bits: true if writable (AP[2] clear), and if EL1 may execute it (PXN clear). */
static bool desc_writable(u64 d)
{
	return !(d & PTE_AP_RO);
}

static bool desc_el1_exec(u64 d)
{
	return !(d & PTE_PXN);
}

/* W^X in the final map, read back from the tables: no page is both writable and executable. */
static void boot_map_is_w_xor_x(struct ktest *t)
{
	static u64 bss_word;
	u64 local = 0, text = (u64)boot_map_is_w_xor_x, head = (u64)_text, ro = (u64)reloc_str;
	u64 d, dtb, dtb_size;

	d = mmu_lookup(text);
	KT_EXPECT(t, d && !desc_writable(d) && desc_el1_exec(d) && (d & PTE_UXN));
	d = mmu_lookup(head); /* the image header and head.S: text too */
	KT_EXPECT(t, d && !desc_writable(d) && desc_el1_exec(d));
	d = mmu_lookup((u64)__rodata_start - 1); /* text's last page, up to the boundary */
	KT_EXPECT(t, d && !desc_writable(d) && desc_el1_exec(d));
	d = mmu_lookup(ro);
	KT_EXPECT(t, d && !desc_writable(d) && !desc_el1_exec(d));
	/* rodata's last page (.got, .dynamic: relocated, then read-only) */
	d = mmu_lookup((u64)__data_start - 1);
	KT_EXPECT(t, d && !desc_writable(d) && !desc_el1_exec(d));
	for (u64 va = (u64)__data_start; va < (u64)_end; va += 4096) {
		d = mmu_lookup(va);
		/* Guard pages are holes; every other page of data, BSS and the page tables is RW, never executed. */
		if (d && (!desc_writable(d) || desc_el1_exec(d))) {
			ktest_fail(t, __FILE__, __LINE__, "data page 0x%llx mapped %s",
				   (unsigned long long)va,
				   desc_writable(d) ? "executable" : "read-only");
			break;
		}
	}
	t->expectations++;
	/* Ordinary RAM: the stack this runs on, a BSS word, and the DTB beyond the image. */
	platform_dtb_range(&dtb, &dtb_size);
	for (u32 i = 0; i < 3; i++) {
		u64 va = i == 0 ? (u64)&local : i == 1 ? (u64)&bss_word : (u64)phys_to_virt(dtb);

		d = mmu_lookup(va);
		KT_EXPECT(t, d && desc_writable(d) && !desc_el1_exec(d));
	}
}

/*
 * head.S's early table, kept as the secondaries' identity map: Normal memory
 * for the GiBs holding the image (its first and last byte) and the DTB,
 * Device for every other. A Normal mapping may be read speculatively, so
 * one over a GiB with no RAM behind it is a hazard QEMU cannot show.
 */
static void boot_early_map_is_normal_only_for_the_image_and_dtb(struct ktest *t)
{
	u64 first = boot_load_addr >> 30, last = (virt_to_phys(_end) - 1) >> 30;
	u64 dtb, dtb_size;
	u32 wrong = 0;

	platform_dtb_range(&dtb, &dtb_size);
	ktest_note(t, "image in GiB %llu..%llu, DTB in GiB %llu", (unsigned long long)first,
		   (unsigned long long)last, (unsigned long long)(dtb >> 30));
	for (u64 g = 0; g < 512; g++) {
		bool normal = g == first || g == last || g == dtb >> 30;
		u64 want = (normal ? PTE_BLOCK_NORMAL : PTE_BLOCK_DEVICE) | g << 30;

		if (init_pg_dir[g] != want && wrong++ < 2)
			ktest_fail(t, __FILE__, __LINE__,
				   "GiB %llu: entry 0x%llx, want 0x%llx (%s)",
				   (unsigned long long)g, (unsigned long long)init_pg_dir[g],
				   (unsigned long long)want, normal ? "Normal" : "Device");
	}
	KT_EXPECT_EQ(t, wrong, 0);
}

/* What one CPU saw of its own translation regime (upper_half_probe). */
struct upper_half_view {
	u64 pc, sp, vbar, percpu, tcr, ttbr0, low_faults, low_far, low_addr;
};

/*
 * Runs on the CPU to check: where its code, stack, vectors and per-CPU data
 * are, whether TTBR0 holds the empty table, and whether a load from a low address faults.
 * The address loaded is the physical address of a kernel variable: with the
 * identity map of old it would read that variable.
 */
static void upper_half_probe(void *arg)
{
	static u64 probe_target;
	struct upper_half_view *v = arg;
	struct percpu *pc;
	u64 flags = local_irq_save(), before;

	pc = this_cpu(); /* stays this CPU's while interrupts are masked */
	__asm__ volatile("adr %0, ." : "=r"(v->pc));
	__asm__ volatile("mov %0, sp" : "=r"(v->sp));
	v->vbar = read_sysreg(vbar_el1);
	v->percpu = (u64)pc;
	v->tcr = read_sysreg(tcr_el1);
	v->ttbr0 = read_sysreg(ttbr0_el1);
	v->low_addr = virt_to_phys(&probe_target);
	before = pc->trap_seen_count;
	trap_expect(ESR_EC_DABT_CUR);
	(void)*(volatile u64 *)v->low_addr;
	pc->trap_expect_esr_ec = 0; /* in case it did not fault */
	v->low_faults = pc->trap_seen_count - before;
	v->low_far = pc->trap_seen_far;
	local_irq_restore(flags);
}

static void upper_half_check(struct ktest *t, u32 cpu, const struct upper_half_view *v)
{
	const u64 addrs[] = { v->pc, v->sp, v->vbar, v->percpu };
	static const char *const names[] = { "pc", "sp", "vbar", "per-CPU data" };

	for (u32 i = 0; i < ARRAY_SIZE(addrs); i++) {
		t->expectations++;
		if (!virt_is_linear(addrs[i]))
			ktest_fail(t, __FILE__, __LINE__,
				   "cpu%u: %s 0x%llx is not in the upper half", cpu, names[i],
				   (unsigned long long)addrs[i]);
	}
	KT_EXPECT(t, v->pc >= (u64)_text && v->pc < (u64)_etext);
	/* The identity map is gone: TTBR0 is walked, but holds the empty table with ASID 0 ... */
	KT_EXPECT_EQ(t, v->tcr & TCR_EPD0, 0);
	KT_EXPECT_EQ(t, v->ttbr0, virt_to_phys(empty_pg_dir));
	KT_EXPECT_EQ(t, v->low_faults, 1); /* ... so the physical address of kernel data faults */
	KT_EXPECT_EQ(t, v->low_far, v->low_addr);
}

/*
 * The kernel runs from TTBR1 on every CPU (the boot CPU and each secondary,
 * which came up through PSCI CPU_ON at a physical address): code, stack,
 * vectors, per-CPU data and allocated memory are linear-map addresses, and
 * TTBR0 (the empty table, ASID 0, in a kernel task) translates nothing.
 */
static void boot_runs_in_upper_half(struct ktest *t)
{
	struct upper_half_view v;
	void *obj, *page;

	for (u32 cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		struct task *probe;

		if (!cpu_is_online(cpu))
			continue;
		memset(&v, 0, sizeof(v));
		probe = task_create("upper_half", upper_half_probe, &v, (int)cpu);
		KT_ASSERT(t, probe);
		task_join(probe);
		upper_half_check(t, cpu, &v);
	}
	kernel_enter();
	obj = kmalloc(64);
	page = page_alloc();
	kernel_exit();
	KT_ASSERT(t, obj && page);
	KT_EXPECT(t, virt_is_linear((u64)obj) && virt_is_linear((u64)page));
	KT_EXPECT(t, mmu_lookup((u64)page) != 0);
	KT_EXPECT_EQ(t, mmu_lookup(virt_to_phys(page)), 0); /* TTBR0: nothing */
	kernel_enter();
	kfree(obj);
	page_free(page);
	kernel_exit();
}

static const struct ktest_case boot_cases[] = {
	KTEST_CASE(boot_runs_at_el1),
	KTEST_CASE(boot_mmu_and_caches_on),
	KTEST_CASE(boot_relocations_applied),
	KTEST_CASE(boot_vectors_installed),
	KTEST_CASE(boot_kernel_in_ram),
	KTEST_CASE(boot_cpu_is_in_device_tree),
	KTEST_CASE(boot_map_is_w_xor_x),
	KTEST_CASE(boot_runs_in_upper_half),
	KTEST_CASE(boot_early_map_is_normal_only_for_the_image_and_dtb),
};
KTEST_SUITE(boot, boot_cases);
