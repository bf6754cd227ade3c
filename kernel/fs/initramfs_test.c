/* ktest suite "initramfs": the programs unpacked into /bin at boot, and the cpio reader on malformed archives. */
#include <locklab/ktest.h>
#include <locklab/printf.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include <generated/user_programs.h>
#include "initramfs.h"

extern const u8 __initramfs_start[], __initramfs_end[];

/* The programs user/bin/ builds (user/user.mk writes the list from its files); each must be in /bin. */
static const char *const programs[] = { USER_PROGRAMS };

static u8 abuf[2048];	     /* archives made by the cases; only the ktest task uses it */
static u8 fbuf[8192];	     /* a file's bytes read back */
static u8 ehdr[64 + 8 * 56]; /* an ELF header and up to 8 program headers */

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return rd16(p) | (u32)rd16(p + 2) << 16;
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

/* /bin/<name>: a regular file, a static ELF64 AArch64 executable at 0x400000, text R+X, data R+W. */
static void check_program(struct ktest *t, const char *name)
{
	char path[64];
	struct stat st;
	u64 entry, phoff;
	u16 phnum;
	long fd, n;
	bool entry_in_text = false;

	snprintf(path, sizeof(path), "/bin/%s", name);
	KT_ASSERT(t, sys_stat(path, &st) == 0);
	KT_EXPECT_EQ(t, st.type, S_IFREG);
	fd = sys_open(path, O_RDONLY);
	KT_ASSERT(t, fd >= 0);
	memset(ehdr, 0, sizeof(ehdr));
	n = sys_read((int)fd, ehdr, sizeof(ehdr));
	sys_close((int)fd);
	KT_ASSERT(t, n >= 64);
	KT_EXPECT_MEMEQ(t, ehdr,
			"\x7f"
			"ELF",
			4);
	KT_EXPECT_EQ(t, ehdr[4], 2);	       /* ELFCLASS64 */
	KT_EXPECT_EQ(t, ehdr[5], 1);	       /* little-endian */
	KT_EXPECT_EQ(t, rd16(ehdr + 16), 2);   /* ET_EXEC: static, not PIE */
	KT_EXPECT_EQ(t, rd16(ehdr + 18), 183); /* EM_AARCH64 */
	entry = rd64(ehdr + 24);
	KT_EXPECT_GE(t, entry, 0x400000);
	KT_EXPECT_LE(t, entry, 0x400000 + st.size);
	phoff = rd64(ehdr + 32);
	phnum = rd16(ehdr + 56);
	KT_EXPECT_EQ(t, rd16(ehdr + 54), 56); /* e_phentsize */
	KT_ASSERT(t, phoff == 64 && phnum >= 1 && phnum <= 8 && (u64)n >= phoff + phnum * 56UL);
	for (u16 i = 0; i < phnum; i++) {
		const u8 *ph = ehdr + phoff + i * 56UL;
		u32 type = rd32(ph), flags = rd32(ph + 4);
		u64 vaddr = rd64(ph + 16), memsz = rd64(ph + 40);

		KT_EXPECT_NE(t, type, 2); /* PT_DYNAMIC */
		KT_EXPECT_NE(t, type, 3); /* PT_INTERP */
		if (type != 1)		  /* PT_LOAD */
			continue;
		KT_EXPECT_NE(t, flags & 3, 3); /* never writable and executable */
		KT_EXPECT_EQ(t, vaddr % 4096, 0);
		KT_EXPECT_GE(t, vaddr, 0x400000);
		if (entry >= vaddr && entry < vaddr + memsz) {
			KT_EXPECT_EQ(t, flags, 5); /* PF_R | PF_X */
			entry_in_text = true;
		}
	}
	KT_EXPECT(t, entry_in_text);
}

static void initramfs_programs_in_bin(struct ktest *t)
{
	struct stat st;

	KT_ASSERT(t, sys_stat("/bin", &st) == 0);
	KT_EXPECT_EQ(t, st.type, S_IFDIR);
	for (u32 i = 0; i < ARRAY_SIZE(programs); i++)
		check_program(t, programs[i]);
}

/* Each file of the image's archive, compared byte for byte with its ramfs copy. */
static long compare_entry(const struct cpio_entry *e, void *arg)
{
	struct ktest *t = arg;
	char path[PATH_MAX];
	struct stat st;
	u64 off = 0;
	long fd;

	snprintf(path, sizeof(path), "/%s", e->name);
	KT_EXPECT_EQ(t, sys_stat(path, &st), 0);
	if ((e->mode & CPIO_S_IFMT) == CPIO_S_IFDIR) {
		KT_EXPECT_EQ(t, st.type, S_IFDIR);
		return 0;
	}
	KT_EXPECT_EQ(t, st.size, e->size);
	fd = sys_open(path, O_RDONLY);
	KT_EXPECT(t, fd >= 0);
	while (fd >= 0 && off < e->size) {
		long n = sys_read((int)fd, fbuf, sizeof(fbuf));

		if (n <= 0 || (u64)n > e->size - off || memcmp(fbuf, e->data + off, (u64)n)) {
			ktest_fail(t, __FILE__, __LINE__, "%s differs from the archive at %llu",
				   path, (unsigned long long)off);
			break;
		}
		off += (u64)n;
	}
	if (fd >= 0)
		sys_close((int)fd);
	return 0;
}

