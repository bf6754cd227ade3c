/* The strategy locks' traced path: the lock timeline's events around the bare lock operations (lock_trace.h). */
#include <locklab/klock.h>
#include <locklab/lock_trace.h>

/*
 * Taken only while a window is open. The flag may close between the
 * check in slock_lock() and here, or between two events: the timeline
 * reader accepts a lock's events cut at either edge of the window.
 */
void slock_lock_traced(struct slock *s, u32 subclass)
{
	lock_trace_record(s, slock_map(s), LOCK_TRACE_START);
	__slock_lock_nested(s, subclass);
	lock_trace_record(s, slock_map(s), LOCK_TRACE_ACQ);
}

void slock_unlock_traced(struct slock *s)
{
	lock_trace_record(s, slock_map(s), LOCK_TRACE_REL);
	__slock_unlock(s);
}
