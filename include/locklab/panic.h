/* panic(): print the cause, stop every CPU, report failure to the host. Shutdown with a status. */
#ifndef LOCKLAB_PANIC_H
#define LOCKLAB_PANIC_H

#include <locklab/types.h>

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Prints "shutdown: status=pass|fail reason=..." and powers off (or idles, per end=). */
void system_shutdown(bool pass, const char *reason) __noreturn;
void shutdown_check_params(void);
/* end=shell: the boot ends in /bin/sh on the console (kernel/init.c), then powers off. */
bool end_shell(void);
/*
 * Remembers that the run failed (the first reason is kept; kernel/sys_run.c):
 * the poweroff() call then ends it with status=fail and that reason. A
 * ktest() or bench() call with failures calls it; so should the boot for
 * its own ktest= and bench= failures before it starts a shell.
 */
void run_note_failure(const char *reason);
/* The reason kept (NULL: none yet), and putting one back (a test undoing the failures it caused). */
const char *run_failure(void);
/* Whether a ktest() or bench() call is running now (kernel/sys_run.c; the shell suite waits for one). */
bool run_busy(void);
/*
 * Whether Ctrl-C was typed since the running ktest() or bench() call began,
 * the call having come from the console's session (the shell): its runner
 * then stops between cases or runs, and the call returns -EINTR (unless
 * something failed). Always false for the boot's own ktest=/bench= runs.
 */
bool run_interrupted(void);
/*
 * A kernel test typed Ctrl-C into the console (kernel/tests/tty_test.c):
 * not the user's, so the running ktest() call does not stop for it.
 */
void run_ctrl_c_typed_by_a_test(void);
void run_failure_set(const char *reason);
/*
 * Used before the platform is set up: writes to the console found so far
 * (else early_fallback_uart's: the Pi 5's debug UART or
 * CONFIG_PANIC_UART_FALLBACK, by MPIDR), then stops. early_panic_context says
 * what is known by then: a DTB, and its board and bootargs (NULL if not).
 */
void early_panic(const char *msg) __noreturn;
void early_panic_context(bool have_dtb, const char *board, const char *bootargs);

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (cond)                                                     \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
