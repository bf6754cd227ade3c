/* Preemption control: a per-CPU count; the scheduler does not preempt while it is non-zero. */
#ifndef LOCKLAB_PREEMPT_H
#define LOCKLAB_PREEMPT_H

#include <locklab/percpu.h>

/*
 * Only the CPU itself changes its count, and an interrupt that changes it
 * restores it before returning, so plain increments are safe; the compiler
 * barriers keep the critical section from moving across them.
 */
static inline void preempt_disable(void)
{
	this_cpu()->preempt_count++;
	__asm__ volatile("" : : : "memory");
}

/* The scheduler's preemption point (kernel/sched/core.c): switches if a reschedule is pending. */
void preempt_schedule(void);

/*
 * Leaving the last critical section is a preemption point, as in Linux: a
 * tick that came while a spinlock was held could not switch, so do it now.
 * Without this a task that spends most of its time under spinlocks would
 * keep its CPU for many ticks.
 */
static inline void preempt_enable(void)
{
	__asm__ volatile("" : : : "memory");
	if (--this_cpu()->preempt_count == 0)
		preempt_schedule();
}

static inline u32 preempt_count(void)
{
	return this_cpu()->preempt_count;
}

#endif
