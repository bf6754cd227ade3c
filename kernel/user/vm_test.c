/* ktest suite "vm": address spaces at EL0 — brk, mmap/munmap (anonymous and of files), first-touch faults, kernel copies into untouched pages, the address-space lock. */
#include <locklab/ktest.h>
#include "user_ktest.h"
#include <locklab/errno.h>
#include <locklab/fs.h>
#include <locklab/klock.h>
#include <locklab/lockstat.h>
#include <locklab/mm.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include <locklab/user.h>
#include <locklab/vm.h>
#include <asm/irqflags.h>
#include <asm/sysreg.h>

/* kernel/user/vm.user.c and faults.user.S */
long u_vm_heap(u64 n), u_vm_heap_after_shrink(u64 a), u_vm_mmap(u64 n), u_vm_after_munmap(u64 a);
long u_vm_copies(u64 fds), u_vm_fault_loop(u64 n), u_stack_touch(u64 a), u_stack_below(u64 a);
long u_vm_mprotect(u64 fds), u_vm_store_read_only(u64 a), u_vm_load_prot_none(u64 a);
long u_vm_when_full(u64 a);
long u_vm_file(u64 fds), u_vm_file_past_end(u64 a), u_vm_file_pingpong(u64 me);
long u_vm_write_that_faults(u64 fds);
long u_vm_outside_the_user_half(u64 a), u_vm_store_above_the_user_half(u64 a);

_Static_assert(USER_STACK_PAGES == 16, "faults.user.S's u_stack_touch and u_stack_below count 16");

static int this_cpu_id(void)
{
	return (int)smp_processor_id();
}

