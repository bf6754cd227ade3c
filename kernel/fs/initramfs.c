/* The initramfs: the image's cpio archive (newc) read, checked and unpacked into ramfs at boot. */
#include <locklab/console.h>
#include <locklab/initcall.h>
#include <locklab/printf.h>
#include <locklab/string.h>
#include <locklab/syscall.h>
#include <locklab/uaccess.h>
#include "initramfs.h"

/*
 * The archive (kernel/fs/initramfs_data.S, from user/user.mk) holds the
 * user programs as bin/<name>. A malformed one is reported in one record
 * and skipped: the kernel boots on without /bin, never panics over it.
 */
extern const u8 __initramfs_start[], __initramfs_end[];

#define HDR_LEN	  110 /* "070701" and 13 fields of 8 hex digits */
#define NR_FIELDS 13
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_NAMESIZE = 11 };

static const char trailer[] = "TRAILER!!!";

static long fail(struct initramfs_result *res, const char *what, u64 off, long err)
{
	res->error = what;
	res->offset = off;
	res->err = err;
	return err ? err : -EINVAL;
}

/* Eight hex digits (either case) at p into *v; false if one is not a hex digit. */
static bool hex8(const u8 *p, u32 *v)
{
	*v = 0;
	for (int i = 0; i < 8; i++) {
		u8 c = p[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		*v = *v << 4 | d;
	}
	return true;
}

/* A name made only of non-empty parts that are neither "." nor ".." (so nothing lands outside root). */
static bool name_ok(const char *n)
{
	while (*n) {
		const char *end = n;

		while (*end && *end != '/')
			end++;
		if (end == n || (end - n == 1 && n[0] == '.') ||
		    (end - n == 2 && n[0] == '.' && n[1] == '.'))
			return false;
		n = *end ? end + 1 : end;
	}
	return true;
}

long cpio_walk(const void *buf, u64 len, long (*fn)(const struct cpio_entry *e, void *ctx),
	       void *ctx, struct initramfs_result *res)
{
	const u8 *a = buf;
	u64 off = 0;

	memset(res, 0, sizeof(*res));
	for (;;) {
		u32 f[NR_FIELDS];
		u64 name_off = off + HDR_LEN, data_off;
		struct cpio_entry e;
		const char *name;
		long r;

		if (off >= len)
			return fail(res, "no TRAILER!!! entry", off, 0);
		if (len - off < HDR_LEN)
			return fail(res, "truncated header", off, 0);
		if (memcmp(a + off, "070701", 6))
			return fail(res, "bad magic (not newc 070701)", off, 0);
		for (int i = 0; i < NR_FIELDS; i++) {
			if (!hex8(a + off + 6 + 8 * i, &f[i]))
				return fail(res, "header field not hex", off, 0);
		}
		if (f[F_NAMESIZE] < 2 || f[F_NAMESIZE] > PATH_MAX)
			return fail(res, "bad name size", off, 0);
		if (f[F_NAMESIZE] > len - name_off)
			return fail(res, "name past the end", off, 0);
		name = (const char *)a + name_off;
		if (strnlen(name, f[F_NAMESIZE]) != f[F_NAMESIZE] - 1)
			return fail(res, "name not NUL-terminated", off, 0);
		data_off = ALIGN_UP(name_off + f[F_NAMESIZE], 4);
		if (data_off > len || f[F_FILESIZE] > len - data_off)
			return fail(res, "file data past the end", off, 0);
		if (!strcmp(name, trailer))
			return 0;
		off = ALIGN_UP(data_off + f[F_FILESIZE], 4);

		while (name[0] == '.' && name[1] == '/')
			name += 2;
		while (name[0] == '/')
			name++;
		if (!name[0] || !strcmp(name, "."))
			continue; /* the archive's own top folder: root itself */
		if (!name_ok(name))
			return fail(res, "unsafe name (empty, . or .. part)", name_off - HDR_LEN,
				    0);
		e = (struct cpio_entry){ name, f[F_MODE], a + data_off, f[F_FILESIZE] };
		if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR) {
			if (e.size)
				return fail(res, "directory with data", name_off - HDR_LEN, 0);
			res->dirs++;
		} else if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG) {
			res->files++;
			res->bytes += e.size;
		} else {
			return fail(res, "not a directory or regular file", name_off - HDR_LEN, 0);
		}
		if (fn) {
			res->offset = name_off - HDR_LEN; /* the entry fn's failure concerns */
			r = fn(&e, ctx);
			if (r < 0)
				return r;
		}
	}
}

struct unpack_ctx {
	const char *root;
	struct initramfs_result *res;
};

/* A failed fs call: res->offset already names the entry (cpio_walk set it). */
static long fs_fail(struct unpack_ctx *c, const char *what, long err)
{
	c->res->error = what;
	c->res->err = err;
	return err;
}

/* Creates one entry under ctx->root through process 1's sys_* calls. */
static long unpack_one(const struct cpio_entry *e, void *arg)
{
	struct unpack_ctx *c = arg;
	char path[PATH_MAX];
	struct stat st;
	u64 done = 0;
	long fd, r;

	if (snprintf(path, sizeof(path), "%s/%s", c->root, e->name) >= (int)sizeof(path))
		return fs_fail(c, "path too long", -ENAMETOOLONG);
	if ((e->mode & CPIO_S_IFMT) == CPIO_S_IFDIR) {
		r = sys_mkdir(path);
		if (r == -EEXIST && !sys_stat(path, &st) && st.type == S_IFDIR)
			r = 0;
		return r ? fs_fail(c, "mkdir failed", r) : 0;
	}
	fd = sys_open(path, O_CREAT | O_WRONLY | O_TRUNC);
	if (fd < 0)
		return fs_fail(c, "create failed", fd);
	while (done < e->size) {
		r = sys_write((int)fd, e->data + done, e->size - done);
		if (r <= 0) {
			sys_close((int)fd);
			return fs_fail(c, "write failed", r ? r : -ENOSPC);
		}
		done += (u64)r;
	}
	sys_close((int)fd);
	return 0;
}

long initramfs_unpack(const void *buf, u64 len, const char *root, struct initramfs_result *res)
{
	struct unpack_ctx c = { root, res };
	long r = cpio_walk(buf, len, NULL, NULL, res);

	if (r)
		return r;
	return cpio_walk(buf, len, unpack_one, &c, res);
}

/* After proc's initcall: the calls need process 1 (its fd table and cwd). */
static void initramfs_init(void)
{
	struct initramfs_result res;
	long r = initramfs_unpack(__initramfs_start, (u64)(__initramfs_end - __initramfs_start), "",
				  &res);

	if (r)
		printk_raw("initramfs: error=\"%s\" offset=%llu err=%s", res.error,
			   (unsigned long long)res.offset,
			   res.err ? errno_name(res.err) : "EINVAL");
	else
		printk_raw("initramfs: files=%u dirs=%u bytes=%llu", res.files, res.dirs,
			   (unsigned long long)res.bytes);
}
initcall(initramfs_init, INITCALL_ROOTFS);
