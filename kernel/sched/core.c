/* The scheduler core: per-CPU round-robin run queues, context switches, yield, tick preemption, idle. */
#include "sched_internal.h"
#include <locklab/irq.h>
#include <locklab/lockdep.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/time.h>
#include <locklab/user.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

struct task *cpu_switch_to(struct task *prev, struct task *next);

static struct runqueue runqueues[CONFIG_NR_CPUS];
/* each CPU's boot context: init on CPU 0, idle elsewhere */
static struct task boot_tasks[CONFIG_NR_CPUS];

struct runqueue *cpu_rq(u32 cpu)
{
	return &runqueues[cpu];
}

struct task *current_task(void)
{
	return this_cpu()->current;
}

void rq_enqueue(struct runqueue *rq, struct task *t)
{
	t->state = TASK_RUNNABLE;
	t->rq_next = NULL;
	if (rq->tail)
		rq->tail->rq_next = t;
	else
		rq->head = t;
	rq->tail = t;
	rq->nr_queued++;
}

static struct task *rq_dequeue(struct runqueue *rq)
{
	struct task *t = rq->head;

	if (t) {
		rq->head = t->rq_next;
		if (!rq->head)
			rq->tail = NULL;
		/* Release: pick_cpu() that sees the task gone from the queue sees it as curr. */
		atomic_store_release(&rq->nr_queued, rq->nr_queued - 1);
	}
	return t;
}

/* Runs in the task that was switched to, before anything else it does. */
void sched_finish_switch(struct task *prev)
{
	/* Release: prev's context is fully saved; a joiner may now free its stack. */
	atomic_store_release(&prev->on_cpu, false);
}

bool schedule_locked(struct runqueue *rq, bool preempt)
{
	struct task *prev = rq->curr, *next;
	u64 now;

	/*
	 * The preempt count is per CPU, not per task: a switch must happen
	 * with exactly the run-queue lock's count, or the next task inherits
	 * the rest (a yield() under a spinlock would leave preemption off in
	 * whatever runs next, and the lock held across the switch).
	 */
	if (preempt_count() != 1)
		panic("sched: context switch from task %s on cpu%u with preempt count %u (expected 1: the "
		      "run-queue lock only; a spinlock is held across a yield or sleep)",
		      prev->name, smp_processor_id(), preempt_count());

	/*
	 * A preemption never puts a task to sleep. A task marked SLEEPING by
	 * wait_event() may be interrupted after it found its condition true
	 * but before it marked itself RUNNING again; nobody would ever wake it
	 * (the waker has come and gone), so keep it queued: to wait_event()
	 * this is a spurious wake-up, and it re-tests its condition.
	 */
	if (preempt && prev->state == TASK_SLEEPING)
		prev->state = TASK_RUNNING;
	if (prev->state == TASK_RUNNING && prev != rq->idle)
		rq_enqueue(rq, prev); /* preempted or yielding: back of the line */
	/*
	 * next becomes curr before it leaves the queue, so pick_cpu()'s unlocked
	 * load (queued + running) always counts it: counted in neither place, a
	 * CPU switching to its one new task read as idle and got a second one.
	 */
	next = rq->head ? rq->head : rq->idle; /* idle: nothing runnable (prev exited, or idle) */
	atomic_store_relaxed(&rq->curr, next);
	rq_dequeue(rq);
	rq->need_resched = false;
	next->state = TASK_RUNNING;
	if (next == prev)
		return false;
	now = time_counter();
	prev->run_cycles += now - prev->switched_in_at;
	if (prev == rq->idle)
		rq->idle_cycles += now - prev->switched_in_at;
	next->switched_in_at = now;
	rq->switches++;
	/* rq->lock is taken by prev and released by next: it changes hands in lockdep too. */
	lockdep_handoff(&rq->lock.map, prev, next);
	this_cpu()->current = next;
	atomic_store_relaxed(&next->on_cpu, true);
	/* prev's EL0 FP/SIMD registers, if loaded, go to memory: next may be another process. */
	fpsimd_switch_out(prev);
	/* Its lower half: a user process's address space, or the kernel tasks' empty one. */
	uspace_switch(next->ttbr0);
	prev = cpu_switch_to(prev, next);
	sched_finish_switch(prev);
	return true;
}

void yield(void)
{
	u64 flags = local_irq_save();
	struct runqueue *rq = cpu_rq(smp_processor_id());
	bool switched;

	spin_lock(&rq->lock);
	switched = schedule_locked(rq, false);
	spin_unlock(&cpu_rq(smp_processor_id())->lock); /* taken by whoever switched to us */
	local_irq_restore(flags);
	/*
	 * Nothing else to run: the caller is most likely polling. Say so to
	 * the hardware (a YIELD hint); under QEMU's round-robin TCG this is
	 * what lets the other vCPUs run instead of waiting out our time slice.
	 */
	if (!switched)
		cpu_relax();
}

