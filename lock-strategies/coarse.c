/* Recursive coarse locks for the BKL and SUBSYS strategies. */
#include <locklab/klock.h> /* brings coarse.h, after enum subsys_id */
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/sched.h>
#include <asm/atomic.h>

void coarse_lock(struct coarse_lock *c)
{
	struct task *me = current_task();

	if (atomic_load_relaxed(&c->owner) == me) {
		c->depth++; /* recursion: a subsystem operation calling another */
		return;
	}
	slock_lock(&c->lock);
	atomic_store_relaxed(&c->owner, me);
	c->depth = 1;
}

void coarse_unlock(struct coarse_lock *c)
{
	struct task *me = current_task();

	if (atomic_load_relaxed(&c->owner) != me)
		panic("%s: released by task %s on cpu%u, which does not hold it",
		      slock_name(&c->lock), me->name, smp_processor_id());
	if (--c->depth == 0) {
		atomic_store_relaxed(&c->owner, (struct task *)NULL);
		slock_unlock(&c->lock);
	}
}

bool coarse_held(struct coarse_lock *c)
{
	return atomic_load_relaxed(&c->owner) == current_task();
}

u32 coarse_depth(struct coarse_lock *c)
{
	return coarse_held(c) ? c->depth : 0;
}

u32 coarse_release_all(struct coarse_lock *c)
{
	u32 depth = coarse_depth(c);

	if (depth) {
		c->depth = 1;
		coarse_unlock(c);
	}
	return depth;
}

void coarse_retake(struct coarse_lock *c, u32 depth)
{
	if (!depth)
		return;
	coarse_lock(c);
	c->depth = depth;
}
