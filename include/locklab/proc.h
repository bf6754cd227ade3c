/* Processes on top of tasks: pid, parent, exit status, fd table and cwd. */
#ifndef LOCKLAB_PROC_H
#define LOCKLAB_PROC_H

#include <locklab/klock.h>
#include <locklab/wait.h>

struct files;
struct inode;

/*
 * A process is one task with its own fd table and cwd. The init task is
 * process 1; a kernel task that is not a process (task_create) acts on
 * behalf of process 1, like Linux's kernel threads sharing init's fs.
 */
struct proc {
	struct klock lock;      /* class "proc", SUBSYS_PROC: guards state, status, children */
	s32 pid;                /* never changes */
	struct proc *parent;    /* guarded by the parent's lock */
	struct files *files;    /* own fd table; set at spawn, freed at exit */
	struct inode *cwd;      /* referenced; changed only by the process itself */
	struct task *task;      /* never changes */
	/* Further fields are proc/'s own. */
};

struct proc *current_proc(void);
u32 proc_live(void);            /* processes not yet reaped, init included (leak checks) */

#endif