void sched_tick(void)
{
	struct runqueue *rq = cpu_rq(smp_processor_id());

	/* Round-robin: a full time slice is one tick. Unlocked read: a stale answer costs one tick. */
	if (atomic_load_relaxed(&rq->nr_queued))
		rq->need_resched = true;
}

void sched_resched_ipi(void)
{
	cpu_rq(smp_processor_id())->need_resched = true;
}

void preempt_schedule(void)
{
	struct runqueue *rq = cpu_rq(smp_processor_id());
	u64 flags;

	/* Not from an interrupt handler or with IRQs off (irqsave sections, the switch itself). */
	if (!rq->need_resched || irqs_disabled() || !rq->curr)
		return;
	flags = local_irq_save();
	if (rq->need_resched && preempt_count() == 0) {
		spin_lock(&rq->lock);
		schedule_locked(rq, true);
		spin_unlock(&cpu_rq(smp_processor_id())->lock);
	}
	local_irq_restore(flags);
}

void sched_irq_exit(void)
{
	struct runqueue *rq = cpu_rq(smp_processor_id());

	/* Preempt only where no spinlock is held (preempt count 0) and the scheduler runs. */
	if (!rq->need_resched || preempt_count() != 0 || !rq->curr)
		return;
	spin_lock(&rq->lock);
	schedule_locked(rq, true);
	spin_unlock(&cpu_rq(smp_processor_id())->lock);
}

void sched_idle_loop(void)
{
	struct runqueue *rq = cpu_rq(smp_processor_id());

	for (;;) {
		local_irq_disable();
		if (atomic_load_relaxed(&rq->nr_queued)) {
			local_irq_enable();
			yield();
			continue;
		}
		/* WFI wakes on a pending interrupt even while masked: no lost wake-up. */
		__asm__ volatile("wfi" : : : "memory");
		local_irq_enable();
	}
}

static void sched_init_cpu(u32 cpu, const char *name, bool is_idle)
{
	struct runqueue *rq = cpu_rq(cpu);
	struct task *t = &boot_tasks[cpu];

	spin_lock_init(&rq->lock, "runqueue");
	t->state = TASK_RUNNING;
	t->id = cpu;
	t->affinity = (s32)cpu;
	t->cpu = cpu;
	t->on_cpu = true;
	t->switched_in_at = time_counter();
	for (u32 i = 0; name[i] && i < TASK_NAME_LEN - 1; i++)
		t->name[i] = name[i];
	rq->curr = t;
	if (is_idle)
		rq->idle = t;
	this_cpu()->current = t;
}

struct task *task_alloc_idle(u32 cpu);

void sched_init_boot_cpu(void)
{
	sched_init_cpu(0, "init", false);
	/* CPU 0's boot context goes on as "init"; its idle task gets a stack of its own. */
	cpu_rq(0)->idle = task_alloc_idle(0);
}

void sched_init_secondary(void)
{
	sched_init_cpu(smp_processor_id(), "idle", true);
}

u64 sched_idle_ns(u32 cpu)
{
	return time_counter_to_ns(cpu_rq(cpu)->idle_cycles);
}

u64 sched_lock_spin_ns(u32 cpu)
{
	return time_counter_to_ns(cpu_rq(cpu)->lock_spin_cycles);
}

u64 sched_switches(u32 cpu)
{
	return cpu_rq(cpu)->switches;
}

void sched_account_lock_wait(u64 cycles, bool slept)
{
	/* IRQs off: an interrupt on this CPU may account a wait of its own. */
	u64 flags = local_irq_save();
	struct task *t = current_task();

	if (t) {
		t->lock_wait_cycles += cycles;
		t->lock_sleeps += slept;
	}
	if (!slept)
		cpu_rq(smp_processor_id())->lock_spin_cycles += cycles;
	local_irq_restore(flags);
}

void schedule(void)
{
	yield();
}

/* Under the run-queue lock: a waker reads the state under the same lock. */
static void set_current_state(enum task_state state)
{
	u64 flags = local_irq_save();
	struct runqueue *rq = cpu_rq(smp_processor_id());

	spin_lock(&rq->lock);
	current_task()->state = state;
	spin_unlock(&rq->lock);
	local_irq_restore(flags);
}

void task_set_sleeping(void)
{
	set_current_state(TASK_SLEEPING);
}

void task_set_running(void)
{
	set_current_state(TASK_RUNNING);
}

bool task_wake(struct task *t)
{
	struct runqueue *rq = cpu_rq(t->cpu);
	u64 flags = spin_lock_irqsave(&rq->lock);
	bool woke = t->state == TASK_SLEEPING;

	if (woke) {
		if (rq->curr == t)
			t->state = TASK_RUNNING; /* not switched out yet: schedule() will keep it */
		else
			rq_enqueue(rq, t);
	}
	spin_unlock_irqrestore(&rq->lock, flags);
	if (woke && t->cpu != smp_processor_id())
		ipi_send(t->cpu, IPI_RESCHEDULE); /* an idle CPU must wake to run it */
	else if (woke)
		rq->need_resched = true;
	return woke;
}
