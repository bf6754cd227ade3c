/* Directory entries as the readdir call fills them: the kernel's struct dirent (include/locklab/fs.h). */
#ifndef USER_DIRENT_H
#define USER_DIRENT_H

#include <stdint.h>

#define NAME_MAX 55 /* bytes in one path component, without the NUL */

struct dirent {
	uint32_t d_ino;
	uint32_t d_type; /* S_IFREG or S_IFDIR (<sys/stat.h>) */
	char d_name[NAME_MAX + 1];
};
_Static_assert(sizeof(struct dirent) == 64, "struct dirent differs from include/locklab/fs.h");

/* fills up to max entries from the directory fd's position: how many, 0 at the end, -1 and errno */
int readdir(int fd, struct dirent *ents, unsigned int max);

#endif
