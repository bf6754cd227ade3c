/* Processes at EL0: spawn one into its own address space, enter it with eret, end it on a fault with one record. */
#include <locklab/user.h>
#include <locklab/console.h>
#include <locklab/errno.h>
#include <locklab/klock.h>
#include <locklab/printf.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/spinlock.h>
#include <locklab/string.h>
#include <asm/atomic.h>
#include <asm/sysreg.h>
#include <locklab/syscall.h>
#include <asm/boot.h>
#include <asm/irqflags.h>
#include <asm/ptrace.h>

void ret_to_user(struct trap_frame *f) __noreturn; /* entry.S */
void user_exit_stub(void);			   /* start.user.S: exit(x0) */

static struct spinlock last_fault_lock = SPINLOCK_INIT("user_fault");
static char last_fault[160]; /* guarded by last_fault_lock: the latest fault record */

/* Where the kernel image's user code k appears in every user address space. */
static u64 user_va(const void *k)
{
	return USER_TEXT_BASE + ((u64)k - (u64)__user_start);
}

struct user_mm *current_mm(void)
{
	struct task *t = current_task();

	return t && t->proc ? t->proc->mm : NULL;
}

/* The process's first code at EL1: take the address space, load it, and eret to its entry. */
static void user_enter(void *arg)
{
	struct user_mm *mm = arg;
	struct trap_frame f;

	memset(&f, 0, sizeof(f));
	f.x[0] = mm->arg;
	f.x[1] = mm->arg1;
	/* returning from an image entry is exit(its result); a program's _start calls exit itself */
	f.x[30] = mm->arg1 ? 0 : user_va(user_exit_stub);
	f.sp = mm->sp ? mm->sp : USER_STACK_TOP;
	f.elr = mm->entry;
	f.spsr = 0; /* EL0t, interrupts unmasked */
	current_proc()->mm = mm;
	if (mm->session_leader)
		current_proc()->session = PROC_SESSION_LEADER;
	write_sysreg(0, tpidr_el0); /* a new program's thread register, as after exec on Linux */
	local_irq_disable();	    /* TTBR0 and the task's copy change together */
	current_task()->ttbr0 = mm->ttbr0;
	uspace_switch(mm->ttbr0);
	ret_to_user(&f);
}

/* The address space for user code at entry in the image (user_spawn, user_become). */
static long image_mm(const char *name, long (*entry)(u64 arg), u64 arg, void *shared,
		     struct user_mm **out)
{
	long ret;

	if ((char *)entry < __user_start || (char *)entry >= __user_end)
		return -EFAULT;
	kernel_enter(); /* page_alloc and kmalloc want the kernel scope */
	ret = uspace_create(shared, true, out);
	kernel_exit();
	if (ret)
		return ret;
	(*out)->entry = user_va((const void *)entry);
	(*out)->arg = arg;
	strlcpy((*out)->name, name, sizeof((*out)->name));
	return 0;
}

long user_spawn(const char *name, long (*entry)(u64 arg), u64 arg, void *shared, int cpu)
{
	struct user_mm *mm;
	long ret = image_mm(name, entry, arg, shared, &mm);

	return ret ? ret : user_start(mm, cpu);
}

long user_become(const char *name, long (*entry)(u64 arg), u64 arg, void *shared)
{
	struct user_mm *mm;
	long ret = image_mm(name, entry, arg, shared, &mm);

	if (ret)
		return ret;
	user_enter(mm);
	return 0; /* not reached */
}

void user_return_check(void)
{
	struct task *t = current_task();

	/* Ctrl-C on the console ends the session's foreground processes (the shell's children). */
	if (proc_interrupted()) {
		local_irq_enable();
		sys_exit(128 + USER_SIGINT);
	}
	if (t->user_return_hook) {
		local_irq_enable();
		t->user_return_hook(t->user_return_arg);
		local_irq_disable();
	}
}

long user_start(struct user_mm *mm, int cpu)
{
	long ret = sys_spawn(user_enter, mm, cpu);

	if (ret < 0) {
		kernel_enter();
		uspace_destroy(mm); /* never ran: TTBR0 never held it */
		kernel_exit();
	}
	return ret;
}

void user_release(struct proc *p)
{
	struct user_mm *mm = p->mm;
	u64 flags = local_irq_save();

	/* Off this CPU's TTBR0 before its ASID is flushed and its tables freed. */
	current_task()->ttbr0 = 0;
	uspace_switch(0);
	local_irq_restore(flags);
	fpsimd_release(); /* before its fpsimd (in mm) is freed */
	p->mm = NULL;
	vm_destroy(mm);
}

void user_fault(struct trap_frame *f, int sig, const char *what, u64 addr)
{
	struct proc *p = current_proc();
	char line[sizeof(last_fault)];
	u64 flags;

	/* One record (docs/output-format.md, "user:"); the kernel and every other process go on. */
	snprintf(line, sizeof(line),
		 "user: pid=%d name=%s fault=\"%s\" addr=0x%llx pc=0x%llx status=%d", p->pid,
		 p->mm ? p->mm->name : "?", what, (unsigned long long)addr,
		 (unsigned long long)f->elr, 128 + sig);
	flags = spin_lock_irqsave(&last_fault_lock);
	strlcpy(last_fault, line, sizeof(last_fault));
	spin_unlock_irqrestore(&last_fault_lock, flags);
	printk_raw("%s", line);
	sys_exit(128 + sig);
}

void user_last_fault(char *buf, u32 n)
{
	u64 flags = spin_lock_irqsave(&last_fault_lock);

	strlcpy(buf, last_fault, n);
	spin_unlock_irqrestore(&last_fault_lock, flags);
}
