/* ktest suite "user": processes at EL0 making every system call, bad pointers, faults that end only their process, ASIDs, the BKL per call, the trap cost. */
#include <locklab/ktest.h>
#include "user_ktest.h"
#include <locklab/console.h>
#include <locklab/klock.h>
#include <locklab/lockstat.h>
#include <locklab/mm.h>
#include <locklab/percpu.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/time.h>
#include <locklab/user.h>
#include <asm/atomic.h>
#include <asm/boot.h>
#include <asm/memory.h>
#include <asm/sysreg.h>

/* kernel/user/progs.user.c and faults.user.S: entry points at EL0 (their addresses in the image). */
long u_all_syscalls(u64 idx);
long u_bad_pointers(u64 fds);
long u_getpid_loop(u64 n), u_getpid_to_shared(u64 unused);
long u_read_byte(u64 fd), u_exit_with(u64 status);
long u_store_unmapped(u64 a), u_store_text(u64 a), u_load_kernel(u64 a), u_jump_unmapped(u64 a);
long u_undefined(u64 a), u_sysreg(u64 a), u_brk(u64 a);
long u_misaligned_pc(u64 a), u_misaligned_sp(u64 a), u_wfi_loop(u64 n);
long u_read_counter(u64 freq), u_phys_counter(u64 a);

static void user_every_syscall_on_each_cpu(struct ktest *t)
{
	/* FD: any fd (>= 0); the pid is checked apart */
	enum { FD = 1000 };
	const long want[] = { 0, 0, 0, FD, 5, 5, 0, FD, 5, 1,	    0,	     0,	     1,
			      0, 0, 2, 2,  1, 0, 0, 0,	0, -ECHILD, -ENOSYS, -ENOSYS };
	long *pages[CONFIG_NR_CPUS] = { 0 }, pids[CONFIG_NR_CPUS] = { 0 };
	u32 n = 0;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		pages[c] = user_shared_alloc();
		KT_ASSERT(t, pages[c]);
		pids[c] = user_spawn("allcalls", u_all_syscalls, c, pages[c], (int)c);
		KT_EXPECT(t, pids[c] > 1);
		n++;
	}
	KT_EXPECT_GE(t, n, 1U);
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		const struct stat *st;
		const struct dirent *de;
		int status = -1;

		if (!pages[c])
			continue;
		KT_EXPECT_EQ(t, sys_wait((int)pids[c], &status), pids[c]);
		KT_EXPECT_EQ(t, status, 7); /* its exit(7) */
		KT_EXPECT_EQ(t, pages[c][63], (long)ARRAY_SIZE(want));
		KT_EXPECT_EQ(t, pages[c][0], pids[c]); /* getpid at EL0 is its own pid */
		for (u32 i = 1; i < ARRAY_SIZE(want); i++)
			if (want[i] == FD ? pages[c][i] < 0 : pages[c][i] != want[i])
				ktest_fail(t, __FILE__, __LINE__,
					   "cpu%u: result %u is %ld, expected %ld", c, i,
					   pages[c][i], want[i]);
		st = (const struct stat *)((u8 *)pages[c] + 2048);
		de = (const struct dirent *)((u8 *)pages[c] + 3072);
		KT_EXPECT_EQ(t, st->size, 5ULL);
		KT_EXPECT_EQ(t, st->type, (u32)S_IFREG);
		KT_EXPECT_STREQ(t, de->name, "f");
		user_shared_free(pages[c]);
	}
}

/* Kernel code: user_spawn must refuse it (EL0 could not even fetch it). */
static long kernel_code(u64 a)
{
	return (long)a;
}

static void user_exit_frees_its_address_space(struct ktest *t)
{
	long *page = user_shared_alloc();
	int status;
	long pid;

	KT_ASSERT(t, page);
	pid = run_user("getpid", u_getpid_to_shared, 0, page, (int)smp_processor_id(), &status);
	KT_EXPECT(t, pid > 1);
	KT_EXPECT_EQ(t, status, 0); /* returning from the entry point is exit(0) */
	KT_EXPECT_EQ(t, page[0], pid);
	/* This CPU is back on the kernel tasks' empty table, ASID 0 (the leak check counts the rest). */
	KT_EXPECT_EQ(t, read_sysreg(ttbr0_el1), virt_to_phys(empty_pg_dir));
	user_shared_free(page);
	/* Not user code: refused before anything is allocated. */
	KT_EXPECT_EQ(t, user_spawn("bad", kernel_code, 0, NULL, TASK_ANY_CPU), -EFAULT);
}

