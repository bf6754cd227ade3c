/* The EL0 syscall fuzzer's entry point and its raw SVC: every register set before the trap, every one saved after it. */
#include <locklab/unistd.h>

/*
 * In .text, renamed .user.text by the Makefile. struct fze_regs
 * (fuzz.user.c) is 64 longs: x[0..30] go into x0-x30 (x8: the number),
 * sp_in (word 31) gets sp before the SVC; out[0..30] (words 32-62) get
 * x0-x30 after it and sp_out (word 63) sp. The caller compares them:
 * the kernel must give back every register but x0.
 */
	.text
	.globl	fze_raw_svc
fze_raw_svc:				// x0: struct fze_regs *; returns the result (x0 after the SVC)
	sub	sp, sp, #128
	stp	x18, x19, [sp, #0]	// the callee-saved registers (and x18) are the caller's
	stp	x20, x21, [sp, #16]
	stp	x22, x23, [sp, #32]
	stp	x24, x25, [sp, #48]
	stp	x26, x27, [sp, #64]
	stp	x28, x29, [sp, #80]
	stp	x30, x0, [sp, #96]	// the block, found again through sp after the SVC
	mov	x1, sp
	str	x1, [x0, #248]		// sp_in
	ldp	x1, x2, [x0, #8]
	ldp	x3, x4, [x0, #24]
	ldp	x5, x6, [x0, #40]
	ldp	x7, x8, [x0, #56]
	ldp	x9, x10, [x0, #72]
	ldp	x11, x12, [x0, #88]
	ldp	x13, x14, [x0, #104]
	ldp	x15, x16, [x0, #120]
	ldp	x17, x18, [x0, #136]
	ldp	x19, x20, [x0, #152]
	ldp	x21, x22, [x0, #168]
	ldp	x23, x24, [x0, #184]
	ldp	x25, x26, [x0, #200]
	ldp	x27, x28, [x0, #216]
	ldp	x29, x30, [x0, #232]
	ldr	x0, [x0]		// last: it held the block
	svc	#0
	// sp is trusted for the next two accesses; if the kernel broke it they fault or sp_out shows it
	str	x0, [sp, #112]
	ldr	x0, [sp, #104]
	stp	x1, x2, [x0, #264]	// out[1], out[2]
	stp	x3, x4, [x0, #280]
	stp	x5, x6, [x0, #296]
	stp	x7, x8, [x0, #312]
	stp	x9, x10, [x0, #328]
	stp	x11, x12, [x0, #344]
	stp	x13, x14, [x0, #360]
	stp	x15, x16, [x0, #376]
	stp	x17, x18, [x0, #392]
	stp	x19, x20, [x0, #408]
	stp	x21, x22, [x0, #424]
	stp	x23, x24, [x0, #440]
	stp	x25, x26, [x0, #456]
	stp	x27, x28, [x0, #472]
	stp	x29, x30, [x0, #488]
	mov	x1, sp
	ldr	x2, [sp, #112]
	str	x2, [x0, #256]		// out[0]: the result
	str	x1, [x0, #504]		// sp_out
	mov	x0, x2
	ldp	x18, x19, [sp, #0]
	ldp	x20, x21, [sp, #16]
	ldp	x22, x23, [sp, #32]
	ldp	x24, x25, [sp, #48]
	ldp	x26, x27, [sp, #64]
	ldp	x28, x29, [sp, #80]
	ldr	x30, [sp, #96]
	add	sp, sp, #128
	ret

	.globl	u_fuzz_el0
u_fuzz_el0:				// x0: the process's index; the rest comes in the shared page
	/*
	 * A pad nobody uses at the top of the stack: the fuzzer aims
	 * pointers at (1 << 39) - 16 and up, and the kernel may write there.
	 * The main function's frame lies below it, and this never returns.
	 */
	sub	sp, sp, #256
	bl	fze_main
	mov	x8, #SYS_exit		// x0: fze_main's result
	svc	#0
	brk	#1			// exit does not return
