/* Subsystem start-up hooks: each subsystem registers its init function; start_kernel runs them in level order. */
#ifndef LOCKLAB_INITCALL_H
#define LOCKLAB_INITCALL_H

/*
 * Levels follow the subsystems' dependencies: mm first (everything
 * allocates), then fs (files and fd tables), ipc (pipes are files), proc
 * (processes own fd tables and a cwd), then rootfs (the initramfs is
 * unpacked through process 1's system calls: kernel/fs/initramfs.c). They run on the boot CPU, after the
 * platform, timer and interrupts are up and before the other CPUs start, in
 * the init task: no other task exists yet.
 */
#define INITCALL_MM	1
#define INITCALL_FS	2
#define INITCALL_IPC	3
#define INITCALL_PROC	4
#define INITCALL_ROOTFS 5

typedef void (*initcall_t)(void);

#define __initcall_str(x)     #x
#define __initcall_sec(level) ".initcall." __initcall_str(level)
#define initcall(fn, level)                     \
	static const initcall_t __initcall_##fn \
		__attribute__((used, section(__initcall_sec(level)))) = fn

void initcalls_run(void);

#endif
