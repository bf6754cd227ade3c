/* Exception reporting helpers shared with tests. */
#ifndef LOCKLAB_TRAPS_H
#define LOCKLAB_TRAPS_H

#include <locklab/types.h>

#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_CUR 0x25
#define ESR_ISS_WNR	(1UL << 6) /* data abort: the access was a write */
#define ESR_EC_BRK	0x3c

const char *esr_class_name(u32 ec);
/* The next synchronous exception of class ec on this CPU is recorded in its percpu and skipped. */
void trap_expect(u32 ec);
/* Gives cpu its exception stack (before it can take an exception there; CPU 0 as early as it can). */
void exc_stack_setup(u32 cpu);

struct trap_frame;
/* A data abort on a user address in a uaccess copy (arch/arm64/uaccess.S): resume at its fixup. */
bool uaccess_fixup(struct trap_frame *f);

#endif
