/* EL0 code for the fpsimd suite: fill every FP/SIMD register and TPIDR_EL0 with a process's own values and check them across yields and system calls. */
#include <locklab/unistd.h>
#include "fpsimd_ktest.h"

/*
 * The kernel is built without FP/SIMD, but its assembler takes these
 * instructions: only the compiler is told -mgeneral-regs-only.
 */
	.text

/*
 * u_fpsimd_hold(seed): v<n> = { seed + n, ~(seed + n) } for n = 0..31,
 * FPCR.RMode = seed & 3, FPSR's cumulative flags = seed & 0x1f, TPIDR_EL0
 * (the thread register, not FP/SIMD but as much the process's own) = seed
 * | 1 << 40; then FPSIMD_HOLD_ROUNDS times: check them all, WFI (a trap to
 * a yield: the other process on this CPU runs), getpid. Returns (exit
 * status) 0 if every check passed, else 1 + the register that differed
 * (33: FPCR, 34: FPSR, 35: TPIDR_EL0). x9 = seed and x11 = rounds survive
 * the traps (only x0 does not).
 */
	.globl	u_fpsimd_hold
u_fpsimd_hold:
	mov	x9, x0
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	add	x10, x9, #\n
	fmov	d\n, x10
	mvn	x10, x10
	mov	v\n\().d[1], x10
	.endr
	and	x10, x9, #3
	lsl	x10, x10, #22
	msr	fpcr, x10
	and	x10, x9, #0x1f
	msr	fpsr, x10
	orr	x10, x9, #(1 << 40)
	msr	tpidr_el0, x10
	mov	x11, #FPSIMD_HOLD_ROUNDS
1:	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	mov	x0, #(\n + 1)
	add	x12, x9, #\n
	fmov	x10, d\n
	cmp	x10, x12
	b.ne	9f
	mvn	x12, x12
	mov	x10, v\n\().d[1]
	cmp	x10, x12
	b.ne	9f
	.endr
	mov	x0, #33
	and	x12, x9, #3
	lsl	x12, x12, #22
	mrs	x10, fpcr
	cmp	x10, x12
	b.ne	9f
	mov	x0, #34
	and	x12, x9, #0x1f
	mrs	x10, fpsr
	cmp	x10, x12
	b.ne	9f
	mov	x0, #35
	orr	x12, x9, #(1 << 40)
	mrs	x10, tpidr_el0
	cmp	x10, x12
	b.ne	9f
	wfi
	mov	x8, #SYS_getpid
	svc	#0
	subs	x11, x11, #1
	b.ne	1b
	mov	x0, #0
9:	ret

/*
 * u_fpsimd_fresh(unused): returns 0 if every FP/SIMD register, FPCR,
 * FPSR and TPIDR_EL0 read zero (a new process must not see another's
 * values), else 1 + the first that did not (33: FPCR, 34: FPSR, 35:
 * TPIDR_EL0).
 */
	.globl	u_fpsimd_fresh
u_fpsimd_fresh:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	mov	x0, #(\n + 1)
	fmov	x10, d\n
	mov	x12, v\n\().d[1]
	orr	x10, x10, x12
	cbnz	x10, 9f
	.endr
	mov	x0, #33
	mrs	x10, fpcr
	cbnz	x10, 9f
	mov	x0, #34
	mrs	x10, fpsr
	cbnz	x10, 9f
	mov	x0, #35
	mrs	x10, tpidr_el0
	cbnz	x10, 9f
	mov	x0, #0
9:	ret
