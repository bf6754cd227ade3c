/* ktest suite "smp": every CPU online with the right identity, cross-CPU calls, atomics on cached RAM. */
#include <locklab/ktest.h>
#include <locklab/platform.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <asm/sysreg.h>

#define CASE_TIMEOUT CONFIG_KTEST_CASE_TIMEOUT_MS

static void smp_all_possible_cpus_online(struct ktest *t)
{
	KT_EXPECT_EQ(t, cpus_online(), cpus_possible);
	for (u32 c = 0; c < cpus_possible; c++)
		KT_EXPECT(t, cpu_is_online(c));
}

struct identity {
	u64 cpu, mpidr, tpidr, sctlr, el, daif, cpacr, fp_echo;
};

static void read_identity(void *arg)
{
	struct identity *id = arg;

	id->cpu = smp_processor_id();
	id->mpidr = read_mpidr_hwid();
	id->tpidr = read_sysreg(tpidr_el1);
	id->sctlr = read_sysreg(sctlr_el1);
	id->el = current_el();
	id->cpacr = read_sysreg(cpacr_el1);
	/*
	 * One FP/SIMD instruction (the kernel is built without them): with FPEN
	 * set it runs and the value comes back; if this CPU traps FP, the
	 * exception ends the run with "FP/SIMD access trapped". v0 may hold a
	 * user process's value (arch/arm64/fpsimd.c): it is put back whole.
	 */
	u64 lo, hi;

	__asm__ volatile("mov %1, v0.d[0]\n\tmov %2, v0.d[1]\n\t"
			 "fmov d0, %3\n\tfmov %0, d0\n\t"
			 "mov v0.d[0], %1\n\tmov v0.d[1], %2"
			 : "=&r"(id->fp_echo), "=&r"(lo), "=&r"(hi)
			 : "r"(id->mpidr)
			 : "v0");
}

static void smp_each_cpu_knows_itself(struct ktest *t)
{
	const struct platform_info *p = platform();

	for (u32 c = 0; c < cpus_online(); c++) {
		struct identity id = { ~0UL, ~0UL, 0, 0, 0, 0, 0, 0 };
		bool in_dt = false;

		KT_ASSERT(t, smp_call_on(c, read_identity, &id, true, CASE_TIMEOUT) == 0);
		KT_EXPECT_EQ(t, id.cpu, c);
		KT_EXPECT_EQ(t, id.mpidr, cpu_data(c)->mpidr);
		KT_EXPECT_EQ(t, id.tpidr, (u64)cpu_data(c));
		KT_EXPECT_EQ(t, id.el, 1);
		KT_EXPECT_EQ(t, id.sctlr & (SCTLR_M | SCTLR_C | SCTLR_I),
			     SCTLR_M | SCTLR_C | SCTLR_I);
		/*
		 * head.S untraps FP/SIMD at EL1 on every CPU (FPEN 0b01: EL0's still
		 * traps), whatever was left in CPACR_EL1; 0b11 while a process's
		 * registers are loaded (fpsimd.c). Bit 20 set: EL1 does not trap.
		 */
		KT_EXPECT_EQ(t, id.cpacr & CPACR_EL1_FPEN_EL1, CPACR_EL1_FPEN_EL1);
		/* EL0 faults on a misaligned SP and traps WFI/WFE (nTWI, nTWE clear). */
		KT_EXPECT_EQ(t, id.sctlr & (SCTLR_SA0 | (1UL << 16) | (1UL << 18)), SCTLR_SA0);
		KT_EXPECT_EQ(t, id.fp_echo, id.mpidr);
		for (int i = 0; i < p->nr_cpus; i++)
			in_dt |= p->cpu_mpidr[i] == id.mpidr;
		KT_EXPECT(t, in_dt);
	}
}

/* Every CPU hammers one counter with atomic adds: the exclusives must work on cached RAM. */
#define ADDS_PER_CPU 20000
static u64 shared_counter;
static u32 adders_done;

static void add_many(void *arg)
{
	(void)arg;
	for (u32 i = 0; i < ADDS_PER_CPU; i++)
		__atomic_fetch_add(&shared_counter, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&adders_done, 1, __ATOMIC_RELEASE);
}

static void smp_atomic_add_from_all_cpus(struct ktest *t)
{
	u32 n = cpus_online();

	shared_counter = 0;
	adders_done = 0;
	/* Start the others without waiting, then join in ourselves. */
	for (u32 c = 1; c < n; c++)
		KT_ASSERT(t, smp_call_on(c, add_many, NULL, false, CASE_TIMEOUT) == 0);
	add_many(NULL);
	for (u64 spins = 0;
	     __atomic_load_n(&adders_done, __ATOMIC_ACQUIRE) < n && spins < 4000000000UL; spins++)
		cpu_relax();
	KT_EXPECT_EQ(t, adders_done, n);
	KT_EXPECT_EQ(t, __atomic_load_n(&shared_counter, __ATOMIC_RELAXED), (u64)n * ADDS_PER_CPU);
}

static void smp_call_on_offline_cpu_fails(struct ktest *t)
{
	struct identity id;

	KT_EXPECT_NE(t, smp_call_on(CONFIG_NR_CPUS, read_identity, &id, true, 10), 0);
	if (cpus_online() < CONFIG_NR_CPUS)
		KT_EXPECT_NE(t, smp_call_on(cpus_online(), read_identity, &id, true, 10), 0);
}

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(smp_all_possible_cpus_online),
	KTEST_CASE(smp_each_cpu_knows_itself),
	KTEST_CASE(smp_atomic_add_from_all_cpus),
	KTEST_CASE(smp_call_on_offline_cpu_fails),
};
KTEST_SUITE(smp, smp_cases);
