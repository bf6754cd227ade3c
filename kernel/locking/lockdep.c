/* lockdep: per-task held-lock stacks, a (class, subclass) dependency graph, and reports of lock misuse. */
#include <locklab/lockdep.h>
#include <locklab/lock_class.h>
#include <locklab/lock_map.h>
#include <locklab/sched.h>
#include <locklab/console.h>
#include <locklab/panic.h>
#include <locklab/percpu.h>
#include <locklab/printf.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/*
 * The nodes of the lock-order graph are (class, subclass) pairs: subclass 0
 * of class c is node c, and a pair with a subclass above 0 gets a node of
 * its own (LOCK_CLASSES_MAX and up) the first time it is taken. Only a few
 * classes nest with themselves (parent and child inode), so few such nodes
 * exist; if they run out, the pair falls back to its class's node and goes
 * unchecked against its own class, as before subclasses existed.
 *
 * after[A] has bit B when node B was taken while node A was held: the
 * edges of the graph. Taking B while holding A is an inversion if B
 * already reaches A. Nodes fit in a two-word bitmap, so reachability is a
 * few bitmap steps. Two locks of the same node nested (two directories
 * both taken as subclass 0) cannot be ordered here: one task may nest x
 * in y and another y in x, and both orders are the same edge. As Linux
 * does ("possible recursive locking"), that is reported (same_class), once
 * per node: the inner one must be taken with a subclass of its own.
 *
 * graph_busy (a bare test-and-set flag, IRQs off) guards the node table,
 * after[] and edge_seen[]; each task's held stack is touched only by the
 * CPU it runs on, with IRQs off so an interrupt's lock operations don't
 * interleave.
 */
#define EDGE_CTX    4
#define EXTRA_NODES 64 /* (class, subclass > 0) pairs */
#define NODES	    (LOCK_CLASSES_MAX + EXTRA_NODES)
#define NODE_WORDS  ((NODES + 63) / 64)
#define LABEL_MAX   48 /* "class/subclass" as printed */

struct nodeset {
	u64 w[NODE_WORDS];
};

/* Where an edge A->B was first seen: the CPU and the nodes it held. */
struct edge_ctx {
	u8 cpu;
	u8 n;
	u8 nodes[EDGE_CTX];
};
_Static_assert(NODES <= 256, "edge_ctx keeps nodes in a u8");

/* Node LOCK_CLASSES_MAX + i is extra[i]; entries are written once, before nr_extra counts them. */
static struct {
	u16 class_id;
	u8 subclass;
} extra[EXTRA_NODES];
static u32 nr_extra;
static bool extra_full; /* guarded by graph_busy: the table overflowed (reported once) */
static bool extra_full_reported;

/* Held stacks before a CPU's scheduler is set up (there is no task yet). */
static struct lockdep_task boot_stacks[CONFIG_NR_CPUS];
static struct nodeset after[NODES];
static struct nodeset reported[NODES]; /* guarded by graph_busy: bit B of [A]: B-while-A reported */
static struct nodeset same_reported; /* guarded by graph_busy: node N nested in itself was reported */
static struct edge_ctx edge_seen[NODES][NODES];
static u32 graph_busy;
static u32 reports[LOCKDEP_NR_KINDS]; /* atomic */
static u32 other_reported;	      /* atomic: the class table's overflow was reported */

static const char *const kind_names[] = { "inversion",	     "recursion",	    "unlock_unheld",
					  "unlock_nonowner", "sleep_with_spinlock", "same_class" };
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == LOCKDEP_NR_KINDS, "a name per kind");

static bool set_has(const struct nodeset *s, u16 n)
{
	return (s->w[n / 64] >> (n % 64)) & 1;
}

static void set_add(struct nodeset *s, u16 n)
{
	s->w[n / 64] |= 1UL << (n % 64);
}

/* The node of (class_id, subclass); graph_busy held. */
static u16 node_of(u16 class_id, u8 subclass)
{
	if (!subclass)
		return class_id;
	for (u32 i = 0; i < nr_extra; i++)
		if (extra[i].class_id == class_id && extra[i].subclass == subclass)
			return (u16)(LOCK_CLASSES_MAX + i);
	if (nr_extra == EXTRA_NODES) {
		extra_full = true;
		return class_id;
	}
	extra[nr_extra].class_id = class_id;
	extra[nr_extra].subclass = subclass;
	return (u16)(LOCK_CLASSES_MAX + nr_extra++);
}

