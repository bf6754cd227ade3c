/* The initramfs: a newc cpio reader that checks every header, and the unpacker that fills ramfs from it. */
#ifndef KERNEL_FS_INITRAMFS_H
#define KERNEL_FS_INITRAMFS_H

#include <locklab/types.h>

/* One entry of an archive: name and data point into the archive itself. */
struct cpio_entry {
	const char *name; /* NUL-terminated, a leading "./" or "/" taken off; never empty */
	u32 mode;	  /* S_IFDIR or S_IFREG (cpio's values below) | permissions */
	const u8 *data;
	u64 size;
};

#define CPIO_S_IFMT  0170000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFREG 0100000

/* What a walk or an unpack did, or where and why it stopped. */
struct initramfs_result {
	u32 files, dirs;
	u64 bytes;	   /* file data written */
	const char *error; /* NULL, or what was wrong (a constant string without quotes) */
	u64 offset;	   /* the offending entry's header, from the archive's start */
	long err;	   /* the -errno of a failed fs call (unpack), else 0 */
};

/*
 * Checks each entry's header (magic "070701", 13 fields of 8 hex digits,
 * a NUL-terminated name inside the archive, data inside it, a directory
 * or regular file, a name without "." or ".." parts) and calls fn on it
 * (when fn is set), up to the TRAILER!!! entry, which must be there.
 * Bytes after the trailer are ignored. Returns 0; -EINVAL with
 * res->error set on a malformed archive; fn's error if it returned one.
 */
long cpio_walk(const void *buf, u64 len, long (*fn)(const struct cpio_entry *e, void *ctx),
	       void *ctx, struct initramfs_result *res);

/*
 * Checks the whole archive first (nothing is created from a malformed
 * one), then creates its directories (an existing one is kept) and files
 * (an existing one is overwritten) under root ("" for /) with process 1's
 * sys_* calls. 0, or -errno with res->error set.
 */
long initramfs_unpack(const void *buf, u64 len, const char *root, struct initramfs_result *res);

#endif
