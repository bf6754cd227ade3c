/* The register frame an exception saves on the stack (layout shared with entry.S). */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

#define FRAME_X0   0
#define FRAME_LR   (30 * 8)
#define FRAME_SP   (31 * 8)
#define FRAME_ELR  (32 * 8)
#define FRAME_SPSR (33 * 8)
#define FRAME_ESR  (34 * 8)
#define FRAME_FAR  (35 * 8)
#define FRAME_SIZE (36 * 8) /* a multiple of 16: sp stays aligned */

/*
 * Synchronous exceptions run on a per-CPU exception stack (entry.S), so a
 * kernel stack overflow, whose fault leaves sp in a guard page, can still
 * be reported. Its top is struct percpu's first field.
 */
#define EXC_STACK_SIZE 8192
#define PERCPU_EXC_SP  0

#ifndef __ASSEMBLY__
#include <locklab/types.h>

struct trap_frame {
	u64 x[31]; /* x0..x30 (x30 = lr) */
	u64 sp;	   /* sp before the exception */
	u64 elr;
	u64 spsr;
	u64 esr;
	u64 far;
};
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "entry.S frame layout");

/* Vector kinds passed to the C handlers. */
enum vector_kind {
	VEC_SYNC_SP0,
	VEC_IRQ_SP0,
	VEC_FIQ_SP0,
	VEC_SERROR_SP0,
	VEC_SYNC_SPX,
	VEC_IRQ_SPX,
	VEC_FIQ_SPX,
	VEC_SERROR_SPX,
	VEC_SYNC_EL0_64,
	VEC_IRQ_EL0_64,
	VEC_FIQ_EL0_64,
	VEC_SERROR_EL0_64,
	VEC_SYNC_EL0_32,
	VEC_IRQ_EL0_32,
	VEC_FIQ_EL0_32,
	VEC_SERROR_EL0_32,
};

void trap_sync(struct trap_frame *f, unsigned long kind);
void trap_irq(struct trap_frame *f);
void trap_unexpected(struct trap_frame *f, unsigned long kind);
#endif

#endif
