/* lockdep: per-task held-lock stacks and a class-order graph that catch deadlocks before they happen; stubs when off. */
#ifndef LOCKLAB_LOCKDEP_H
#define LOCKLAB_LOCKDEP_H

#include <locklab/types.h>

struct lock_map;
struct task;

enum lockdep_kind {
	LOCKDEP_INVERSION,	 /* A->B seen earlier, now B->A */
	LOCKDEP_RECURSION,	 /* taking a non-recursive lock this task already holds */
	LOCKDEP_UNLOCK_UNHELD,	 /* releasing a lock nobody holds */
	LOCKDEP_UNLOCK_NONOWNER, /* releasing a lock another CPU or task holds */
	LOCKDEP_SLEEP_SPINLOCK,	 /* sleeping (wait_event) with a spinlock held */
	LOCKDEP_SAME_CLASS,	 /* taking a lock while holding another of its class and subclass */
	LOCKDEP_NR_KINDS,
};

/* Who holds a lock being released, as the lock type itself knows it. */
enum lockdep_owner {
	LOCKDEP_OWNER_NONE,
	LOCKDEP_OWNER_ME,
	LOCKDEP_OWNER_OTHER,
};

#define LOCKDEP_HELD_MAX 16

/*
 * Subclasses (Linux's spin_lock_nested/mutex_lock_nested): two locks of
 * one class that nest in a fixed order (a parent directory's inode, then a
 * child's) are taken with different subclasses, and lockdep orders the
 * pairs (class, subclass) as separate nodes: parent/0 -> child/1 is
 * learnt, child/1 -> parent/0 is then an inversion. 0 is every plain
 * lock_*() call. A subclass >= LOCKDEP_SUBCLASSES is a bug (it panics).
 */
#define LOCKDEP_SUBCLASSES 8

/*
 * The locks a task holds, in the order taken. Part of struct task: a
 * sleeping lock stays held while its holder is switched out, so the stack
 * moves with the task, not the CPU. Touched only by the task's own CPU,
 * with IRQs off (an interrupt's locks go on the interrupted task's stack).
 */
struct lockdep_task {
#ifdef CONFIG_DEBUG_LOCKDEP
	struct {
		struct lock_map *map;
		u16 class_id;
		u8 subclass; /* as it was taken: part of its node in the order graph */
	} held[LOCKDEP_HELD_MAX];
	u32 depth;
	bool overflowed;
#endif
};

#ifdef CONFIG_DEBUG_LOCKDEP
/* Before waiting: checks order and recursion (a certain deadlock panics after the report). */
void lockdep_acquire_nested(struct lock_map *m, bool trylock, u32 subclass);
/* Once owned: pushes it on the task's held stack, with the subclass it was taken as. */
void lockdep_acquired_nested(struct lock_map *m, u32 subclass);
static inline void lockdep_acquire(struct lock_map *m, bool trylock)
{
	lockdep_acquire_nested(m, trylock, 0);
}
static inline void lockdep_acquired(struct lock_map *m)
{
	lockdep_acquired_nested(m, 0);
}
/* Before releasing: false means the release is wrong, was reported, and must not happen. */
bool lockdep_release(struct lock_map *m, enum lockdep_owner who, u32 owner_cpu);
/* A lock taken by one task and released by the next (the run queue lock across a switch). */
void lockdep_handoff(struct lock_map *m, struct task *from, struct task *to);
u32 lockdep_reports(enum lockdep_kind kind);
u32 lockdep_held_count(void);
void lockdep_report_sleep(u32 preempt_count);
/*
 * At a mutex_lock with preemption off (a spinlock held): it may sleep, so
 * it is a bug even when the mutex happens to be free. Reported once per
 * mutex class (as Linux's might_sleep); the caller goes on.
 */
void lockdep_might_sleep(struct lock_map *m, u32 preempt_count);
#define LOCKDEP_ENABLED 1
#else
static inline void lockdep_acquire_nested(struct lock_map *m, bool t, u32 s)
{
	(void)m;
	(void)t;
	(void)s;
}
static inline void lockdep_acquired_nested(struct lock_map *m, u32 s)
{
	(void)m;
	(void)s;
}
static inline void lockdep_acquire(struct lock_map *m, bool t)
{
	(void)m;
	(void)t;
}
static inline void lockdep_acquired(struct lock_map *m)
{
	(void)m;
}
static inline bool lockdep_release(struct lock_map *m, enum lockdep_owner w, u32 c)
{
	(void)m;
	(void)w;
	(void)c;
	return true;
}
static inline void lockdep_handoff(struct lock_map *m, struct task *f, struct task *t)
{
	(void)m;
	(void)f;
	(void)t;
}
static inline u32 lockdep_reports(enum lockdep_kind k)
{
	(void)k;
	return 0;
}
static inline u32 lockdep_held_count(void)
{
	return 0;
}
static inline void lockdep_report_sleep(u32 p)
{
	(void)p;
}
static inline void lockdep_might_sleep(struct lock_map *m, u32 p)
{
	(void)m;
	(void)p;
}
#define LOCKDEP_ENABLED 0
#endif

#endif
