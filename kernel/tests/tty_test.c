/* ktest suite "tty": the console's line discipline (echo, backspace, Enter, Ctrl-D, Ctrl-C, long lines, bad buffers) read through the console file. */
#include <locklab/ktest.h>
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/panic.h>
#include <locklab/printf.h>
#include <locklab/proc.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/time.h>
#include <locklab/syscall.h>
#include <locklab/tty.h>
#include <locklab/user.h>
#include <asm/atomic.h>
#include "../user/user_ktest.h"

/* Bytes as if typed at the console (the receive interrupt calls tty_input the same way). */
static void type(const char *s)
{
	for (; *s; s++) {
		if (*s == 0x03) /* ours: a ktest tty at the prompt must not stop for it */
			run_ctrl_c_typed_by_a_test();
		tty_input(*s);
	}
}

/* A console fd of the calling process, or -1 (counted as a failure). */
static int console_fd(struct ktest *t)
{
	int fd = tty_open_fd();

	KT_EXPECT(t, fd >= 0);
	return fd;
}

static void tty_lines_come_out_one_per_read(struct ktest *t)
{
	int fd = console_fd(t);
	char buf[64];

	if (fd < 0)
		return;
	type("ls -l\rsecond\n");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6L);
	KT_EXPECT_MEMEQ(t, buf, "ls -l\n", 6);
	KT_EXPECT_EQ(t, sys_read(fd, buf, 3), 3L); /* a short read takes part of a line */
	KT_EXPECT_MEMEQ(t, buf, "sec", 3);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 4L);
	KT_EXPECT_MEMEQ(t, buf, "ond\n", 4);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

static void tty_backspace_and_controls(struct ktest *t)
{
	int fd = console_fd(t);
	char buf[64];

	if (fd < 0)
		return;
	type("abx\x7f\bc\x01\x1b\t!\r"); /* DEL and BS erase two; other controls are dropped, tab kept */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 5L);
	KT_EXPECT_MEMEQ(t, buf, "ac\t!\n", 5);
	type("\x7f\x7fz\n"); /* backspace on an empty line does nothing */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 2L);
	KT_EXPECT_MEMEQ(t, buf, "z\n", 2);
	type("\x04"); /* Ctrl-D on an empty line: end of file once */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 0L);
	type("half\x03w\n"); /* Ctrl-C throws the typed half away */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 2L);
	KT_EXPECT_MEMEQ(t, buf, "w\n", 2);
	KT_EXPECT_EQ(t, sys_write(fd, "tty: written through the console file\n", 38), 38L);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

/* n bytes of c typed, then end (a string: Enter, Backspace, Ctrl-C...). */
static void type_run(char c, u32 n, const char *end)
{
	while (n--)
		tty_input(c);
	type(end);
}

/*
 * Bytes from 0x80 up (UTF-8) reach the reader, and Backspace takes a
 * UTF-8 character off whole; Ctrl-U throws the typed line away, a line too
 * long too. Both were dropped as controls: "h\xc3\xa9llo" read "hllo",
 * and Ctrl-U left the line as it was. A stray continuation byte is erased
 * alone (it took the character before it along: "5\xb0" and Backspace read
 * as an empty line).
 */
static void tty_utf8_and_ctrl_u(struct ktest *t)
{
	static char buf[TTY_LINE_MAX + 64];
	int fd = console_fd(t);

	if (fd < 0)
		return;
	type("h\xc3\xa9llo \xe2\x82\xac\r");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 11L);
	KT_EXPECT_MEMEQ(t, buf, "h\xc3\xa9llo \xe2\x82\xac\n", 11);
	type("caf\xc3\xa9\x7f"
	     "e \xe2\x82\xac\x7f\x7f!\r"); /* é and € each one Backspace */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6L);
	KT_EXPECT_MEMEQ(t, buf, "cafe!\n", 6);
	/* a continuation byte with no start (Latin-1's °), or one past a whole €: one Backspace, one byte */
	type("5\xb0\x7f \xe2\x82\xac\x80\x7f!\r");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 7L);
	KT_EXPECT_MEMEQ(t, buf, "5 \xe2\x82\xac!\n", 7);
	type("rm -r /\x15ls\r");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 3L);
	KT_EXPECT_MEMEQ(t, buf, "ls\n", 3);
	type_run('x', TTY_LINE_MAX + 10, "\x15ok\r"); /* a line too long, killed: not refused */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 3L);
	KT_EXPECT_MEMEQ(t, buf, "ok\n", 3);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

