/* The loader's device-tree edit: a compact copy with /chosen/bootargs replaced. */
#ifndef LOADER_FDT_BOOTARGS_H
#define LOADER_FDT_BOOTARGS_H

#include <locklab/types.h>

/*
 * Writes src, a valid tree, to dst (dstsize bytes) with /chosen/bootargs
 * set to bootargs (/chosen made if missing), without padding. Returns the
 * copy's size, or -FDT_ERR_* (NOSPACE if dst is too small). dst and src
 * must not overlap.
 */
int fdt_copy_with_bootargs(void *dst, size_t dstsize, const void *src, const char *bootargs);

#endif
