/* The watchdog: each tick looks for a CPU whose ticks stopped and for a spinlock waited for too long. */
#ifndef LOCKLAB_WATCHDOG_H
#define LOCKLAB_WATCHDOG_H

#include <locklab/percpu.h>
#include <locklab/spinlock.h>
#include <asm/atomic.h>

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

	/*
	 * A nested wait keeps the outer one's number, so interrupts that spin
	 * briefly cannot make a long outer wait look new to every tick. The
	 * name is published before the lock with release order: a reader that
	 * sees the lock (acquire) sees its name, a string constant that stays
	 * valid even if the lock itself is freed while the report is written.
	 */
	if (!outer)
		pc->wd_spin_seq++;
	atomic_store_relaxed(&pc->wd_spin_name, l->map.name);
	atomic_store_release(&pc->wd_spin, l);
	return outer;
}

static inline void watchdog_wait_end(struct spinlock *outer)
{
	struct percpu *pc = this_cpu();

	/* The outer lock's name first, as in watchdog_wait_begin: a tick that sees outer sees its name. */
	if (outer)
		atomic_store_relaxed(&pc->wd_spin_name, outer->map.name);
	atomic_store_release(&pc->wd_spin, outer);
}

/* From the timer interrupt of every CPU. */
void watchdog_tick(void);
/* How many stalls and long waits were reported since boot. */
u32 watchdog_reports(void);
/* The limit in ms (bootarg watchdog_ms=, 0: off). */
u64 watchdog_limit_ms(void);

#endif
