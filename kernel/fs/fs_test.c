/* ktest suite "fs": files, directories, paths and fd tables through the sys_* calls; errors of every call; SMP stress. */
#include "fs_test.h"
#include <locklab/console.h>
#include <locklab/printf.h>
#include <locklab/string.h>
#include <locklab/uaccess.h>

/* Scratch buffers of the cases below; only the ktest task (init) uses them, one case at a time. */
static u8 wbuf[4 * PAGE_SIZE + 64];
static u8 rbuf[4 * PAGE_SIZE + 64];

u32 fst_fds_open(void)
{
	u32 v;

	kernel_enter();
	v = files_count(current_proc()->files);
	kernel_exit();
	return v;
}

void fst_fail(struct fst_fails *f, long r, u32 line)
{
	if (!f->bad++) {
		f->first_err = r;
		f->first_line = line;
	}
}

void fst_fails_report(struct ktest *t, const char *who, u32 i, const struct fst_fails *f)
{
	if (f->bad)
		ktest_note(t, "%s%u: %llu bad, first at line %u: %ld (%s)", who, i,
			   (unsigned long long)f->bad, f->first_line, f->first_err,
			   errno_name(f->first_err));
	KT_EXPECT_EQ(t, f->bad, 0);
}

static void fill(u8 *b, u64 n, u32 seed)
{
	for (u64 i = 0; i < n; i++)
		b[i] = (u8)(seed * 131 + i * 7 + (i >> 9));
}

static s64 stat_size(const char *path)
{
	struct stat st;

	return sys_stat(path, &st) ? -1 : (s64)st.size;
}

static void fs_read_after_write(struct ktest *t)
{
	static const u64 sizes[] = {
		1, 100, 4095, 4096, 4097, 10000, 3 * PAGE_SIZE + 17, 4 * PAGE_SIZE
	};

	for (u32 i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 n = sizes[i];
		long fd = sys_open("/raw", O_CREAT | O_RDWR | O_TRUNC);

		KT_ASSERT(t, fd >= 0);
		fill(wbuf, n, i);
		KT_EXPECT_EQ(t, sys_write((int)fd, wbuf, n), n);
		KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_CUR), n);
		KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), 0);
		memset(rbuf, 0xee, sizeof(rbuf));
		KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, sizeof(rbuf)), n);
		KT_EXPECT_MEMEQ(t, rbuf, wbuf, n);
		KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, 10), 0); /* at the end */
		/* Across a page boundary, from an lseek'd position. */
		if (n > PAGE_SIZE + 10) {
			KT_EXPECT_EQ(t, sys_lseek((int)fd, PAGE_SIZE - 10, SEEK_SET),
				     PAGE_SIZE - 10);
			KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, 20), 20);
			KT_EXPECT_MEMEQ(t, rbuf, wbuf + PAGE_SIZE - 10, 20);
			KT_EXPECT_EQ(t, sys_lseek((int)fd, -5, SEEK_END), n - 5);
			KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, 100), 5);
			KT_EXPECT_MEMEQ(t, rbuf, wbuf + n - 5, 5);
			/* Overwrite the middle in place across the boundary, then read it all. */
			KT_EXPECT_EQ(t, sys_lseek((int)fd, -20, SEEK_CUR), n - 20);
			KT_EXPECT_EQ(t, sys_lseek((int)fd, PAGE_SIZE - 3, SEEK_SET), PAGE_SIZE - 3);
			KT_EXPECT_EQ(t, sys_write((int)fd, "abcdef", 6), 6);
			memcpy(wbuf + PAGE_SIZE - 3, "abcdef", 6);
			KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), 0);
			KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, sizeof(rbuf)), n);
			KT_EXPECT_MEMEQ(t, rbuf, wbuf, n);
		}
		/* Reading in small pieces gives the same bytes. */
		KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), 0);
		for (u64 off = 0; off < n;) {
			long r = sys_read((int)fd, rbuf + off, 333);

			KT_ASSERT(t, r > 0);
			off += (u64)r;
		}
		KT_EXPECT_MEMEQ(t, rbuf, wbuf, n);
		KT_EXPECT_EQ(t, stat_size("/raw"), n);
		KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	}
	KT_EXPECT_EQ(t, sys_unlink("/raw"), 0);
}

