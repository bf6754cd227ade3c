/* Maps the Kconfig LOCK_STRATEGY choice to one of bkl.h, subsys.h, fine.h (included via <locklab/klock.h>). */
#ifndef LOCK_STRATEGIES_STRATEGY_H
#define LOCK_STRATEGIES_STRATEGY_H

#if defined(CONFIG_LOCK_BKL)
#include "bkl.h"
#elif defined(CONFIG_LOCK_SUBSYS)
#include "subsys.h"
#elif defined(CONFIG_LOCK_FINE)
#include "fine.h"
#else
#error "no locking strategy selected (CONFIG_LOCK_BKL/SUBSYS/FINE)"
#endif

#endif
