/* CPUs: bring-up through PSCI, which are online, and running a function on another CPU. */
#ifndef LOCKLAB_SMP_H
#define LOCKLAB_SMP_H

#include <locklab/types.h>
#include <locklab/fdt.h>

extern u32 cpus_possible; /* CPUs the DT lists, capped by CONFIG_NR_CPUS and maxcpus= */

u32 cpus_online(void);
bool cpu_is_online(u32 cpu);
void smp_boot_secondaries(const struct platform_info *p, u32 max_cpus);
void secondary_init(u32 cpu); /* C part of a secondary's start, from arch code */
void cpu_mark_online(void);

/*
 * Runs fn(arg) on 'cpu' in interrupt context (directly, IRQs off, if it is
 * the caller's CPU). With wait, returns once fn has finished there. Returns
 * 0, or -1 if the CPU is offline or did not respond within timeout_ms.
 */
int smp_call_on(u32 cpu, void (*fn)(void *), void *arg, bool wait, u32 timeout_ms);
void ipi_handle(u32 sgi);
/* Stops every other online CPU; returns how many acknowledged within timeout_ms. */
u32 smp_stop_others(u32 timeout_ms);

#endif
