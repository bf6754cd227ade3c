/* The strategy locks' traced path: the lock timeline's events around the bare lock operations (lock_trace.h). */
#include <locklab/klock.h>
#include <locklab/lock_trace.h>

/*
 * Taken only while a window is open. The flag may close between the
 * check in slock_lock() and here, or between two events: the timeline
 * reader accepts a lock's events cut at either edge of the window.
 *
 * A wait is recorded only when the lock was held as this CPU came for
 * it. For a free lock, start and acquisition are one event pair read
 * after the lock is ours: under QEMU a counter read takes QEMU's global
 * lock and costs a microsecond or so, so a start read before the lock
 * would draw that cost as a wait before every acquisition. (Another CPU
 * may take the lock between the look and our attempt: that short wait
 * is then not drawn.)
 */
void slock_lock_traced(struct slock *s, u32 subclass)
{
	if (!__slock_is_locked(s)) {
		__slock_lock_nested(s, subclass);
		lock_trace_record(s, slock_map(s), LOCK_TRACE_UNCONTENDED);
		return;
	}
	lock_trace_record(s, slock_map(s), LOCK_TRACE_START);
	__slock_lock_nested(s, subclass);
	lock_trace_record(s, slock_map(s), LOCK_TRACE_ACQ);
}

void slock_unlock_traced(struct slock *s)
{
	lock_trace_record(s, slock_map(s), LOCK_TRACE_REL);
	__slock_unlock(s);
}
