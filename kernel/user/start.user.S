/* The first user code every process has: where returning from its entry point goes (exit with the result). */
#include <locklab/unistd.h>

/* In .text, renamed .user.text by the Makefile: mapped read-only and executable at EL0 only. */
	.text
	.globl	user_exit_stub
user_exit_stub:				// user_spawn puts its address in x30
	mov	x8, #SYS_exit
	svc	#0			// x0: the entry point's result
	brk	#1			// exit does not return
