/* Planted failures (run only when named in ktest=): prove the host runner catches each kind. */
#include <locklab/errno.h>
#include <locklab/klock.h>
#include <locklab/ktest.h>
#include <locklab/mm.h>
#include <locklab/panic.h>
#include <locklab/platform.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <locklab/uaccess.h>
#include <asm/memory.h>
#include <asm/atomic.h>
#include <asm/sysreg.h>

static void selftest_fails(struct ktest *t)
{
	KT_EXPECT_EQ(t, 1 + 1, 3);
}

/* Each comparison below fails; the host checks that the values are printed readably. */
static void selftest_fails_signed(struct ktest *t)
{
	long err = -ENOENT;

	KT_EXPECT_EQ(t, err, 0); /* prints -2, not 18446744073709551614 */
}

static void selftest_fails_streq(struct ktest *t)
{
	const char *reply = "from child";

	KT_EXPECT_STREQ(t, reply, "from parent");
}

static void selftest_fails_memeq(struct ktest *t)
{
	static const u8 buf[] = { 'h', 'e', 'l', 'l', 'o', 0x01, '!' };

	KT_EXPECT_MEMEQ(t, buf, "hello, world", sizeof(buf));
}

static void selftest_fails_leak(struct ktest *t)
{
	struct ktest_snapshot before;
	void *p;

	ktest_snapshot(&before);
	kernel_enter();
	p = kmalloc(64);
	kernel_exit();
	KT_EXPECT_NO_LEAK(t, &before);
	kernel_enter();
	kfree(p);
	kernel_exit();
}

/* The body made no check of its own: the hooks' expectations must not make it pass. */
static void selftest_checks_nothing(struct ktest *t)
{
}

static void selftest_passes(struct ktest *t)
{
	KT_EXPECT_EQ(t, 1 + 1, 2);
}

/*
 * init and exit must alternate around every case: init fails a case whose
 * previous exit did not run, exit one whose init did not. selftest_passes
 * passing shows they ran and did not count against it.
 */
static u32 fail_hook_depth;

static void fail_case_init(struct ktest *t)
{
	KT_EXPECT_EQ(t, fail_hook_depth, 0);
	fail_hook_depth = 1;
}

static void fail_case_exit(struct ktest *t)
{
	KT_EXPECT_EQ(t, fail_hook_depth, 1);
	fail_hook_depth = 0;
}

static const struct ktest_case fail_cases[] = {
	KTEST_CASE(selftest_passes),	     KTEST_CASE(selftest_fails),
	KTEST_CASE(selftest_fails_signed),   KTEST_CASE(selftest_fails_streq),
	KTEST_CASE(selftest_fails_memeq),    KTEST_CASE(selftest_fails_leak),
	KTEST_CASE(selftest_checks_nothing),
};
KTEST_SUITE_EXPLICIT(selftest_fail, fail_cases, .init = fail_case_init, .exit = fail_case_exit);

static void selftest_hangs(struct ktest *t)
{
	t->expectations++;
	for (;;)
		__asm__ volatile("wfe");
}

static const struct ktest_case hang_cases[] = {
	KTEST_CASE(selftest_hangs),
};
KTEST_SUITE_EXPLICIT(selftest_hang, hang_cases);

/*
 * A case whose tasks outlive ktest_on_each_cpu's deadline (they run 2.5 s,
 * it waits 50 ms): the case fails; the next waits a second and is skipped
 * (they still run, for 1.4 s more at least: a host stall cannot make it
 * run); the third is skipped too unless a stall delayed it past their end;
 * the fourth starts only after two waits (2.05 s) and waits up to a second
 * more, so it always runs, once they have ended.
 */
static u64 left_until; /* time_counter() at which the left-behind tasks end */

static void run_until_left_until(void *arg)
{
	(void)arg;
	while (time_counter() < atomic_load_relaxed(&left_until))
		cpu_relax();
}

static void selftest_leaves_tasks_behind(struct ktest *t)
{
	atomic_store_relaxed(&left_until, time_counter() + 5 * time_freq() / 2);
	KT_EXPECT_EQ(t, ktest_on_each_cpu(run_until_left_until, NULL, 50), cpus_online());
}

static void selftest_skipped_while_they_run(struct ktest *t)
{
	KT_EXPECT_EQ(t, 1 + 1, 2);
}

/* Whichever of the two runs, it runs once they have ended. */
static void selftest_runs_once_they_end(struct ktest *t)
{
	KT_EXPECT(t, time_counter() >= atomic_load_relaxed(&left_until));
}

static const struct ktest_case left_behind_cases[] = {
	KTEST_CASE(selftest_leaves_tasks_behind),
	KTEST_CASE(selftest_skipped_while_they_run),
	{ "selftest_skipped_or_run_once_they_end", selftest_runs_once_they_end },
	KTEST_CASE(selftest_runs_once_they_end),
};
KTEST_SUITE_EXPLICIT(selftest_left_behind, left_behind_cases);

