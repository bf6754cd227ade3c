/* Waits on a lock word, plain spin or sevl/wfe as CONFIG_SPIN_WAIT_WFE says; SPIN_WAIT_NAME for the records. */
#ifndef ASM_SPIN_WAIT_H
#define ASM_SPIN_WAIT_H

/*
 * Apart from asm/atomic.h so that the way of waiting reaches only the
 * code that waits: the lock algorithms' operations (locking/tas.h ...,
 * which kernel/locking/spinlock.c inlines) and the few files that name
 * it. asm/atomic.h is included nearly everywhere, and with this in it
 * every object depended on CONFIG_SPIN_WAIT_WFE (scripts/fixdep.awk),
 * so make check's lock matrix recompiled 100 of them between a busy and
 * a wfe variant for changes in about five.
 */
#include <locklab/kconfig.h>
#include <asm/atomic.h>
#include <asm/sysreg.h> /* cpu_relax */

#if defined(CONFIG_SPIN_WAIT_WFE)
#define SPIN_WAIT_NAME "wfe"
#else
#define SPIN_WAIT_NAME "busy"
#endif

/*
 * wait_until_*(p, v): return once *p == v (or != v), with acquire ordering
 * on the load that saw it. Under CONFIG_SPIN_WAIT_WFE the load is an LDAXR,
 * which arms this CPU's exclusive monitor on the line: when another CPU
 * writes it, the monitor clears and generates the event that ends WFE.
 * SEVL sets the local event register first so the first WFE falls through
 * and the value is checked before any sleep.
 */
/*
 * One definition for both waits: 'spin_while' is the asm branch that loops
 * while the condition does not hold yet ("b.ne" to wait for ==, "b.eq" for
 * !=), 'holds' the same test in C.
 */
#define __DEFINE_WAIT(name, type, reg, ldaxr, spin_while, holds)             \
	static inline type name(type *p, type v)                             \
	{                                                                    \
		type cur;                                                    \
		if (IS_ENABLED(CONFIG_SPIN_WAIT_WFE)) {                      \
			__asm__ volatile("sevl\n"                            \
					 "1:	wfe\n"                          \
					 "	" ldaxr " %" reg "0, [%1]\n" \
					 "	cmp %" reg "0, %" reg "2\n"  \
					 "	" spin_while " 1b"           \
					 : "=&r"(cur)                        \
					 : "r"(p), "r"((u64)v)               \
					 : "memory", "cc");                  \
			return cur;                                          \
		}                                                            \
		while (!((cur = atomic_load_acquire(p)) holds v))            \
			cpu_relax();                                         \
		return cur;                                                  \
	}
#define __DEFINE_WAITS(suffix, type, reg, ldaxr)                            \
	__DEFINE_WAIT(wait_until_eq_##suffix, type, reg, ldaxr, "b.ne", ==) \
	__DEFINE_WAIT(wait_until_ne_##suffix, type, reg, ldaxr, "b.eq", !=)

__DEFINE_WAITS(u16, u16, "w", "ldaxrh")
__DEFINE_WAITS(u32, u32, "w", "ldaxr")
__DEFINE_WAITS(u64, u64, "x", "ldaxr")

/*
 * One pause between two attempts of an atomic (TAS): with WFE, sleep until
 * *p is written by someone (monitor armed by LDAXR) unless it already
 * differs from 'seen'; otherwise just a YIELD hint and retry at once.
 */
static inline void lock_pause_u32(u32 *p, u32 seen)
{
	u32 cur;

	if (IS_ENABLED(CONFIG_SPIN_WAIT_WFE))
		__asm__ volatile("	ldaxr %w0, [%1]\n"
				 "	cmp %w0, %w2\n"
				 "	b.ne 1f\n"
				 "	wfe\n"
				 "1:"
				 : "=&r"(cur)
				 : "r"(p), "r"((u64)seen)
				 : "memory", "cc");
	else
		cpu_relax();
}

#endif
