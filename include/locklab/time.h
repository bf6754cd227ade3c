/* Time from the ARM generic timer: the counter as ns since boot, delays, the per-CPU tick. */
#ifndef LOCKLAB_TIME_H
#define LOCKLAB_TIME_H

#include <locklab/types.h>
#include <locklab/fdt.h>

void time_init_early(void); /* boot CPU, first thing: records the counter at entry */
u64 time_counter(void);	    /* CNTPCT_EL0, ordered after earlier instructions */
u64 time_freq(void);	    /* CNTFRQ_EL0 as read at boot (Hz) */
u64 time_ns(void);	    /* ns since time_init_early() */
u64 time_counter_to_ns(u64 cycles);
void time_delay_us(u64 us);

int timer_init(const struct platform_info *p); /* picks the PPI; 0 or -1 */
void timer_cpu_init(void);		       /* starts this CPU's tick at CONFIG_HZ */
void timer_tick(void);			       /* from the IRQ handler */
u32 timer_intid(void);

#endif