static void initramfs_matches_archive(struct ktest *t)
{
	struct initramfs_result res;
	u64 len = (u64)(__initramfs_end - __initramfs_start);

	KT_EXPECT_EQ(t, cpio_walk(__initramfs_start, len, compare_entry, t, &res), 0);
	KT_EXPECT_EQ(t, res.files, ARRAY_SIZE(programs));
	KT_EXPECT_EQ(t, res.dirs, 1);
	KT_EXPECT(t, res.error == NULL);
}

/* Appends one newc entry at *off (header fields from hex, so a case can spoil any of them). */
static void put_entry(u64 *off, const char *name, u32 mode, const char *data, u32 size)
{
	u32 nsz = (u32)strlen(name) + 1;

	snprintf((char *)abuf + *off, 111,
		 "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1, mode, 0, 0, 1, 0,
		 size, 0, 0, 0, 0, nsz, 0);
	*off += 110;
	memcpy(abuf + *off, name, nsz);
	*off = ALIGN_UP(*off + nsz, 4);
	memcpy(abuf + *off, data, size);
	*off = ALIGN_UP(*off + size, 4);
}

/* A good archive: d/ and d/f ("hello"), the trailer; returns its length. f_at: where d/f's header is. */
static u64 good_archive(u64 *f_at)
{
	u64 off = 0;

	memset(abuf, 0, sizeof(abuf));
	put_entry(&off, "d", CPIO_S_IFDIR | 0755, "", 0);
	*f_at = off;
	put_entry(&off, "d/f", CPIO_S_IFREG | 0644, "hello", 5);
	put_entry(&off, "TRAILER!!!", 0, "", 0);
	return off;
}

/* Whether s contains w (the kernel's string.h has no strstr). */
static bool contains(const char *s, const char *w)
{
	for (u64 n = strlen(w); *s; s++) {
		if (!strncmp(s, w, n))
			return true;
	}
	return false;
}

/* The walk of abuf[0..len) fails with -EINVAL and an error that contains want. */
static void expect_bad(struct ktest *t, u64 len, const char *want, const char *what)
{
	struct initramfs_result res;
	long r = cpio_walk(abuf, len, NULL, NULL, &res);

	if (r != -EINVAL || !res.error || !contains(res.error, want))
		ktest_fail(t, __FILE__, __LINE__, "%s: walk gave %ld, error \"%s\", want \"%s\"",
			   what, r, res.error ? res.error : "(none)", want);
	t->expectations++;
}

static void initramfs_rejects_malformed(struct ktest *t)
{
	struct initramfs_result res;
	u64 f_at, len = good_archive(&f_at);
	u64 name_at = f_at + 110, size_field = f_at + 6 + 6 * 8, nsz_field = f_at + 6 + 11 * 8;

	/* the baseline: the same archive unspoiled is good */
	KT_EXPECT_EQ(t, cpio_walk(abuf, len, NULL, NULL, &res), 0);
	KT_EXPECT_EQ(t, res.files, 1);
	KT_EXPECT_EQ(t, res.dirs, 1);
	KT_EXPECT_EQ(t, res.bytes, 5);
	/* every truncation, to the byte: an error each time, never a read past the end */
	for (u64 cut = 0; cut < len; cut++) {
		long r = cpio_walk(abuf, cut, NULL, NULL, &res);

		if (r != -EINVAL || !res.error) {
			ktest_fail(t, __FILE__, __LINE__, "cut at %llu of %llu: walk gave %ld",
				   (unsigned long long)cut, (unsigned long long)len, r);
			break;
		}
	}
	t->expectations++;
	expect_bad(t, 0, "TRAILER", "empty");
	abuf[f_at + 5] = '2'; /* 070702: the CRC variant */
	expect_bad(t, len, "magic", "bad magic");
	good_archive(&f_at);
	abuf[size_field + 3] = 'g';
	expect_bad(t, len, "hex", "non-hex size");
	good_archive(&f_at);
	abuf[name_at + 3] = 'x'; /* "d/f" + 'x' where the NUL was */
	expect_bad(t, len, "NUL", "name without its NUL");
	good_archive(&f_at);
	abuf[name_at + 1] = 0; /* "d\0f\0": the NUL comes early */
	expect_bad(t, len, "NUL", "NUL inside the name");
	good_archive(&f_at);
	memcpy(abuf + size_field, "00001000", 8); /* 4096 bytes of data in a 200-byte archive */
	expect_bad(t, len, "past the end", "size past the end");
	good_archive(&f_at);
	memcpy(abuf + nsz_field, "00010000", 8);
	expect_bad(t, len, "name size", "name size past PATH_MAX");
	good_archive(&f_at);
	memcpy(abuf + nsz_field, "00000001", 8);
	expect_bad(t, len, "name size", "name size 1 (no name)");
	good_archive(&f_at);
	memcpy(abuf + name_at, "../", 3); /* "../": outside the root */
	expect_bad(t, len, "unsafe", "a .. part");
	good_archive(&f_at);
	memcpy(abuf + f_at + 6 + 8, "0000a1ff", 8); /* a symlink */
	expect_bad(t, len, "regular", "a symlink");
	len = 0;
	put_entry(&len, "d", CPIO_S_IFDIR | 0755, "x", 1);
	put_entry(&len, "TRAILER!!!", 0, "", 0);
	expect_bad(t, len, "directory with data", "a directory with data");
}