/* Runs entry(arg) with a fresh shared page; checks exit 0 and r[63] == n_results; the page, or NULL. */
static long *run_with_results(struct ktest *t, const char *name, long (*entry)(u64), u64 arg,
			      long n_results)
{
	long *r = user_shared_alloc();
	int status;

	if (!r)
		return NULL;
	KT_EXPECT(t, run_user(name, entry, arg, r, this_cpu_id(), &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, r[63], n_results);
	return r;
}

/* Each of a program's results r[0..n) against want, one failure per difference; then the page goes. NULL: nothing to check. */
static void expect_results(struct ktest *t, long *r, const long *want, u32 n)
{
	if (!r)
		return;
	for (u32 i = 0; i < n; i++)
		if (r[i] != want[i])
			ktest_fail(t, __FILE__, __LINE__, "result %u is %ld, expected %ld", i, r[i],
				   want[i]);
	user_shared_free(r);
}

static void vm_brk_grows_and_shrinks_the_heap(struct ktest *t)
{
	u64 faults = vm_fault_total();
	long *r = run_with_results(t, "heap", u_vm_heap, 5, 5);

	KT_ASSERT(t, r);
	KT_EXPECT_EQ(t, r[0], (long)USER_HEAP_BASE); /* brk(0): where the heap starts */
	KT_EXPECT_EQ(t, r[1], 5 * 4096L + 100);
	KT_EXPECT_EQ(t, r[2], 1L); /* zero on first touch, then kept */
	KT_EXPECT_EQ(t, r[3], 5 * 4096L + 100);
	KT_EXPECT_EQ(t, r[4], 0L);
	/* Six heap pages on first touch, and the stack's one (the leak check sees them all freed). */
	KT_EXPECT_EQ(t, vm_fault_total() - faults, 7ULL);
	user_shared_free(r);
	fault_case(t, "heap_shrunk", u_vm_heap_after_shrink, 139,
		   "data abort from a lower EL (write)", USER_HEAP_BASE);
}

static void vm_mmap_munmap_and_their_refusals(struct ktest *t)
{
	const long want[] = { USER_MMAP_BASE, 1,       0,	1,
			      4096,	      0,       0,	0,
			      -EINVAL,	      -EINVAL, -EINVAL, -EBADF,
			      -ENOMEM,	      -EINVAL, -EINVAL, -EINVAL,
			      -EINVAL };
	long *r = run_with_results(t, "mmap", u_vm_mmap, 4, (long)ARRAY_SIZE(want));

	KT_ASSERT(t, r);
	expect_results(t, r, want, ARRAY_SIZE(want));
	fault_case(t, "after_munmap", u_vm_after_munmap, 139, "data abort from a lower EL (write)",
		   USER_MMAP_BASE);
}

static void vm_stack_is_paged_in_down_to_its_region(struct ktest *t)
{
	u64 faults = vm_fault_total();
	int status;

	KT_EXPECT(t, run_user("stack", u_stack_touch, 0, NULL, this_cpu_id(), &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	KT_EXPECT_EQ(t, vm_fault_total() - faults, (u64)USER_STACK_PAGES);
	fault_case(t, "stack_below", u_stack_below, 139, "data abort from a lower EL (write)",
		   USER_STACK_TOP - (USER_STACK_PAGES + 1) * 4096UL);
}

static void vm_kernel_copies_fault_pages_in(struct ktest *t)
{
	static char pattern[3000];
	struct stat root;
	char rest[16];
	int fds[2];
	long *r;

	for (u32 k = 0; k < sizeof(pattern); k++)
		pattern[k] = (char)('a' + k % 26);
	KT_ASSERT(t, sys_pipe(fds) == 0);
	KT_ASSERT(t, sys_write(fds[1], pattern, sizeof(pattern)) == (long)sizeof(pattern));
	KT_ASSERT(t, sys_stat("/", &root) == 0);
	r = run_with_results(t, "copies", u_vm_copies, (u64)fds[0] | (u64)fds[1] << 8, 9);
	if (r) {
		KT_EXPECT_EQ(t, r[0], 3000L); /* read() into two untouched pages */
		KT_EXPECT_EQ(t, r[1], 1L);
		KT_EXPECT_EQ(t, r[2], 0L); /* stat() into an untouched page */
		KT_EXPECT_MEMEQ(t, &r[3], &root, 16);
		KT_EXPECT_EQ(t, (u64)r[4] >> 32, 0ULL); /* the padding: no kernel stack bytes */
		KT_EXPECT_EQ(t, r[5], 8L);		/* write() from an untouched page */
		KT_EXPECT_EQ(t, r[6], -ENOENT);		/* a path read from an untouched page: "" */
		KT_EXPECT_EQ(t, r[7], -EFAULT);		/* a path that runs off its mapping */
		KT_EXPECT_EQ(t, r[8], -EFAULT);		/* read() into an unmapped page */
		user_shared_free(r);
	}
	/* The 8 bytes written from the fresh page are zeros, and the failed read took none. */
	memset(rest, 'x', sizeof(rest));
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	KT_EXPECT_EQ(t, sys_read(fds[0], rest, sizeof(rest)), 8L);
	KT_EXPECT_MEMEQ(t, rest, "\0\0\0\0\0\0\0\0", 8);
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
}

/* u_vm_mprotect's results in order (its comment says what each is), then its faults. */
static void vm_mprotect_and_map_fixed(struct ktest *t)
{
	const long want[] = { 1,       0,    1,	      4,       -EFAULT, 0,	 4,
			      1,       4096, 1,	      80,      -EINVAL, -EINVAL, -ENOMEM,
			      -EINVAL, 0,    -EINVAL, -EINVAL, -EINVAL, 0 };
	int fds[2];
	long *r;

	KT_ASSERT(t, sys_pipe(fds) == 0);
	r = run_with_results(t, "mprotect", u_vm_mprotect, (u64)fds[0] | (u64)fds[1] << 8,
			     (long)ARRAY_SIZE(want));
	expect_results(t, r, want, ARRAY_SIZE(want));
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
	fault_case(t, "store_ro", u_vm_store_read_only, 139, "data abort from a lower EL (write)",
		   USER_MMAP_BASE);
	fault_case(t, "load_none", u_vm_load_prot_none, 139, "data abort from a lower EL (read)",
		   USER_MMAP_BASE);
}

/*
 * With all 32 region slots taken, a call that ends with no more regions
 * than it found works, as in Linux: an mprotect that changes no region's
 * rights (it was -ENOMEM, counting cuts it then did not need) and a
 * MAP_FIXED over a whole region (it was -ENOMEM, counting a slot for the
 * new region before the old one went).
 */
static void vm_calls_needing_no_new_slot_work_when_all_are_taken(struct ktest *t)
{
	const long want[] = { 54 * 4096L, -ENOMEM, 0, 0, 5, 2 * 4096L, 0, 0 };
	long *r = run_with_results(t, "full", u_vm_when_full, 0, (long)ARRAY_SIZE(want));

	expect_results(t, r, want, ARRAY_SIZE(want));
}

/*
 * Addresses outside [0, USER_VA_TOP) are no user memory: a MAP_FIXED there
 * once became a region whose fault mapped a page at the address's low bits
 * (the table index wraps), over and over, leaking every page of RAM.
 */
static void vm_ranges_outside_the_user_half_are_refused(struct ktest *t)
{
	const long want[] = { -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL };
	long *r = run_with_results(t, "outside", u_vm_outside_the_user_half, 0,
				   (long)ARRAY_SIZE(want));

	expect_results(t, r, want, ARRAY_SIZE(want));
	fault_case(t, "above", u_vm_store_above_the_user_half, 139,
		   "data abort from a lower EL (write)", 1UL << 47);
}

/* A new file of size bytes of vm_file.user.c's pattern ('a' + k % 23), open read-write: its fd. */
static long vmf_create(struct ktest *t, const char *path, u64 size)
{
	static char buf[3 * 4096];
	long fd = sys_open(path, O_CREAT | O_EXCL | O_RDWR);

	for (u32 k = 0; k < sizeof(buf); k++)
		buf[k] = (char)('a' + k % 23);
	KT_EXPECT(t, fd >= 0 && size <= sizeof(buf));
	if (fd >= 0)
		KT_EXPECT_EQ(t, sys_write((int)fd, buf, size), (long)size);
	return fd;
}

/* u_vm_file's results in order (its comments say what each is), then what the file kept and the fault past its end. */
static void vm_file_mappings_share_and_copy(struct ktest *t)
{
	const long want[] = { 1,       1,	1,	    1,	     1,	      1,
			      1,       1,	61,	    1,	     0,	      1,
			      0,       -EACCES, -EACCES,    -ENODEV, -ENODEV, -EBADF,
			      -EINVAL, -EINVAL, -EOVERFLOW, -EINVAL, -EBUSY };
	u64 live = fs_inodes_live();
	long rw = vmf_create(t, "/vmfile", 10240), ro = sys_open("/vmfile", O_RDONLY);
	long dir = sys_open("/", O_RDONLY | O_DIRECTORY), fd, *r;
	int fds[2];
	char c = 0;

	KT_ASSERT(t, rw >= 0 && ro >= 0 && dir >= 0 && sys_pipe(fds) == 0);
	r = run_with_results(t, "vmfile", u_vm_file,
			     (u64)rw | (u64)ro << 8 | (u64)dir << 16 | (u64)fds[0] << 24,
			     (long)ARRAY_SIZE(want));
	expect_results(t, r, want, ARRAY_SIZE(want));
	/* Its store through the mapping outlived it; with no mapping left, O_TRUNC works again. */
	KT_EXPECT_EQ(t, sys_lseek((int)rw, 5, SEEK_SET), 5L);
	KT_EXPECT_EQ(t, sys_read((int)rw, &c, 1), 1L);
	KT_EXPECT_EQ(t, c, 'Z');
	fault_case(t, "vmfile_end", u_vm_file_past_end, 128 + USER_SIGBUS,
		   "access past the end of a mapped file", USER_MMAP_BASE + 3 * 4096);
	fd = sys_open("/vmfile", O_RDWR | O_TRUNC);
	KT_EXPECT_GE(t, fd, 0L);
	for (u32 i = 0; i < 2; i++)
		KT_EXPECT_EQ(t, sys_close(fds[i]), 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, sys_close((int)rw), 0);
	KT_EXPECT_EQ(t, sys_close((int)ro), 0);
	KT_EXPECT_EQ(t, sys_close((int)dir), 0);
	KT_EXPECT_EQ(t, sys_unlink("/vmfile"), 0);
	KT_EXPECT_EQ(t, fs_inodes_live(), live); /* every mapping's reference went with it */
}

/*
 * A write whose buffer runs into a page the copy cannot fault in (past the
 * end of a mapped file: uaccess_ok accepts it) writes what it could read
 * and returns that count. It once returned -EFAULT with those bytes in
 * the file all the same: over its old bytes, and past its end, where a
 * later write's gap showed them instead of zeros.
 */
static void vm_file_write_that_faults_keeps_what_it_returns(struct ktest *t)
{
	const long want[] = { 8, 16, 1, 8, 24, 1, -EFAULT };
	u64 live = fs_inodes_live();
	long one = vmf_create(t, "/vmone", 100), f = sys_open("/vmwrite", O_CREAT | O_RDWR), *r;

	KT_ASSERT(t, one >= 0 && f >= 0);
	r = run_with_results(t, "vmwrite", u_vm_write_that_faults, (u64)one | (u64)f << 8,
			     (long)ARRAY_SIZE(want));
	expect_results(t, r, want, ARRAY_SIZE(want));
	KT_EXPECT_EQ(t, sys_close((int)one), 0);
	KT_EXPECT_EQ(t, sys_close((int)f), 0);
	KT_EXPECT_EQ(t, sys_unlink("/vmone"), 0);
	KT_EXPECT_EQ(t, sys_unlink("/vmwrite"), 0);
	KT_EXPECT_EQ(t, fs_inodes_live(), live);
}

/*
 * Two processes, on two CPUs where there are two, take turns adding one
 * to a counter in a page of "/vmshare" both map shared: it must end at
 * 2 * 200 in the file, each seeing the other's stores.
 */
static void vm_file_shared_by_two_processes(struct ktest *t)
{
	u64 live = fs_inodes_live(), count = 0;
	long fd = vmf_create(t, "/vmshare", 8), pids[2];
	int cpu[2] = { this_cpu_id(), TASK_ANY_CPU };

	KT_ASSERT(t, fd >= 0);
	KT_ASSERT(t, sys_lseek((int)fd, 0, SEEK_SET) == 0 && sys_write((int)fd, &count, 8) == 8);
	for (u32 c = 0; c < CONFIG_NR_CPUS && cpu[1] == TASK_ANY_CPU; c++)
		if (cpu_is_online(c) && (int)c != cpu[0])
			cpu[1] = (int)c;
	for (u32 i = 0; i < 2; i++) {
		pids[i] = user_spawn(i ? "pong" : "ping", u_vm_file_pingpong, i, NULL, cpu[i]);
		KT_EXPECT_GE(t, pids[i], 2L);
	}
	for (u32 i = 0; i < 2; i++) {
		int status = -1;

		if (pids[i] <= 1)
			continue;
		KT_EXPECT_EQ(t, sys_wait((int)pids[i], &status), pids[i]);
		KT_EXPECT_EQ(t, status, 0); /* 2: the other did not answer a turn in 20 s */
	}
	KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), 0L);
	KT_EXPECT_EQ(t, sys_read((int)fd, &count, 8), 8L);
	KT_EXPECT_EQ(t, count, 400ULL);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, sys_unlink("/vmshare"), 0);
	KT_EXPECT_EQ(t, fs_inodes_live(), live);
}

