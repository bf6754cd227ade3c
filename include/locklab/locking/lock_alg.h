/* Maps the Kconfig spinlock-algorithm choice to alg_lock_t and alg_lock_*(): the only place that knows which. */
#ifndef LOCKLAB_LOCKING_LOCK_ALG_H
#define LOCKLAB_LOCKING_LOCK_ALG_H

/*
 * The lock word's type and constants only: the code that takes the word
 * (kernel/locking/spinlock.c) also does #include LOCK_ALG_OPS, the
 * algorithm's header, for the alg_lock_*() operations. Those depend on
 * how a waiter waits (asm/spin_wait.h), which the many files that only
 * embed a spinlock should not: lock_words.h says why.
 */
#include <locklab/locking/lock_words.h>

#if defined(CONFIG_LOCK_ALG_TAS)
#define LOCK_ALG_OPS <locklab/locking/tas.h>
typedef struct tas_lock alg_lock_t;
#define ALG_LOCK_INIT	      TAS_LOCK_INIT
#define LOCK_ALG_NAME	      "tas"
#define alg_lock	      tas_lock
#define ALG_LOCK_SPIN_BYTES   sizeof(alg_lock_t) /* the whole word */
#define alg_trylock	      tas_trylock
#define alg_unlock	      tas_unlock
#define alg_is_locked	      tas_is_locked
#define alg_nodes_in_use(cpu) ((void)(cpu), 0U) /* no queue nodes */
#define LOCK_ALG_NODES	      0
#define LOCK_ALG_FIFO	      0
#elif defined(CONFIG_LOCK_ALG_TTAS)
#define LOCK_ALG_OPS	      <locklab/locking/ttas.h>
typedef struct ttas_lock alg_lock_t;
#define ALG_LOCK_INIT	      TTAS_LOCK_INIT
#define LOCK_ALG_NAME	      "ttas"
#define alg_lock	      ttas_lock
#define ALG_LOCK_SPIN_BYTES   sizeof(alg_lock_t) /* the whole word */
#define alg_trylock	      ttas_trylock
#define alg_unlock	      ttas_unlock
#define alg_is_locked	      ttas_is_locked
#define alg_nodes_in_use(cpu) ((void)(cpu), 0U) /* no queue nodes */
#define LOCK_ALG_NODES	      0
#define LOCK_ALG_FIFO	      0
#elif defined(CONFIG_LOCK_ALG_TICKET)
#define LOCK_ALG_OPS	      <locklab/locking/ticket.h>
typedef struct ticket_lock alg_lock_t;
#define ALG_LOCK_INIT	      TICKET_LOCK_INIT
#define LOCK_ALG_NAME	      "ticket"
#define alg_lock	      ticket_lock
#define ALG_LOCK_SPIN_BYTES   sizeof(alg_lock_t) /* the whole word */
#define alg_trylock	      ticket_trylock
#define alg_unlock	      ticket_unlock
#define alg_is_locked	      ticket_is_locked
#define alg_nodes_in_use(cpu) ((void)(cpu), 0U) /* no queue nodes */
#define LOCK_ALG_NODES	      0
#define LOCK_ALG_FIFO	      1
#elif defined(CONFIG_LOCK_ALG_MCS)
#define LOCK_ALG_OPS	      <locklab/locking/mcs.h>
typedef struct mcs_lock alg_lock_t;
#define ALG_LOCK_INIT	      MCS_LOCK_INIT
#define LOCK_ALG_NAME	      "mcs"
#define alg_lock	      mcs_lock
/* Arrivals swap tail; holder (written by the holder) lives in the next line. */
#define ALG_LOCK_SPIN_BYTES   __builtin_offsetof(struct mcs_lock, holder)
#define alg_trylock	      mcs_trylock
#define alg_unlock	      mcs_unlock
#define alg_is_locked	      mcs_is_locked
#define alg_nodes_in_use(cpu) mcs_nodes_in_use(cpu)
#define LOCK_ALG_NODES	      1 /* one queue node per held lock */
#define LOCK_ALG_FIFO	      1
#else
#error "no spinlock algorithm selected (CONFIG_LOCK_ALG_*)"
#endif

#if defined(CONFIG_ARM64_ATOMICS_LSE)
#define LOCK_ATOMICS_NAME "lse"
#else
#define LOCK_ATOMICS_NAME "llsc"
#endif

#endif