static void fs_append_trunc_holes(struct ktest *t)
{
	struct ktest_snapshot s0;
	u64 before;
	long fd;

	ktest_snapshot(&s0);
	fd = sys_creat("/app");
	long fa;

	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fd, "hello", 5), 5);
	fa = sys_open("/app", O_WRONLY | O_APPEND);
	KT_ASSERT(t, fa >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fa, "world", 5), 5);
	KT_EXPECT_EQ(t, sys_lseek((int)fa, 0, SEEK_SET), 0);
	KT_EXPECT_EQ(t, sys_write((int)fa, "!", 1), 1); /* still at the end */
	KT_EXPECT_EQ(t, sys_lseek((int)fa, 0, SEEK_CUR), 11);
	/* The other fd's offset is its own (5): it overwrites the "w". */
	KT_EXPECT_EQ(t, sys_write((int)fd, "J", 1), 1);
	KT_EXPECT_EQ(t, sys_close((int)fa), 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	fd = sys_open("/app", O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	memset(rbuf, 0, 32);
	KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, 32), 11);
	KT_EXPECT_MEMEQ(t, rbuf, "helloJorld!", 11);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);

	/* Holes read as zeros and take no pages. */
	fd = sys_open("/app", O_RDWR | O_TRUNC);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, stat_size("/app"), 0);
	before = ktest_free_pages();
	KT_EXPECT_EQ(t, sys_lseek((int)fd, 2 * PAGE_SIZE + 100, SEEK_SET), 2 * PAGE_SIZE + 100);
	KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, 10), 0); /* past the end */
	KT_EXPECT_EQ(t, sys_write((int)fd, "tail", 4), 4);
	KT_EXPECT_EQ(t, ktest_free_pages(), before - 1);
	KT_EXPECT_EQ(t, stat_size("/app"), 2 * PAGE_SIZE + 104);
	KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), 0);
	memset(rbuf, 0xaa, sizeof(rbuf));
	KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, sizeof(rbuf)), 2 * PAGE_SIZE + 104);
	bool zeros = true;
	for (u64 i = 0; i < 2 * PAGE_SIZE + 100; i++)
		zeros &= rbuf[i] == 0;
	KT_EXPECT(t, zeros);
	KT_EXPECT_MEMEQ(t, rbuf + 2 * PAGE_SIZE + 100, "tail", 4);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	/* O_TRUNC gives the pages back. */
	fd = sys_open("/app", O_WRONLY | O_TRUNC);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, ktest_free_pages(), before);
	KT_EXPECT_EQ(t, stat_size("/app"), 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	/* The size limit: short write up to it, -EFBIG at it. */
	fd = sys_open("/app", O_WRONLY);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_lseek((int)fd, FILE_SIZE_MAX - 3, SEEK_SET), FILE_SIZE_MAX - 3);
	KT_EXPECT_EQ(t, sys_write((int)fd, "abcdef", 6), 3);
	KT_EXPECT_EQ(t, sys_write((int)fd, "abcdef", 6), -EFBIG);
	KT_EXPECT_EQ(t, stat_size("/app"), FILE_SIZE_MAX);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, sys_unlink("/app"), 0);
	KT_EXPECT_NO_LEAK(t, &s0); /* the file's memory too (kmalloc slabs) */
}

/* Lists the directory open at fd in batches of 'batch'; counts how often each "n<i>" appears. */
static u32 list_names(struct ktest *t, int fd, u32 batch, u8 *seen, u32 nseen)
{
	struct dirent ents[5];
	u32 total = 0;
	long r;

	while ((r = sys_readdir(fd, ents, batch)) > 0) {
		for (long i = 0; i < r; i++) {
			u32 v = 0;
			const char *p = ents[i].name + 1;

			KT_EXPECT(t, ents[i].name[0] == 'n' && ents[i].type == S_IFREG);
			while (*p >= '0' && *p <= '9')
				v = v * 10 + (u32)(*p++ - '0');
			if (v < nseen)
				seen[v]++;
			total++;
		}
	}
	KT_EXPECT_EQ(t, r, 0);
	return total;
}

#define RD_N 40

