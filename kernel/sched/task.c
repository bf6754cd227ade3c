/* Tasks: a fixed pool of task structs and stacks, creation with placement, exit and join. */
#include "sched_internal.h"
#include <locklab/irq.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>
#include <locklab/smp.h>
#include <locklab/stack_guard.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <locklab/wait.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

#define TASK_STACK_SIZE (CONFIG_SCHED_TASK_STACK_KB * 1024)

void task_entry(void);

/* pool_lock guards slot_used; a task owns its struct and stack from create to join. */
static struct spinlock pool_lock = SPINLOCK_INIT("task_pool");
static bool slot_used[CONFIG_SCHED_MAX_TASKS];
static struct task pool[CONFIG_SCHED_MAX_TASKS];
/* Each stack sits above an unmapped guard page (arch/arm64/mmu.c): an overflow faults at once. */
static GUARDED_STACK(TASK_STACK_SIZE) stacks[CONFIG_SCHED_MAX_TASKS];
static u32 next_id = CONFIG_NR_CPUS; /* atomic; ids below are the boot contexts */

static struct task *slot_get(void)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	struct task *t = NULL;

	for (u32 i = 0; i < CONFIG_SCHED_MAX_TASKS && !t; i++) {
		if (!slot_used[i]) {
			slot_used[i] = true;
			t = &pool[i];
			memset(t, 0, sizeof(*t));
			t->stack = stacks[i].stack;
		}
	}
	spin_unlock_irqrestore(&pool_lock, flags);
	return t;
}

static void slot_put(struct task *t)
{
	u64 flags = spin_lock_irqsave(&pool_lock);

	slot_used[t - pool] = false;
	spin_unlock_irqrestore(&pool_lock, flags);
}

u32 sched_free_slots(void)
{
	u64 flags = spin_lock_irqsave(&pool_lock);
	u32 n = 0;

	for (u32 i = 0; i < CONFIG_SCHED_MAX_TASKS; i++)
		n += !slot_used[i];
	spin_unlock_irqrestore(&pool_lock, flags);
	return n;
}

static struct wait_queue *exit_wq_of(struct task *t)
{
	return (struct wait_queue *)&t->exit_wq;
}

static void task_setup(struct task *t, const char *name, void (*fn)(void *), void *arg, u32 cpu)
{
	strlcpy(t->name, name, sizeof(t->name));
	t->id = atomic_fetch_add_relaxed(&next_id, 1U);
	t->fn = fn;
	t->arg = arg;
	t->cpu = cpu;
	/* First switch to it "returns" into task_entry on a fresh stack, with x19 = t. */
	t->ctx.sp = (u64)&t->stack[TASK_STACK_SIZE];
	t->ctx.lr = (u64)task_entry;
	t->ctx.x19 = (u64)t;
	t->ctx.fp = 0;
	wait_queue_init(exit_wq_of(t), "task_exit");
}

/* The least loaded online CPU (an unlocked snapshot: placement is a hint). */
static u32 pick_cpu(void)
{
	u32 best = smp_processor_id(), best_load = ~0U;

	for (u32 c = 0; c < CONFIG_NR_CPUS; c++) {
		if (!cpu_is_online(c))
			continue;
		/*
		 * Acquire: a task that left the queue is seen as curr
		 * (schedule_locked). Two statements, not one sum: the operands
		 * of + are unsequenced, so the compiler could load curr before
		 * the acquire, which then orders nothing.
		 */
		u32 load = atomic_load_acquire(&cpu_rq(c)->nr_queued);

		load += atomic_load_relaxed(&cpu_rq(c)->curr) != cpu_rq(c)->idle;
		if (load < best_load) {
			best = c;
			best_load = load;
		}
	}
	return best;
}

struct task *task_create(const char *name, void (*fn)(void *), void *arg, int cpu)
{
	struct task *t;
	struct runqueue *rq;
	u64 flags;

	if (cpu != TASK_ANY_CPU && (cpu < 0 || cpu >= CONFIG_NR_CPUS || !cpu_is_online((u32)cpu)))
		return NULL;
	t = slot_get();
	if (!t)
		return NULL;
	t->affinity = cpu;
	task_setup(t, name, fn, arg, cpu == TASK_ANY_CPU ? pick_cpu() : (u32)cpu);
	rq = cpu_rq(t->cpu);
	/*
	 * No preemption between the enqueue and the IPI: releasing the run-queue
	 * lock is a preemption point, and a creator switched away there would
	 * leave an idle target asleep in WFI, its new task queued, until its
	 * own next tick.
	 */
	preempt_disable();
	flags = spin_lock_irqsave(&rq->lock);
	rq_enqueue(rq, t);
	spin_unlock_irqrestore(&rq->lock, flags);
	if (t->cpu != smp_processor_id())
		ipi_send(t->cpu, IPI_RESCHEDULE); /* an idle CPU wakes up and picks it */
	preempt_enable();
	return t;
}

static void idle_entry(void *unused)
{
	(void)unused;
	sched_idle_loop();
}

struct task *task_alloc_idle(u32 cpu)
{
	struct task *t = slot_get();

	if (!t)
		panic("sched: no task slot for cpu%u's idle task", cpu);
	task_setup(t, "idle", idle_entry, NULL, cpu);
	t->affinity = (s32)cpu;
	t->state = TASK_RUNNABLE;
	return t;
}

/* C side of task_entry: finish the switch that brought us here, then run. */
void task_start(struct task *prev, struct task *self)
{
	sched_finish_switch(prev);
	spin_unlock(&cpu_rq(smp_processor_id())->lock); /* taken by the task we replaced */
	local_irq_enable();
	self->fn(self->arg);
	task_exit();
}

void task_exit(void)
{
	struct task *self = current_task();
	struct runqueue *rq;

	/*
	 * IRQs off from here: a tick must not preempt us between telling the
	 * joiner we are done and being marked dead, or we would be queued
	 * again after the joiner freed us.
	 */
	local_irq_disable();
	atomic_store_release(&self->exited, true);
	wake_up(exit_wq_of(self));
	rq = cpu_rq(smp_processor_id());
	spin_lock(&rq->lock);
	self->state = TASK_DEAD;
	schedule_locked(rq, false); /* never comes back: nobody enqueues a dead task */
	panic("sched: dead task %s was scheduled again", self->name);
}

void task_join(struct task *t)
{
	/* Sleep until it exits (no busy loop hammering our run-queue lock) ... */
	wait_event(exit_wq_of(t), atomic_load_acquire(&t->exited), NULL);
	/* ... then for the short moment until the switch away from it has saved everything. */
	while (atomic_load_acquire(&t->on_cpu))
		cpu_relax();
	slot_put(t);
}

u64 task_run_ns(struct task *t)
{
	return time_counter_to_ns(t->run_cycles);
}

u64 task_lock_wait_ns(struct task *t)
{
	return time_counter_to_ns(t->lock_wait_cycles);
}

_Static_assert(sizeof(((struct task *)0)->exit_wq) == sizeof(struct wait_queue), "exit_wq layout");

void task_stack_region(struct stack_region *r)
{
	*r = (struct stack_region){ (u64)&stacks[0], sizeof(stacks[0]), CONFIG_SCHED_MAX_TASKS,
				    "task stack" };
}

/* Read while reporting a fault: a racy snapshot is good enough for a name. */
const char *task_stack_owner(u32 slot)
{
	return slot < CONFIG_SCHED_MAX_TASKS && slot_used[slot] ? pool[slot].name : NULL;
}
