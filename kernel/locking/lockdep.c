/* lockdep: per-task held-lock stacks, a class dependency graph, and reports of lock misuse. */
#include <locklab/lockdep.h>
#include <locklab/lock_class.h>
#include <locklab/lock_map.h>
#include <locklab/sched.h>
#include <locklab/console.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/*
 * after[A] has bit B when class B was taken while class A was held: the
 * edges of the lock-order graph. Taking B while holding A is an inversion
 * if B already reaches A. Classes fit in a u64 bitmap (LOCK_CLASSES_MAX 64),
 * so reachability is a few bitmap steps. Two locks of the same class
 * nested (parent and child inode) are not ordered here: that needs
 * subclasses, which come with the subsystems that nest them.
 *
 * graph_busy (a bare test-and-set flag, IRQs off) guards after[] and
 * edge_seen[]; each task's held stack is touched only by the CPU it runs
 * on, with IRQs off so an interrupt's lock operations don't interleave.
 */
#define EDGE_CTX 4

/* Where an edge A->B was first seen: the CPU and the classes it held. */
struct edge_ctx {
	u8 cpu;
	u8 n;
	u8 classes[EDGE_CTX];
};

/* Held stacks before a CPU's scheduler is set up (there is no task yet). */
static struct lockdep_task boot_stacks[CONFIG_NR_CPUS];
static u64 after[LOCK_CLASSES_MAX];
static u64 reported[LOCK_CLASSES_MAX]; /* guarded by graph_busy: bit B of [A]: B-while-A reported */
static struct edge_ctx edge_seen[LOCK_CLASSES_MAX][LOCK_CLASSES_MAX];
static u32 graph_busy;
static u32 reports[LOCKDEP_NR_KINDS]; /* atomic */

static const char *const kind_names[] = { "inversion", "recursion", "unlock_unheld", "unlock_nonowner",
					    "sleep_with_spinlock" };

static struct lockdep_task *my_stack(void)
{
	struct task *t = current_task();

	return t ? &t->lockdep : &boot_stacks[smp_processor_id()];
}

static const char *my_name(void)
{
	struct task *t = current_task();

	return t ? t->name : "boot";
}

static void print_held(u32 cpu)
{
	struct lockdep_task *s = my_stack();

	printk_raw("lockdep:   task %s (cpu%u) holds %u lock%s:", my_name(), cpu, s->depth,
		   s->depth == 1 ? "" : "s");
	for (u32 i = 0; i < s->depth; i++)
		printk_raw("lockdep:     #%u %s (%p)", i, lock_class_name(s->held[i].class_id),
			   (void *)s->held[i].map);
}

static void count(enum lockdep_kind kind)
{
	atomic_fetch_add_relaxed(&reports[kind], 1U);
}

static bool reaches(u16 from, u16 to)
{
	u64 seen = 0, frontier = 1UL << from;

	while (frontier) {
		u64 next = 0;

		seen |= frontier;
		for (u64 f = frontier; f; f &= f - 1)
			next |= after[__builtin_ctzll(f)];
		if (next & (1UL << to))
			return true;
		frontier = next & ~seen;
	}
	return false;
}

static void graph_lock(void)
{
	while (atomic_xchg_acquire(&graph_busy, 1U))
		cpu_relax();
}

static void graph_unlock(void)
{
	atomic_store_release(&graph_busy, 0U);
}

static void report_inversion(u32 cpu, u16 taking, u16 holding)
{
	struct edge_ctx *e = &edge_seen[taking][holding];

	count(LOCKDEP_INVERSION);
	printk_raw("lockdep: kind=inversion cpu=%u taking=%s holding=%s", cpu,
		   lock_class_name(taking), lock_class_name(holding));
	printk_raw("lockdep:   possible deadlock: cpu%u takes %s while holding %s,", cpu,
		   lock_class_name(taking), lock_class_name(holding));
	printk_raw("lockdep:   but %s -> %s was seen before (first on cpu%u, holding:%s%s%s%s%s%s%s%s)",
		   lock_class_name(taking), lock_class_name(holding), e->cpu,
		   e->n > 0 ? " " : "", e->n > 0 ? lock_class_name(e->classes[0]) : " (chain)",
		   e->n > 1 ? " " : "", e->n > 1 ? lock_class_name(e->classes[1]) : "",
		   e->n > 2 ? " " : "", e->n > 2 ? lock_class_name(e->classes[2]) : "",
		   e->n > 3 ? " " : "", e->n > 3 ? lock_class_name(e->classes[3]) : "");
	print_held(cpu);
}

