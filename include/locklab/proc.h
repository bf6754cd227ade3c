/* Processes on top of tasks: pid, parent, exit status, fd table and cwd. */
#ifndef LOCKLAB_PROC_H
#define LOCKLAB_PROC_H

#include <locklab/klock.h>
#include <locklab/wait.h>

struct files;
struct inode;
struct user_mm;
struct task;

enum proc_state {
	PROC_ALIVE,
	PROC_ZOMBIE, /* exited, status kept until its parent's sys_wait reaps it */
};

/*
 * A process is one task with its own fd table and cwd. The init task is
 * process 1; a kernel task that is not a process (task_create) acts on
 * behalf of process 1, like Linux's kernel threads sharing init's fs.
 *
 * The process tree (parent, children, siblings, state, status) is guarded
 * by one lock, proc_tree ("proc_tree", SUBSYS_PROC), as Linux guards it
 * with tasklist_lock: an exit touches its parent, its children and their
 * links at once, and per-process locks there would need an order between
 * processes of the same class. The pid table has a lock per bucket.
 * Lock order: proc_tree, then pid_hash (never held together today).
 */
struct proc {
	s32 pid;		      /* never changes */
	struct proc *parent;	      /* guarded by proc_tree */
	struct proc *children;	      /* guarded by proc_tree: first child */
	struct proc *sibling;	      /* guarded by proc_tree: next child of the same parent */
	struct proc *hash_next;	      /* guarded by its pid_hash bucket's lock */
	u32 state;		      /* guarded by proc_tree: enum proc_state */
	int exit_status;	      /* guarded by proc_tree; valid once PROC_ZOMBIE */
	struct wait_queue child_exit; /* the process waits here in sys_wait for a child to exit */
	struct files *files;	      /* own fd table; set at spawn, freed by the process at exit */
	struct klock
		cwd_lock; /* "proc_cwd", SUBSYS_FS: guards cwd (process 1's is shared by kernel tasks) */
	struct inode *cwd; /* guarded by cwd_lock; referenced */
	struct task *task; /* set at spawn, never changes; joined by the reaper */
	/* a process at EL0: its address space (user.h); set by itself, freed at exit */
	struct user_mm *mm;
	/*
	 * The console session (Ctrl-C): a process the shell started (or one
	 * of theirs) is a member and ends at its next return to EL0 once a
	 * Ctrl-C is typed after intr_seq; the shell itself is the leader.
	 * Set at spawn, never changed.
	 */
	u8 session;   /* PROC_SESSION_* */
	u32 intr_seq; /* tty_intr_seq when it was spawned; a member's child inherits its parent's */
	/* A member, from its first instruction to its exit: on the list Ctrl-C walks (proc.c's session_lock) */
	struct proc *session_next;
	struct task *session_task;
	void (*fn)(void *); /* what the process runs, and its argument */
	void *arg;
	/* Guarded by proc_tree: handed to process 1 by its parent's exit (proc_wait_reaping_orphans) */
	bool orphan;
};

enum { PROC_SESSION_NONE, PROC_SESSION_MEMBER, PROC_SESSION_LEADER };

struct proc *current_proc(void);
/*
 * Ctrl-C reached the calling process: it is a console session member and a
 * Ctrl-C was typed after it was spawned. A sleep a user would expect Ctrl-C
 * to end (pipe read and write, wait) adds this to its condition and returns
 * -EINTR; the process then ends at its return to EL0 (user_return_check),
 * a kernel-task process when its function sees the error.
 */
bool proc_interrupted(void);
/* Ctrl-C (tty_input, any context): wakes every session member wherever it sleeps, to test the above. */
void proc_session_wake(void);
/* A member's own task puts it on Ctrl-C's list at its start and takes it off at its exit (no-ops for others). */
void proc_session_join(struct proc *p);
void proc_session_leave(struct proc *p);
/* p's cwd, referenced (NULL once it exited); for fs path lookup. */
struct inode *proc_cwd_get(struct proc *p);
/* Installs ino (a reference the caller hands over) as p's cwd; returns the old one for the caller to put. */
struct inode *proc_cwd_swap(struct proc *p, struct inode *ino);
u32 proc_live(void); /* processes not yet reaped, init included (leak checks) */

/* The sys_* layer's back end (kernel/proc/sys_proc.c checks arguments, enters the kernel scope). */
long proc_spawn(void (*fn)(void *), void *arg, int cpu);
void proc_exit(int status); /* the process is a zombie on return: the caller's task must exit */
long proc_wait(int pid, int *status);
/*
 * proc_wait for process 1 as the orphans' reaper (init.c, while the console
 * shell runs): meanwhile reaps every orphan that is or becomes a zombie,
 * as Unix's init does; kernel scope, no argument checks.
 */
long proc_wait_reaping_orphans(int pid, int *status);

#endif
