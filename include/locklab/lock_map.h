/* A lock's identity for lockdep and lockstat, embedded in every lock type (spinlock, mutex). */
#ifndef LOCKLAB_LOCK_MAP_H
#define LOCKLAB_LOCK_MAP_H

#include <locklab/types.h>

#define LOCK_MAP_NO_CPU 0xffff

/*
 * Every lock has a name: its class for lockstat and lockdep (all inodes'
 * locks are one class "inode"). The class id is looked up from the name
 * on first use, so static initialisers stay constant. Like Linux's
 * lockdep_map, this is what the instruments see of a lock, whatever its
 * type.
 */
struct lock_map {
	/* class name: a string constant (lock_class.c caches ids by its address) */
	const char *name;
	u16 class_id; /* 0 until first use, then an index into the class table */
#ifdef CONFIG_LOCK_STAT
	/* written by the holder: CPU that released it last (a bounce if another takes it) */
	u16 last_cpu;
	u64 acquired_at; /* written by the holder: counter value when taken, for hold time */
	/* written by the holder: a contended acquisition's wait, which its release counts (lockstat.h) */
	u64 held_wait;
	u8 held_wait_set; /* LOCKSTAT_HELD_WAIT, | LOCKSTAT_HELD_BOUNCE if it took the lock from another CPU */
#endif
};

#ifdef CONFIG_LOCK_STAT
#define LOCK_MAP_INIT(cname)                                                                \
	{                                                                                   \
		.name = cname, .class_id = 0, .last_cpu = LOCK_MAP_NO_CPU, .acquired_at = 0 \
	}
#else
#define LOCK_MAP_INIT(cname)                 \
	{                                    \
		.name = cname, .class_id = 0 \
	}
#endif

/* The class id of m, looked up on first use (any CPU may fill it in: same value). */
u16 lock_map_class(struct lock_map *m);

#endif
