/* Open flags and lseek whences: constants only, shared by the kernel and user code (kernel/user/). */
#ifndef LOCKLAB_FCNTL_H
#define LOCKLAB_FCNTL_H

/* Open flags (Linux values). */
#define O_RDONLY    0x0
#define O_WRONLY    0x1
#define O_RDWR	    0x2
#define O_ACCMODE   0x3
#define O_CREAT	    0x40
#define O_EXCL	    0x80
#define O_TRUNC	    0x200
#define O_APPEND    0x400
#define O_DIRECTORY 0x10000

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#endif
