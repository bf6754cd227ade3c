/* EL0's FP/SIMD registers as the kernel keeps them for a process while they are off the CPU (fpsimd.c). */
#ifndef ASM_FPSIMD_H
#define ASM_FPSIMD_H

#include <locklab/types.h>

/* fpsimd_regs.S stores and loads this layout: keep the offsets in step. */
struct fpsimd_state {
	u64 v[32][2]; /* q0..q31, the low doubleword first (offset 0) */
	u32 fpsr;     /* offset 512 */
	u32 fpcr;     /* offset 516 */
} __attribute__((aligned(16)));

/* Copies this CPU's FP/SIMD registers into s, or s into them (fpsimd_regs.S). */
void fpsimd_save(struct fpsimd_state *s);
void fpsimd_load(const struct fpsimd_state *s);

#endif
