/* ktest "fs" cases for bad arguments: every fs sys_* call with NULL, wild, too-long or unterminated paths, bad fds, bad buffers. */
#include "fs_test.h"
#include <locklab/platform.h>
#include <locklab/string.h>
#include <locklab/uaccess.h>
#include <asm/memory.h>

static long p_open(const char *p)
{
	return sys_open(p, O_RDONLY);
}
static long p_open_creat(const char *p)
{
	return sys_open(p, O_CREAT | O_RDWR);
}
static long p_creat(const char *p)
{
	return sys_creat(p);
}
static long p_unlink(const char *p)
{
	return sys_unlink(p);
}
static long p_mkdir(const char *p)
{
	return sys_mkdir(p);
}
static long p_rmdir(const char *p)
{
	return sys_rmdir(p);
}
static long p_chdir(const char *p)
{
	return sys_chdir(p);
}
static long p_stat(const char *p)
{
	struct stat st;

	return sys_stat(p, &st);
}

static const struct {
	const char *name;
	long (*call)(const char *path);
} path_calls[] = {
	{ "open", p_open },   { "open_creat", p_open_creat },
	{ "creat", p_creat }, { "unlink", p_unlink },
	{ "mkdir", p_mkdir }, { "rmdir", p_rmdir },
	{ "chdir", p_chdir }, { "stat", p_stat },
};

static char unterminated[PATH_MAX];   /* PATH_MAX bytes, no NUL */
static char longest[PATH_MAX];	      /* PATH_MAX - 1 bytes of valid components, then the NUL */
static char long_name[NAME_MAX + 8];  /* "/" and NAME_MAX + 1 bytes */
static char long_inner[NAME_MAX + 8]; /* a too-long component before the last one */

/* An address past every RAM range the device tree describes. */
static const char *above_ram(void)
{
	const struct platform_info *plat = platform();
	u64 end = 0;

	for (int i = 0; i < plat->nr_mem; i++)
		end = MAX(end, plat->mem[i].base + plat->mem[i].size);
	return phys_to_virt(end + 0x100000000UL); /* through the linear map: unmapped, or MMIO */
}

static void expect_for_all(struct ktest *t, const char *path, long err, const char *what)
{
	for (u32 i = 0; i < ARRAY_SIZE(path_calls); i++) {
		long r = path_calls[i].call(path);

		t->expectations++;
		if (r != err)
			ktest_fail(t, __FILE__, __LINE__, "%s(%s) = %ld (%s), expected %s",
				   path_calls[i].name, what, r, errno_name(r), errno_name(err));
	}
}

void fs_bad_path_arguments(struct ktest *t)
{
	struct ktest_snapshot s0;
	struct stat st, root0;

	ktest_snapshot(&s0);
	KT_ASSERT(t, sys_stat("/", &root0) == 0);

	memset(unterminated, 'a', sizeof(unterminated));
	unterminated[0] = '/';
	for (u32 i = 0; i < PATH_MAX - 1; i++)
		longest[i] = i % 2 ? 'q' : '/';
	longest[PATH_MAX - 1] = '\0';
	memset(long_name, 'z', sizeof(long_name));
	long_name[0] = '/';
	long_name[NAME_MAX + 2] = '\0';
	memcpy(long_inner, long_name, sizeof(long_inner));
	long_inner[NAME_MAX + 2] = '/';
	long_inner[NAME_MAX + 3] = 'f';
	long_inner[NAME_MAX + 4] = '\0';

	expect_for_all(t, NULL, -EFAULT, "NULL");
	expect_for_all(t, (const char *)0x10, -EFAULT, "0x10");
	expect_for_all(t, above_ram(), -EFAULT, "above RAM");
	expect_for_all(t, (const char *)~0UL, -EFAULT, "~0");
	expect_for_all(t, unterminated, -ENAMETOOLONG, "PATH_MAX bytes without NUL");
	expect_for_all(t, long_name, -ENAMETOOLONG, "component of NAME_MAX + 1");
	expect_for_all(t, long_inner, -ENAMETOOLONG, "inner component of NAME_MAX + 1");
	expect_for_all(t, "", -ENOENT, "empty");
	/* The longest path that fits is copied and walked: its first component does not exist. */
	expect_for_all(t, longest, -ENOENT, "PATH_MAX - 1 bytes");
	/* A path through a file. */
	long fd = sys_creat("/errf");

	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	expect_for_all(t, "/errf/x", -ENOTDIR, "/errf/x");
	KT_EXPECT_EQ(t, sys_unlink("/errf"), 0);
	/* Nothing was created, opened or left behind by any of the failures. */
	KT_EXPECT_NO_LEAK(t, &s0);
	KT_EXPECT_EQ(t, sys_stat("/", &st), 0);
	KT_EXPECT_EQ(t, st.size, root0.size);
	KT_EXPECT_EQ(t, st.nlink, root0.nlink);
}

