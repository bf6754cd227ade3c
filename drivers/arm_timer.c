/* ARM generic timer: the system counter as time, and a per-CPU tick from the EL1 physical timer. */
#include <locklab/time.h>
#include <locklab/irq.h>
#include <locklab/percpu.h>
#include <locklab/console.h>
#include <locklab/sched.h>
#include <locklab/watchdog.h>
#include <asm/sysreg.h>

/* Written once by the boot CPU before other CPUs start, read-only afterwards. */
static u64 boot_counter;
static u64 counter_freq;
static u64 tick_cycles;
static u32 tick_intid;

void time_init_early(void)
{
	counter_freq = read_sysreg(cntfrq_el0);
	boot_counter = time_counter();
}

u64 time_counter(void)
{
	isb(); /* without it the counter may be read before earlier instructions ran */
	return read_sysreg(cntpct_el0);
}

u64 time_freq(void)
{
	return counter_freq;
}

u64 time_counter_to_ns(u64 c)
{
	u64 f = counter_freq ? counter_freq : 1;

	/* Split to avoid overflowing c * 1e9 (which would wrap after ~5 minutes). */
	return (c / f) * 1000000000ULL + (c % f) * 1000000000ULL / f;
}

u64 time_ns(void)
{
	return time_counter_to_ns(time_counter() - boot_counter);
}

void time_delay_us(u64 us)
{
	u64 end = time_counter() + us * counter_freq / 1000000;

	while (time_counter() < end)
		cpu_relax();
}

int timer_init(const struct platform_info *p)
{
	if (!counter_freq) {
		printk("timer: CNTFRQ_EL0 is 0: the firmware did not set the counter frequency");
		return -1;
	}
	tick_intid = p->timer_phys_intid;
	if (!tick_intid) {
		tick_intid = 30; /* the architected EL1 physical timer PPI on every GIC */
		printk("timer: no arm,armv8-timer node in the device tree, assuming PPI INTID 30");
	}
	tick_cycles = counter_freq / CONFIG_HZ;
	return 0;
}

u32 timer_intid(void)
{
	return tick_intid;
}

void timer_cpu_init(void)
{
	irq_enable_ppi(tick_intid);
	write_sysreg(tick_cycles, cntp_tval_el0);
	write_sysreg(1, cntp_ctl_el0); /* enabled, not masked */
	write_sysreg(CNTKCTL_EL0VCTEN, cntkctl_el1);
	isb();
}

void timer_tick(void)
{
	this_cpu()->ticks++;
	watchdog_tick();
	sched_tick();
	/* Relative reload: a late tick delays the next one rather than bunching them up. */
	write_sysreg(tick_cycles, cntp_tval_el0);
	isb();
}
