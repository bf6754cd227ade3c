/* Preemption control: a per-CPU count; the scheduler (later) will not preempt while it is non-zero. */
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

static inline void preempt_enable(void)
{
	__asm__ volatile("" : : : "memory");
	this_cpu()->preempt_count--;
}

static inline u32 preempt_count(void)
{
	return this_cpu()->preempt_count;
}

#endif
