/* EL0's FP/SIMD registers: loaded when a process first uses them after it was switched in, saved when it is switched out. */
#include <locklab/panic.h>
#include <locklab/sched.h>
#include <locklab/user.h>
#include <asm/atomic.h>
#include <asm/fpsimd.h>
#include <asm/irqflags.h>
#include <asm/sysreg.h>

/*
 * CPACR_EL1.FPEN is 0b01 on a CPU unless the task running there has its
 * registers loaded: then it is 0b11. An FP/SIMD instruction at EL0 under
 * 0b01 traps (EC 0x07) to fpsimd_trap(), which loads the process's
 * registers from its user_mm, allows EL0 to use them and returns to the
 * same instruction. A switch away from that task (fpsimd_switch_out)
 * stores them back and traps EL0 again, so the next FP user on the CPU,
 * or this one on any CPU, finds its own values. The kernel never touches
 * the registers (-mgeneral-regs-only; fpsimd_regs.S is the one exception), so
 * between those points a system call or an interrupt leaves them alone,
 * and a process that never uses them costs a switch nothing.
 *
 * t->fpsimd_live is written only by t itself or by the scheduler while t
 * is switched out, with interrupts off, on t's CPU: no lock guards it.
 */

#define CPACR_EL1_FPEN_ALL (_UL(3) << 20) /* FPEN = 0b11: EL0 and EL1 use them untrapped */

_Static_assert(__builtin_offsetof(struct fpsimd_state, fpsr) == 512 &&
		       __builtin_offsetof(struct fpsimd_state, fpcr) == 516,
	       "fpsimd_regs.S's offsets");

u64 fpsimd_loads; /* atomic: traps that loaded a process's registers */
u64 fpsimd_saves; /* atomic: switches that stored them */

void fpsimd_trap(void)
{
	struct task *t = current_task();
	struct user_mm *mm = current_mm();
	u64 flags = local_irq_save(); /* loaded and marked live with no switch in between */

	/* Under 0b11 nothing traps: a second load would throw the live values away. */
	BUG_ON(t->fpsimd_live);
	fpsimd_load(&mm->fpsimd); /* zero (kmalloc) until the process first saved them */
	write_sysreg(CPACR_EL1_FPEN_ALL, cpacr_el1);
	isb();
	t->fpsimd_live = &mm->fpsimd;
	local_irq_restore(flags);
	atomic_fetch_add_relaxed(&fpsimd_loads, 1UL);
}

void fpsimd_switch_out(struct task *prev)
{
	if (!prev->fpsimd_live)
		return;
	fpsimd_save(prev->fpsimd_live);
	/* The eret that takes any task to EL0 synchronizes this write. */
	write_sysreg(CPACR_EL1_FPEN_EL1, cpacr_el1);
	prev->fpsimd_live = NULL;
	atomic_fetch_add_relaxed(&fpsimd_saves, 1UL);
}

void fpsimd_release(void)
{
	struct task *t = current_task();
	u64 flags = local_irq_save();

	/* The values stay in the registers, but the next user loads its own before it can read them. */
	if (t->fpsimd_live) {
		write_sysreg(CPACR_EL1_FPEN_EL1, cpacr_el1);
		t->fpsimd_live = NULL;
	}
	local_irq_restore(flags);
}