/*
 * A line past TTY_LINE_MAX - 1 bytes is refused whole, not cut: its read
 * returns -EOVERFLOW and the next line reads as usual. Backspace cannot
 * bring it back (its tail is gone); Ctrl-C throws it away as any line.
 */
static void tty_a_line_too_long_is_refused_whole(struct ktest *t)
{
	static char buf[TTY_LINE_MAX + 64];
	int fd = console_fd(t);

	if (fd < 0)
		return;
	type_run('a', TTY_LINE_MAX - 1, "\r"); /* the longest line that fits */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), (long)TTY_LINE_MAX);
	KT_EXPECT_EQ(t, buf[TTY_LINE_MAX - 2], 'a');
	KT_EXPECT_EQ(t, buf[TTY_LINE_MAX - 1], '\n');
	type_run('b', TTY_LINE_MAX, "\rnext\r");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), (long)-EOVERFLOW);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 5L);
	KT_EXPECT_MEMEQ(t, buf, "next\n", 5);
	type_run('c', TTY_LINE_MAX + 100, "\x7f\x7f\n"); /* still too long */
	KT_EXPECT_EQ(t, sys_read(fd, buf, 1), (long)-EOVERFLOW);
	type_run('d', TTY_LINE_MAX + 100, "\x03ok\n");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 3L);
	KT_EXPECT_MEMEQ(t, buf, "ok\n", 3);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

/*
 * Ctrl-D as a terminal's EOF character: after typed bytes it hands them
 * over as they are, without a newline (cat's "abc^D"); on an empty line it
 * is end of file, read in its place among the lines, once.
 */
static void tty_ctrl_d_hands_over_a_line_or_ends_the_file(struct ktest *t)
{
	char buf[64];
	int fd = console_fd(t);

	if (fd < 0)
		return;
	type("abc\x04");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 3L);
	KT_EXPECT_MEMEQ(t, buf, "abc", 3);
	type("de\x04\x04"); /* the bytes, then end of file on the line now empty */
	KT_EXPECT_EQ(t, sys_read(fd, buf, 2), 2L); /* read to its last byte: the line is over */
	KT_EXPECT_MEMEQ(t, buf, "de", 2);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 0L);
	type("z\x7f\x04"); /* erased to empty: end of file */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 0L);
	/* End of file typed between two lines reads between them (Enter also ends the echo's line). */
	type("one\r\x04two\r");
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 4L);
	KT_EXPECT_MEMEQ(t, buf, "one\n", 4);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 0L);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 4L);
	KT_EXPECT_MEMEQ(t, buf, "two\n", 4);
	type_run('e', TTY_LINE_MAX + 10, "\x04\r"); /* a line too long stays refused */
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), (long)-EOVERFLOW);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

/* n lines of len bytes each (the newline included) typed, none read yet. */
static void type_lines(char c, u32 n, u32 len)
{
	for (u32 i = 0; i < n; i++)
		type_run(c, len - 1, "\r");
}

/* Reads n lines of len bytes each; false at the first that is not one. */
static bool read_lines(int fd, u32 n, u32 len)
{
	static char buf[TTY_LINE_MAX];

	for (u32 i = 0; i < n; i++) {
		if (sys_read(fd, buf, sizeof(buf)) != (long)len || buf[len - 1] != '\n')
			return false;
	}
	return true;
}