static void vm_calls_from_a_kernel_task_are_einval(struct ktest *t)
{
	KT_EXPECT_EQ(t, sys_brk(0), -EINVAL);
	KT_EXPECT_EQ(t, sys_mmap(0, 4096, 3, 0x22, -1, 0), -EINVAL);
	KT_EXPECT_EQ(t, sys_munmap(USER_MMAP_BASE, 4096), -EINVAL);
	KT_EXPECT_EQ(t, sys_mprotect(USER_MMAP_BASE, 4096, 1), -EINVAL);
}

long pan_probe_load(u64 uaddr); /* arch/arm64/pan_probe.S: 1 if a plain load faulted */

/*
 * PAN: with a process's table in TTBR0 (loaded here by hand, interrupts
 * off), a plain kernel load from its page faults (resumed by the probe's
 * fixup), the unprivileged copy reads it, and the same plain load with
 * PSTATE.PAN cleared for a moment works: the mapping was fine, PAN refused it.
 */
static void vm_pan_refuses_plain_kernel_loads(struct ktest *t)
{
	long *page = user_shared_alloc();
	struct user_mm *mm = NULL;
	long with_pan, without_pan, r;
	u64 flags, got = 0, left;

	if (((read_sysreg(id_aa64mmfr1_el1) >> 20) & 0xf) == 0) {
		user_shared_free(page);
		KT_SKIP(t, "this CPU has no PAN (Armv8.1): the boot record says pan=off");
	}
	KT_ASSERT(t, page);
	/* It has PAN: set at every exception to EL1, and set now. */
	KT_EXPECT_EQ(t, read_sysreg(sctlr_el1) & SCTLR_SPAN, 0ULL);
	KT_EXPECT_NE(t, read_sysreg(s3_0_c4_c2_3), 0ULL); /* PAN */
	page[0] = 0x5eed;
	kernel_enter(); /* page_alloc and kmalloc want the kernel scope */
	r = uspace_create(page, true, &mm);
	kernel_exit();
	KT_ASSERT(t, r == 0);
	flags = local_irq_save();
	uspace_switch(mm->ttbr0);
	with_pan = pan_probe_load(USER_SHARED_BASE);
	left = __arch_copy_from_user(&got, (const void *)USER_SHARED_BASE, sizeof(got));
	pan_write(0);
	without_pan = pan_probe_load(USER_SHARED_BASE);
	pan_write(1);
	uspace_switch(0);
	local_irq_restore(flags);
	kernel_enter();
	uspace_destroy(mm);
	kernel_exit();
	user_shared_free(page);
	KT_EXPECT_EQ(t, with_pan, 1L); /* 1: it faulted */
	KT_EXPECT_EQ(t, left, 0ULL);
	KT_EXPECT_EQ(t, got, 0x5eedULL);
	KT_EXPECT_EQ(t, without_pan, 0L);
}

