/* Includes the chosen strategy's header, <name>.h for CONFIG_LOCK_STRATEGY_<NAME> (via <locklab/klock.h>). */
#ifndef LOCK_STRATEGIES_STRATEGY_H
#define LOCK_STRATEGIES_STRATEGY_H

/*
 * lock-strategies/Kbuild names the header from the Kconfig choice
 * (-DLOCK_STRATEGY_HEADER="bkl.h"), so no list of strategies is kept here:
 * each header defines what <locklab/klock.h> lists, and its .c the rest.
 */
#ifndef LOCK_STRATEGY_HEADER
#error "no locking strategy selected (a CONFIG_LOCK_STRATEGY_* choice; lock-strategies/Kbuild names its header)"
#endif
#include LOCK_STRATEGY_HEADER

#endif
