/* ktest suite "procfs": special files (kernel/fs/special.c) and /proc/lock_stat through the sys_* calls. */
#include "fs_test.h"
#include <locklab/lockstat.h>
#include <locklab/printf.h>
#include <locklab/sched.h>
#include <locklab/user.h>
#include <locklab/spinlock.h>
#include <locklab/string.h>

#define LOCK_STAT "/proc/lock_stat"
#define TAKES	  37 /* acquisitions of test_lock between a reset and a read */

static struct spinlock test_lock = SPINLOCK_INIT("procfs_test_lock");

/* The text of a read; only the ktest task (init) uses it, one case at a time. */
static char text[FS_TEXT_MAX + 1];

static void take_test_lock(u32 n)
{
	for (u32 i = 0; i < n; i++) {
		spin_lock(&test_lock);
		spin_unlock(&test_lock);
	}
}

/* Reads fd to its end in reads of chunk bytes into text (NUL-terminated); the length, or -errno. */
static long read_all(long fd, u64 chunk)
{
	u64 len = 0;
	long r;

	while ((r = sys_read((int)fd, text + len, MIN(chunk, FS_TEXT_MAX - len))) > 0)
		len += (u64)r;
	text[len] = '\0';
	return r < 0 ? r : (long)len;
}

/* Opens, reads (chunk bytes at a time) and closes /proc/lock_stat; its length or -errno. */
static long read_lock_stat(u64 chunk)
{
	long fd = sys_open(LOCK_STAT, O_RDONLY), r;

	if (fd < 0)
		return fd;
	r = read_all(fd, chunk);
	sys_close((int)fd);
	return r;
}

static long write_lock_stat(const char *s, u64 n)
{
	long fd = sys_open(LOCK_STAT, O_WRONLY), r;

	if (fd < 0)
		return fd;
	r = sys_write((int)fd, s, n);
	sys_close((int)fd);
	return r;
}

/* Line i (0-based) of text into buf, without its newline; false if there are fewer lines. */
static bool line_at(u32 i, char *buf, u64 n)
{
	const char *p = text, *end;

	for (; i && (p = strchr(p, '\n')) != NULL; i--)
		p++;
	if (!p || !*p || !(end = strchr(p, '\n')))
		return false;
	strlcpy(buf, p, MIN(n, (u64)(end - p) + 1));
	return true;
}

