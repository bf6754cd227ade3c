/* The fuzz suite's EL0 case: a process per CPU issues raw SVCs with random registers (kernel/user/fuzz.user.c). */
#include "fuzz.h"
#include "../user/fuzz_el0.h"
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/mm.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <locklab/unistd.h>
#include <locklab/user.h>
#include <asm/memory.h>

/*
 * fuzz_calls= calls in all, split over one process per CPU (pinned), each
 * with its own shared page for its counts (fuzz_el0.h) and its own home
 * /fzu<cpu in hex> (shared past FZE_HOMES CPUs). Every process must exit
 * 0 (a fault would end it with 128 + signal and a "user:" record) having
 * made all its calls, with every register but x0 given back unchanged
 * and every result within the rules fuzz.user.c checks. Afterwards the homes and anything a random
 * path made in the root are removed, and free pages, kmalloc objects,
 * inodes, processes, task slots and ASIDs must be back where they were.
 */

long u_fuzz_el0(u64 idx); /* kernel/user/fuzz_svc.user.S */

_Static_assert(FZE_STACK_TOP == (long)USER_STACK_TOP, "fuzz_el0.h: the stack top");
_Static_assert(FZE_STACK_LOW == (long)(USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE),
	       "fuzz_el0.h: the stack's lowest page");
_Static_assert(FZE_FD_MAX == FD_MAX, "fuzz_el0.h: FD_MAX");
_Static_assert(FZE_USER_TOP == (long)USER_VA_TOP, "fuzz_el0.h: the user half's end");
_Static_assert(FZE_HEAP_BASE == (long)USER_HEAP_BASE && FZE_HEAP_MAX == (long)USER_HEAP_MAX,
	       "fuzz_el0.h: the heap");
_Static_assert(FZE_MMAP_BASE == (long)USER_MMAP_BASE && FZE_MMAP_TOP == (long)USER_MMAP_TOP,
	       "fuzz_el0.h: where mmap places");
_Static_assert(FZE_NR_OK + FZE_NR_SLOTS <= FZE_NR_ERR &&
		       FZE_NR_ERR + FZE_NR_SLOTS <= FZE_TARGET_OFF / (long)sizeof(long),
	       "fuzz_el0.h: the per-number counts, below the half the kernel may write");
_Static_assert(
	NR_SYSCALLS + 5 <= FZE_NR_HUGE,
	"fuzz_el0.h: a slot per number it aims at (0 to NR_SYSCALLS + 4): raise "
	"FZE_NR_SLOTS and FZE_NR_HUGE (one less), and FZE_NR_ERR to FZE_NR_OK + FZE_NR_SLOTS");

#define ROOT_MAX 32
static char root_before[ROOT_MAX][NAME_MAX + 1]; /* the root's names before the run */
static u32 nr_root_before;

/* The root's names into names[max] (a listing with more is cut off); how many. */
static u32 list_root(char (*names)[NAME_MAX + 1], u32 max)
{
	struct dirent ents[4];
	long fd = sys_open("/", O_RDONLY | O_DIRECTORY), n;
	u32 count = 0;

	if (fd < 0)
		return 0;
	while ((n = sys_readdir((int)fd, ents, ARRAY_SIZE(ents))) > 0)
		for (long i = 0; i < n && count < max; i++)
			strlcpy(names[count++], ents[i].name, NAME_MAX + 1);
	sys_close((int)fd);
	return count;
}

static bool was_in_root(const char *name)
{
	for (u32 i = 0; i < nr_root_before; i++)
		if (!strcmp(root_before[i], name))
			return true;
	return false;
}

/*
 * A path in the fuzzer's text that starts with '/' (its code's bytes read
 * as a string) can create a name in the root: removed here, and counted.
 */
