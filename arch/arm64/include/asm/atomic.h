/* Atomic operations with explicit ordering, and waits on a lock word (plain spin or sevl/wfe). */
#ifndef ASM_ATOMIC_H
#define ASM_ATOMIC_H

#include <locklab/types.h>
#include <locklab/kconfig.h>
#include <asm/sysreg.h>

/*
 * The read-modify-write operations are GCC's __atomic builtins with an
 * explicit memory order at every call. With -mno-outline-atomics they are
 * inlined: ldaxr/stlxr loops under CONFIG_ARM64_ATOMICS_LLSC
 * (-march=armv8-a), single ldadd/swp/cas instructions with the matching
 * a/l suffixes under CONFIG_ARM64_ATOMICS_LSE (-march=armv8.2-a+lse). The
 * Makefile sets -march; tests/check.mk checks the disassembly matches.
 *
 * Orders used: ACQUIRE on the operation that takes a lock (later accesses
 * cannot move before it), RELEASE on the store that gives it up (earlier
 * accesses cannot move after it), RELAXED where only atomicity matters
 * (taking a ticket: the acquire comes when our number is called).
 */
#define atomic_load_acquire(p)	       __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define atomic_load_relaxed(p)	       __atomic_load_n(p, __ATOMIC_RELAXED)
#define atomic_store_release(p, v)     __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define atomic_store_relaxed(p, v)     __atomic_store_n(p, v, __ATOMIC_RELAXED)
#define atomic_xchg_acquire(p, v)      __atomic_exchange_n(p, v, __ATOMIC_ACQUIRE)
#define atomic_xchg_acq_rel(p, v)      __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL)
#define atomic_fetch_add_relaxed(p, v) __atomic_fetch_add(p, v, __ATOMIC_RELAXED)
#define atomic_fetch_add_acq_rel(p, v) __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL)
/* Compare-and-swap: true if *p was *expected and is now v; else *expected = current value. */
#define atomic_cmpxchg_acquire(p, expected, v) \
	__atomic_compare_exchange_n(p, expected, v, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
#define atomic_cmpxchg_acq_rel(p, expected, v) \
	__atomic_compare_exchange_n(p, expected, v, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#define atomic_cmpxchg_release(p, expected, v) \
	__atomic_compare_exchange_n(p, expected, v, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED)

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
