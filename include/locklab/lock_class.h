/* Lock classes: every lock with the same name shares one class (for lockstat and lockdep). */
#ifndef LOCKLAB_LOCK_CLASS_H
#define LOCKLAB_LOCK_CLASS_H

#include <locklab/types.h>

/*
 * Id 0 is "not looked up yet"; the last id, "(other)", collects any
 * overflow. A full ktest boot names some 60 classes (tests included), so
 * the table keeps room for twice that.
 */
#define LOCK_CLASSES_MAX 128
#define LOCK_CLASS_OTHER (LOCK_CLASSES_MAX - 1)

/* The class id for name, registering it on first use. Safe from any CPU and IRQ context. */
u16 lock_class_lookup(const char *name);
const char *lock_class_name(u16 id);
u16 lock_class_count(void); /* ids 1..count-1 are in use */

#endif
