/* ktest suite "tty": the console's line discipline (echo, backspace, Enter, Ctrl-D, Ctrl-C) read through the console file. */
#include <locklab/ktest.h>
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/sched.h>
#include <locklab/smp.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/tty.h>
#include <asm/atomic.h>

/* Bytes as if typed at the console (the receive interrupt calls tty_input the same way). */
static void type(const char *s)
{
	while (*s)
		tty_input(*s++);
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
	/* Ctrl-C while it sleeps: the read ends with -EINTR (the shell prompts again) */
	got = -1000;
	pid = sys_spawn(tty_reader, &got, TASK_ANY_CPU);
	KT_ASSERT(t, pid > 1);
	for (int i = 0; i < 50; i++)
		yield();
	type("\x03");
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, got, (long)-EINTR);
}

static const struct ktest_case tty_cases[] = {
	KTEST_CASE(tty_lines_come_out_one_per_read),
	KTEST_CASE(tty_backspace_and_controls),
	KTEST_CASE(tty_a_sleeping_reader_wakes_for_a_line_or_ctrl_c),
};

KTEST_SUITE(tty, tty_cases);
