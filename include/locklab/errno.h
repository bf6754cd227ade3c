/* Error numbers returned (negated) by the sys_* layer; the values are Linux's, so they read familiar. */
#ifndef LOCKLAB_ERRNO_H
#define LOCKLAB_ERRNO_H

#include <locklab/types.h>

#define EPERM	     1
#define ENOENT	     2
#define ESRCH	     3
#define EINTR	     4 /* a console read ended by Ctrl-C */
#define EIO	     5 /* a fault past the end of a mapped file (a user access: SIGBUS) */
#define E2BIG	     7 /* spawn: too many or too long arguments */
#define ENOEXEC	     8 /* spawn: not an executable this kernel can load */
#define EBADF	     9
#define ECHILD	     10
#define EAGAIN	     11
#define ENOMEM	     12
#define EACCES	     13 /* mmap: the fd's access mode does not allow the mapping */
#define EFAULT	     14
#define EBUSY	     16
#define EEXIST	     17
#define ENODEV	     19 /* mmap: not a file that can be mapped (a pipe, a directory, /proc) */
#define ENOTDIR	     20
#define EISDIR	     21
#define EINVAL	     22
#define ENFILE	     23
#define EMFILE	     24
#define EFBIG	     27
#define ENOSPC	     28
#define ESPIPE	     29
#define EPIPE	     32
#define ENAMETOOLONG 36
#define ENOSYS	     38 /* no system call with that number (EL0's SVC) */
#define ENOTEMPTY    39
#define EOVERFLOW    75	 /* mmap: past 2^32 pages; console read: line too long */
#define ENOBUFS	     105 /* console read: lines lost, typed faster than read */

const char *errno_name(long err); /* "ENOENT" for -2 or 2; "E?" if unknown */
bool errno_known(long err);	  /* err is -E for one of the errnos above */

#endif
