/* ktest suite "irq": SGIs to self and to every CPU, the per-CPU tick, the counter. */
#include <locklab/ktest.h>
#include <locklab/irq.h>
#include <locklab/percpu.h>
#include <locklab/smp.h>
#include <locklab/time.h>
#include <asm/irqflags.h>

static u64 wait_for_count(volatile u64 *p, u64 target, u32 ms)
{
	u64 deadline = time_counter() + (u64)ms * time_freq() / 1000;

	while (*p < target && time_counter() < deadline)
		cpu_relax();
	return *p;
}

static void irq_sgi_to_self(struct ktest *t)
{
	struct percpu *pc = this_cpu();
	u64 before = pc->ipis[IPI_PING];

	KT_EXPECT(t, !irqs_disabled());
	ipi_send(pc->cpu, IPI_PING);
	KT_EXPECT_EQ(t, wait_for_count(&pc->ipis[IPI_PING], before + 1, 1000), before + 1);
}

static void irq_ipi_reaches_every_cpu(struct ktest *t)
{
	for (u32 c = 0; c < cpus_online(); c++) {
		volatile u64 *cnt = &cpu_data(c)->ipis[IPI_PING];
		u64 before = *cnt;

		for (int i = 0; i < 3; i++) {
			ipi_send(c, IPI_PING);
			/* An SGI still pending is not queued twice: wait for each one. */
			wait_for_count(cnt, before + i + 1, 1000);
		}
		KT_EXPECT_EQ(t, *cnt, before + 3);
	}
}

static void irq_tick_on_every_cpu(struct ktest *t)
{
	u64 before[CONFIG_NR_CPUS];
	u32 n = cpus_online();

	for (u32 c = 0; c < n; c++)
		before[c] = cpu_data(c)->ticks;
	/* 5 tick periods, generously: under emulation a vCPU may be descheduled. */
	time_delay_us(5 * 1000000 / CONFIG_HZ);
	for (u32 c = 0; c < n; c++)
		wait_for_count(&cpu_data(c)->ticks, before[c] + 2, 2000);
	for (u32 c = 0; c < n; c++)
		KT_EXPECT_GE(t, cpu_data(c)->ticks, before[c] + 2);
}

static void irq_tick_rate_matches_hz(struct ktest *t)
{
	struct percpu *pc = this_cpu();
	u64 ms = 500, expected = CONFIG_HZ * ms / 1000;
	u64 before = pc->ticks, got;

	time_delay_us(ms * 1000);
	got = pc->ticks - before;
	ktest_note(t, "%llu ticks in %llu ms at HZ=%d (expected %llu)", (unsigned long long)got,
		   (unsigned long long)ms, CONFIG_HZ, (unsigned long long)expected);
	/* Never more than the period allows; late ticks under emulation may give fewer. */
	KT_EXPECT_LE(t, got, expected + 2);
	KT_EXPECT_GE(t, got, expected / 4);
}

static void irq_counter_monotonic_and_calibrated(struct ktest *t)
{
	u64 prev = time_counter(), back = 0;

	for (int i = 0; i < 10000; i++) {
		u64 now = time_counter();
		back += now < prev;
		prev = now;
	}
	KT_EXPECT_EQ(t, back, 0);
	KT_EXPECT_GE(t, time_freq(), 1000000);
	KT_EXPECT_EQ(t, time_freq(), read_sysreg(cntfrq_el0));
	u64 t0 = time_ns();
	time_delay_us(20000);
	KT_EXPECT_GE(t, time_ns() - t0, 20000000);
}

static const struct ktest_case irq_cases[] = {
	KTEST_CASE(irq_sgi_to_self),
	KTEST_CASE(irq_ipi_reaches_every_cpu),
	KTEST_CASE(irq_tick_on_every_cpu),
	KTEST_CASE(irq_tick_rate_matches_hz),
	KTEST_CASE(irq_counter_monotonic_and_calibrated),
};
KTEST_SUITE(irq, irq_cases);
