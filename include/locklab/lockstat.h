/* lockstat: per-class, per-CPU lock statistics; no-op stubs when CONFIG_LOCK_STAT is off. */
#ifndef LOCKLAB_LOCKSTAT_H
#define LOCKLAB_LOCKSTAT_H

#include <locklab/kconfig.h>
#include <locklab/types.h>

struct lock_map;

/* One class's numbers summed over CPUs; times in counter cycles. */
struct lockstat_sum {
	u64 acquisitions, contentions, con_bounces, acq_bounces, trylock_fail;
	u64 wait_min, wait_max, wait_total; /* over contended acquisitions */
	u64 hold_min, hold_max, hold_total; /* over releases */
};

#ifdef CONFIG_LOCK_STAT
void lockstat_acquired(struct lock_map *l, bool contended, u64 wait_cycles);
void lockstat_released(struct lock_map *l);
void lockstat_trylock_failed(struct lock_map *l);
/* Call only while no CPU is taking locks that matter (benchmarks: between runs). */
void lockstat_reset(void);
bool lockstat_get(const char *class_name, struct lockstat_sum *out);
/* The /proc/lock_stat-style table, then one "lockstat: [tag ]class=..." line per class used. */
void lockstat_print(const char *tag);
/* Only the "lockstat: [tag ]class=..." records (benchmarks print these after every run). */
void lockstat_print_records(const char *tag);
/* Time holds from now on (if CONFIG_LOCK_STAT_HOLD_TIME)? Switch only while no lock is held. */
void lockstat_set_hold(bool on);
#define LOCKSTAT_ENABLED 1
/* Hold times are measured only with CONFIG_LOCK_STAT_HOLD_TIME; without it the hold_* sums stay 0. */
#define LOCKSTAT_HOLD_TIMED IS_ENABLED(CONFIG_LOCK_STAT_HOLD_TIME)
#else
static inline void lockstat_acquired(struct lock_map *l, bool c, u64 w) { (void)l; (void)c; (void)w; }
static inline void lockstat_released(struct lock_map *l) { (void)l; }
static inline void lockstat_trylock_failed(struct lock_map *l) { (void)l; }
static inline void lockstat_reset(void) {}
static inline bool lockstat_get(const char *n, struct lockstat_sum *o) { (void)n; (void)o; return false; }
static inline void lockstat_print(const char *tag) { (void)tag; }
static inline void lockstat_print_records(const char *tag) { (void)tag; }
static inline void lockstat_set_hold(bool on) { (void)on; }
#define LOCKSTAT_ENABLED 0
#define LOCKSTAT_HOLD_TIMED 0
#endif

#endif