/* s as a decimal number; -1 if it is not one. */
static s64 decimal(const char *s)
{
	s64 v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* A rule: a line of dashes, as long as the table's lines. */
static bool is_rule(const char *line)
{
	u64 n = 0;

	while (line[n] == '-')
		n++;
	return !line[n] && n == 40 + 12 * 15;
}

/* The acquisitions column of class's row in text; -1 if it has no row. */
static s64 acquisitions_of(const char *class)
{
	char line[256], want[64], *w[16];

	snprintf(want, sizeof(want), "%s:", class);
	for (u32 i = 4; line_at(i, line, sizeof(line)); i++)
		if (str_split_words(line, w, 16) == 13 && strcmp(w[0], want) == 0)
			return decimal(w[8]);
	return -1;
}

static void procfs_lock_stat_has_linux_layout(struct ktest *t)
{
	static const char *const cols[] = { "class",	      "name",	      "con-bounces",
					    "contentions",    "waittime-min", "waittime-max",
					    "waittime-total", "waittime-avg", "acq-bounces",
					    "acquisitions",   "holdtime-min", "holdtime-max",
					    "holdtime-total", "holdtime-avg" };
	char line[256], *w[16];
	long fd;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	KT_ASSERT(t, write_lock_stat("0", 1) == 1);
	take_test_lock(TAKES);
	fd = sys_open(LOCK_STAT, O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	take_test_lock(TAKES);		    /* after the open: not in its snapshot */
	KT_ASSERT(t, read_all(fd, 61) > 0); /* reads at offsets 0, 61, 122, ... */
	KT_EXPECT_EQ(t, sys_read((int)fd, line, 10), 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_ASSERT(t, line_at(0, line, sizeof(line)));
	KT_EXPECT_STREQ(t, line, "lock_stat version 0.4");
	KT_ASSERT(t, line_at(1, line, sizeof(line)));
	KT_EXPECT(t, is_rule(line));
	KT_ASSERT(t, line_at(2, line, sizeof(line)));
	KT_EXPECT_EQ(t, strlen(line), 40 + 12 * 15);
	KT_ASSERT(t, str_split_words(line, w, 16) == ARRAY_SIZE(cols));
	for (u32 i = 0; i < ARRAY_SIZE(cols); i++)
		KT_EXPECT_STREQ(t, w[i], cols[i]);
	KT_ASSERT(t, line_at(3, line, sizeof(line)));
	KT_EXPECT(t, is_rule(line));
	KT_EXPECT_EQ(t, acquisitions_of("procfs_test_lock"), TAKES);
	/* A new open takes a new snapshot, in one read this time. */
	KT_ASSERT(t, read_lock_stat(FS_TEXT_MAX) > 0);
	KT_EXPECT_EQ(t, acquisitions_of("procfs_test_lock"), 2 * TAKES);
}

static void procfs_lock_stat_write_resets(struct ktest *t)
{
	struct ktest_snapshot before;
	struct lockstat_sum s;
	long fd;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	take_test_lock(TAKES);
	KT_ASSERT(t, read_lock_stat(100) > 0);
	KT_EXPECT_GE(t, acquisitions_of("procfs_test_lock"), TAKES);
	/* What a shell's "echo 0 > /proc/lock_stat" does: O_TRUNC is ignored, "0\n" resets. */
	fd = sys_open(LOCK_STAT, O_CREAT | O_WRONLY | O_TRUNC);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fd, "0\n", 2), 2);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_ASSERT(t, lockstat_get("procfs_test_lock", &s));
	KT_EXPECT_EQ(t, s.acquisitions, 0);
	KT_ASSERT(t, read_lock_stat(100) > 0);
	KT_EXPECT_EQ(t, acquisitions_of("procfs_test_lock"),
		     -1); /* unused since the reset: no row */
	take_test_lock(3);
	KT_EXPECT_EQ(t, write_lock_stat("1", 1), -EINVAL);
	KT_EXPECT_EQ(t, write_lock_stat("00", 2), -EINVAL);
	KT_EXPECT_EQ(t, write_lock_stat("0 ", 2), -EINVAL);
	KT_EXPECT_EQ(t, write_lock_stat("0\n\n", 3), -EINVAL);
	KT_EXPECT_EQ(t, write_lock_stat("0", 0), 0); /* n == 0: nothing happens */
	KT_ASSERT(t, lockstat_get("procfs_test_lock", &s));
	KT_EXPECT_EQ(t, s.acquisitions, 3); /* none of those reset it */
	KT_EXPECT_EQ(t, write_lock_stat("0", 1), 1);
	KT_ASSERT(t, lockstat_get("procfs_test_lock", &s));
	KT_EXPECT_EQ(t, s.acquisitions, 0);
	/* Each open's snapshot is freed at its close, also one never read. */
	ktest_snapshot(&before);
	for (u32 i = 0; i < 4; i++) {
		fd = sys_open(LOCK_STAT, i & 1 ? O_RDWR : O_RDONLY);
		KT_ASSERT(t, fd >= 0);
		if (i < 2)
			KT_EXPECT(t, read_all(fd, 1000) > 0);
		KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	}
	KT_EXPECT_NO_LEAK(t, &before);
}

/*
 * /bin/cat /proc/lock_stat at EL0, its fd 1 a pipe this task reads: the
 * file as a user program sees it. The pipe must be fds 0 and 1, which cat inherits.
 */
static void procfs_cat_at_el0(struct ktest *t)
{
	static const char *const argv[] = { "cat", LOCK_STAT, NULL };
	int fds[2], status = -1;
	struct stat st;
	char line[256];
	long pid, r;
	u64 len = 0;

	if (!LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is off");
	if (sys_stat("/bin/cat", &st))
		KT_SKIP(t, "no /bin/cat in the initramfs");
	if (fst_fds_open() != 0)
		KT_SKIP(t, "the pipe would not be fds 0 and 1");
	KT_ASSERT(t, sys_pipe(fds) == 0);
	KT_ASSERT(t, fds[0] == 0 && fds[1] == 1);
	KT_ASSERT(t, write_lock_stat("0", 1) == 1);
	take_test_lock(TAKES);
	pid = user_spawn_file("/bin/cat", argv, TASK_ANY_CPU);
	KT_EXPECT_EQ(t, sys_close(fds[1]), 0); /* then the pipe ends when cat does */
	if (pid > 0)
		while ((r = sys_read(fds[0], text + len, FS_TEXT_MAX - len)) > 0)
			len += (u64)r;
	text[len] = '\0';
	KT_EXPECT_EQ(t, sys_close(fds[0]), 0);
	KT_ASSERT(t, pid > 1);
	KT_EXPECT_EQ(t, sys_wait((int)pid, &status), pid);
	KT_EXPECT_EQ(t, status, 0);
	KT_ASSERT(t, line_at(0, line, sizeof(line)));
	KT_EXPECT_STREQ(t, line, "lock_stat version 0.4");
	KT_ASSERT(t, line_at(1, line, sizeof(line)));
	KT_EXPECT(t, is_rule(line));
	KT_EXPECT_EQ(t, acquisitions_of("procfs_test_lock"), TAKES);
	KT_EXPECT_EQ(t, text[len - 1], '\n');
}

static void procfs_lock_stat_without_lockstat(struct ktest *t)
{
	if (LOCKSTAT_ENABLED)
		KT_SKIP(t, "CONFIG_LOCK_STAT is on");
	KT_ASSERT(t, read_lock_stat(7) > 0);
	KT_EXPECT_STREQ(t, text, "lock_stat: not available (CONFIG_LOCK_STAT is off)\n");
	KT_EXPECT_EQ(t, write_lock_stat("0", 1), -EINVAL);
}

/* The special file and its directory: stat, listings, and every way of removing or recreating them. */
static void procfs_names_stay(struct ktest *t)
{
	struct dirent ents[8];
	struct stat st;
	bool listed = false;
	long fd, n;

	KT_ASSERT(t, sys_stat(LOCK_STAT, &st) == 0);
	KT_EXPECT_EQ(t, st.type, S_IFREG);
	KT_EXPECT_EQ(t, st.size, 0); /* as Linux's procfs: the size is not known before a read */
	KT_EXPECT_EQ(t, st.nlink, 1);
	KT_ASSERT(t, sys_stat("/proc", &st) == 0);
	KT_EXPECT_EQ(t, st.type, S_IFDIR);
	fd = sys_open("/proc", O_RDONLY | O_DIRECTORY);
	KT_ASSERT(t, fd >= 0);
	while ((n = sys_readdir((int)fd, ents, ARRAY_SIZE(ents))) > 0)
		for (long i = 0; i < n; i++)
			listed |= strcmp(ents[i].name, "lock_stat") == 0 && ents[i].type == S_IFREG;
	KT_EXPECT_EQ(t, n, 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT(t, listed);
	KT_EXPECT_EQ(t, sys_unlink(LOCK_STAT), -EPERM);
	KT_EXPECT_EQ(t, sys_unlink("/proc/../proc/lock_stat"), -EPERM);
	KT_EXPECT_EQ(t, sys_rmdir(LOCK_STAT), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_rmdir("/proc"), -EBUSY);
	KT_EXPECT_EQ(t, sys_rmdir("/proc/"), -EBUSY);
	KT_EXPECT_EQ(t, sys_unlink("/proc"), -EISDIR);
	KT_EXPECT_EQ(t, sys_mkdir(LOCK_STAT), -EEXIST);
	KT_EXPECT_EQ(t, sys_open(LOCK_STAT, O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
	KT_EXPECT_EQ(t, sys_open(LOCK_STAT, O_RDONLY | O_DIRECTORY), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_open("/proc/lock_stat/", O_RDONLY), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_open("/proc/lock_stat/x", O_CREAT | O_WRONLY), -ENOTDIR);
	fd = sys_open(LOCK_STAT, O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), -ESPIPE);
	KT_EXPECT_EQ(t, sys_readdir((int)fd, ents, 1), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_write((int)fd, "0", 1), -EBADF); /* opened for reading */
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	/* Still there, and still a special file: a read gives its text, not ramfs's empty pages. */
	KT_EXPECT(t, read_lock_stat(512) > 0);
	KT_EXPECT(t, strncmp(text, "lock_stat", 9) == 0);
}

/* A read-only special file of the test's own: the mode, ops->open and ops->release. */
static u32 ro_opens, ro_releases; /* only the ktest task opens it */

#define RO_LINES 4000 /* of 10 bytes: more than FS_TEXT_MAX, so the text is cut there */

static long ro_open(struct file *f)
{
	struct fs_text *tx = fs_text_new();
	char line[16];

	ro_opens++;
	if (!tx)
		return -ENOMEM;
	for (u32 i = 0; i < RO_LINES; i++) {
		snprintf(line, sizeof(line), "line %04u", i);
		fs_text_line(tx, line);
	}
	f->priv = tx;
	return 0;
}

/* Whether text holds ro_open's lines, cut after FS_TEXT_MAX bytes. */
static bool ro_text_ok(void)
{
	char line[16];

	for (u64 at = 0; at < FS_TEXT_MAX; at += 10) {
		snprintf(line, sizeof(line), "line %04u\n", (u32)(at / 10));
		if (strncmp(text + at, line, MIN(10, FS_TEXT_MAX - at)) != 0)
			return false;
	}
	return true;
}

static long ro_read(struct file *f, void *buf, u64 n)
{
	return fs_text_read(f, f->priv, buf, n);
}

static void ro_release(struct file *f)
{
	ro_releases++;
	fs_text_free(f->priv);
}

static const struct file_ops ro_ops = {
	.open = ro_open,
	.read = ro_read,
	.release = ro_release,
};

static void procfs_mode_open_and_release(struct ktest *t)
{
	static const char path[] = "/proc/ktest/procfs/ro";
	long fds[FD_MAX + 1], fd, r;
	u32 n = 0, opens, open0 = fst_fds_open();

	/* Once per boot: a special file cannot be removed again (a second run finds it). */
	r = fs_special_register(path, &ro_ops, S_IRUSR);
	KT_ASSERT(t, r == 0 || r == -EEXIST);
	KT_EXPECT_EQ(t, fs_special_register("proc/x", &ro_ops, S_IRUSR), -EINVAL);
	KT_EXPECT_EQ(t, fs_special_register("/proc/x", &ro_ops, 0777), -EINVAL);
	KT_EXPECT_EQ(t, fs_special_register("/proc/lock_stat/x", &ro_ops, S_IRUSR), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_rmdir("/proc/ktest/procfs"), -EBUSY);
	KT_EXPECT_EQ(t, sys_rmdir("/proc/ktest"), -EBUSY);
	opens = ro_opens;
	KT_EXPECT_EQ(t, sys_open(path, O_WRONLY), -EPERM);
	KT_EXPECT_EQ(t, sys_open(path, O_RDWR), -EPERM);
	KT_EXPECT_EQ(t, ro_opens, opens); /* refused before ops->open */
	fd = sys_open(path, O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, read_all(fd, 61), FS_TEXT_MAX); /* reads across its 8 pages */
	KT_EXPECT(t, ro_text_ok());
	KT_EXPECT_EQ(t, sys_write((int)fd, "x", 1), -EBADF);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, ro_releases, ro_opens);
	/* A full fd table: ops->open ran, the install failed, and ops->release undid it. */
	while (n <= FD_MAX && (fds[n] = sys_open(path, O_RDONLY)) >= 0)
		n++;
	KT_EXPECT_EQ(t, n, FD_MAX - open0);
	KT_EXPECT_EQ(t, n <= FD_MAX ? fds[n] : 0, -EMFILE);
	for (u32 i = 0; i < n; i++)
		KT_EXPECT_EQ(t, sys_close((int)fds[i]), 0);
	KT_EXPECT_EQ(t, ro_releases, ro_opens);
}

static const struct ktest_case procfs_cases[] = {
	KTEST_CASE(procfs_lock_stat_has_linux_layout),
	KTEST_CASE(procfs_lock_stat_write_resets),
	KTEST_CASE(procfs_cat_at_el0),
	KTEST_CASE(procfs_lock_stat_without_lockstat),
	KTEST_CASE(procfs_names_stay),
	KTEST_CASE(procfs_mode_open_and_release),
};
KTEST_SUITE(procfs, procfs_cases);