static void tty_lines_lost_to_a_full_ring_are_said(struct ktest *t)
{
	static char buf[TTY_LINE_MAX];
	int fd = console_fd(t);

	if (fd < 0)
		return;
	/* Ten lines fill 1000 of the ring's 1024 bytes: the eleventh is lost, the mark takes its place. */
	type_lines('x', 10, 100);
	type_lines('y', 1, 100);
	type("after\r");
	KT_EXPECT(t, read_lines(fd, 10, 100));
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), (long)-ENOBUFS);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6L);
	KT_EXPECT_MEMEQ(t, buf, "after\n", 6);
	/* A ring full to the byte: the mark waits for room, then comes before the line typed after the loss. */
	type_lines('z', TTY_READY_MAX / 128, 128);
	type("lost\r");
	KT_EXPECT(t, read_lines(fd, 1, 128));
	type("later\r");
	KT_EXPECT(t, read_lines(fd, TTY_READY_MAX / 128 - 1, 128));
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), (long)-ENOBUFS);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6L);
	KT_EXPECT_MEMEQ(t, buf, "later\n", 6);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

/* A reader asleep on the console is woken by the line that completes. */
static void tty_reader(void *arg)
{
	char buf[16];
	long *got = arg;
	int fd = tty_open_fd();

	if (fd >= 0) {
		*got = sys_read(fd, buf, sizeof(buf));
		sys_close(fd);
	}
}

static void tty_a_sleeping_reader_wakes_for_a_line_or_ctrl_c(struct ktest *t)
{
	static long got = -1000;
	long pid;
	int status;

	got = -1000;
	pid = sys_spawn(tty_reader, &got, TASK_ANY_CPU);
	KT_ASSERT(t, pid > 1);
	for (int i = 0; i < 50; i++)
		yield(); /* let it block in read */
	KT_EXPECT_EQ(t, atomic_load_relaxed(&got), -1000L);
	type("wake\r");
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, got, 5L);
	/*
	 * Ctrl-C while it sleeps: the read ends with -EINTR (the shell prompts
	 * again). Typed only once the reader is in its read (a Ctrl-C before
	 * the read began is not the read's: yields alone did not make sure of
	 * that when the host delayed the reader's vCPU, and the boot hung).
	 */
	got = -1000;
	pid = sys_spawn(tty_reader, &got, TASK_ANY_CPU);
	KT_ASSERT(t, pid > 1);
	for (u64 end = time_counter() + 5 * time_freq();
	     !tty_readers_waiting() && time_counter() < end;)
		yield();
	KT_EXPECT_EQ(t, tty_readers_waiting(), 1U);
	type("\x03");
	for (u64 end = time_counter() + 5 * time_freq();
	     atomic_load_relaxed(&got) == -1000 && time_counter() < end;)
		yield();
	if (atomic_load_relaxed(&got) == -1000)
		type("released\r"); /* it slept through Ctrl-C: a line ends its read, and the case fails */
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, got, (long)-EINTR);
}

/* Reads the console to a line typed now: lines an earlier reader left queued are gone after it. */
static void drain_to_marker(struct ktest *t)
{
	int fd = console_fd(t);
	char buf[16];

	if (fd < 0)
		return;
	/*
	 * Lines lost to a full ring (-ENOBUFS) may include the marker: then a
	 * new one, numbered, so that an earlier marker that was not lost reads
	 * as any other line and none is left for the next case.
	 */
	for (u32 k = 0;; k++) {
		char want[16];
		long n = snprintf(want, sizeof(want), "drained%u\r", k), r;

		type(want);
		want[n - 1] = '\n';
		while ((r = sys_read(fd, buf, sizeof(buf))) != -ENOBUFS)
			if (r == n && memcmp(buf, want, (size_t)n) == 0) {
				sys_close(fd);
				return;
			}
	}
}

/*
 * Three readers asleep on the console, lines typed one by one: each line
 * wakes them all, one takes it, and the others must sleep again. Before,
 * a reader that found the ring emptied by another returned -EINTR as if
 * Ctrl-C had been typed (the wake-up's test and the take are two holds of
 * tty.lock). No Ctrl-C is typed here, so no read may end with -EINTR.
 */
