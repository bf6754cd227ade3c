/* Programs the user suite runs at EL0 that fault (each ends only itself), and a WFI loop. */
#include <locklab/unistd.h>

/*
 * In .text, renamed .user.text by the Makefile: mapped read-only and
 * executable at EL0 only. Each u_* is an entry point (x0 = its argument).
 */
	.text

	.globl	u_store_unmapped	// SIGSEGV: a write where nothing is mapped
u_store_unmapped:
	mov	x1, #0x20000000
	str	x0, [x1]
	ret

	.globl	u_store_text		// SIGSEGV: a write to its own (read-only) code
u_store_text:
	adr	x1, u_store_text
	str	x0, [x1]
	ret

	.globl	u_load_kernel		// SIGSEGV: the kernel's memory (TTBR1, no EL0 access)
u_load_kernel:
	ldr	x1, =0xffffff8040200000
	ldr	x0, [x1]
	ret

	.globl	u_jump_unmapped		// SIGSEGV: an instruction fetch where nothing is mapped
u_jump_unmapped:
	mov	x1, #0x30000000
	br	x1

	.globl	u_undefined		// SIGILL: a permanently undefined instruction
u_undefined:
	udf	#0
	ret

	.globl	u_sysreg		// SIGILL: an EL1 system register from EL0
u_sysreg:
	mrs	x0, ttbr1_el1
	ret

	.globl	u_phys_counter		// SIGILL: the physical counter (EL0 may read only the virtual one)
u_phys_counter:
	mrs	x0, cntpct_el0
	ret

	.globl	u_brk			// SIGTRAP: a breakpoint instruction
u_brk:
	brk	#0x18
	ret

	.globl	u_misaligned_pc		// SIGBUS: a branch to an address that is not a multiple of 4
u_misaligned_pc:
	adr	x1, 1f
	add	x1, x1, #2
	br	x1
1:	ret

	.globl	u_misaligned_sp		// SIGBUS (SCTLR_EL1.SA0): a load through an sp not 16-aligned
u_misaligned_sp:
	mov	x1, sp
	sub	x1, x1, #8
	mov	sp, x1
	ldr	x2, [sp]
	add	sp, sp, #8		// not faulted (the check is not implemented): exit(0)
	mov	x0, #0
	ret

	.globl	u_wfi_loop		// x0 times WFI (each traps: a yield), then exit(0)
u_wfi_loop:
	cbz	x0, 2f
1:	wfi
	subs	x0, x0, #1
	b.ne	1b
2:	mov	x0, #0
	ret

	.ltorg

	.globl	u_stack_touch		// exit(0): a store to every page of the stack region (16, top down)
u_stack_touch:
	mov	x1, sp
	mov	x2, #16
1:	sub	x1, x1, #4096
	str	x2, [x1]
	subs	x2, x2, #1
	b.ne	1b
	mov	x0, #0
	ret

	.globl	u_stack_below		// SIGSEGV: a store one page below the stack region (17 pages under sp)
u_stack_below:
	mov	x1, sp
	sub	x1, x1, #0x11, lsl #12
	str	x0, [x1]
	ret
