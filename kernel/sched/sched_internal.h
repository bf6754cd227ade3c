/* Scheduler internals shared by core.c and task.c: the per-CPU run queue. */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <locklab/sched.h>
#include <locklab/spinlock.h>

/*
 * One run queue per CPU. lock is an infrastructure spinlock (real under
 * every strategy, reported by lockstat as "runqueue"); it is taken with
 * IRQs off and, across a context switch, released by the task switched to.
 * Lock order: a run queue lock nests inside nothing else the scheduler
 * takes; two run queue locks are never held together.
 */
struct runqueue {
	struct spinlock lock;
	struct task *head, *tail; /* guarded by lock: RUNNABLE tasks, FIFO (round-robin) */
	struct task *curr;	  /* guarded by lock: the task running on this CPU */
	struct task *idle;	  /* set once at boot */
	u32 nr_queued;		  /* guarded by lock (read unlocked for placement hints) */
	bool need_resched;	  /* set by the tick or a wake-up IPI, this CPU only */
	u64 idle_cycles;	  /* guarded by lock: time the idle task ran */
	u64 switches;		  /* guarded by lock: context switches */
	u64 lock_spin_cycles;	  /* this CPU only, IRQs off: time spent spinning for locks */
} __attribute__((aligned(64)));

struct runqueue *cpu_rq(u32 cpu);
void rq_enqueue(struct runqueue *rq, struct task *t);
/*
 * rq->lock held, IRQs off: switch to the next task; returns when 'current'
 * runs again. preempt: called from the tick/IPI, not by the task itself.
 */
bool schedule_locked(struct runqueue *rq, bool preempt); /* false: kept running prev */
void sched_finish_switch(struct task *prev);

#endif