/* "inode" for subclass 0, "inode/1" for subclass 1: how reports name a lock. */
static const char *label(char *buf, u16 class_id, u32 subclass)
{
	if (!subclass)
		return lock_class_name(class_id);
	snprintf(buf, LABEL_MAX, "%s/%u", lock_class_name(class_id), subclass);
	return buf;
}

static const char *node_label(char *buf, u16 node)
{
	if (node < LOCK_CLASSES_MAX)
		return lock_class_name(node);
	return label(buf, extra[node - LOCK_CLASSES_MAX].class_id,
		     extra[node - LOCK_CLASSES_MAX].subclass);
}

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
	char buf[LABEL_MAX];

	printk_raw("lockdep:   task %s (cpu%u) holds %u lock%s:", my_name(), cpu, s->depth,
		   s->depth == 1 ? "" : "s");
	for (u32 i = 0; i < s->depth; i++)
		printk_raw("lockdep:     #%u %s (%p)", i,
			   label(buf, s->held[i].class_id, s->held[i].subclass),
			   (void *)s->held[i].map);
}

static void count(enum lockdep_kind kind)
{
	atomic_fetch_add_relaxed(&reports[kind], 1U);
}

static bool reaches(u16 from, u16 to)
{
	struct nodeset seen = { 0 }, frontier = { 0 };
	bool more = true;

	set_add(&frontier, from);
	while (more) {
		struct nodeset next = { 0 };

		for (u32 w = 0; w < NODE_WORDS; w++) {
			seen.w[w] |= frontier.w[w];
			for (u64 f = frontier.w[w]; f; f &= f - 1) {
				const struct nodeset *a = &after[w * 64 + (u32)__builtin_ctzll(f)];

				for (u32 k = 0; k < NODE_WORDS; k++)
					next.w[k] |= a->w[k];
			}
		}
		if (set_has(&next, to))
			return true;
		more = false;
		for (u32 w = 0; w < NODE_WORDS; w++) {
			frontier.w[w] = next.w[w] & ~seen.w[w];
			more |= frontier.w[w] != 0;
		}
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

/* e: a copy of edge_seen[taking][holding], taken under graph_busy (another CPU may be writing it). */
static void report_inversion(u32 cpu, u16 taking, u16 holding, const struct edge_ctx *e)
{
	char t[LABEL_MAX], h[LABEL_MAX], c[LABEL_MAX], ctx[EDGE_CTX * (LABEL_MAX + 1) + 1];
	const char *tl = node_label(t, taking), *hl = node_label(h, holding);
	u32 len = 0;

	ctx[0] = '\0';
	for (u32 i = 0; i < e->n && len < sizeof(ctx); i++)
		len += (u32)snprintf(ctx + len, sizeof(ctx) - len, " %s",
				     node_label(c, e->nodes[i]));
	count(LOCKDEP_INVERSION);
	printk_raw("lockdep: kind=inversion cpu=%u taking=%s holding=%s", cpu, tl, hl);
	printk_raw("lockdep:   possible deadlock: cpu%u takes %s while holding %s,", cpu, tl, hl);
	printk_raw("lockdep:   but %s -> %s was seen before (first on cpu%u, holding:%s)", tl, hl,
		   e->cpu, e->n ? ctx : " (chain)");
	print_held(cpu);
}

/* held: the other lock of the node being taken, l, which is not held itself (that is recursion). */
static void report_same_class(u32 cpu, struct lock_map *l, const struct lock_map *held,
			      u16 class_id, u32 subclass)
{
	char buf[LABEL_MAX];
	const char *bl = label(buf, class_id, subclass);

	count(LOCKDEP_SAME_CLASS);
	printk_raw("lockdep: kind=same_class cpu=%u task=%s class=%s", cpu, my_name(), bl);
	printk_raw("lockdep:   possible deadlock: task %s takes %s (%p) while holding %s (%p),",
		   my_name(), bl, (void *)l, bl, (void *)held);
	printk_raw("lockdep:   one class and subclass: a task nesting them the other way round");
	printk_raw("lockdep:   deadlocks with this one, and lockdep cannot tell the orders apart;");
	printk_raw("lockdep:   nest them in a fixed order, the inner one with a subclass");
	printk_raw("lockdep:   (spin_lock_nested, mutex_lock_nested, klock_lock_nested)");
	print_held(cpu);
}

void lockdep_acquire_nested(struct lock_map *l, bool trylock, u32 subclass)
{
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();
	struct lockdep_task *s = my_stack();
	u16 bc = lock_map_class(l), b;
	bool full_first;
	const struct lock_map *same = NULL; /* a held lock of b's node, reported now */
	char buf[LABEL_MAX];

	if (subclass >= LOCKDEP_SUBCLASSES)
		panic("lockdep: %s taken as subclass %u (at most %u)", lock_class_name(bc),
		      subclass, LOCKDEP_SUBCLASSES - 1);
	for (u32 i = 0; i < s->depth; i++) {
		if (s->held[i].map == l && !trylock) {
			/* The same lock, whatever subclass either acquisition named: that deadlocks. */
			const char *bl = label(buf, bc, subclass);

			count(LOCKDEP_RECURSION);
			printk_raw("lockdep: kind=recursion cpu=%u task=%s class=%s", cpu,
				   my_name(), bl);
			printk_raw(
				"lockdep:   task %s takes %s (%p), which it already holds: certain deadlock",
				my_name(), bl, (void *)l);
			print_held(cpu);
			panic("lockdep: recursive locking of %s on cpu%u", bl, cpu);
		}
	}
	if (trylock || !s->depth) {
		local_irq_restore(flags); /* a trylock cannot deadlock: no order to learn */
		return;
	}
	if (bc == LOCK_CLASS_OTHER) {
		/* Many classes share it: any order seen through it would be made up. */
		bool first = !atomic_xchg_acquire(&other_reported, 1U);

		local_irq_restore(flags);
		if (first)
			printk("lockdep: the lock class table is full: '%s' and later classes, counted as '%s', are not checked for order",
			       l->name, lock_class_name(bc));
		return;
	}
	graph_lock();
	b = node_of(bc, (u8)subclass);
	for (u32 i = 0; i < s->depth; i++) {
		u16 a;

		if (s->held[i].class_id == LOCK_CLASS_OTHER)
			continue; /* no order through the overflow class (above) */
		a = node_of(s->held[i].class_id, s->held[i].subclass);

		/*
		 * The same (class, subclass) nested: unorderable. Not when the
		 * node is shared only because the pair table overflowed (the
		 * subclasses differ).
		 */
		if (a == b && s->held[i].class_id == bc && s->held[i].subclass == subclass &&
		    !set_has(&same_reported, b)) {
			set_add(&same_reported, b);
			same = s->held[i].map;
		}
		if (a == b || set_has(&after[a], b))
			continue;
		if (reaches(b, a)) {
			bool first = !set_has(&reported[a], b);
			struct edge_ctx seen = edge_seen[b][a];

			set_add(&reported[a], b);
			graph_unlock();
			if (same)
				report_same_class(cpu, l, same, bc, subclass);
			if (first)
				report_inversion(cpu, b, a, &seen);
			local_irq_restore(flags);
			return; /* the edge is not added; the pair is reported once */
		}
		set_add(&after[a], b);
		struct edge_ctx *e = &edge_seen[a][b];
		e->cpu = (u8)cpu;
		e->n = (u8)MIN(s->depth, EDGE_CTX);
		for (u32 j = 0; j < e->n; j++)
			e->nodes[j] = (u8)node_of(s->held[j].class_id, s->held[j].subclass);
	}
	full_first = extra_full && !extra_full_reported;
	extra_full_reported |= extra_full;
	graph_unlock();
	if (same)
		report_same_class(cpu, l, same, bc, subclass);
	local_irq_restore(flags);
	if (full_first)
		printk("lockdep: more than %d (class, subclass) pairs; %s/%u and later ones are checked as their class",
		       EXTRA_NODES, lock_class_name(bc), subclass);
}

static void push(struct lockdep_task *s, struct lock_map *l, u8 subclass, u32 cpu, const char *who)
{
	if (s->depth < LOCKDEP_HELD_MAX) {
		s->held[s->depth].map = l;
		s->held[s->depth].class_id = lock_map_class(l);
		s->held[s->depth].subclass = subclass;
		s->depth++;
	} else if (!s->overflowed) {
		s->overflowed = true;
		printk_raw(
			"lockdep: task %s (cpu%u) holds more than %d locks; not tracking deeper ones",
			who, cpu, LOCKDEP_HELD_MAX);
	}
}

/* Removes l from s (the newest entry for it); false if s does not hold it. Its subclass goes to *sub. */
static bool pop(struct lockdep_task *s, struct lock_map *l, u8 *sub)
{
	for (u32 i = s->depth; i-- > 0;) {
		if (s->held[i].map == l) {
			*sub = s->held[i].subclass;
			for (u32 j = i; j + 1 < s->depth; j++)
				s->held[j] = s->held[j + 1];
			s->depth--;
			return true;
		}
	}
	return false;
}

void lockdep_acquired_nested(struct lock_map *l, u32 subclass)
{
	u64 flags = local_irq_save();

	push(my_stack(), l, (u8)subclass, smp_processor_id(), my_name());
	local_irq_restore(flags);
}

bool lockdep_release(struct lock_map *l, enum lockdep_owner who, u32 owner_cpu)
{
	u64 flags = local_irq_save();
	u32 cpu = smp_processor_id();
	bool ok = true;

	if (who != LOCKDEP_OWNER_ME) {
		enum lockdep_kind kind =
			who == LOCKDEP_OWNER_NONE ? LOCKDEP_UNLOCK_UNHELD : LOCKDEP_UNLOCK_NONOWNER;
		u16 c = lock_map_class(l);

		count(kind);
		if (who == LOCKDEP_OWNER_NONE)
			printk_raw("lockdep: kind=%s cpu=%u task=%s class=%s owner=none",
				   kind_names[kind], cpu, my_name(), lock_class_name(c));
		else
			printk_raw("lockdep: kind=%s cpu=%u task=%s class=%s owner=cpu%u",
				   kind_names[kind], cpu, my_name(), lock_class_name(c), owner_cpu);
		printk_raw("lockdep:   task %s releases %s (%p), which %s; the release is skipped",
			   my_name(), lock_class_name(c), (void *)l,
			   who == LOCKDEP_OWNER_NONE ? "nobody holds" :
						       "another CPU or task holds");
		print_held(cpu);
		ok = false;
	} else {
		u8 sub;

		pop(my_stack(), l, &sub);
	}
	local_irq_restore(flags);
	return ok;
}

void lockdep_handoff(struct lock_map *l, struct task *from, struct task *to)
{
	u64 flags = local_irq_save();
	u8 sub;

	if (pop(&from->lockdep, l, &sub))
		push(&to->lockdep, l, sub, smp_processor_id(), to->name);
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
	printk_raw("lockdep: kind=sleep_with_spinlock cpu=%u task=%s preempt_count=%u", cpu,
		   my_name(), preempt);
	printk_raw(
		"lockdep:   a task is going to sleep while spinlocks are held: the CPU would run");
	printk_raw(
		"lockdep:   other tasks with preemption off, and a waiter on them could spin forever");
	print_held(cpu);
}

void lockdep_might_sleep(struct lock_map *m, u32 preempt)
{
	/* atomic: bit c, mutex class c was reported (relaxed: only the bit's own fate matters) */
	static u64 reported_classes[(LOCK_CLASSES_MAX + 63) / 64];
	u16 c = lock_map_class(m);
	u64 bit = 1UL << (c % 64);
	u32 cpu = smp_processor_id();

	if (__atomic_fetch_or(&reported_classes[c / 64], bit, __ATOMIC_RELAXED) & bit)
		return;
	count(LOCKDEP_SLEEP_SPINLOCK);
	printk_raw("lockdep: kind=sleep_with_spinlock cpu=%u task=%s preempt_count=%u mutex=%s",
		   cpu, my_name(), preempt, lock_class_name(c));
	printk_raw("lockdep:   task %s takes mutex %s (%p) with spinlocks held: it sleeps if",
		   my_name(), lock_class_name(c), (void *)m);
	printk_raw("lockdep:   contended, which panics then (it was free this time)");
	print_held(cpu);
}