static void panic_here(void *arg)
{
	panic("planted panic from a test (%s)", (const char *)arg);
}

/* Panics on the last online CPU, so the stop-every-CPU path runs from a secondary. */
static void selftest_panics(struct ktest *t)
{
	t->expectations++;
	smp_call_on(cpus_online() - 1, panic_here, "selftest_panic", true, 5000);
}

static const struct ktest_case panic_cases[] = {
	KTEST_CASE(selftest_panics),
};
KTEST_SUITE_EXPLICIT(selftest_panic, panic_cases);

static void selftest_faults(struct ktest *t)
{
	t->expectations++;
	/* unmapped: the exception report must name it */
	(void)*(volatile u64 *)0x0000800000000010UL;
}

static const struct ktest_case fault_cases[] = {
	KTEST_CASE(selftest_faults),
};
KTEST_SUITE_EXPLICIT(selftest_fault, fault_cases);

/* Deep enough to run off any stack; the compiler cannot see that it never stops. */
static volatile u64 overflow_limit = ~0ULL;

static __attribute__((noinline)) u64 recurse(u64 depth)
{
	volatile u8 frame[256];

	frame[0] = (u8)depth;
	if (depth >= overflow_limit)
		return frame[0];
	return recurse(depth + 1) + frame[0]; /* not a tail call: every level keeps its frame */
}

static void overflow_task(void *arg)
{
	(void)arg;
	recurse(0);
}

/* A task runs off the bottom of its stack: its guard page must turn that into a clear report. */
static void selftest_overflows_a_stack(struct ktest *t)
{
	struct task *o = task_create("overflow", overflow_task, NULL, TASK_ANY_CPU);

	KT_ASSERT(t, o);
	task_join(o); /* never returns: the overflow panics */
}

static const struct ktest_case overflow_cases[] = {
	KTEST_CASE(selftest_overflows_a_stack),
};
KTEST_SUITE_EXPLICIT(selftest_stack_overflow, overflow_cases);

/* W^X: a store to kernel text must fault (text is mapped read-only), and the report must say so. */
static void selftest_writes_kernel_text(struct ktest *t)
{
	volatile u32 *insn = (volatile u32 *)(void *)selftest_passes;

	*insn = *insn; /* the same instruction back: harmless, were it allowed */
	ktest_fail(t, __FILE__, __LINE__, "the store to kernel text at %p did not fault",
		   (void *)insn);
}

static const struct ktest_case text_write_cases[] = {
	KTEST_CASE(selftest_writes_kernel_text),
};
KTEST_SUITE_EXPLICIT(selftest_text_write, text_write_cases);

/* A no-map reserved range is not mapped at all: sys_* refuse it, and a load from its first byte faults. */
static void selftest_reads_nomap_memory(struct ktest *t)
{
	const struct platform_info *p = platform();
	volatile u8 *lo, *hi;
	int i = 0;

	while (i < p->nr_reserved && !p->reserved[i].no_map)
		i++;
	/* boot with a device tree that has a no-map reserved range */
	KT_ASSERT(t, i < p->nr_reserved);
	/* through the linear map, where the kernel reaches all RAM */
	lo = phys_to_virt(p->reserved[i].base);
	hi = lo + p->reserved[i].size;

	KT_EXPECT(t, !uaccess_ok((void *)lo, 1, UACCESS_READ));
	/* The RAM around it stays mapped: only its own pages are holes. */
	if (uaccess_ok((void *)(lo - 1), 1, UACCESS_READ))
		(void)lo[-1];
	if (uaccess_ok((void *)hi, 1, UACCESS_READ))
		(void)*hi;
	(void)*lo;
	ktest_fail(t, __FILE__, __LINE__, "the load from no-map memory at %p did not fault",
		   (void *)lo);
}

static const struct ktest_case nomap_cases[] = {
	KTEST_CASE(selftest_reads_nomap_memory),
};
KTEST_SUITE_EXPLICIT(selftest_nomap, nomap_cases);

/*
 * The mistake the upper half makes visible: a physical address used as a
 * pointer (here the kernel's own text, where the identity map of old would
 * have found it). TTBR0 maps nothing, so it must fault and be named as such.
 */
static void selftest_reads_a_physical_address(struct ktest *t)
{
	volatile const u32 *pa = (volatile const u32 *)virt_to_phys(selftest_passes);

	(void)*pa;
	ktest_fail(t, __FILE__, __LINE__, "the load from physical address %p did not fault",
		   (const void *)pa);
}

static const struct ktest_case phys_cases[] = {
	KTEST_CASE(selftest_reads_a_physical_address),
};
KTEST_SUITE_EXPLICIT(selftest_phys_pointer, phys_cases);
