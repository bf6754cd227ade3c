/* Kernel threads and the scheduler: tasks with their own stacks, per-CPU run queues, tick preemption. */
#ifndef LOCKLAB_SCHED_H
#define LOCKLAB_SCHED_H

#include <locklab/types.h>
#include <locklab/spinlock.h>
#include <locklab/lockdep.h>

struct proc;
struct fpsimd_state;

#define TASK_ANY_CPU  (-1)
#define TASK_NAME_LEN 16

enum task_state {
	TASK_RUNNABLE, /* on a run queue, waiting for its CPU */
	TASK_RUNNING,  /* the current task of its CPU */
	TASK_SLEEPING, /* on a wait queue, on no run queue */
	TASK_DEAD,     /* returned from its function; freed by task_join() */
};

/* Callee-saved state, saved and restored by cpu_switch_to (switch.S). */
struct cpu_context {
	u64 x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
	u64 fp, lr, sp;
	/* EL0's thread register: EL0 writes it at will, so it is per task (0 for a new one) */
	u64 tpidr_el0;
};
_Static_assert(__builtin_offsetof(struct cpu_context, tpidr_el0) == 104, "switch.S's offset");

struct task {
	struct cpu_context ctx; /* first: switch.S finds it at offset 0 */
	struct task *rq_next;	/* guarded by the run queue's lock */
	u32 state;		/* enum task_state; changed under the run queue's lock */
	u32 id;
	s32 affinity; /* CPU it is pinned to, or TASK_ANY_CPU; set at creation */
	u32 cpu;      /* the run queue it belongs to (no migration yet) */
	bool on_cpu;  /* atomic: its registers are live on a CPU, its stack in use */
	bool exited;  /* atomic: its function returned */
	void (*fn)(void *);
	void *arg;
	u8 *stack; /* NULL for the boot contexts, which keep their boot stacks */
	/* Run-time account, counter cycles; written only while the task runs, on its CPU. */
	u64 run_cycles; /* time on a CPU (spinning included); updated at each switch */
	u64 switched_in_at;
	/* from a lock's failed first try to owning it: spinning or asleep */
	u64 lock_wait_cycles;
	u64 lock_sleeps;	     /* times it slept waiting for a lock */
	struct lockdep_task lockdep; /* locks it holds (lockdep); empty when lockdep is off */
	struct proc *proc;	     /* the process it runs for (proc.h), or NULL: a kernel task */
	/* TTBR0_EL1 while it runs: a user process's table and ASID, or 0 (the empty table, ASID 0) */
	u64 ttbr0;
	/* EL0's FP/SIMD registers are on this CPU: saved here when it is switched out (fpsimd.c) */
	struct fpsimd_state *fpsimd_live;
	/* set by the task around reads into kernel buffers for a user process (spawn loading a file) */
	bool uaccess_kernel;
	/*
	 * A user process's return-to-EL0 hook (set by itself, e.g. the bench
	 * harness's user workloads): called with interrupts on, at every
	 * return to EL0 after a trap or an interrupt, where it holds no lock.
	 */
	void (*user_return_hook)(void *arg);
	/*
	 * Called once, with the status, if the process ends while it is set
	 * (a fault, exit, Ctrl-C): its owner hears of an end it did not ask
	 * for. Same argument as the return hook.
	 */
	void (*user_exit_hook)(void *arg, int status);
	void *user_return_arg;
	char name[TASK_NAME_LEN];
	/* Joiners sleep here until 'exited' (a struct wait_queue, spelled out to avoid a header cycle). */
	struct {
		struct spinlock lock;
		void *head;
	} exit_wq;
};

/*
 * Creates a task running fn(arg) on 'cpu' (TASK_ANY_CPU: the least loaded
 * online CPU, then pinned there). Returns NULL if no task slot is free or
 * cpu is not online.
 */
struct task *task_create(const char *name, void (*fn)(void *), void *arg, int cpu);
/* Waits (yielding) until t has exited and left its CPU, then frees it. */
void task_join(struct task *t);
void task_exit(void) __noreturn;
/* Makes a sleeping task runnable again (IPI to its CPU if remote). False if it was not asleep. */
bool task_wake(struct task *t);
/* Marks the current task asleep: the next schedule() switches away unless a wake-up came first. */
void task_set_sleeping(void);
void task_set_running(void);
/* Switches away if the current task is asleep (or others wait); returns when it runs again. */
void schedule(void);
void yield(void);
struct task *current_task(void);
u64 task_run_ns(struct task *t);
u64 task_lock_wait_ns(struct task *t);
/* Adds a lock wait to the current task's account (and, if it spun, its CPU's). */
void sched_account_lock_wait(u64 cycles, bool slept);

void sched_init_boot_cpu(void);	 /* boot CPU: its boot context becomes task "init" */
void sched_init_secondary(void); /* a secondary: its boot context becomes its idle task */
void sched_idle_loop(void) __noreturn;
void sched_tick(void);	   /* timer IRQ */
void sched_irq_exit(void); /* end of an IRQ: preempt if asked to and allowed */
void sched_resched_ipi(void);
u32 sched_free_slots(void);
u64 sched_idle_ns(u32 cpu);	 /* time cpu ran its idle task */
u64 sched_lock_spin_ns(u32 cpu); /* time cpu spent spinning for contended locks */
u64 sched_switches(u32 cpu);

#endif
