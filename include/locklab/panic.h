/* panic(): print the cause, stop every CPU, report failure to the host. Shutdown with a status. */
#ifndef LOCKLAB_PANIC_H
#define LOCKLAB_PANIC_H

#include <locklab/types.h>

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* Prints "shutdown: status=pass|fail reason=..." and powers off (or idles, per end=). */
void system_shutdown(bool pass, const char *reason) __noreturn;
void shutdown_check_params(void);
/* Used before the console is known: write straight to the fallback UART, then stop. */
void early_panic(const char *msg) __noreturn;

#define BUG_ON(cond)                                                         \
	do {                                                                 \
		if (cond)                                                    \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

#endif
