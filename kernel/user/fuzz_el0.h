/* The EL0 syscall fuzzer's shared-page layout and address sandbox: constants shared by fuzz.user.c and the fuzz suite. */
#ifndef KERNEL_USER_FUZZ_EL0_H
#define KERNEL_USER_FUZZ_EL0_H

/*
 * Constants only: user code includes this (scripts/check-user-objs.sh).
 * The shared page is an array of longs. Its first half is the fuzzer's
 * (inputs from the spawner, then counters); its second half, from byte
 * FZE_TARGET_OFF, is where the fuzzer aims pointers, so the kernel may
 * write there. A write the kernel accepts cannot reach the counters:
 * it goes up from the pointer, and the page ends 2048 bytes later.
 */
#define FZE_IN_SEED    0 /* in: the random seed */
#define FZE_IN_CALLS   1 /* in: how many random calls to make */
#define FZE_IN_IDX     2 /* in: the process's index; its home is /fzu<idx % FZE_HOMES, in hex> */
#define FZE_CALLS      8 /* random calls made */
#define FZE_OK	       9 /* results >= 0 */
#define FZE_EFAULT     10
#define FZE_ENOSYS     11
#define FZE_OTHER_ERR  12 /* every other -errno */
#define FZE_VIOLATIONS 13
#define FZE_EXTRA      14  /* its own calls (closing a new pipe, going home): not in FZE_CALLS */
#define FZE_DONE       15  /* FZE_MAGIC once the loop ended */
#define FZE_BAD_CALL   16  /* the first violation: its call number (FZE_CALLS then), */
#define FZE_BAD_NR     17  /* the system-call number, */
#define FZE_BAD_REG    18  /* the register (0-30; 31: sp; -1: the result broke a rule), */
#define FZE_BAD_GOT    19  /* what it held, */
#define FZE_BAD_WANT   20  /* and what it should have held */
#define FZE_PIPES      21  /* pipes made (and closed at once) */
#define FZE_FILE_MAPS  22  /* mmaps of a file that worked */
#define FZE_NR_OK      64  /* FZE_NR_OK + n: results >= 0 of number n (FZE_NR_HUGE: any other) */
#define FZE_NR_ERR     128 /* FZE_NR_ERR + n: -errno results of number n */
#define FZE_NR_SLOTS   64  /* room for NR_SYSCALLS up to 58 (the fuzz suite asserts it) */
#define FZE_NR_HUGE    63
#define FZE_TARGET_OFF 2048 /* bytes: the half the fuzzer points the kernel at */

#define FZE_MAGIC 0xf022e10L

/*
 * Where mmap, munmap and mprotect may point (mmap's hint and MAP_FIXED,
 * munmap's and mprotect's range): 4 MiB at 256 GiB, far from the text (0x400000), the
 * shared page (0x10000000) and the stack (below 1 << 39). A process that
 * unmapped its own stack or text would die of it, legitimately; inside
 * the sandbox nothing of its own lives, and the pages it can map there
 * are bounded (1024).
 */
#define FZE_SANDBOX	 0x4000000000L
#define FZE_SANDBOX_SIZE 0x400000L
#define FZE_MAP_MAX	 0x10000L /* the longest range mmap or munmap is given */

/* The stack (user.h: USER_STACK_TOP, USER_STACK_PAGES pages): the fuzz suite asserts these. */
#define FZE_STACK_TOP (1L << 39)
#define FZE_STACK_LOW (FZE_STACK_TOP - 16 * 4096)
#define FZE_STACK_AIM \
	2048 /* stack pointers go to [FZE_STACK_LOW, + this): far below the live frames */
#define FZE_USER_TOP  (1L << 39)  /* user.h: USER_VA_TOP, the end of the user half */
#define FZE_HEAP_BASE 0x40000000L /* user.h: USER_HEAP_BASE, where the break starts */
#define FZE_HEAP_MAX  (1L << 30)  /* user.h: USER_HEAP_MAX, how far above it brk may go */
#define FZE_MMAP_BASE (1L << 36)  /* user.h: USER_MMAP_BASE .. USER_MMAP_TOP, where mmap places */
#define FZE_MMAP_TOP  (1L << 38)
#define FZE_FD_MAX    32 /* file.h: FD_MAX */
#define FZE_HOMES     16 /* /fzu0 to /fzuf: past 16 CPUs, processes share them */

#endif
