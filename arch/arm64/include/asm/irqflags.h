/* Masking IRQs on the local CPU (PSTATE.I). */
#ifndef ASM_IRQFLAGS_H
#define ASM_IRQFLAGS_H

#include <locklab/types.h>

static inline u64 local_irq_save(void)
{
	u64 flags;
	/* The "memory" clobber keeps the compiler from moving accesses across. */
	__asm__ volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(flags) : : "memory");
	return flags;
}

static inline void local_irq_restore(u64 flags)
{
	__asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}

static inline void local_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

/* SError (asynchronous abort, e.g. a bad MMIO write): taken once the vectors can report it. */
static inline void serror_enable(void)
{
	__asm__ volatile("msr daifclr, #4" : : : "memory");
}

static inline bool irqs_disabled(void)
{
	u64 flags;
	__asm__ volatile("mrs %0, daif" : "=r"(flags));
	return (flags & (1 << 7)) != 0;
}

#endif
