/* Processes: the pid table, spawn with fd table and cwd inheritance, exit to a zombie, wait to reap. */
#include <locklab/proc.h>
#include <locklab/tty.h>
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/fs.h>
#include <locklab/initcall.h>
#include <locklab/mm.h>
#include <locklab/panic.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/syscall.h>
#include <locklab/user.h>
#include <asm/atomic.h>

#define PID_BUCKETS 16

struct pid_bucket {
	struct klock lock; /* "pid_hash": guards head and the chain's hash_next links */
	struct proc *head;
};

static struct klock proc_tree; /* guards every proc's tree fields (proc.h) */
static struct pid_bucket pid_table[PID_BUCKETS];
static struct proc init_proc; /* pid 1: the init task, and every kernel task */
static s32 next_pid = 2;      /* atomic */
static u32 nr_live = 1;	      /* atomic: init plus every process not yet reaped */

struct proc *current_proc(void)
{
	struct task *t = current_task();

	return t && t->proc ? t->proc : &init_proc;
}

u32 proc_live(void)
{
	return atomic_load_relaxed(&nr_live);
}

struct inode *proc_cwd_get(struct proc *p)
{
	struct inode *ino;

	subsys_enter(SUBSYS_FS);
	klock_lock(&p->cwd_lock);
	ino = p->cwd;
	if (ino)
		inode_get(ino); /* under the lock: a concurrent chdir cannot drop it first */
	klock_unlock(&p->cwd_lock);
	subsys_exit(SUBSYS_FS);
	return ino;
}

struct inode *proc_cwd_swap(struct proc *p, struct inode *ino)
{
	struct inode *old;

	subsys_enter(SUBSYS_FS);
	klock_lock(&p->cwd_lock);
	old = p->cwd;
	p->cwd = ino;
	klock_unlock(&p->cwd_lock);
	subsys_exit(SUBSYS_FS);
	return old;
}

static struct pid_bucket *bucket_of(s32 pid)
{
	return &pid_table[(u32)pid % PID_BUCKETS];
}

static void pid_insert(struct proc *p)
{
	struct pid_bucket *b = bucket_of(p->pid);

	klock_lock(&b->lock);
	p->hash_next = b->head;
	b->head = p;
	klock_unlock(&b->lock);
}

static void pid_remove(struct proc *p)
{
	struct pid_bucket *b = bucket_of(p->pid);

	klock_lock(&b->lock);
	for (struct proc **pp = &b->head; *pp; pp = &(*pp)->hash_next) {
		if (*pp == p) {
			*pp = p->hash_next;
			break;
		}
	}
	klock_unlock(&b->lock);
}

/* Links p as a child of parent. */
static void tree_add_child(struct proc *parent, struct proc *p)
{
	klock_assert_held(&proc_tree);
	p->parent = parent;
	p->sibling = parent->children;
	parent->children = p;
}

static void tree_remove_child(struct proc *parent, struct proc *p)
{
	klock_assert_held(&proc_tree);
	for (struct proc **pp = &parent->children; *pp; pp = &(*pp)->sibling) {
		if (*pp == p) {
			*pp = p->sibling;
			return;
		}
	}
	panic("proc: pid %d is not a child of pid %d", p->pid, parent->pid);
}

/* The first task of every process: become the process, run it, exit with 0 if it returns. */
static void proc_trampoline(void *arg)
{
	struct proc *p = arg;

	current_task()->proc = p;
	proc_session_join(p);
	p->fn(p->arg);
	sys_exit(0);
}

long proc_spawn(void (*fn)(void *), void *arg, int cpu)
{
	struct proc *parent = current_proc(), *p;
	char name[TASK_NAME_LEN];
	bool started;
	long ret;

	subsys_enter(SUBSYS_PROC);
	p = kmalloc(sizeof(*p));
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	p->files = files_dup(parent->files);
	p->session = parent->session ? PROC_SESSION_MEMBER : PROC_SESSION_NONE;
	/*
	 * A member's child inherits its Ctrl-Cs: one that reached the parent
	 * (which ends at its return to EL0, maybe only after this spawn: a
	 * program takes a while to load) must reach the child too, or the
	 * child would run on as an orphan. The leader's children start afresh.
	 */
	p->intr_seq = parent->session == PROC_SESSION_MEMBER ? parent->intr_seq :
							       atomic_load_relaxed(&tty_intr_seq);
	if (!p->files) {
		kfree(p);
		ret = -ENOMEM;
		goto out;
	}
	klock_init(&p->cwd_lock, "proc_cwd", SUBSYS_FS);
	p->cwd = proc_cwd_get(parent);
	p->fn = fn;
	p->arg = arg;
	p->state = PROC_ALIVE;
	p->pid = atomic_fetch_add_relaxed(&next_pid, 1);
	ret = p->pid;
	wait_queue_init(&p->child_exit, "proc_child_exit");
	pid_insert(p);
	atomic_fetch_add_relaxed(&nr_live, 1U);
	snprintf(name, sizeof(name), "pid%d", p->pid);
	/*
	 * The new task may run at once on another CPU, exit, and be reaped by
	 * any process-1 task: it becomes reachable (a child) and gets its task
	 * pointer in one critical section, which its exit and the reaper's
	 * wait must enter after us. From the unlock on, p may be gone.
	 */
	klock_lock(&proc_tree);
	tree_add_child(parent, p);
	p->task = task_create(name, proc_trampoline, p, cpu);
	started = p->task != NULL;
	if (!started)
		tree_remove_child(parent, p);
	klock_unlock(&proc_tree);
	if (!started) {
		/* No task slot: undo, as if never spawned. */
		pid_remove(p);
		atomic_fetch_add_relaxed(&nr_live, ~0U); /* -1 */
		files_free(p->files);
		if (p->cwd)
			inode_put(p->cwd);
		kfree(p);
		ret = -EAGAIN;
	}
out:
	subsys_exit(SUBSYS_PROC);
	return ret;
}

