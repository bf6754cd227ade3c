/* /proc/lock_stat: lockstat's table as a file in Linux's layout (a special file, kernel/fs/special.c); writing 0 resets it. */
#include <locklab/errno.h>
#include <locklab/file.h>
#include <locklab/fs.h>
#include <locklab/initcall.h>
#include <locklab/lockstat.h>
#include <locklab/panic.h>
#include <locklab/uaccess.h>

/*
 * Each open takes its own snapshot of the table (an fs_text, in f->priv),
 * as Linux's seq_file does for a read from offset 0: a cat that reads it
 * in small pieces sees one consistent table. Without CONFIG_LOCK_STAT the
 * file is still there and says so in one line; writes are then -EINVAL.
 */

static void add_line(void *text, const char *line)
{
	fs_text_line(text, line);
}

static long lock_stat_open(struct file *f)
{
	struct fs_text *t = fs_text_new();

	if (!t)
		return -ENOMEM;
	if (LOCKSTAT_ENABLED)
		lockstat_proc_lines(add_line, t);
	else
		fs_text_line(t, "lock_stat: not available (CONFIG_LOCK_STAT is off)");
	f->priv = t;
	return 0;
}

static long lock_stat_read(struct file *f, void *buf, u64 n)
{
	return fs_text_read(f, f->priv, buf, n);
}

/*
 * "0" or "0\n" (what echo 0 > /proc/lock_stat writes) starts a new window:
 * lockstat_reset, whose counts stay in the since-boot totals. Like Linux's
 * clear, it does not stop other CPUs: an acquisition they count meanwhile
 * may land on either side of it.
 */
static long lock_stat_write(struct file *f, const void *buf, u64 n)
{
	char c[2];

	(void)f;
	if (!LOCKSTAT_ENABLED || n == 0 || n > sizeof(c))
		return -EINVAL;
	if (copy_from_user(c, buf, n))
		return -EFAULT;
	if (c[0] != '0' || (n == 2 && c[1] != '\n'))
		return -EINVAL;
	lockstat_reset();
	return (long)n;
}

static void lock_stat_release(struct file *f)
{
	fs_text_free(f->priv);
}

static const struct file_ops lock_stat_ops = {
	.open = lock_stat_open,
	.read = lock_stat_read,
	.write = lock_stat_write,
	.release = lock_stat_release,
};

/* After fs_init (INITCALL_FS) made the root; failing at boot (no memory) is a bug worth stopping for. */
static void lock_stat_proc_init(void)
{
	long r = fs_special_register("/proc/lock_stat", &lock_stat_ops, S_IRUSR | S_IWUSR);

	if (r)
		panic("lockstat: /proc/lock_stat not created (%ld)", r);
}
initcall(lock_stat_proc_init, INITCALL_IPC);
