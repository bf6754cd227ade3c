/* ktest suite "sched": context switches keep registers, pinning holds, the tick shares a CPU, join frees. */
#include <locklab/ktest.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/time.h>

u64 regs_survive_call(void (*fn)(void), u64 seed);

static void yield_a_few(void)
{
	for (int i = 0; i < 5; i++)
		yield();
}

struct regs_result {
	u64 seed;
	u64 bad; /* bitmask of registers that changed, or'ed over rounds */
};

static void regs_task(void *arg)
{
	struct regs_result *r = arg;

	for (int i = 0; i < 50; i++)
		r->bad |= regs_survive_call(yield_a_few, r->seed + (u64)i * 0x1000);
}

static void sched_switch_keeps_callee_saved_registers(struct ktest *t)
{
	struct regs_result r[3] = { { 0x1111000000000000UL, 0 }, { 0x2222000000000000UL, 0 },
				   { 0x3333000000000000UL, 0 } };
	struct task *tasks[3];

	/* Three tasks on one CPU, each switching away in the middle of its register pattern. */
	for (int i = 0; i < 3; i++) {
		tasks[i] = task_create("regs", regs_task, &r[i], (int)smp_processor_id());
		KT_ASSERT(t, tasks[i]);
	}
	for (int i = 0; i < 3; i++)
		task_join(tasks[i]);
	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(t, r[i].bad, 0);
	/* And the init task itself, switching to them. */
	KT_EXPECT_EQ(t, regs_survive_call(yield_a_few, 0x4444000000000000UL), 0);
}

struct pin_result {
	u32 cpu;
	u32 wrong; /* times it found itself on another CPU */
	u32 rounds;
};

static void pinned_task(void *arg)
{
	struct pin_result *p = arg;

	for (int i = 0; i < 200; i++) {
		p->wrong += smp_processor_id() != p->cpu;
		p->rounds++;
		yield();
	}
}

static void sched_pinned_tasks_never_move(struct ktest *t)
{
	struct pin_result res[CONFIG_NR_CPUS * 2];
	struct task *tasks[CONFIG_NR_CPUS * 2];
	u32 n = 0;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		for (int k = 0; k < 2; k++, n++) {
			res[n] = (struct pin_result){ c, 0, 0 };
			tasks[n] = task_create("pinned", pinned_task, &res[n], (int)c);
			KT_ASSERT(t, tasks[n]);
		}
	}
	for (u32 i = 0; i < n; i++)
		task_join(tasks[i]);
	for (u32 i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, res[i].rounds, 200);
		KT_EXPECT_EQ(t, res[i].wrong, 0);
	}
	KT_EXPECT(t, task_create("nowhere", pinned_task, &res[0], CONFIG_NR_CPUS) == NULL);
}

static u64 spin_until;

static void busy_task(void *arg)
{
	(void)arg;
	/* Never yields: only the tick can take the CPU away. */
	while (time_counter() < spin_until)
		;
}

static void sched_tick_preemption_shares_a_cpu(struct ktest *t)
{
	u32 cpu = ktest_other_cpu();
	struct task *a, *b;
	u64 ra, rb;

	if (cpu == CONFIG_NR_CPUS)
		cpu = smp_processor_id(); /* one CPU: share it with us, we just join */
	spin_until = time_counter() + time_freq() / 2; /* 500 ms = 50 ticks at HZ=100 */
	a = task_create("busy_a", busy_task, NULL, (int)cpu);
	b = task_create("busy_b", busy_task, NULL, (int)cpu);
	KT_ASSERT(t, a && b);
	task_join(a);
	task_join(b);
	ra = task_run_ns(a);
	rb = task_run_ns(b);
	ktest_note(t, "on cpu%u: busy_a ran %llu ms, busy_b %llu ms", cpu,
		   (unsigned long long)(ra / 1000000), (unsigned long long)(rb / 1000000));
	KT_ASSERT(t, ra + rb > 0);
	KT_EXPECT_GE(t, ra * 100 / (ra + rb), 40);
	KT_EXPECT_LE(t, ra * 100 / (ra + rb), 60);
}

static u32 ran_on[CONFIG_NR_CPUS];

static void note_cpu(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ran_on[smp_processor_id()], 1, __ATOMIC_RELAXED);
}

static void sched_join_frees_and_placement_spreads(struct ktest *t)
{
	u32 free_before = sched_free_slots(), n = cpus_online();
	struct task *tasks[CONFIG_NR_CPUS];

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++)
		ran_on[c] = 0;
	for (u32 i = 0; i < n; i++) {
		tasks[i] = task_create("spread", note_cpu, NULL, TASK_ANY_CPU);
		KT_ASSERT(t, tasks[i]);
	}
	KT_EXPECT_EQ(t, sched_free_slots(), free_before - n);
	for (u32 i = 0; i < n; i++)
		task_join(tasks[i]);
	KT_EXPECT_EQ(t, sched_free_slots(), free_before); /* nothing leaked */
	u32 used = 0, total = 0;
	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		used += ran_on[c] != 0;
		total += ran_on[c];
	}
	KT_EXPECT_EQ(t, total, n);
	KT_EXPECT_GE(t, used, n > 1 ? 2 : 1); /* unpinned tasks went to more than one CPU */
}

static const struct ktest_case sched_cases[] = {
	KTEST_CASE(sched_switch_keeps_callee_saved_registers),
	KTEST_CASE(sched_pinned_tasks_never_move),
	KTEST_CASE(sched_tick_preemption_shares_a_cpu),
	KTEST_CASE(sched_join_frees_and_placement_spreads),
};
KTEST_SUITE(sched, "sched", sched_cases);
