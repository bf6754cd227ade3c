/* Benchmarks: run the workloads selected by the bench= boot option; a no-op when CONFIG_BENCH is off. */
#ifndef LOCKLAB_BENCH_H
#define LOCKLAB_BENCH_H

#include <locklab/errno.h>
#include <locklab/types.h>

#ifdef CONFIG_BENCH
/* Runs what bench= selects (nothing for "none"); returns the number of failed runs, or 1 for bad options. */
u32 bench_run_selected(void);
/* Whether the boot's bench= options name runs it can make; false after saying why (before the self-tests). */
bool bench_boot_options_ok(void);
/*
 * A run after boot (the bench() call): args is "<workloads> key=value...",
 * the workloads as bench= takes them and the harness's own options
 * (cpus=, duration_ms=, repeat=, think=, ...) parsed by the bootargs
 * parser; the boot's values are back once it returns. The number of failed
 * runs, or -EINVAL for a bad workload or option (the reason printed).
 */
long bench_run_args(const char *args);
#else
static inline u32 bench_run_selected(void)
{
	return 0;
}
static inline bool bench_boot_options_ok(void)
{
	return true;
}
static inline long bench_run_args(const char *args)
{
	return -ENOSYS;
}
#endif

#endif