#define MANY_READERS 3
static u32 many_lines, many_eintr, many_other, many_stop, many_done; /* atomic */

static void many_reader(void *arg)
{
	int fd = tty_open_fd();
	char buf[16];

	(void)arg;
	while (fd >= 0 && !atomic_load_acquire(&many_stop)) {
		long r = sys_read(fd, buf, sizeof(buf));

		atomic_fetch_add_relaxed(r > 0	     ? &many_lines :
					 r == -EINTR ? &many_eintr :
						       &many_other,
					 1U);
	}
	if (fd >= 0)
		sys_close(fd);
	atomic_fetch_add_acq_rel(&many_done, 1U);
}

static void tty_readers_woken_for_one_line_are_not_interrupted(struct ktest *t)
{
	long pid[MANY_READERS];
	int status;

	many_lines = many_eintr = many_other = many_stop = many_done = 0;
	for (int i = 0; i < MANY_READERS; i++) {
		pid[i] = sys_spawn(many_reader, NULL, (int)((u32)i % cpus_online()));
		KT_ASSERT(t, pid[i] > 1);
	}
	for (int i = 0; i < 50; i++)
		yield(); /* let them block in read */
	for (int n = 0; n < 1000; n++) {
		type("x\r");
		for (int i = 0; i < 3; i++)
			yield();
	}
	/*
	 * Every line read (or its loss said) before the readers are told to
	 * stop: stopped with lines still queued, they left them unread and the
	 * count came short on a slow host (917 of 1000 under a blocking BKL).
	 */
	for (u64 end = time_counter() + 5 * time_freq();
	     atomic_load_relaxed(&many_lines) + atomic_load_relaxed(&many_other) < 1000U &&
	     time_counter() < end;)
		yield();
	atomic_store_release(&many_stop, 1U);
	/*
	 * Each reader ends after its next line: one line, then up to 50 ms for
	 * a reader to end, before the next. A line each yield filled the ring
	 * (shell's `ktest tty` on 2 parallel vCPUs: thousands), and the marker
	 * drain_to_marker typed next was lost with the lines after it.
	 */
	for (u64 end = time_counter() + 5 * time_freq();
	     atomic_load_acquire(&many_done) < MANY_READERS && time_counter() < end;) {
		u32 done = atomic_load_acquire(&many_done);

		type("x\r");
		for (u64 next = time_counter() + time_freq() / 20;
		     atomic_load_acquire(&many_done) == done && time_counter() < next;)
			yield();
	}
	KT_ASSERT(t, atomic_load_acquire(&many_done) == MANY_READERS);
	for (int i = 0; i < MANY_READERS; i++)
		KT_EXPECT_EQ(t, sys_wait((int)pid[i], &status), pid[i]);
	KT_EXPECT_EQ(t, many_eintr, 0U);
	KT_EXPECT_GE(t, many_lines,
		     1000U - many_other); /* a line may only be lost to a full ring (-ENOBUFS) */
	/* the stop loop's lines beyond the last reader's are not the next case's */
	drain_to_marker(t);
}

/* Session members asleep outside the console: one fd each, and what its call returned (atomic). */
struct member {
	int fd;
	long got;
	long child; /* member_waits: the child it waits for */
};

#define NOT_YET (-1000L)
static u32 child_release; /* atomic: busy_child returns once set */

static void member_reads_pipe(void *arg)
{
	struct member *m = arg;
	char c;

	atomic_store_relaxed(&m->got, sys_read(m->fd, &c, 1));
}

static void member_fills_pipe(void *arg)
{
	static char buf[PIPE_BUF_SIZE];
	struct member *m = arg;
	long r = sys_write(m->fd, buf, sizeof(buf)); /* fills it: the next byte has to wait */

	atomic_store_relaxed(&m->got, r == PIPE_BUF_SIZE ? sys_write(m->fd, buf, 1) : r - 2000);
}

