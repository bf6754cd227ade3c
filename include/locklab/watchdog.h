/* The watchdog: each tick looks for a CPU whose ticks stopped and for a spinlock waited for too long. */
#ifndef LOCKLAB_WATCHDOG_H
#define LOCKLAB_WATCHDOG_H

#include <locklab/percpu.h>
#include <asm/atomic.h>

struct spinlock;

/*
 * A spinlock wait, marked for the watchdog: two stores to this CPU's data,
 * no clock read (reading the counter costs a QEMU-wide lock per read).
 * Waits nest when an interrupt handler spins on a lock while the code it
 * interrupted was spinning too: begin returns the outer one for end.
 */
static inline struct spinlock *watchdog_wait_begin(struct spinlock *l)
{
	struct percpu *pc = this_cpu();
	struct spinlock *outer = pc->wd_spin;

	pc->wd_spin_seq++;
	atomic_store_relaxed(&pc->wd_spin, l); /* read by other CPUs' ticks: a diagnostic, no order needed */
	return outer;
}

static inline void watchdog_wait_end(struct spinlock *outer)
{
	atomic_store_relaxed(&this_cpu()->wd_spin, outer);
}

/* From the timer interrupt of every CPU. */
void watchdog_tick(void);
/* How many stalls and long waits were reported since boot. */
u32 watchdog_reports(void);
/* The limit in ms (bootarg watchdog_ms=, 0: off). */
u64 watchdog_limit_ms(void);

#endif