static u32 remove_strays(void)
{
	static char now[ROOT_MAX][NAME_MAX + 1];
	char path[NAME_MAX + 2];
	u32 n = list_root(now, ROOT_MAX), strays = 0;

	for (u32 i = 0; i < n; i++) {
		if (was_in_root(now[i]))
			continue;
		snprintf(path, sizeof(path), "/%s", now[i]);
		strays += fz_rm_tree(path, 0);
	}
	return strays;
}

/* The per-number counts summed over the processes, as diagnostics: "n=ok/calls". */
static void note_numbers(struct ktest *t, long *pages[], u32 n)
{
	char line[160];
	u32 len = 0;

	for (u32 nr = 0; nr < FZE_NR_SLOTS; nr++) {
		u64 ok = 0, err = 0;

		for (u32 i = 0; i < n; i++) {
			ok += pages[i][FZE_NR_OK + nr];
			err += pages[i][FZE_NR_ERR + nr];
		}
		if (!ok && !err)
			continue;
		/* The last slot counts every number from FZE_NR_HUGE up. */
		len += snprintf(line + len, sizeof(line) - len, " %s%u=%llu/%llu",
				nr == FZE_NR_HUGE ? ">=" : "", nr, (unsigned long long)ok,
				(unsigned long long)(ok + err));
		if (len > 110) {
			ktest_note(t, "ok/calls by number:%s", line);
			len = 0;
		}
	}
	if (len)
		ktest_note(t, "ok/calls by number:%s", line);
}

/*
 * Every call of the table but exit (never made), wait (no children) and
 * spawn to bench (no path or string to run is ever made) must have worked
 * at least once: raw registers that never got past the checks would leave
 * the kernel's work at EL0 untested.
 */
static void check_numbers_worked(struct ktest *t, long *pages[], u32 n)
{
	for (u32 nr = 1; nr <= SYS_mprotect; nr++) {
		u64 ok = 0;

		if (nr == SYS_exit || nr == SYS_wait || (nr >= SYS_spawn && nr <= SYS_bench))
			continue;
		for (u32 i = 0; i < n; i++)
			ok += pages[i][FZE_NR_OK + nr];
		t->expectations++;
		if (!ok)
			ktest_fail(t, __FILE__, __LINE__,
				   "number %u never worked: the fuzzer misses its path", nr);
	}
}

static long *shared_alloc(void)
{
	long *p;

	kernel_enter(); /* page_alloc wants the kernel scope */
	p = page_alloc();
	kernel_exit();
	return p;
}

static void shared_free(long *p)
{
	kernel_enter();
	page_free(p);
	kernel_exit();
}