static void fs_readdir_lists_each_name_once(struct ktest *t)
{
	u8 seen[RD_N];
	char name[32];
	u32 listed;
	long dfd;

	KT_ASSERT(t, sys_mkdir("/rd") == 0);
	for (u32 i = 0; i < RD_N; i++) {
		snprintf(name, sizeof(name), "/rd/n%u", i);
		long fd = sys_creat(name);

		KT_ASSERT(t, fd >= 0);
		KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	}
	KT_EXPECT_EQ(t, stat_size("/rd"), RD_N);
	dfd = sys_open("/rd", O_RDONLY | O_DIRECTORY);
	KT_ASSERT(t, dfd >= 0);
	for (u32 batch = 1; batch <= 5; batch += 2) {
		memset(seen, 0, sizeof(seen));
		KT_EXPECT_EQ(t, sys_lseek((int)dfd, 0, SEEK_SET), 0);
		listed = list_names(t, (int)dfd, batch, seen, RD_N);
		KT_EXPECT_EQ(t, listed, RD_N);
		for (u32 i = 0; i < RD_N; i++)
			KT_EXPECT_EQ(t, seen[i], 1);
	}
	/* Remove every third name, some of them half way through a listing. */
	memset(seen, 0, sizeof(seen));
	KT_EXPECT_EQ(t, sys_lseek((int)dfd, 0, SEEK_SET), 0);
	listed = list_names(t, (int)dfd, 0, seen, RD_N); /* max 0 reads nothing */
	KT_EXPECT_EQ(t, listed, 0);
	for (u32 i = 0; i < RD_N; i += 3) {
		snprintf(name, sizeof(name), "/rd/n%u", i);
		KT_EXPECT_EQ(t, sys_unlink(name), 0);
		KT_EXPECT_EQ(t, sys_unlink(name), -ENOENT);
	}
	KT_EXPECT_EQ(t, stat_size("/rd"), RD_N - (RD_N + 2) / 3);
	listed = list_names(t, (int)dfd, 4, seen, RD_N);
	KT_EXPECT_EQ(t, listed, RD_N - (RD_N + 2) / 3);
	for (u32 i = 0; i < RD_N; i++)
		KT_EXPECT_EQ(t, seen[i], i % 3 ? 1 : 0);
	KT_EXPECT_EQ(t, sys_readdir((int)dfd, (struct dirent *)wbuf, 4), 0); /* stays at the end */
	KT_EXPECT_EQ(t, sys_close((int)dfd), 0);
	for (u32 i = 0; i < RD_N; i++) {
		snprintf(name, sizeof(name), "/rd/n%u", i);
		KT_EXPECT_EQ(t, sys_unlink(name), i % 3 ? 0 : -ENOENT);
	}
	KT_EXPECT_EQ(t, sys_rmdir("/rd"), 0);
}

static void fs_unlink_frees_pages(struct ktest *t)
{
	struct ktest_snapshot s0;
	u64 pages1;
	struct stat st;
	struct inode *ino;
	long fd;

	/* Warm up the kmalloc classes an inode, an entry and a file use. */
	fd = sys_creat("/warm");
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, sys_unlink("/warm"), 0);

	ktest_snapshot(&s0);
	fd = sys_open("/gone", O_CREAT | O_EXCL | O_RDWR);
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, fs_inodes_live(), s0.inodes + 1);
	pages1 = ktest_free_pages();
	fill(wbuf, 3 * PAGE_SIZE + 5, 7);
	KT_EXPECT_EQ(t, sys_write((int)fd, wbuf, 3 * PAGE_SIZE + 5), 3 * PAGE_SIZE + 5);
	KT_EXPECT_EQ(t, ktest_free_pages(), pages1 - 4);
	KT_ASSERT(t, sys_stat("/gone", &st) == 0);
	KT_EXPECT_EQ(t, st.nlink, 1);
	kernel_enter();
	ino = inode_lookup(st.ino);
	KT_EXPECT(t, ino != NULL);
	if (ino)
		inode_put(ino);
	kernel_exit();

	/* Unlinked while open: the name goes, the data stays readable until the close. */
	KT_EXPECT_EQ(t, sys_unlink("/gone"), 0);
	KT_EXPECT_EQ(t, sys_stat("/gone", &st), -ENOENT);
	KT_EXPECT_EQ(t, sys_open("/gone", O_RDONLY), -ENOENT);
	/* The 4 data pages stay; freeing the entry may give a kmalloc slab page back. */
	KT_EXPECT_GE(t, ktest_free_pages(), pages1 - 4);
	KT_EXPECT_LE(t, ktest_free_pages(), pages1 - 3);
	KT_EXPECT_EQ(t, fs_inodes_live(), s0.inodes + 1);
	KT_EXPECT_EQ(t, sys_lseek((int)fd, 0, SEEK_SET), 0);
	KT_EXPECT_EQ(t, sys_read((int)fd, rbuf, sizeof(rbuf)), 3 * PAGE_SIZE + 5);
	KT_EXPECT_MEMEQ(t, rbuf, wbuf, 3 * PAGE_SIZE + 5);
	KT_EXPECT_EQ(t, sys_write((int)fd, "more", 4), 4);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);

	KT_EXPECT_NO_LEAK(t, &s0);
	kernel_enter();
	ino = inode_lookup(st.ino);
	kernel_exit();
	KT_EXPECT(t, ino == NULL);
}

