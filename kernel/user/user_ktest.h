/* What the user-mode ktest suites share: leak hooks, shared result pages, running a process at EL0 and checking its fault. */
#ifndef KERNEL_USER_USER_KTEST_H
#define KERNEL_USER_USER_KTEST_H

#include <locklab/ktest.h>
#include <locklab/types.h>

/* Case hooks: every case gives back its processes, pages (tables, stacks, faulted pages) and ASIDs. */
void user_case_init(struct ktest *t);
void user_case_exit(struct ktest *t);
/* A page the processes write their results to (page_alloc inside the kernel scope), and its release. */
long *user_shared_alloc(void);
void user_shared_free(long *p);
/* Where user code at k (kernel image address) runs: USER_TEXT_BASE + its offset in the user pages. */
u64 uva(const void *k);
/* Spawns entry at EL0 and waits for it: its pid (or -errno), its status in *status. */
long run_user(const char *name, long (*entry)(u64), u64 arg, void *shared, int cpu, int *status);
/*
 * Runs the program at path with argv (at most 6 strings of up to 63
 * bytes) from a launcher at EL0 (u_exec_capture): its fd 0 reads input
 * (NULL: nothing), its fds 1 and 2 both write to one file, read back into
 * out (n bytes with the NUL, cut there). Returns the exit status, -1 if
 * it did not run (the expectations say why).
 */
int run_captured(struct ktest *t, const char *path, const char *const *argv, const char *input,
		 char *out, u32 n);
/*
 * Runs a program that faults and checks it ended with want_status and the
 * record "user: pid=.. name=.. fault="what" addr=0x..". Returns its status
 * (0: it did not fault, which the caller judges).
 */
int fault_case(struct ktest *t, const char *name, long (*entry)(u64), int want_status,
	       const char *what, u64 addr);

#endif
