/* Atomic operations with explicit ordering (the waits on a lock word are in asm/spin_wait.h). */
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

#endif
