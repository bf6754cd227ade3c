/* The three lock scopes every subsystem marks (kernel, subsystem, data); the strategy makes one real. */
#ifndef LOCKLAB_KLOCK_H
#define LOCKLAB_KLOCK_H

#include <locklab/types.h>

/*
 * Subsystems, in lock order: a subsystem operation may call into a
 * subsystem listed after it, never before (proc -> fs -> ipc -> mm). Under
 * the SUBSYS strategy that is the order their locks nest in; lockdep
 * checks it.
 */
enum subsys_id {
	SUBSYS_PROC,
	SUBSYS_FS,
	SUBSYS_IPC,
	SUBSYS_MM,
	NR_SUBSYS,
};

/* Which scope is a real lock under the configured strategy. */
enum lock_scope {
	SCOPE_KERNEL, /* BKL */
	SCOPE_SUBSYS, /* per-subsystem locks */
	SCOPE_DATA,   /* locks in the data */
};

const char *subsys_name(enum subsys_id ss);

const char *lock_scope_name(enum lock_scope scope); /* "kernel", "subsys", "data" */

/*
 * strategy.h (lock-strategies/) includes the chosen strategy's header,
 * which defines:
 *   struct klock;                      a data lock, stored in the data it guards
 *   void klock_init(struct klock *, const char *class_name, enum subsys_id);
 *   void klock_lock(struct klock *);   void klock_unlock(struct klock *);
 *   void klock_lock_nested(struct klock *, u32 subclass);  klock_lock as a
 *                                      lockdep subclass (lockdep.h): the
 *                                      second of two locks of one class
 *   bool klock_held(struct klock *);   is the *effective* lock held by me?
 *   void kernel_enter(void);           void kernel_exit(void);
 *   void subsys_enter(enum subsys_id); void subsys_exit(enum subsys_id);
 *   LOCK_STRATEGY_NAME, LOCK_STRATEGY_SCOPE
 * and whose .c (<name>.c) defines the functions below that say "the
 * strategy's" (klock_real_class, klock_sleep_*, *_lock_depth,
 * lock_strategy_class). Nothing outside lock-strategies/ knows which
 * strategy it is.
 */
#include <strategy.h>

void klock_assert_failed(struct klock *l, const char *file, int line) __noreturn;
/* The lock class lockstat reports for l's effective lock: "bkl", "fs_lock"..., or l's own class. */
const char *klock_real_class(struct klock *l);
/* Checks the effective lock: the BKL, the object's subsystem lock, or the object's own lock. */
#define klock_assert_held(l)                                        \
	do {                                                        \
		if (!klock_held(l))                                 \
			klock_assert_failed(l, __FILE__, __LINE__); \
	} while (0)

/*
 * Sleeping with the strategy's locks: release every real lock the sleeper
 * holds among 'held' (the data lock passed to wait_event), its subsystem
 * locks and the BKL, remembering recursion depths; retake them in lock
 * order on wake-up. As Linux did with the BKL on schedule().
 */
struct klock_sleep {
	u32 kernel_depth;
	u32 subsys_depth[NR_SUBSYS];
	bool data_held;
};
void klock_sleep_release(struct klock *held, struct klock_sleep *s);
void klock_sleep_reacquire(struct klock *held, struct klock_sleep *s);

/* Recursion depth of the coarse locks held by this CPU (0 when not real under the strategy). */
u32 kernel_lock_depth(void);
u32 subsys_lock_depth(enum subsys_id ss);

/*
 * The strategy's named real locks, by lockstat class: the i-th, NULL past
 * the last ("bkl"; "proc_lock", "fs_lock", ...). None where the real locks
 * are the data's own (one class per kind of object). bench-meta prints them
 * (classes=), so the host tools need not know any strategy by name.
 */
const char *lock_strategy_class(u32 i);
/* Those classes comma-separated into buf; false if they did not fit (buf then holds a cut list). */
bool lock_strategy_classes(char *buf, size_t size);

#endif
