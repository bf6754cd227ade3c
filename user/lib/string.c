/* String and memory functions for user programs: byte loops, small and obviously right, no SIMD. */
#include <string.h>
#include <errno.h>

/*
 * Built with -fno-tree-loop-distribute-patterns (user/user.mk): otherwise
 * GCC would turn the loop in memset into a call to memset.
 */

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

/* Copies backwards when dst overlaps the end of src. */
void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

/* The names of <locklab/errno.h>'s numbers; "Success" for 0. */
const char *strerror(int err)
{
	static const struct {
		int nr;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },
		{ ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },
		{ EINTR, "EINTR" },
		{ EIO, "EIO" },
		{ E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" },
		{ EBADF, "EBADF" },
		{ ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" },
		{ ENOTDIR, "ENOTDIR" },
		{ EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" },
		{ EMFILE, "EMFILE" },
		{ EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" },
		{ ESPIPE, "ESPIPE" },
		{ EPIPE, "EPIPE" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOSYS, "ENOSYS" },
		{ ENOTEMPTY, "ENOTEMPTY" },
		{ EOVERFLOW, "EOVERFLOW" },
		{ ENOBUFS, "ENOBUFS" },
	};

	/* 0 is no error (errno read after a call that did not fail): glibc's word for it, not "E?" */
	if (err == 0)
		return "Success";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].nr == err)
			return names[i].name;
	}
	return "E?";
}
