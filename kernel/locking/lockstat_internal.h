/* lockstat's internals shared by its counting half (lockstat.c) and its printing half (lockstat_print.c). */
#ifndef KERNEL_LOCKING_LOCKSTAT_INTERNAL_H
#define KERNEL_LOCKING_LOCKSTAT_INTERNAL_H

#include <locklab/lockstat.h>

/* Class id's numbers summed over CPUs and contexts: since the last reset, or since boot. */
void lockstat_sum_class(u16 id, struct lockstat_sum *out, bool since_boot);
/* Adds s into o (minimums and maximums merged, 0 meaning "none"). */
void lockstat_merge(struct lockstat_sum *o, const struct lockstat_sum *s);

#endif
