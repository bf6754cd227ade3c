/* ktest suite "fpsimd": EL0's FP/SIMD registers and TPIDR_EL0 belong to their process, across yields, system calls and CPUs' other processes. */
#include <locklab/ktest.h>
#include "fpsimd_ktest.h"
#include "user_ktest.h"
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/syscall.h>
#include <locklab/user.h>
#include <asm/atomic.h>

/* fpsimd.user.S: entry points at EL0. */
long u_fpsimd_hold(u64 seed), u_fpsimd_fresh(u64 unused);

/* Each process's own values: FPCR.RMode (seed & 3) and FPSR (seed & 0x1f) differ too. */
static u64 seed_of(u32 i)
{
	return 0x1000 * (u64)(i + 1) + i;
}

/*
 * Two processes per CPU, each with its own values in all 32 registers,
 * FPCR, FPSR and TPIDR_EL0, yield to each other every round: a value not
 * saved at a switch, or not loaded after one, shows up as the other's.
 */
static void fpsimd_registers_stay_with_their_process(struct ktest *t)
{
	long pids[2 * CONFIG_NR_CPUS];
	u64 loads = atomic_load_relaxed(&fpsimd_loads), saves = atomic_load_relaxed(&fpsimd_saves);
	u32 n = 0;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		for (u32 k = 0; k < 2; k++, n++) {
			pids[n] = user_spawn("fpsimd", u_fpsimd_hold, seed_of(n), NULL, (int)c);
			KT_ASSERT(t, pids[n] > 1);
		}
	}
	for (u32 i = 0; i < n; i++) {
		int status = -1;

		KT_EXPECT_EQ(t, sys_wait((int)pids[i], &status), pids[i]);
		/* 1..32: q<status-1> held another value; 33: FPCR; 34: FPSR; 35: TPIDR_EL0 */
		KT_EXPECT_EQ(t, status, 0);
	}
	loads = atomic_load_relaxed(&fpsimd_loads) - loads;
	saves = atomic_load_relaxed(&fpsimd_saves) - saves;
	ktest_note(t, "%u processes, %u rounds each: %llu loads, %llu saves", n, FPSIMD_HOLD_ROUNDS,
		   (unsigned long long)loads, (unsigned long long)saves);
	/*
	 * The partners overlap for most rounds, so many yields switched with
	 * values live: that the rounds tested switching at all. Not "half the
	 * yields": a host that delays a partner's start leaves the first to
	 * yield alone for a while (398 of 400 in one make check on a loaded
	 * 2-core host, every value still right).
	 */
	KT_EXPECT_GE(t, saves, (u64)n * FPSIMD_HOLD_ROUNDS / 4);
	/* A save is followed by a load when the process next runs (or by its exit). */
	KT_EXPECT_GE(t, loads, saves);
	KT_EXPECT_GE(t, saves + n, loads);
}

/* A new process on a CPU whose registers still hold a dead one's values reads zeros. */
static void fpsimd_new_process_starts_from_zero(struct ktest *t)
{
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		int status = -1;

		if (!cpu_is_online(c))
			continue;
		KT_EXPECT(t,
			  run_user("fpsimd", u_fpsimd_hold, seed_of(c), NULL, (int)c, &status) > 1);
		KT_EXPECT_EQ(t, status, 0);
		KT_EXPECT(t, run_user("fresh", u_fpsimd_fresh, 0, NULL, (int)c, &status) > 1);
		KT_EXPECT_EQ(t, status, 0); /* else 1 + the register that was not zero */
	}
}

static const struct ktest_case fpsimd_cases[] = {
	KTEST_CASE(fpsimd_registers_stay_with_their_process),
	KTEST_CASE(fpsimd_new_process_starts_from_zero),
};

KTEST_SUITE(fpsimd, fpsimd_cases, .init = user_case_init, .exit = user_case_exit);