void lockdep_acquire(struct lock_map *l, bool trylock)
{
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();
	struct lockdep_task *s = my_stack();
	u16 b = lock_map_class(l);

	for (u32 i = 0; i < s->depth; i++) {
		if (s->held[i].map == l && !trylock) {
			count(LOCKDEP_RECURSION);
			printk_raw("lockdep: kind=recursion cpu=%u task=%s class=%s", cpu, my_name(),
				   lock_class_name(b));
			printk_raw("lockdep:   task %s takes %s (%p), which it already holds: certain deadlock",
				   my_name(), lock_class_name(b), (void *)l);
			print_held(cpu);
			panic("lockdep: recursive locking of %s on cpu%u", lock_class_name(b), cpu);
		}
	}
	if (trylock || !s->depth) {
		local_irq_restore(flags); /* a trylock cannot deadlock: no order to learn */
		return;
	}
	graph_lock();
	for (u32 i = 0; i < s->depth; i++) {
		u16 a = s->held[i].class_id;

		if (a == b || (after[a] & (1UL << b)))
			continue;
		if (reaches(b, a)) {
			bool first = !(reported[a] & (1UL << b));

			reported[a] |= 1UL << b;
			graph_unlock();
			if (first)
				report_inversion(cpu, b, a);
			local_irq_restore(flags);
			return; /* the edge is not added; the pair is reported once */
		}
		after[a] |= 1UL << b;
		struct edge_ctx *e = &edge_seen[a][b];
		e->cpu = (u8)cpu;
		e->n = (u8)MIN(s->depth, EDGE_CTX);
		for (u32 j = 0; j < e->n; j++)
			e->classes[j] = (u8)s->held[j].class_id;
	}
	graph_unlock();
	local_irq_restore(flags);
}

static void push(struct lockdep_task *s, struct lock_map *l, u32 cpu, const char *who)
{
	if (s->depth < LOCKDEP_HELD_MAX) {
		s->held[s->depth].map = l;
		s->held[s->depth].class_id = lock_map_class(l);
		s->depth++;
	} else if (!s->overflowed) {
		s->overflowed = true;
		printk_raw("lockdep: task %s (cpu%u) holds more than %d locks; not tracking deeper ones",
			   who, cpu, LOCKDEP_HELD_MAX);
	}
}

/* Removes l from s (the newest entry for it); false if s does not hold it. */
static bool pop(struct lockdep_task *s, struct lock_map *l)
{
	for (u32 i = s->depth; i-- > 0;) {
		if (s->held[i].map == l) {
			for (u32 j = i; j + 1 < s->depth; j++)
				s->held[j] = s->held[j + 1];
			s->depth--;
			return true;
		}
	}
	return false;
}

void lockdep_acquired(struct lock_map *l)
{
	u64 flags = local_irq_save();

	push(my_stack(), l, smp_processor_id(), my_name());
	local_irq_restore(flags);
}

bool lockdep_release(struct lock_map *l, enum lockdep_owner who, u32 owner_cpu)
{
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();
	bool ok = true;

	if (who != LOCKDEP_OWNER_ME) {
		enum lockdep_kind kind = who == LOCKDEP_OWNER_NONE ? LOCKDEP_UNLOCK_UNHELD : LOCKDEP_UNLOCK_NONOWNER;
		u16 c = lock_map_class(l);

		count(kind);
		if (who == LOCKDEP_OWNER_NONE)
			printk_raw("lockdep: kind=%s cpu=%u task=%s class=%s owner=none", kind_names[kind], cpu,
				   my_name(), lock_class_name(c));
		else
			printk_raw("lockdep: kind=%s cpu=%u task=%s class=%s owner=cpu%u", kind_names[kind], cpu,
				   my_name(), lock_class_name(c), owner_cpu);
		printk_raw("lockdep:   task %s releases %s (%p), which %s; the release is skipped", my_name(),
			   lock_class_name(c), (void *)l,
			   who == LOCKDEP_OWNER_NONE ? "nobody holds" : "another CPU or task holds");
		print_held(cpu);
		ok = false;
	} else {
		pop(my_stack(), l);
	}
	local_irq_restore(flags);
	return ok;
}

void lockdep_handoff(struct lock_map *l, struct task *from, struct task *to)
{
	u64 flags = local_irq_save();

	if (pop(&from->lockdep, l))
		push(&to->lockdep, l, smp_processor_id(), to->name);
	local_irq_restore(flags);
}

u32 lockdep_reports(enum lockdep_kind kind)
{
	return atomic_load_relaxed(&reports[kind]);
}

u32 lockdep_held_count(void)
{
	return my_stack()->depth;
}

void lockdep_report_sleep(u32 preempt)
{
	u32 cpu = smp_processor_id();

	count(LOCKDEP_SLEEP_SPINLOCK);
	printk_raw("lockdep: kind=sleep_with_spinlock cpu=%u task=%s preempt_count=%u", cpu, my_name(), preempt);
	printk_raw("lockdep:   a task is going to sleep while spinlocks are held: the CPU would run");
	printk_raw("lockdep:   other tasks with preemption off, and a waiter on them could spin forever");
	print_held(cpu);
}
