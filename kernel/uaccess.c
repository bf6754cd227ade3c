/* sys_* argument checks: pointer ranges against the RAM the device tree describes, bounded path copies. */
#include <locklab/uaccess.h>
#include <locklab/errno.h>
#include <locklab/platform.h>

bool uaccess_ok(const void *p, u64 len)
{
	const struct platform_info *plat = platform();
	u64 a = (u64)p;

	if (!p || a + len < a)
		return false;
	for (int i = 0; i < plat->nr_mem; i++) {
		u64 base = plat->mem[i].base, end = base + plat->mem[i].size;

		if (a >= base && a + len <= end)
			return true;
	}
	return false;
}

long copy_path(char dst[PATH_MAX], const char *upath)
{
	for (long i = 0; i < PATH_MAX; i++) {
		/* Byte by byte: a path may end just before the end of RAM. */
		if (!uaccess_ok(upath + i, 1))
			return -EFAULT;
		dst[i] = upath[i];
		if (!dst[i])
			return i ? i : -ENOENT;
	}
	return -ENAMETOOLONG;
}

const char *errno_name(long err)
{
	static const char *const names[] = {
		[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EBADF] = "EBADF",
		[ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [EFBIG] = "EFBIG",
		[ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EPIPE] = "EPIPE",
		[ENAMETOOLONG] = "ENAMETOOLONG", [ENOTEMPTY] = "ENOTEMPTY",
	};

	if (err < 0)
		err = -err;
	if (err < (long)(sizeof(names) / sizeof(names[0])) && names[err])
		return names[err];
	return "E?";
}

bool errno_known(long err)
{
	return err < 0 && errno_name(err)[1] != '?';
}