/* exit's status is cut to its low 8 bits at the boundary (a program returning 300 showed "exit 300"). */
static void user_exit_status_is_its_low_8_bits(struct ktest *t)
{
	static const struct {
		u64 given;
		int seen;
	} cases[] = { { 300, 44 }, { 256, 0 }, { (u64)-1, 255 }, { 42, 42 } };
	int status;

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		KT_EXPECT(t, run_user("exit", u_exit_with, cases[i].given, NULL, TASK_ANY_CPU,
				      &status) > 1);
		KT_EXPECT_EQ(t, status, cases[i].seen);
	}
}

static void user_bad_pointers_get_efault(struct ktest *t)
{
	long *page = user_shared_alloc();
	char last[160];
	int fds[2], status;
	long pid;

	KT_ASSERT(t, page);
	KT_ASSERT(t, sys_pipe(fds) == 0);
	user_last_fault(last, sizeof(last));
	pid = run_user("badptr", u_bad_pointers, (u64)fds[0] | (u64)fds[1] << 8, page, TASK_ANY_CPU,
		       &status);
	KT_EXPECT(t, pid > 1);
	KT_EXPECT_EQ(t, status, 0); /* -EFAULT every time, no fault */
	KT_EXPECT_EQ(t, page[63], 13L);
	for (u32 i = 0; i < 10; i++)
		if (page[i] != -EFAULT)
			ktest_fail(t, __FILE__, __LINE__,
				   "bad pointer %u: got %ld, expected -EFAULT", i, page[i]);
	KT_EXPECT_EQ(t, page[10], 1L); /* the fd is checked before the buffer */
	KT_EXPECT_EQ(t, page[11], 3L);
	KT_EXPECT_EQ(t, page[12], 3L);
	KT_EXPECT_MEMEQ(t, (char *)page + 1024, "ok!", 3);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	user_shared_free(page);
}

static void user_store_to_unmapped_is_sigsegv(struct ktest *t)
{
	fault_case(t, "segv_store", u_store_unmapped, 139, "data abort from a lower EL (write)",
		   0x20000000);
}

static void user_store_to_own_text_is_sigsegv(struct ktest *t)
{
	fault_case(t, "segv_text", u_store_text, 139, "data abort from a lower EL (write)",
		   uva(u_store_text));
}

static void user_load_of_kernel_memory_is_sigsegv(struct ktest *t)
{
	fault_case(t, "segv_kernel", u_load_kernel, 139, "data abort from a lower EL (read)",
		   0xffffff8040200000UL);
}

static void user_jump_to_unmapped_is_sigsegv(struct ktest *t)
{
	fault_case(t, "segv_fetch", u_jump_unmapped, 139,
		   "instruction abort from a lower EL (fetch)", 0x30000000);
}

static void user_undefined_instruction_is_sigill(struct ktest *t)
{
	fault_case(t, "ill_udf", u_undefined, 132, "undefined instruction", uva(u_undefined));
	fault_case(t, "ill_sysreg", u_sysreg, 132, "undefined instruction", uva(u_sysreg));
}

static void user_brk_is_sigtrap(struct ktest *t)
{
	fault_case(t, "trap_brk", u_brk, 133, "BRK instruction", uva(u_brk));
}

static void user_misaligned_pc_is_sigbus(struct ktest *t)
{
	/* adr, add, br: the target is the instruction after them, plus 2 */
	fault_case(t, "bus_pc", u_misaligned_pc, 135, "PC alignment fault",
		   uva(u_misaligned_pc) + 14);
}

static void user_misaligned_sp_is_sigbus(struct ktest *t)
{
	u64 sp = USER_STACK_TOP - 8;

	if (fault_case(t, "bus_sp", u_misaligned_sp, 135, "SP alignment fault", sp) == 0)
		KT_SKIP(t,
			"the load through a misaligned sp did not fault: this CPU model does not "
			"implement SCTLR_EL1.SA0's check (QEMU TCG does not), the process exited 0");
}