void fuzz_el0_raw_svcs_keep_every_invariant(struct ktest *t)
{
	struct ktest_snapshot before;
	long *pages[CONFIG_NR_CPUS] = { 0 }, pids[CONFIG_NR_CPUS];
	u32 n = 0, ncpus = cpus_online(), asids = asid_in_use(), strays;
	u64 t0, ns, violations, sum[FZE_NR_OK] = { 0 };
	char home[8];
	long r;

	nr_root_before = list_root(root_before, ROOT_MAX);
	KT_ASSERT(t, nr_root_before < ROOT_MAX);
	ktest_snapshot(&before);
	t0 = time_counter();
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		snprintf(home, sizeof(home), "/fzu%x", c % FZE_HOMES);
		r = sys_mkdir(home); /* past FZE_HOMES CPUs, a home is shared */
		KT_ASSERT(t, r == 0 || (c >= FZE_HOMES && r == -EEXIST));
		pages[n] = shared_alloc();
		KT_ASSERT(t, pages[n]);
		pages[n][FZE_IN_SEED] = (long)fuzz_seed;
		pages[n][FZE_IN_CALLS] = (long)(fuzz_calls / ncpus + (n < fuzz_calls % ncpus));
		pages[n][FZE_IN_IDX] = c;
		pids[n] = user_spawn("fuzz-el0", u_fuzz_el0, c, pages[n], (int)c);
		KT_ASSERT(t, pids[n] > 1);
		n++;
	}
	for (u32 i = 0; i < n; i++) {
		int status = -1;

		KT_EXPECT_EQ(t, sys_wait((int)pids[i], &status), pids[i]);
		KT_EXPECT_EQ(t, status, 0); /* 128 + a signal: it faulted ("user:" record above) */
		KT_EXPECT_EQ(t, pages[i][FZE_DONE], FZE_MAGIC);
		KT_EXPECT_EQ(t, pages[i][FZE_CALLS], pages[i][FZE_IN_CALLS]);
		if (pages[i][FZE_VIOLATIONS])
			ktest_note(
				t,
				"process %u: first violation at call %ld, number %ld: register %ld "
				"(31: sp, -1: the result) is 0x%lx, expected 0x%lx",
				i, pages[i][FZE_BAD_CALL], pages[i][FZE_BAD_NR],
				pages[i][FZE_BAD_REG], pages[i][FZE_BAD_GOT],
				pages[i][FZE_BAD_WANT]);
		for (u32 k = 0; k < FZE_NR_OK; k++)
			sum[k] += pages[i][k];
	}
	ns = time_counter_to_ns(time_counter() - t0);
	for (u32 h = 0; h < FZE_HOMES; h++) { /* one not made is fine */
		snprintf(home, sizeof(home), "/fzu%x", h);
		KT_EXPECT(t, fz_rm_tree(home, 0));
	}
	strays = remove_strays();
	note_numbers(t, pages, n);
	printk_raw("fuzz-el0: strategy=%s cpus=%u seed=%llu calls=%llu ok=%llu efault=%llu "
		   "enosys=%llu other=%llu violations=%llu extra=%llu pipes=%llu file_maps=%llu "
		   "strays=%u ms=%llu calls_per_sec=%llu",
		   LOCK_STRATEGY_NAME, n, (unsigned long long)fuzz_seed,
		   (unsigned long long)sum[FZE_CALLS], (unsigned long long)sum[FZE_OK],
		   (unsigned long long)sum[FZE_EFAULT], (unsigned long long)sum[FZE_ENOSYS],
		   (unsigned long long)sum[FZE_OTHER_ERR], (unsigned long long)sum[FZE_VIOLATIONS],
		   (unsigned long long)sum[FZE_EXTRA], (unsigned long long)sum[FZE_PIPES],
		   (unsigned long long)sum[FZE_FILE_MAPS], strays,
		   (unsigned long long)(ns / 1000000),
		   (unsigned long long)(ns ? sum[FZE_CALLS] * 1000000000ULL / ns : 0));
	KT_EXPECT_EQ(t, sum[FZE_CALLS], fuzz_calls);
	KT_EXPECT_EQ(t, sum[FZE_OK] + sum[FZE_EFAULT] + sum[FZE_ENOSYS] + sum[FZE_OTHER_ERR],
		     sum[FZE_CALLS]);
	violations = sum[FZE_VIOLATIONS];
	KT_EXPECT_EQ(t, violations, 0ULL); /* a register changed, or a result broke a rule */
	if (fuzz_calls >=
	    2000) { /* the mix: calls that ran, bad pointers, numbers not in the table */
		KT_EXPECT_GE(t, sum[FZE_OK], 1ULL);
		KT_EXPECT_GE(t, sum[FZE_EFAULT], 1ULL);
		KT_EXPECT_GE(t, sum[FZE_ENOSYS], 1ULL);
		KT_EXPECT_GE(t, sum[FZE_OTHER_ERR], 1ULL);
	}
	/* Long enough that each of them comes up with usable arguments. */
	if (fuzz_calls >= 100000) {
		check_numbers_worked(t, pages, n);
		KT_EXPECT_GE(t, sum[FZE_FILE_MAPS], 1ULL); /* its own files, mapped */
	}
	for (u32 i = 0; i < n; i++)
		shared_free(pages[i]);
	KT_EXPECT_NO_LEAK(t, &before);
	KT_EXPECT_EQ(t, asid_in_use(), asids);
}