/* Runs (yielding, never asleep) until released: Ctrl-C has nothing of its to end. */
static void busy_child(void *arg)
{
	while (!atomic_load_relaxed(&child_release))
		yield();
}

static void member_waits(void *arg)
{
	struct member *m = arg;
	int status;

	m->child = sys_spawn(busy_child, NULL, TASK_ANY_CPU);
	atomic_store_relaxed(&m->got,
			     m->child > 1 ? sys_wait((int)m->child, &status) : m->child - 2000);
	/*
	 * Reap the child ourselves once the case releases it (each wait is
	 * -EINTR until it is a zombie), rather than leave an orphan: at the
	 * prompt process 1's wait for the shell reaps orphans, and the case
	 * could not count on waiting for it.
	 */
	if (m->child > 1)
		while (sys_wait((int)m->child, &status) == -EINTR)
			yield();
}

long u_read_byte(u64 fd); /* kernel/user/progs.user.c: exit(the byte read) */

/*
 * Ctrl-C reaches members asleep anywhere a user would expect: process 1
 * is the session leader while it spawns them (as end=shell makes
 * /bin/sh), so they are members. A read of an empty pipe, a write to a
 * full one and a wait for a running child each end with -EINTR; a member
 * at EL0 asleep in read() ends with status 130. Were they not woken, the
 * case releases them after 5 s (a byte, room, the child) and fails.
 */
static void tty_ctrl_c_ends_member_sleeps_outside_the_console(struct ktest *t)
{
	static struct member rd, wr, wt;
	struct proc *self = current_proc();
	int rfds[2], wfds[2], status = -1;
	long pids[4];
	u8 session = self->session;
	u64 deadline;
	char room[64];
	bool woken;

	KT_ASSERT(t, sys_pipe(rfds) == 0);
	KT_ASSERT(t, sys_pipe(wfds) == 0);
	rd = (struct member){ rfds[0], NOT_YET, 0 };
	wr = (struct member){ wfds[1], NOT_YET, 0 };
	wt = (struct member){ -1, NOT_YET, 0 };
	atomic_store_relaxed(&child_release, 0U);
	self->session = PROC_SESSION_LEADER;
	pids[0] = sys_spawn(member_reads_pipe, &rd, TASK_ANY_CPU);
	pids[1] = sys_spawn(member_fills_pipe, &wr, TASK_ANY_CPU);
	pids[2] = sys_spawn(member_waits, &wt, TASK_ANY_CPU);
	pids[3] = user_spawn("reader", u_read_byte, (u64)rfds[0], NULL, TASK_ANY_CPU);
	self->session = session;
	for (int i = 0; i < 4; i++)
		KT_ASSERT(t, pids[i] > 1);
	for (int i = 0; i < 100; i++)
		yield(); /* let each fall asleep */
	KT_EXPECT_EQ(t, atomic_load_relaxed(&rd.got), NOT_YET);
	KT_EXPECT_EQ(t, atomic_load_relaxed(&wr.got), NOT_YET);
	KT_EXPECT_EQ(t, atomic_load_relaxed(&wt.got), NOT_YET);
	type("\x03");
	deadline = time_ns() + 5000000000ULL;
	do {
		woken = atomic_load_relaxed(&rd.got) != NOT_YET &&
			atomic_load_relaxed(&wr.got) != NOT_YET &&
			atomic_load_relaxed(&wt.got) != NOT_YET;
		yield();
	} while (!woken && time_ns() < deadline);
	if (!woken) {
		ktest_note(t, "a member slept through Ctrl-C: releasing them");
		sys_write(rfds[1], "**", 2);
		sys_read(wfds[0], room, sizeof(room));
	}
	atomic_store_relaxed(&child_release, 1U);
	for (int i = 0; i < 4; i++) {
		KT_EXPECT_EQ(t, sys_wait((int)pids[i], &status), pids[i]);
		if (i == 3)
			KT_EXPECT_EQ(t, status, 128 + USER_SIGINT); /* ended at its return to EL0 */
	}
	KT_EXPECT_EQ(t, rd.got, (long)-EINTR);
	KT_EXPECT_EQ(t, wr.got, (long)-EINTR);
	KT_EXPECT_EQ(t, wt.got, (long)-EINTR);
	for (int i = 0; i < 2; i++) {
		KT_EXPECT_EQ(t, sys_close(rfds[i]), 0);
		KT_EXPECT_EQ(t, sys_close(wfds[i]), 0);
	}
}

