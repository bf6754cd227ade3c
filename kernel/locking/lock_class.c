/* The lock-class table: names to small ids, so per-class arrays can be indexed directly. */
#include <locklab/lock_class.h>
#include <locklab/lock_map.h>
#include <locklab/console.h>
#include <locklab/string.h>
#include <asm/atomic.h>
#include <asm/irqflags.h>

/*
 * Guarded by table_busy, a bare test-and-set flag: the table is below every
 * instrumented lock, so it cannot use one. Readers of names[] only look at
 * ids they were handed, which were published (release on nr_classes)
 * after their name.
 */
static u32 table_busy;
static const char *names[LOCK_CLASSES_MAX] = { "(none)", [LOCK_CLASSES_MAX - 1] = "(other)" };
static u16 nr_classes = 1;
static bool overflow_reported;

/*
 * Every object's lock starts with class id 0 and looks its class up at its
 * first use, and workloads make objects all the time (a pipe, a process,
 * an inode per op): a scan of the table with strcmp cost more than the
 * rest of lockstat together. Class names are string constants, so a small
 * table keyed by the name's address answers almost every lookup at once.
 * Slots are filled once, under table_busy, id before name (release);
 * readers need no lock.
 */
#define PTR_SLOTS 256
static const char *ptr_names[PTR_SLOTS];
static u16 ptr_ids[PTR_SLOTS];

static u32 ptr_slot(const char *name)
{
	return (u32)(((u64)name >> 3) * 0x9e3779b1U) % PTR_SLOTS;
}

static u16 ptr_find(const char *name)
{
	for (u32 i = 0, s = ptr_slot(name); i < 8; i++, s = (s + 1) % PTR_SLOTS) {
		const char *n = atomic_load_acquire(&ptr_names[s]);

		if (n == name)
			return ptr_ids[s];
		if (!n)
			break;
	}
	return 0;
}

/* Under table_busy. A full neighbourhood only means the slow path next time. */
static void ptr_remember(const char *name, u16 id)
{
	for (u32 i = 0, s = ptr_slot(name); i < 8; i++, s = (s + 1) % PTR_SLOTS) {
		if (!ptr_names[s]) {
			ptr_ids[s] = id;
			atomic_store_release(&ptr_names[s], name);
			return;
		}
	}
}

u16 lock_class_lookup(const char *name)
{
	u16 n, id = ptr_find(name);
	bool report = false;
	u64 flags;

	if (id)
		return id;
	/* Once per address of a name: find or add it under the table lock, then remember the address. */
	flags = local_irq_save();
	while (atomic_xchg_acquire(&table_busy, 1U))
		cpu_relax();
	n = nr_classes;
	for (id = 1; id < n; id++)
		if (strcmp(names[id], name) == 0)
			goto out;
	if (n >= LOCK_CLASSES_MAX - 1) {
		/* The last id is "(other)": everything past the table shares it. */
		id = LOCK_CLASSES_MAX - 1;
		if (n == LOCK_CLASSES_MAX - 1)
			atomic_store_release(&nr_classes, (u16)LOCK_CLASSES_MAX);
		report = !overflow_reported;
		overflow_reported = true;
		goto out;
	}
	names[n] = name;
	atomic_store_release(&nr_classes, (u16)(n + 1)); /* name visible before the id */
	id = n;
out:
	if (!ptr_find(name)) /* another CPU may have remembered it while we waited */
		ptr_remember(name, id);
	atomic_store_release(&table_busy, 0U);
	local_irq_restore(flags);
	/* Printed outside the table lock: printk takes the console lock, which may need a class. */
	if (report)
		printk("lock_class: more than %d lock classes; '%s' and later ones are counted as '%s'",
		       LOCK_CLASSES_MAX - 2, name, names[LOCK_CLASSES_MAX - 1]);
	return id;
}

const char *lock_class_name(u16 id)
{
	return id < atomic_load_acquire(&nr_classes) ? names[id] : "(invalid)";
}

u16 lock_class_count(void)
{
	return atomic_load_acquire(&nr_classes);
}

/*
 * Any CPU may fill the id in (the same value). Release and acquire: a CPU
 * that reads the id also sees the nr_classes that published it, so
 * lock_class_name() never calls a fresh id "(invalid)". (lockstat's inline
 * path reads class_id plainly: it only indexes fixed-size rows.)
 */
u16 lock_map_class(struct lock_map *m)
{
	u16 id = atomic_load_acquire(&m->class_id);

	if (!id) {
		id = lock_class_lookup(m->name);
		atomic_store_release(&m->class_id, id);
	}
	return id;
}
