/* Wait queues: who sleeps on what, and the sleep itself (strategy locks released and retaken). */
#include <locklab/wait.h>
#include <locklab/klock.h>
#include <locklab/lockdep.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/preempt.h>

void wait_queue_init(struct wait_queue *wq, const char *name)
{
	spin_lock_init(&wq->lock, name);
	wq->head = NULL;
}

void wait_add(struct wait_queue *wq, struct wait_entry *e)
{
	u64 flags = spin_lock_irqsave(&wq->lock);

	e->task = current_task();
	e->next = wq->head;
	wq->head = e;
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wait_remove(struct wait_queue *wq, struct wait_entry *e)
{
	u64 flags = spin_lock_irqsave(&wq->lock);

	for (struct wait_entry **p = &wq->head; *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			break;
		}
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

u32 wake_up(struct wait_queue *wq)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	u32 woken = 0;

	for (struct wait_entry *e = wq->head; e; e = e->next)
		woken += task_wake(e->task);
	spin_unlock_irqrestore(&wq->lock, flags);
	return woken;
}

u32 wait_queue_waiters(struct wait_queue *wq)
{
	u64 flags = spin_lock_irqsave(&wq->lock);
	u32 n = 0;

	for (struct wait_entry *e = wq->head; e; e = e->next)
		n++;
	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

/* Anything still holding preemption off is a spinlock kept across a sleep. */
static void sleep_without_spinlocks(void)
{
	if (preempt_count() != 0) {
		lockdep_report_sleep(preempt_count());
		panic("sleeping in %s with %u spinlock%s held", current_task()->name,
		      preempt_count(), preempt_count() == 1 ? "" : "s");
	}
	schedule();
}

void wait_block(struct klock *held)
{
	struct klock_sleep saved;

	klock_sleep_release(held, &saved);
	sleep_without_spinlocks();
	klock_sleep_reacquire(held, &saved);
}

void wait_block_holding(void)
{
	sleep_without_spinlocks();
}
