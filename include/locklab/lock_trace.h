/* Lock timeline: per-CPU ring buffers of strategy-lock events for a short window; no-op stubs without CONFIG_LOCK_TRACE. */
#ifndef LOCKLAB_LOCK_TRACE_H
#define LOCKLAB_LOCK_TRACE_H

#include <locklab/types.h>

struct lock_map;

/*
 * What happened to a lock: a CPU began to take it, owns it now, let it
 * go. LOCK_TRACE_UNCONTENDED is a start and an acquisition at one time
 * (the lock was free): two events, one counter read.
 */
enum lock_trace_ev {
	LOCK_TRACE_START,
	LOCK_TRACE_ACQ,
	LOCK_TRACE_REL,
	LOCK_TRACE_UNCONTENDED,
};

#ifdef CONFIG_LOCK_TRACE
#include <asm/atomic.h>

#define LOCK_TRACE_ENABLED 1

/* Nonzero only inside a window (lock_trace_start to lock_trace_stop); read relaxed on every lock operation. */
extern u32 lock_trace_on;

/* Records the event(s) on this CPU, unless the window has closed or this CPU's buffer is full. */
void lock_trace_record(const void *lock, struct lock_map *map, enum lock_trace_ev ev);

/*
 * Is a window open? The strategy locks (lock-strategies/slock.h) ask on
 * every operation and take their traced, out-of-line path if so: one
 * load of a flag that no one writes and one branch that is always
 * predicted not taken. The counter is read only inside a window.
 */
static inline bool lock_trace_active(void)
{
	return __builtin_expect(atomic_load_relaxed(&lock_trace_on) != 0, 0);
}

/*
 * Opens a window of 'cycles' counter cycles: empties every CPU's buffer,
 * turns recording on, and returns the counter value at which the window
 * closes itself (no event after it is kept). lock_trace_stop() turns
 * recording off and waits until no CPU is still recording;
 * lock_trace_dump() then prints the window's events as trace: records
 * (docs/output-format.md), tagged with 'tag' in the trace-meta: record.
 * Call them from one CPU; a window opened again after a stop starts
 * empty.
 */
u64 lock_trace_start(u64 cycles);
void lock_trace_stop(void);
void lock_trace_dump(const char *tag);
/* The window length asked for with trace_us=, in counter cycles. */
u64 lock_trace_window_cycles(void);
#else
#define LOCK_TRACE_ENABLED 0
static inline bool lock_trace_active(void)
{
	return false;
}
static inline void lock_trace_record(const void *lock, struct lock_map *map, enum lock_trace_ev ev)
{
	(void)lock;
	(void)map;
	(void)ev;
}
static inline u64 lock_trace_start(u64 cycles)
{
	return cycles;
}
static inline void lock_trace_stop(void)
{
}
static inline void lock_trace_dump(const char *tag)
{
	(void)tag;
}
static inline u64 lock_trace_window_cycles(void)
{
	return 0;
}
#endif

#endif