static void fs_dirs_and_paths(struct ktest *t)
{
	struct stat st, sa, root;
	long fd;

	/* The root is not empty at boot (the initramfs's /bin): its own links are the baseline. */
	KT_ASSERT(t, sys_stat("/", &root) == 0);
	KT_ASSERT(t, sys_mkdir("/a") == 0);
	KT_EXPECT_EQ(t, sys_mkdir("/a"), -EEXIST);
	KT_EXPECT_EQ(t, sys_mkdir("/a/b/"), 0); /* a trailing slash is fine for a directory */
	KT_EXPECT_EQ(t, sys_mkdir("/a/."), -EEXIST);
	KT_EXPECT_EQ(t, sys_mkdir("/"), -EEXIST);
	KT_EXPECT_EQ(t, sys_mkdir("/x/y"), -ENOENT);
	KT_ASSERT(t, sys_stat("/a", &sa) == 0);
	KT_EXPECT_EQ(t, sa.type, S_IFDIR);
	KT_EXPECT_EQ(t, sa.size, 1);  /* one entry: b */
	KT_EXPECT_EQ(t, sa.nlink, 3); /* its entry, '.', b's '..' */
	KT_EXPECT_EQ(t, sys_chdir("/a"), 0);
	fd = sys_creat("b/f");
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_write((int)fd, "12345", 5), 5);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_ASSERT(t, sys_stat("/a/b/f", &st) == 0);
	KT_EXPECT_EQ(t, st.type, S_IFREG);
	KT_EXPECT_EQ(t, st.size, 5);
	KT_EXPECT_EQ(t, st.nlink, 1);
	KT_EXPECT_EQ(t, stat_size("../a/b/f"), 5);
	KT_EXPECT_EQ(t, stat_size("b/../b/./f"), 5);
	KT_EXPECT_EQ(t, stat_size("//a///b//f"), 5);
	KT_EXPECT_EQ(t, stat_size("/../../a/b/f"), 5); /* '..' of the root is the root */
	KT_EXPECT_EQ(t, stat_size("b/f/"), -1);
	KT_EXPECT_EQ(t, sys_stat("b/f/", &st), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_stat("b/f/x", &st), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_stat("b/nope", &st), -ENOENT);
	KT_EXPECT_EQ(t, sys_stat("nope/f", &st), -ENOENT);
	KT_EXPECT_EQ(t, sys_chdir("b/f"), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_chdir("b"), 0);
	KT_ASSERT(t, sys_stat("..", &st) == 0);
	KT_EXPECT_EQ(t, st.ino, sa.ino);
	KT_ASSERT(t, sys_stat(".", &st) == 0);
	KT_EXPECT_EQ(t, st.size, 1);
	KT_EXPECT_EQ(t, st.nlink, 2);
	/* Open flags against types. */
	KT_EXPECT_EQ(t, sys_open(".", O_WRONLY), -EISDIR);
	KT_EXPECT_EQ(t, sys_open(".", O_RDWR), -EISDIR);
	KT_EXPECT_EQ(t, sys_open("/a", O_RDONLY | O_TRUNC), -EISDIR);
	KT_EXPECT_EQ(t, sys_open("/a", O_CREAT | O_RDONLY), -EISDIR);
	KT_EXPECT_EQ(t, sys_open("/a", O_CREAT | O_EXCL | O_RDONLY), -EEXIST);
	KT_EXPECT_EQ(t, sys_open("f", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_open("f", O_CREAT | O_EXCL | O_WRONLY), -EEXIST);
	KT_EXPECT_EQ(t, sys_open("g/", O_CREAT | O_WRONLY), -EISDIR);
	fd = sys_open("f", O_CREAT | O_RDONLY); /* exists: opened as is */
	KT_EXPECT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	/* Removal rules. */
	KT_EXPECT_EQ(t, sys_rmdir("/a/b"), -ENOTEMPTY);
	KT_EXPECT_EQ(t, sys_rmdir("f"), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_unlink("/a/b"), -EISDIR);
	KT_EXPECT_EQ(t, sys_unlink("f/"), -ENOTDIR);
	KT_EXPECT_EQ(t, sys_rmdir("/"), -EBUSY);
	KT_EXPECT_EQ(t, sys_rmdir("."), -EINVAL);
	KT_EXPECT_EQ(t, sys_rmdir("/a/.."), -ENOTEMPTY);
	KT_EXPECT_EQ(t, sys_unlink("f"), 0);
	/* The cwd removed: it takes no names, and '..' fails. */
	KT_EXPECT_EQ(t, sys_rmdir("/a/b"), 0);
	KT_EXPECT_EQ(t, sys_creat("new"), -ENOENT);
	KT_EXPECT_EQ(t, sys_mkdir("new"), -ENOENT);
	KT_EXPECT_EQ(t, sys_stat("..", &st), -ENOENT);
	KT_ASSERT(t, sys_stat(".", &st) == 0);
	KT_EXPECT_EQ(t, st.nlink, 0);
	KT_EXPECT_EQ(t, sys_chdir("/"), 0);
	KT_ASSERT(t, sys_stat("/a", &sa) == 0);
	KT_EXPECT_EQ(t, sa.size, 0);
	KT_EXPECT_EQ(t, sa.nlink, 2);
	KT_EXPECT_EQ(t, sys_rmdir("a/"), 0);
	KT_EXPECT_EQ(t, sys_stat("/a", &st), -ENOENT);
	KT_ASSERT(t, sys_stat("/", &st) == 0);
	KT_EXPECT_EQ(t, st.type, S_IFDIR);
	KT_EXPECT_EQ(t, st.nlink, root.nlink);
	KT_EXPECT_EQ(t, st.size, root.size);
	/* The longest component is fine, one more byte is not. */
	memset(wbuf, 'k', NAME_MAX + 1);
	wbuf[0] = '/';
	wbuf[NAME_MAX + 1] = '\0';
	fd = sys_creat((char *)wbuf);
	KT_EXPECT(t, fd >= 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, sys_unlink((char *)wbuf), 0);
}

