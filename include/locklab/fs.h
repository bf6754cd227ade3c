/* The VFS seen from outside fs/: file types, stat and directory entries, the root, inode references. */
#ifndef LOCKLAB_FS_H
#define LOCKLAB_FS_H

#include <locklab/types.h>

#define NAME_MAX 55 /* bytes in one path component, without the NUL */

#define S_IFREG 1
#define S_IFDIR 2

struct stat {
	u32 ino;
	u32 type; /* S_IFREG or S_IFDIR */
	u32 nlink;
	u64 size; /* bytes (files), entries (directories) */
};

struct dirent {
	u32 ino;
	u32 type;
	char name[NAME_MAX + 1];
};

struct inode;

struct inode *fs_root(void); /* referenced */
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
u64 fs_inodes_live(void); /* inodes allocated and not yet freed (leak checks) */

#endif