static void user_fault_ends_only_that_process(struct ktest *t)
{
	u32 other = ktest_other_cpu();
	int fds[2], status = -1;
	long reader, pid;

	KT_ASSERT(t, sys_pipe(fds) == 0);
	reader = user_spawn("reader", u_read_byte, (u64)fds[0], NULL,
			    other < CONFIG_NR_CPUS ? (int)other : TASK_ANY_CPU);
	KT_ASSERT(t, reader > 1);
	/* Faults on this CPU while the reader sleeps in read() at the other. */
	pid = run_user("segv_store", u_store_unmapped, 0, NULL, (int)smp_processor_id(), &status);
	KT_EXPECT(t, pid > 1);
	KT_EXPECT_EQ(t, status, 139);
	KT_EXPECT_EQ(t, sys_write(fds[1], "*", 1), 1);
	KT_EXPECT_EQ(t, sys_wait((int)reader, &status), reader);
	KT_EXPECT_EQ(t, status, '*'); /* it read the byte: alive all along */
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

static void user_wfi_traps_to_a_yield(struct ktest *t)
{
	u64 before = atomic_load_relaxed(&user_wfi_traps);
	int status;

	KT_EXPECT(t, run_user("wfi", u_wfi_loop, 50, NULL, TASK_ANY_CPU, &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, atomic_load_relaxed(&user_wfi_traps) - before, 50ULL);
}

/* A program may time itself, as under Linux: the virtual counter is EL0's to read, the physical one not. */
static void user_reads_the_virtual_counter_only(struct ktest *t)
{
	int status = -1;

	KT_EXPECT(t, run_user("counter", u_read_counter, time_freq(), NULL, TASK_ANY_CPU, &status) >
			     1);
	KT_EXPECT_EQ(t, status, 0); /* u_read_counter's comment gives the others */
	fault_case(t, "ill_counter", u_phys_counter, 132, "MSR/MRS/system instruction trapped",
		   uva(u_phys_counter));
}

static void user_asid_exhaustion_is_eagain_until_one_exits(struct ktest *t)
{
	static u8 held[USER_ASID_LAST + 1];
	u32 nheld = 0;
	int fds[2], status;
	long asid, reader, pid;

	KT_ASSERT(t, sys_pipe(fds) == 0);
	while ((asid = asid_alloc()) > 0)
		held[nheld++] = (u8)asid;
	KT_EXPECT_EQ(t, asid, -EAGAIN);
	KT_EXPECT_EQ(t, asid_in_use(), (u32)(USER_ASID_LAST - USER_ASID_FIRST + 1));
	KT_ASSERT(t, nheld > 0);
	asid_free(held[--nheld]); /* one left: for the reader */
	reader = user_spawn("reader", u_read_byte, (u64)fds[0], NULL, TASK_ANY_CPU);
	KT_EXPECT(t, reader > 1);
	KT_EXPECT_EQ(t, user_spawn("getpid", u_getpid_loop, 1, NULL, TASK_ANY_CPU), -EAGAIN);
	KT_EXPECT_EQ(t, sys_write(fds[1], "\x05", 1), 1);
	KT_EXPECT_EQ(t, sys_wait((int)reader, &status), reader);
	KT_EXPECT_EQ(t, status, 5);
	/* Its exit gave the ASID back: the next spawn gets it. */
	pid = run_user("getpid", u_getpid_loop, 1, NULL, TASK_ANY_CPU, &status);
	KT_EXPECT(t, pid > 1);
	KT_EXPECT_EQ(t, status, 0);
	while (nheld)
		asid_free(held[--nheld]);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

/* Acquisitions of the kernel-scope lock while n getpid calls run at EL0 (spawn and wait included). */
static u64 kernel_lock_acquisitions(struct ktest *t, const char *cls, u64 n)
{
	struct lockstat_sum a, b;
	int status;

	lockstat_get_since_boot(cls, &a);
	KT_EXPECT(t,
		  run_user("getpid", u_getpid_loop, n, NULL, (int)smp_processor_id(), &status) > 1);
	lockstat_get_since_boot(cls, &b);
	KT_EXPECT_EQ(t, status, 0);
	return b.acquisitions - a.acquisitions;
}

static void user_bkl_taken_once_per_syscall(struct ktest *t)
{
	const char *cls = lock_strategy_class(0);
	u64 none, many;

	if (LOCK_STRATEGY_SCOPE != SCOPE_KERNEL)
		KT_SKIP(t,
			"this strategy's kernel scope is empty: no lock at the syscall boundary");
	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "built without lockstat (CONFIG_LOCK_STAT)");
	KT_ASSERT(t, cls);
	/* The same spawn, exit and wait around 0 and 2000 calls: the difference is the calls'. */
	none = kernel_lock_acquisitions(t, cls, 0);
	many = kernel_lock_acquisitions(t, cls, 2000);
	ktest_note(t, "%s acquisitions: %llu for 0 calls, %llu for 2000", cls,
		   (unsigned long long)none, (unsigned long long)many);
	/* Exactly one per call (the sys_* function's own kernel_enter nests); a little slack for others. */
	KT_EXPECT_GE(t, many - none, 2000ULL - 10);
	KT_EXPECT_LE(t, many - none, 2000ULL + 10);
}

/* ns one spawn+wait of u_getpid_loop(n) takes, on this CPU. */
static u64 time_user_getpid(struct ktest *t, u64 n)
{
	int status;
	u64 t0 = time_counter();

	KT_EXPECT(t,
		  run_user("getpid", u_getpid_loop, n, NULL, (int)smp_processor_id(), &status) > 1);
	t0 = time_counter_to_ns(time_counter() - t0);
	KT_EXPECT_EQ(t, status, 0); /* every call saw the same pid */
	return t0;
}

/* The SVC round trip against a direct call of the same sys_getpid: a "user-trap:" record. */
static void user_trap_cost(struct ktest *t)
{
	const u64 n = 20000;
	u64 t0, call_ns, svc_ns, base_ns;
	long pid = 0;

	base_ns = time_user_getpid(t, 0);
	svc_ns = time_user_getpid(t, n);
	t0 = time_counter();
	for (u64 i = 0; i < n; i++)
		pid += sys_getpid();
	call_ns = time_counter_to_ns(time_counter() - t0);
	KT_EXPECT_EQ(t, pid, (long)n); /* process 1 each time */
	svc_ns = svc_ns > base_ns ? svc_ns - base_ns : 0;
	printk_raw("user-trap: strategy=%s calls=%llu ns_per_svc=%llu ns_per_call=%llu",
		   LOCK_STRATEGY_NAME, (unsigned long long)n, (unsigned long long)(svc_ns / n),
		   (unsigned long long)(call_ns / n));
	/* A trap saves and restores every register and goes through the table: dearer than a call. */
	KT_EXPECT_GE(t, svc_ns, call_ns);
}

static const struct ktest_case user_cases[] = {
	KTEST_CASE(user_every_syscall_on_each_cpu),
	KTEST_CASE(user_exit_frees_its_address_space),
	KTEST_CASE(user_exit_status_is_its_low_8_bits),
	KTEST_CASE(user_bad_pointers_get_efault),
	KTEST_CASE(user_store_to_unmapped_is_sigsegv),
	KTEST_CASE(user_store_to_own_text_is_sigsegv),
	KTEST_CASE(user_load_of_kernel_memory_is_sigsegv),
	KTEST_CASE(user_jump_to_unmapped_is_sigsegv),
	KTEST_CASE(user_undefined_instruction_is_sigill),
	KTEST_CASE(user_brk_is_sigtrap),
	KTEST_CASE(user_misaligned_pc_is_sigbus),
	KTEST_CASE(user_misaligned_sp_is_sigbus),
	KTEST_CASE(user_fault_ends_only_that_process),
	KTEST_CASE(user_wfi_traps_to_a_yield),
	KTEST_CASE(user_reads_the_virtual_counter_only),
	KTEST_CASE(user_asid_exhaustion_is_eagain_until_one_exits),
	KTEST_CASE(user_bkl_taken_once_per_syscall),
	KTEST_CASE(user_trap_cost),
};

KTEST_SUITE(user, user_cases, .init = user_case_init, .exit = user_case_exit);