static void expect_bad_fd(struct ktest *t, int fd)
{
	struct dirent ents[2];
	u8 buf[8] = { 0 };

	KT_EXPECT_EQ(t, sys_close(fd), -EBADF);
	KT_EXPECT_EQ(t, sys_read(fd, buf, sizeof(buf)), -EBADF);
	KT_EXPECT_EQ(t, sys_read(fd, buf, 0), -EBADF);
	KT_EXPECT_EQ(t, sys_write(fd, buf, sizeof(buf)), -EBADF);
	KT_EXPECT_EQ(t, sys_lseek(fd, 0, SEEK_SET), -EBADF);
	KT_EXPECT_EQ(t, sys_readdir(fd, ents, 2), -EBADF);
}

void fs_bad_fd_arguments(struct ktest *t)
{
	const void *wild = (const void *)0x10, *far = above_ram();
	struct dirent ents[2];
	u8 buf[16];
	long wo, ro, rw, dfd, closed;
	struct stat st;

	wo = sys_creat("/bad");
	KT_ASSERT(t, wo >= 0);
	KT_EXPECT_EQ(t, sys_write((int)wo, "abc", 3), 3);
	closed = sys_open("/bad", O_RDONLY);
	KT_ASSERT(t, closed >= 0);
	KT_EXPECT_EQ(t, sys_close((int)closed), 0);
	expect_bad_fd(t, -1);
	expect_bad_fd(t, FD_MAX);
	expect_bad_fd(t, FD_MAX + 1000);
	expect_bad_fd(t, (int)0x80000000U);
	expect_bad_fd(t, (int)closed);

	/* Access modes. */
	ro = sys_open("/bad", O_RDONLY);
	rw = sys_open("/bad", O_RDWR);
	KT_ASSERT(t, ro >= 0 && rw >= 0);
	KT_EXPECT_EQ(t, sys_read((int)wo, buf, 1), -EBADF);
	KT_EXPECT_EQ(t, sys_write((int)ro, "x", 1), -EBADF);
	KT_EXPECT_EQ(t, sys_read((int)rw, buf, sizeof(buf)), 3);

	/* Buffers: NULL, wild, past RAM, wrapping; n == 0 is not looked at. */
	KT_EXPECT_EQ(t, sys_read((int)ro, NULL, 1), -EFAULT);
	KT_EXPECT_EQ(t, sys_read((int)ro, NULL, 0), 0);
	KT_EXPECT_EQ(t, sys_read((int)ro, (void *)wild, 4), -EFAULT);
	KT_EXPECT_EQ(t, sys_read((int)ro, (void *)far, 4), -EFAULT);
	KT_EXPECT_EQ(t, sys_read((int)ro, buf, ~0UL / 2), -EFAULT);
	KT_EXPECT_EQ(t, sys_read((int)ro, buf, ~0UL), -EFAULT);
	KT_EXPECT_EQ(t, sys_write((int)wo, NULL, 5), -EFAULT);
	KT_EXPECT_EQ(t, sys_write((int)wo, NULL, 0), 0);
	KT_EXPECT_EQ(t, sys_write((int)wo, wild, 1), -EFAULT);
	KT_EXPECT_EQ(t, sys_write((int)wo, far, 1), -EFAULT);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 0, SEEK_CUR), 0); /* the failed reads moved nothing */

	/* lseek: negative results, bad whence, overflow; a failed lseek leaves the offset. */
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 2, SEEK_SET), 2);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, -1, SEEK_SET), -EINVAL);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, -3, SEEK_CUR), -EINVAL);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, -4, SEEK_END), -EINVAL);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 0, 3), -EINVAL);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 0, -1), -EINVAL);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 0, SEEK_CUR), 2);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 0x7fffffffffffffffL, SEEK_SET), 0x7fffffffffffffffL);
	KT_EXPECT_EQ(t, sys_lseek((int)ro, 1, SEEK_CUR), -EINVAL);
	KT_EXPECT_EQ(t, sys_read((int)ro, buf, 1), 0);
	KT_EXPECT_EQ(t, sys_lseek((int)rw, 0x7fffffffffffffffL, SEEK_SET), 0x7fffffffffffffffL);
	KT_EXPECT_EQ(t, sys_write((int)rw, "x", 1), -EFBIG);

	/* readdir: on a file, on a directory with bad buffers. */
	KT_EXPECT_EQ(t, sys_readdir((int)ro, ents, 2), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_readdir((int)wo, ents, 2), -ENOTDIR);
	KT_ASSERT(t, sys_mkdir("/ed") == 0);
	closed = sys_creat("/ed/one");
	KT_ASSERT(t, closed >= 0);
	KT_EXPECT_EQ(t, sys_close((int)closed), 0);
	dfd = sys_open("/ed", O_RDONLY | O_DIRECTORY);
	KT_ASSERT(t, dfd >= 0);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, NULL, 1), -EFAULT);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, NULL, 0), 0);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, (struct dirent *)wild, 1), -EFAULT);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, (struct dirent *)far, 1), -EFAULT);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, ents, 0xffffffffU), -EFAULT);
	KT_EXPECT_EQ(t, sys_read((int)dfd, buf, 4), -EISDIR);
	KT_EXPECT_EQ(t, sys_write((int)dfd, buf, 4), -EBADF);
	KT_EXPECT_EQ(t, sys_lseek((int)dfd, 0, SEEK_END), -EINVAL);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, ents, 2), 1);
	KT_EXPECT_STREQ(t, ents[0].name, "one");
	KT_EXPECT_EQ(t, ents[0].type, S_IFREG);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, ents, 2), 0);
	KT_EXPECT_EQ(t, sys_close((int)dfd), 0);
	KT_EXPECT_EQ(t, sys_unlink("/ed/one"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/ed"), 0);

	/* stat's buffer; open's flags. */
	KT_EXPECT_EQ(t, sys_stat("/bad", NULL), -EFAULT);
	KT_EXPECT_EQ(t, sys_stat("/bad", (struct stat *)wild), -EFAULT);
	KT_EXPECT_EQ(t, sys_stat("/bad", (struct stat *)far), -EFAULT);
	KT_EXPECT_EQ(t, sys_stat(NULL, &st), -EFAULT);
	KT_EXPECT_EQ(t, sys_open("/bad", O_ACCMODE), -EINVAL);
	KT_EXPECT_EQ(t, sys_open("/bad", 0x8000000), -EINVAL);
	KT_EXPECT_EQ(t, sys_open("/bad", -1), -EINVAL);
	KT_EXPECT_EQ(t, sys_open("/bad", O_RDONLY | 0x4), -EINVAL);
	KT_EXPECT_EQ(t, sys_open("/new", O_CREAT | O_DIRECTORY), -EINVAL);
	KT_EXPECT_EQ(t, sys_stat("/new", &st), -ENOENT);

	KT_EXPECT_EQ(t, sys_close((int)ro), 0);
	KT_EXPECT_EQ(t, sys_close((int)rw), 0);
	KT_EXPECT_EQ(t, sys_close((int)wo), 0);
	KT_EXPECT_EQ(t, sys_unlink("/bad"), 0);
}