/* Unpacking a good archive under a folder, and a malformed one, which must create nothing. */
static void initramfs_unpack_creates_files(struct ktest *t)
{
	struct ktest_snapshot before;
	struct initramfs_result res;
	struct stat st;
	u64 f_at, len = good_archive(&f_at);
	char buf[8] = { 0 };
	long fd;

	ktest_snapshot(&before);
	KT_ASSERT(t, sys_mkdir("/ird") == 0);
	KT_EXPECT_EQ(t, initramfs_unpack(abuf, len, "/ird", &res), 0);
	KT_EXPECT_EQ(t, sys_stat("/ird/d", &st), 0);
	KT_EXPECT_EQ(t, st.type, S_IFDIR);
	fd = sys_open("/ird/d/f", O_RDONLY);
	KT_EXPECT(t, fd >= 0);
	if (fd >= 0) {
		KT_EXPECT_EQ(t, sys_read((int)fd, buf, sizeof(buf)), 5);
		KT_EXPECT_STREQ(t, buf, "hello");
		sys_close((int)fd);
	}
	/* again over what is there: the folder is kept, the file rewritten */
	KT_EXPECT_EQ(t, initramfs_unpack(abuf, len, "/ird", &res), 0);
	KT_EXPECT_EQ(t, sys_stat("/ird/d/f", &st), 0);
	KT_EXPECT_EQ(t, st.size, 5);
	KT_EXPECT_EQ(t, sys_unlink("/ird/d/f"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/ird/d"), 0);
	/* a file entry whose data runs past the end: the whole archive is refused before any mkdir */
	memcpy(abuf + f_at + 6 + 6 * 8, "00001000", 8);
	KT_EXPECT_EQ(t, initramfs_unpack(abuf, len, "/ird", &res), -EINVAL);
	KT_EXPECT_EQ(t, res.offset, f_at);
	KT_EXPECT_EQ(t, sys_stat("/ird/d", &st), -ENOENT);
	KT_EXPECT_EQ(t, sys_rmdir("/ird"), 0);
	KT_EXPECT_NO_LEAK(t, &before);
}

/* A well-formed archive the fs refuses: the failed call named, with its error and entry; no fd left open. */
static void initramfs_unpack_reports_fs_errors(struct ktest *t)
{
	struct ktest_snapshot before;
	struct initramfs_result res;
	u64 f_at, len = good_archive(&f_at);
	long fd;

	ktest_snapshot(&before);
	KT_EXPECT_EQ(t, initramfs_unpack(abuf, len, "/no_such_dir", &res), -ENOENT);
	KT_EXPECT(t, res.error && !strcmp(res.error, "mkdir failed"));
	KT_EXPECT_EQ(t, res.offset, 0);
	/* d is a file where the archive has a folder: mkdir's EEXIST is not taken for a folder */
	KT_ASSERT(t, sys_mkdir("/ird") == 0);
	fd = sys_creat("/ird/d");
	KT_EXPECT(t, fd >= 0);
	sys_close((int)fd);
	KT_EXPECT_EQ(t, initramfs_unpack(abuf, len, "/ird", &res), -EEXIST);
	KT_EXPECT(t, res.error && !strcmp(res.error, "mkdir failed"));
	KT_EXPECT_EQ(t, res.err, -EEXIST);
	/* and a folder where the archive has a file: the create fails, naming d/f's entry */
	KT_EXPECT_EQ(t, sys_unlink("/ird/d"), 0);
	KT_EXPECT_EQ(t, sys_mkdir("/ird/d"), 0);
	KT_EXPECT_EQ(t, sys_mkdir("/ird/d/f"), 0);
	KT_EXPECT_EQ(t, initramfs_unpack(abuf, len, "/ird", &res), -EISDIR);
	KT_EXPECT(t, res.error && !strcmp(res.error, "create failed"));
	KT_EXPECT_EQ(t, res.offset, f_at);
	KT_EXPECT_EQ(t, sys_rmdir("/ird/d/f"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/ird/d"), 0);
	KT_EXPECT_EQ(t, sys_rmdir("/ird"), 0);
	KT_EXPECT_NO_LEAK(t, &before);
}

static const struct ktest_case initramfs_cases[] = {
	KTEST_CASE(initramfs_programs_in_bin),		KTEST_CASE(initramfs_matches_archive),
	KTEST_CASE(initramfs_rejects_malformed),	KTEST_CASE(initramfs_unpack_creates_files),
	KTEST_CASE(initramfs_unpack_reports_fs_errors),
};
KTEST_SUITE(initramfs, initramfs_cases);
