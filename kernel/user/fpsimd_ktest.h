/* What the fpsimd suite and its EL0 code (fpsimd.user.S) share. */
#ifndef KERNEL_USER_FPSIMD_KTEST_H
#define KERNEL_USER_FPSIMD_KTEST_H

/* Rounds of u_fpsimd_hold: each checks all 34 registers, yields and makes a system call. */
#define FPSIMD_HOLD_ROUNDS 200

#endif