long u_read_console_into_a_bad_page(u64 fds); /* kernel/user/progs.user.c */

/*
 * A read whose buffer the kernel cannot write is -EFAULT and takes
 * nothing: the line is there for the next read, as Linux's n_tty keeps
 * it. The line left the ring before the copy was tried, and a bad
 * buffer lost it: the program's second read got "after" instead. Only a
 * process at EL0 has such a buffer (a kernel task's copy is a memcpy
 * that uaccess_ok has checked): a shared file mapping's page past the
 * file's end, accepted by the check, refused at the copy's fault.
 */
static void tty_a_read_into_a_bad_buffer_loses_nothing(struct ktest *t)
{
	int fd = console_fd(t), status = -1;
	long file = sys_open("/tty_short_file", O_CREAT | O_EXCL | O_RDWR);
	char buf[16];

	KT_ASSERT(t, fd >= 0 && file >= 0);
	KT_EXPECT_EQ(t, sys_write((int)file, "short", 5), 5L);
	drain_to_marker(t); /* nothing an earlier case left */
	type("kept\rafter\r");
	KT_EXPECT(t, run_user("badread", u_read_console_into_a_bad_page, (u64)fd | (u64)file << 8,
			      NULL, TASK_ANY_CPU, &status) > 1);
	KT_EXPECT_EQ(t, status, 0);
	if (status == 3) /* the program read "after": nothing more is waiting */
		type("after\r");
	if (status == 1 || status < 0) /* it read neither line: "kept" first */
		sys_read(fd, buf, sizeof(buf));
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), 6L);
	KT_EXPECT_MEMEQ(t, buf, "after\n", 6);
	KT_EXPECT_EQ(t, sys_close((int)file), 0);
	KT_EXPECT_EQ(t, sys_unlink("/tty_short_file"), 0);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

static u32 typed; /* atomic: the case has typed its Ctrl-C */

/* Spawns fn(m) as a session member (this task leads the session for the spawn): its pid. */
static long spawn_member(void (*fn)(void *), struct member *m)
{
	struct proc *self = current_proc();
	u8 session = self->session;
	long pid;

	self->session = PROC_SESSION_LEADER;
	pid = sys_spawn(fn, m, TASK_ANY_CPU);
	self->session = session;
	return pid;
}

/* Types Ctrl-C, then lets the member go on (typed) and waits up to ms for its result: whether it came. */
static bool ctrl_c_then_wait_for(struct member *m, u64 ms)
{
	u64 deadline;

	type("\x03");
	atomic_store_relaxed(&typed, 1U);
	deadline = time_ns() + ms * 1000000ULL;
	while (atomic_load_relaxed(&m->got) == NOT_YET && time_ns() < deadline)
		yield();
	return atomic_load_relaxed(&m->got) != NOT_YET;
}

/* A member that spawns a reader of an empty pipe only after Ctrl-C reached it, then reaps it: got = its status. */
static void member_spawns_after_ctrl_c(void *arg)
{
	struct member *m = arg;
	int status = -1;
	long r;

	while (!atomic_load_relaxed(&typed))
		yield();
	m->child = user_spawn("reader", u_read_byte, (u64)m->fd, NULL, TASK_ANY_CPU);
	if (m->child <= 1) {
		atomic_store_relaxed(&m->got, m->child - 2000);
		return;
	}
	/* -EINTR while the child runs (Ctrl-C reached us): ask again until it is a zombie */
	while ((r = sys_wait((int)m->child, &status)) == -EINTR)
		yield();
	atomic_store_relaxed(&m->got, r == m->child ? (long)status : r - 3000);
}