void proc_exit(int status)
{
	struct proc *p = current_proc(), *c, *next;
	struct inode *cwd;

	if (p == &init_proc)
		panic("proc: process 1 (init) called exit(%d)", status);
	proc_session_leave(p); /* before its task can be joined and freed */
	subsys_enter(SUBSYS_PROC);
	/* A user process's address space and ASID: free for the next spawn once it is a zombie. */
	if (p->mm)
		user_release(p);
	/* Open files and the cwd go first: a pipe's reader sees EOF as soon as we are gone. */
	files_free(p->files);
	p->files = NULL;
	cwd = proc_cwd_swap(p, NULL);
	if (cwd)
		inode_put(cwd);
	klock_lock(&proc_tree);
	/*
	 * Orphans go to init, whose sys_wait (any process-1 task) reaps them,
	 * as in Unix; marked, so that init's wait for the console shell reaps
	 * them too (proc_wait_reaping_orphans): a Ctrl-C ends a nested shell
	 * before its child, and nobody else would ever wait for that child.
	 */
	for (c = p->children; c; c = next) {
		next = c->sibling;
		c->orphan = true;
		tree_add_child(&init_proc, c);
	}
	p->children = NULL;
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	wake_up(&p->parent->child_exit);
	if (init_proc.children && p->parent != &init_proc)
		wake_up(&init_proc.child_exit); /* it may have inherited zombies */
	/* From here the parent may reap and free p: touch nothing of it. */
	klock_unlock(&proc_tree);
	subsys_exit(SUBSYS_PROC);
}

/* A zombie child of p matching pid (-1: any); NULL if none; *any_child says if a match exists at all. */
static struct proc *find_zombie(struct proc *p, int pid, bool *any_child)
{
	klock_assert_held(&proc_tree);
	*any_child = false;
	for (struct proc *c = p->children; c; c = c->sibling) {
		if (pid != -1 && c->pid != pid)
			continue;
		*any_child = true;
		if (c->state == PROC_ZOMBIE)
			return c;
	}
	return NULL;
}

/* A zombie among p's children that came to it as an orphan; NULL if none. */
static struct proc *find_orphan_zombie(struct proc *p)
{
	klock_assert_held(&proc_tree);
	for (struct proc *c = p->children; c; c = c->sibling)
		if (c->orphan && c->state == PROC_ZOMBIE)
			return c;
	return NULL;
}

/* Reaps z, a zombie child of p: proc_tree held on entry, released here; returns z's pid. */
static long reap(struct proc *p, struct proc *z, int *status)
{
	long pid = z->pid;

	tree_remove_child(p, z);
	if (status)
		*status = z->exit_status; /* the caller's own variable: sys_wait copies it out */
	klock_unlock(&proc_tree);
	pid_remove(z);
	/* The task may still be on its way out of task_exit(); join waits for that, then frees it. */
	task_join(z->task);
	kfree(z);
	atomic_fetch_add_relaxed(&nr_live, ~0U); /* -1 */
	return pid;
}

/* proc_wait, and with reap_orphans every orphan that is or becomes a zombie meanwhile. */
static long do_wait(int pid, int *status, bool reap_orphans)
{
	struct proc *p = current_proc(), *z, *o = NULL;
	bool any;
	long ret;

	subsys_enter(SUBSYS_PROC);
	klock_lock(&proc_tree);
	for (;;) {
		z = find_zombie(p, pid, &any);
		if (!z && any)
			wait_event(&p->child_exit,
				   (z = find_zombie(p, pid, &any)) != NULL || !any ||
					   proc_interrupted() ||
					   (reap_orphans && (o = find_orphan_zombie(p)) != NULL),
				   &proc_tree);
		if (z || !o)
			break;
		reap(p, o, NULL); /* nobody else waits for it: its parent is gone */
		o = NULL;
		klock_lock(&proc_tree);
	}
	if (!z) {
		klock_unlock(&proc_tree);
		ret = any ? -EINTR : -ECHILD;
	} else {
		ret = reap(p, z, status);
	}
	subsys_exit(SUBSYS_PROC);
	return ret;
}

long proc_wait(int pid, int *status)
{
	return do_wait(pid, status, false);
}

long proc_wait_reaping_orphans(int pid, int *status)
{
	return do_wait(pid, status, true);
}

static void proc_init(void)
{
	klock_init(&proc_tree, "proc_tree", SUBSYS_PROC);
	for (u32 i = 0; i < PID_BUCKETS; i++) {
		klock_init(&pid_table[i].lock, "pid_hash", SUBSYS_PROC);
		pid_table[i].head = NULL;
	}
	init_proc.pid = 1;
	init_proc.state = PROC_ALIVE;
	init_proc.parent = &init_proc;
	wait_queue_init(&init_proc.child_exit, "proc_child_exit");
	init_proc.files = files_alloc();
	klock_init(&init_proc.cwd_lock, "proc_cwd", SUBSYS_FS);
	init_proc.cwd = fs_root();
	if (!init_proc.files || !init_proc.cwd)
		panic("proc: cannot set up process 1 (fd table %p, root %p)",
		      (void *)init_proc.files, (void *)init_proc.cwd);
	init_proc.task = current_task();
	current_task()->proc = &init_proc;
	pid_insert(&init_proc);
}
initcall(proc_init, INITCALL_PROC);
