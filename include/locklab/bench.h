/* Benchmarks: run the workloads selected by the bench= boot option; a no-op when CONFIG_BENCH is off. */
#ifndef LOCKLAB_BENCH_H
#define LOCKLAB_BENCH_H

#include <locklab/types.h>

#ifdef CONFIG_BENCH
/* Runs what bench= selects (nothing for "none"); returns the number of failed runs, or 1 for bad options. */
u32 bench_run_selected(void);
#else
static inline u32 bench_run_selected(void)
{
	return 0;
}
#endif

#endif