/*
 * A member that Ctrl-C has reached but that has not yet returned to EL0
 * (still in a spawn: loading a program takes a while) can start a
 * program; that child is reached by the same Ctrl-C, as Linux's fork
 * fails once a signal is pending: it ends with 130 at its first system
 * call. It was spawned as if after the Ctrl-C and ran on as an orphan
 * (a nested shell's cat went on reading the console, beside the shell).
 */
static void tty_a_member_spawning_after_ctrl_c_spawns_an_interrupted_child(struct ktest *t)
{
	static struct member sp;
	int fds[2], status = -1;
	long pid, got;

	KT_ASSERT(t, sys_pipe(fds) == 0);
	sp = (struct member){ fds[0], NOT_YET, 0 };
	atomic_store_relaxed(&typed, 0U);
	pid = spawn_member(member_spawns_after_ctrl_c, &sp);
	KT_ASSERT(t, pid > 1);
	if (!ctrl_c_then_wait_for(&sp, 5000)) {
		ktest_note(t, "the child read on after Ctrl-C: releasing it");
		sys_write(fds[1], "*", 1);
	}
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	got = atomic_load_relaxed(&sp.got);
	KT_EXPECT_EQ(t, got, (long)(128 + USER_SIGINT));
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0);
}

/* A member that reads the console only after Ctrl-C reached it (still in the kernel, or back at EL0 at once). */
static void member_reads_console_after_ctrl_c(void *arg)
{
	struct member *m = arg;
	char buf[16];

	while (!atomic_load_relaxed(&typed))
		yield();
	atomic_store_relaxed(&m->got, sys_read(m->fd, buf, sizeof(buf)));
}

/*
 * A member Ctrl-C has reached ends at its next return to EL0; a console
 * read it starts before that (a `cat` between two reads when Ctrl-C is
 * typed, its CPU not yet interrupted) is -EINTR at once, whatever lines
 * wait. It slept until the next line, or took one that was waiting, and
 * only then died: Ctrl-C seemed to do nothing until Enter, and the line
 * the user typed for the shell was lost.
 */
static void tty_a_member_reading_after_ctrl_c_is_interrupted(struct ktest *t)
{
	static struct member rd;
	int fd = console_fd(t), status = -1;
	long pid;

	KT_ASSERT(t, fd >= 0);
	rd = (struct member){ fd, NOT_YET, 0 };
	atomic_store_relaxed(&typed, 0U);
	pid = spawn_member(member_reads_console_after_ctrl_c, &rd);
	KT_ASSERT(t, pid > 1);
	if (!ctrl_c_then_wait_for(&rd, 2000))
		type("released\r"); /* it slept through Ctrl-C: a line ends its read, and the case fails */
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, atomic_load_relaxed(&rd.got), (long)-EINTR);
	KT_EXPECT_EQ(t, sys_close(fd), 0);
}

static const struct ktest_case tty_cases[] = {
	KTEST_CASE(tty_lines_come_out_one_per_read),
	KTEST_CASE(tty_backspace_and_controls),
	KTEST_CASE(tty_utf8_and_ctrl_u),
	KTEST_CASE(tty_a_line_too_long_is_refused_whole),
	KTEST_CASE(tty_ctrl_d_hands_over_a_line_or_ends_the_file),
	KTEST_CASE(tty_lines_lost_to_a_full_ring_are_said),
	KTEST_CASE(tty_a_sleeping_reader_wakes_for_a_line_or_ctrl_c),
	KTEST_CASE(tty_readers_woken_for_one_line_are_not_interrupted),
	KTEST_CASE(tty_ctrl_c_ends_member_sleeps_outside_the_console),
	KTEST_CASE(tty_a_read_into_a_bad_buffer_loses_nothing),
	KTEST_CASE(tty_a_member_spawning_after_ctrl_c_spawns_an_interrupted_child),
	KTEST_CASE(tty_a_member_reading_after_ctrl_c_is_interrupted),
};

KTEST_SUITE(tty, tty_cases);
