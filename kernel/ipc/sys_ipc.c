/* sys_pipe: kernel scope, argument checks, then ipc (kernel/ipc/). */
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/klock.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include "ipc_internal.h"

/*
 * Makes a pipe and its two ends, installs them as fds[0] (read) and fds[1]
 * (write). The files are made here, outside the ipc subsystem scope: fs
 * comes before ipc in lock order. On any failure everything made so far is
 * undone, through the same release path a close takes.
 */
static long do_pipe(int fds[2])
{
	struct pipe *p;
	struct file *rf, *wf;
	int rfd, wfd;

	p = pipe_create();
	if (!p)
		return -ENOMEM;
	rf = file_alloc(&pipe_file_ops, p, O_RDONLY);
	if (!rf) {
		pipe_close_end(p, false);
		pipe_close_end(p, true); /* the last end: frees p */
		return -ENOMEM;
	}
	wf = file_alloc(&pipe_file_ops, p, O_WRONLY);
	if (!wf) {
		file_put(rf);		 /* releases the read end */
		pipe_close_end(p, true); /* frees p */
		return -ENOMEM;
	}
	rfd = fd_install(rf);
	if (rfd < 0) {
		/* fd_install took nothing: both references are still ours. */
		file_put(rf);
		file_put(wf);
		return rfd;
	}
	wfd = fd_install(wf);
	if (wfd < 0) {
		/* drops the table's reference to rf (if still ours): its release */
		fd_uninstall(rfd, rf);
		file_put(wf);
		return wfd;
	}
	fds[0] = rfd;
	fds[1] = wfd;
	return 0;
}

long sys_pipe(int fds[2])
{
	int k[2];
	long ret;

	kernel_enter();
	if (!uaccess_ok(fds, 2 * sizeof(int), UACCESS_WRITE)) {
		ret = -EFAULT;
	} else {
		ret = do_pipe(k);
		/* fds may be a user process's, written only now: no page is faulted in under ipc's locks */
		if (!ret && copy_to_user(fds, k, sizeof(k))) {
			/*
			 * By number, safely: only a process at EL0 can get here (a
			 * kernel caller's copy is a memcpy uaccess_ok has checked), and
			 * its fd table is its own, used by its one task, so nothing
			 * can have reused k[] since do_pipe. The shared table of
			 * process 1's kernel tasks never fails this copy.
			 */
			sys_close(k[0]);
			sys_close(k[1]);
			ret = -EFAULT;
		}
	}
	kernel_exit();
	return ret;
}
