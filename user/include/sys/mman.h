/* mmap, munmap and mprotect for user programs, with the kernel's PROT_* and MAP_* values (<locklab/mman.h>). */
#ifndef USER_SYS_MMAN_H
#define USER_SYS_MMAN_H

#include <stddef.h>
#include <locklab/mman.h>

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot); /* mmap regions only */

#endif
