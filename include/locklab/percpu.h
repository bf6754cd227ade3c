/* Per-CPU data: one cache-line-aligned struct per CPU, found through TPIDR_EL1. */
#ifndef LOCKLAB_PERCPU_H
#define LOCKLAB_PERCPU_H

#include <locklab/types.h>
#include <asm/sysreg.h>

#define NR_IPI 4

struct task;
struct lockstat_cpu;

struct percpu {
	/* top of this CPU's exception stack; entry.S reads it (PERCPU_EXC_SP) */
	u64 exc_sp;
	struct task *current; /* the task running here; written by this CPU only */
	u32 cpu;	      /* logical id (boot CPU is 0); written once at boot */
	u64 mpidr;	      /* hardware id for PSCI and the GIC; written once at boot */
	u32 gic_target;	      /* GICv2 CPU-interface bit for SGIs, read from GICD_ITARGETSR0 */
	u64 gicr_base;	      /* GICv3 redistributor of this CPU */
	u32 preempt_count;    /* spinlocks held etc.; only this CPU writes it */
	u32 in_irq;	      /* 1 while this CPU runs an interrupt handler (they do not nest) */
	/* lockstat's rows for the context running now (task or IRQ) */
	struct lockstat_cpu *lockstat_rows;
	bool online; /* set (release) by the CPU itself when it is ready for IPIs */
	u64 sctlr;   /* SCTLR_EL1 as this CPU saw it once online (for the boot record) */
	/* Counters below are only written by their own CPU (from IRQ context). */
	u64 ticks;
	u64 irqs;
	u64 spurious;
	u64 ipis[NR_IPI];
	/* A test may plant an exception it expects (see ktest_expect_trap()). */
	u64 trap_expect_esr_ec; /* exception class expected, 0 = none */
	u64 trap_seen_esr;
	u64 trap_seen_far;
	u64 trap_seen_count;
	/* The watchdog (kernel/watchdog.c). Written by this CPU, read by the others' ticks: */
	struct spinlock *wd_spin; /* the spinlock this CPU is waiting for, or NULL */
	/* its class name (a string constant: safe to print after the lock is gone) */
	const char *wd_spin_name;
	/* counts outermost waits: one long wait is told from many short ones */
	u32 wd_spin_seq;
	u64 wd_last_tick; /* counter at this CPU's last tick; 0 until it ticks */
	/* Written by this CPU's tick only: */
	u32 wd_seen_seq; /* the wait its tick last saw, since wd_seen_at */
	u64 wd_seen_at;
	bool wd_spin_reported;
	/* Set by any CPU's tick (atomic), cleared by this CPU's: a stall of this CPU was reported. */
	u32 wd_stuck_reported;
} __attribute__((aligned(64)));

extern struct percpu percpu_area[CONFIG_NR_CPUS];

static inline struct percpu *this_cpu(void)
{
	return (struct percpu *)read_sysreg(tpidr_el1);
}

static inline u32 smp_processor_id(void)
{
	return this_cpu()->cpu;
}

static inline struct percpu *cpu_data(u32 cpu)
{
	return &percpu_area[cpu];
}

#endif