static void fs_fd_table(struct ktest *t)
{
	long fds[FD_MAX + 1];
	u32 open0 = fst_fds_open(), n = 0;
	long fd;

	fd = sys_creat("/fdt");
	KT_ASSERT(t, fd >= 0);
	KT_EXPECT_EQ(t, fst_fds_open(), open0 + 1);
	while (n < FD_MAX + 1 && (fds[n] = sys_open("/fdt", O_RDONLY)) >= 0)
		n++;
	KT_EXPECT_EQ(t, n, FD_MAX - open0 - 1);
	KT_EXPECT_EQ(t, fds[n], -EMFILE);
	KT_EXPECT_EQ(t, fst_fds_open(), FD_MAX);
	KT_EXPECT_EQ(t, sys_creat("/fdt2"), -EMFILE);
	/* a failed open leaves no file behind (Linux takes the fd first) */
	KT_EXPECT_EQ(t, sys_unlink("/fdt2"), -ENOENT);
	if (n >= 3) {
		/* The lowest free fd comes back first. */
		long lo = fds[0] < fds[2] ? fds[0] : fds[2];

		KT_EXPECT_EQ(t, sys_close((int)fds[2]), 0);
		KT_EXPECT_EQ(t, sys_close((int)fds[0]), 0);
		KT_EXPECT_EQ(t, sys_close((int)fds[0]), -EBADF);
		KT_EXPECT_EQ(t, sys_open("/fdt", O_RDONLY), lo);
		fds[0] = lo;
		fds[2] = sys_open("/fdt", O_RDONLY);
		KT_EXPECT(t, fds[2] >= 0);
	}
	for (u32 i = 0; i < n; i++)
		KT_EXPECT_EQ(t, sys_close((int)fds[i]), 0);
	KT_EXPECT_EQ(t, sys_close((int)fd), 0);
	KT_EXPECT_EQ(t, fst_fds_open(), open0);
	KT_EXPECT_EQ(t, sys_unlink("/fdt"), 0);
}

static const struct ktest_case fs_cases[] = {
	KTEST_CASE(fs_read_after_write),
	KTEST_CASE(fs_append_trunc_holes),
	KTEST_CASE(fs_readdir_lists_each_name_once),
	KTEST_CASE(fs_unlink_frees_pages),
	KTEST_CASE(fs_dirs_and_paths),
	KTEST_CASE(fs_fd_table),
	KTEST_CASE(fs_failed_create_spares_a_rival_file),
	KTEST_CASE(fs_creating_open_truncates_no_file_it_created),
	KTEST_CASE(fs_emfile_open_creates_nothing),
	KTEST_CASE(fs_bad_path_arguments),
	KTEST_CASE(fs_bad_fd_arguments),
	KTEST_CASE(fs_smp_stress),
	KTEST_CASE(fs_excl_create_has_one_winner),
	KTEST_CASE(fs_rmdir_races_creates_in_it),
	KTEST_CASE(fs_readdir_during_churn),
	KTEST_CASE(fs_rmdir_of_cwd),
	KTEST_CASE(fs_unlinked_file_lives_until_last_close),
	KTEST_CASE(fs_fd_table_shared_by_tasks),
};
KTEST_SUITE(fs, fs_cases);
