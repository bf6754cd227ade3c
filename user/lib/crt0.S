/* _start, where every user program begins: clears BSS, calls main(argc, argv), exits with its result. */
#include <locklab/unistd.h>

/*
 * The loader enters here at EL0 with sp = the top of the stack (16-byte
 * aligned), x0 = argc and x1 = argv, an array of argc pointers and a NULL,
 * on the user stack. BSS is cleared here, not trusted to the loader: a
 * loader that maps the last file page of data whole would leave the rest
 * of it holding file bytes.
 */
	.section .text.start, "ax"
	.globl	_start
	.type	_start, %function
_start:
	mov	x29, #0			// no caller frame: backtraces stop here
	mov	x30, #0
	adrp	x2, __bss_start
	add	x2, x2, :lo12:__bss_start
	adrp	x3, __bss_end
	add	x3, x3, :lo12:__bss_end
1:	cmp	x2, x3
	b.hs	2f
	strb	wzr, [x2], #1
	b	1b
2:	adrp	x2, __argc
	str	x0, [x2, :lo12:__argc]
	adrp	x2, __argv
	str	x1, [x2, :lo12:__argv]
	bl	main			// x0, x1: argc, argv, untouched above
	bl	exit			// main's result
	mov	x8, #SYS_exit		// not reached: exit does not return
	svc	#0
	brk	#1
	.size	_start, . - _start

/*
 * argc and argv for code far from main. In .data, not .bss, and kept by
 * user.lds: the data segment then always has file contents, so even a
 * program without data of its own gets a real R+W PT_LOAD at the page
 * after text (an empty one comes out of the linker at address 0).
 */
	.section .data.crt0, "aw"
	.balign	8
	.globl	__argc, __argv
__argc:	.quad	0
__argv:	.quad	0
