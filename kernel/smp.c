/* SMP core: which CPUs are online, IPIs, running a function on another CPU, stopping CPUs. */
#include <locklab/smp.h>
#include <locklab/percpu.h>
#include <locklab/irq.h>
#include <locklab/uaccess.h>
#include <locklab/time.h>
#include <locklab/console.h>
#include <locklab/panic.h>
#include <locklab/spinlock.h>
#include <locklab/sched.h>
#include <asm/irqflags.h>

struct percpu percpu_area[CONFIG_NR_CPUS];
u32 cpus_possible = 1;
static u32 nr_online; /* atomic */

/*
 * One call slot per target CPU. call_lock serialises callers, so a slot is
 * only written by the lock holder and by its target. 'state' is the
 * hand-over: the caller publishes fn/arg with a release store of
 * CALL_QUEUED; the target claims the call with CAS(QUEUED -> RUNNING)
 * before touching fn/arg, and says CALL_IDLE (release) when done. A caller
 * that times out cancels with CAS(QUEUED -> IDLE); if the target already
 * claimed it, the caller must wait for it, since arg may be on its stack.
 */
enum { CALL_IDLE, CALL_QUEUED, CALL_RUNNING };
struct call_slot {
	void (*fn)(void *);
	void *arg;
	u32 state;
} __attribute__((aligned(64)));
static struct call_slot call_slots[CONFIG_NR_CPUS];
static struct spinlock call_lock = SPINLOCK_INIT("smp_call");

static u32 stopped_count; /* atomic: CPUs that took IPI_STOP */

u32 cpus_online(void)
{
	return __atomic_load_n(&nr_online, __ATOMIC_ACQUIRE);
}

bool cpu_is_online(u32 cpu)
{
	return cpu < CONFIG_NR_CPUS && __atomic_load_n(&cpu_data(cpu)->online, __ATOMIC_ACQUIRE);
}

void cpu_mark_online(void)
{
	struct percpu *pc = this_cpu();

	pc->sctlr = read_sysreg(sctlr_el1);
	/*
	 * The count before the flag: the boot CPU waits for the flag
	 * (arch/arm64/smp.c) and then prints cpus_online(), which must include
	 * this CPU. Release: everything this CPU set up is visible to whoever
	 * sees it online.
	 */
	__atomic_fetch_add(&nr_online, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
}

void secondary_init(u32 cpu)
{
	sched_init_secondary(); /* this boot context becomes the CPU's idle task */
	if (irq_cpu_init() != 0)
		panic("cpu%u: interrupt controller set-up failed", cpu);
	timer_cpu_init();
	pan_enable_this_cpu();
	cpu_mark_online();
	local_irq_enable();
	serror_enable();
	sched_idle_loop();
}

int smp_call_on(u32 cpu, void (*fn)(void *), void *arg, bool wait, u32 timeout_ms)
{
	struct call_slot *s = &call_slots[cpu];
	u64 deadline;
	int ret = 0;

	if (!cpu_is_online(cpu))
		return -1;
	if (cpu == smp_processor_id()) {
		u64 flags = local_irq_save();
		fn(arg);
		local_irq_restore(flags);
		return 0;
	}
	deadline = time_counter() + (u64)timeout_ms * time_freq() / 1000;
	spin_lock(&call_lock);
	/* A previous call without wait may still be queued or running there. */
	while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != CALL_IDLE) {
		if (time_counter() > deadline) {
			spin_unlock(&call_lock);
			return -1;
		}
		cpu_relax();
	}
	s->fn = fn;
	s->arg = arg;
	__atomic_store_n(&s->state, CALL_QUEUED, __ATOMIC_RELEASE);
	ipi_send(cpu, IPI_CALL_FUNC);
	while (wait && __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != CALL_IDLE) {
		u32 expected = CALL_QUEUED;

		if (time_counter() > deadline &&
		    __atomic_compare_exchange_n(&s->state, &expected, CALL_IDLE, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			ret = -1; /* cancelled before it started: arg is no longer referenced */
			break;
		}
		cpu_relax();
	}
	spin_unlock(&call_lock);
	return ret;
}

static void __noreturn cpu_stop_self(void)
{
	local_irq_disable();
	__atomic_fetch_add(&stopped_count, 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("wfi");
}

void ipi_handle(u32 sgi)
{
	struct percpu *pc = this_cpu();
	struct call_slot *s;

	if (sgi < NR_IPI)
		pc->ipis[sgi]++;
	switch (sgi) {
	case IPI_CALL_FUNC:
		s = &call_slots[pc->cpu];
		u32 expected = CALL_QUEUED;
		if (__atomic_compare_exchange_n(&s->state, &expected, CALL_RUNNING, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			s->fn(s->arg);
			__atomic_store_n(&s->state, CALL_IDLE, __ATOMIC_RELEASE);
		}
		break;
	case IPI_RESCHEDULE: sched_resched_ipi(); break;
	case IPI_STOP: cpu_stop_self();
	default: break; /* reschedule and ping: counting them is all for now */
	}
}

u32 smp_stop_others(u32 timeout_ms)
{
	u32 me = smp_processor_id(), sent = 0;
	u64 deadline = time_counter() + (u64)timeout_ms * time_freq() / 1000;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (c != me && cpu_is_online(c)) {
			ipi_send(c, IPI_STOP);
			sent++;
		}
	}
	while (__atomic_load_n(&stopped_count, __ATOMIC_ACQUIRE) < sent &&
	       time_counter() < deadline)
		cpu_relax();
	return __atomic_load_n(&stopped_count, __ATOMIC_ACQUIRE);
}
