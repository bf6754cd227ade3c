/* struct stat as the stat call fills it: the kernel's layout (include/locklab/fs.h), checked by size here. */
#ifndef USER_SYS_STAT_H
#define USER_SYS_STAT_H

#include <stdint.h>

#define S_IFREG 1
#define S_IFDIR 2

struct stat {
	uint32_t st_ino;
	uint32_t st_type; /* S_IFREG or S_IFDIR */
	uint32_t st_nlink;
	uint64_t st_size; /* bytes (files), entries (directories) */
};
_Static_assert(sizeof(struct stat) == 24, "struct stat differs from include/locklab/fs.h");

int stat(const char *path, struct stat *st);

#endif
