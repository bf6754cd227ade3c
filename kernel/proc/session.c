/* The console session's reach into sleeping processes: Ctrl-C wakes every member so a pipe, wait or console sleep can end with -EINTR. */
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/spinlock.h>
#include <locklab/tty.h>
#include <asm/atomic.h>

/*
 * The members alive now, each added by its own first task (proc_trampoline)
 * and removed at its exit while that task still runs, so a listed
 * session_task is never freed under the walk. An infrastructure spinlock
 * taken with interrupts off: the console's receive interrupt walks the
 * list. Nests outside the run-queue locks (task_wake), inside nothing.
 */
static struct spinlock session_lock = SPINLOCK_INIT("proc_session");
static struct proc *session_members; /* guarded by session_lock, linked by session_next */

bool proc_interrupted(void)
{
	struct proc *p = current_proc();

	return p->session == PROC_SESSION_MEMBER &&
	       atomic_load_relaxed(&tty_intr_seq) != p->intr_seq;
}

void proc_session_join(struct proc *p)
{
	u64 flags;

	if (p->session != PROC_SESSION_MEMBER)
		return;
	flags = spin_lock_irqsave(&session_lock);
	p->session_task = current_task();
	p->session_next = session_members;
	session_members = p;
	spin_unlock_irqrestore(&session_lock, flags);
}

void proc_session_leave(struct proc *p)
{
	u64 flags;

	if (p->session != PROC_SESSION_MEMBER)
		return;
	flags = spin_lock_irqsave(&session_lock);
	for (struct proc **pp = &session_members; *pp; pp = &(*pp)->session_next) {
		if (*pp == p) {
			*pp = p->session_next;
			break;
		}
	}
	spin_unlock_irqrestore(&session_lock, flags);
}

/*
 * A wake-up is only a hint: every sleep is a wait_event loop that tests
 * its condition again, so a member asleep on something Ctrl-C does not
 * end (a mutex, a task join) goes back to sleep.
 */
void proc_session_wake(void)
{
	u64 flags = spin_lock_irqsave(&session_lock);

	for (struct proc *p = session_members; p; p = p->session_next)
		task_wake(p->session_task);
	spin_unlock_irqrestore(&session_lock, flags);
}