/*
 * will-it-scale's page_fault1 on every CPU at once: each process maps,
 * touches and unmaps 32 pages 20 times. Every page is a first-touch
 * fault under the address-space lock, which lockstat sees under the
 * strategy's name for it (the BKL, mm_lock or mmap_lock).
 */
static void vm_page_faults_on_every_cpu(struct ktest *t)
{
	enum { ROUNDS = 20, PAGES = 32 };
	long pids[CONFIG_NR_CPUS] = { 0 };
	struct lockstat_sum before = { 0 }, after = { 0 };
	static struct klock probe; /* never taken: only asked for its effective class */
	const char *cls;
	u64 faults = vm_fault_total();
	u32 n = 0;

	klock_init(&probe, "mmap_lock", SUBSYS_MM);
	cls = klock_real_class(&probe);
	lockstat_get_since_boot(cls, &before);
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		pids[c] = user_spawn("pf1", u_vm_fault_loop, ROUNDS, NULL, (int)c);
		KT_EXPECT(t, pids[c] > 1);
		n += pids[c] > 1;
	}
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		int status = -1;

		if (pids[c] <= 1)
			continue;
		KT_EXPECT_EQ(t, sys_wait((int)pids[c], &status), pids[c]);
		KT_EXPECT_EQ(t, status, 0); /* every page read zero at first touch */
	}
	lockstat_get_since_boot(cls, &after);
	/* every page of every round, and each process's stack page if the compiler used the stack */
	KT_EXPECT_GE(t, vm_fault_total() - faults, (u64)n * ROUNDS * PAGES);
	KT_EXPECT_LE(t, vm_fault_total() - faults, (u64)n * (ROUNDS * PAGES + 1));
	ktest_note(t, "%u processes, %llu faults; lock class %s: %llu acquisitions", n,
		   (unsigned long long)(vm_fault_total() - faults), cls,
		   (unsigned long long)(after.acquisitions - before.acquisitions));
	if (LOCKSTAT_ENABLED)
		KT_EXPECT_GE(t, after.acquisitions - before.acquisitions, (u64)n * ROUNDS * PAGES);
}

static const struct ktest_case vm_cases[] = {
	KTEST_CASE(vm_brk_grows_and_shrinks_the_heap),
	KTEST_CASE(vm_mmap_munmap_and_their_refusals),
	KTEST_CASE(vm_mprotect_and_map_fixed),
	KTEST_CASE(vm_calls_needing_no_new_slot_work_when_all_are_taken),
	KTEST_CASE(vm_ranges_outside_the_user_half_are_refused),
	KTEST_CASE(vm_file_mappings_share_and_copy),
	KTEST_CASE(vm_file_shared_by_two_processes),
	KTEST_CASE(vm_file_write_that_faults_keeps_what_it_returns),
	KTEST_CASE(vm_stack_is_paged_in_down_to_its_region),
	KTEST_CASE(vm_kernel_copies_fault_pages_in),
	KTEST_CASE(vm_calls_from_a_kernel_task_are_einval),
	KTEST_CASE(vm_pan_refuses_plain_kernel_loads),
	KTEST_CASE(vm_page_faults_on_every_cpu),
};

KTEST_SUITE(vm, vm_cases, .init = user_case_init, .exit = user_case_exit);
