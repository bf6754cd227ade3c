/* The exception-fixup table: a fault on a user address inside a uaccess copy resumes at the copy's fixup. */
#include <locklab/traps.h>
#include <locklab/user.h>
#include <asm/ptrace.h>

/* One entry per user access in uaccess.S; both fields are offsets from the field itself. */
struct extable_entry {
	s32 insn;
	s32 fixup;
};

extern const struct extable_entry __ex_table_start[], __ex_table_end[];

bool uaccess_fixup(struct trap_frame *f)
{
	u32 ec = (u32)(f->esr >> 26) & 0x3f;

	/* Only a data abort on the user half: a kernel address in a copy is a kernel bug. */
	if (ec != ESR_EC_DABT_CUR || f->far >= USER_VA_TOP)
		return false;
	for (const struct extable_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if ((u64)&e->insn + (s64)e->insn == f->elr) {
			f->elr = (u64)&e->fixup + (s64)e->fixup;
			return true;
		}
	}
	return false;
}
