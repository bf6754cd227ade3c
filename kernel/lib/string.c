/* Freestanding implementations of the string and memory helpers declared in <locklab/string.h>. */
#include <locklab/types.h>
#include <locklab/string.h>

/*
 * GCC recognises "store a byte in a loop" and replaces the loop with a call
 * to memset/memcpy, which inside memset/memcpy themselves would recurse
 * forever. -fno-builtin alone does not stop that, so switch the pass off for
 * these functions. Clang does not have the attribute (and its loop-idiom pass
 * respects -fno-builtin), so it gets nothing.
 */
#ifdef __clang__
#define NO_LOOP_PATTERNS
#else
#define NO_LOOP_PATTERNS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

/* Word accesses to memory of any type: may_alias keeps them legal under strict aliasing. */
typedef u64 __attribute__((may_alias)) word_t;
#define WORD_SIZE sizeof(word_t)

static inline bool is_word_aligned(const void *p)
{
	return ((uintptr_t)p & (WORD_SIZE - 1)) == 0;
}

NO_LOOP_PATTERNS void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	word_t pattern = (unsigned char)c * (word_t)0x0101010101010101ull;

	/* Bytes up to alignment, then whole aligned words, then the tail. */
	while (n && !is_word_aligned(p)) {
		*p++ = (unsigned char)c;
		n--;
	}
	for (; n >= WORD_SIZE; n -= WORD_SIZE, p += WORD_SIZE)
		*(word_t *)p = pattern;
	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

NO_LOOP_PATTERNS void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Words only when both sides are aligned: -mstrict-align forbids the rest. */
	if (is_word_aligned(d) && is_word_aligned(s)) {
		for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE, s += WORD_SIZE)
			*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LOOP_PATTERNS void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy backwards when dst overlaps the tail of src, so no byte is read after being overwritten. */
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/* Characters compare as unsigned char, as the C standard requires. */
int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i] || !x[i])
			return (x[i] > y[i]) - (x[i] < y[i]);
	}
	return 0;
}

/* Like the standard one, searching for '\0' finds the terminator. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/* Copies at most size - 1 bytes, always terminates (size > 0), returns strlen(src) to detect truncation. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = MIN(len, size - 1);

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

bool strlist_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (e ? 1 : 0);
	}
	return false;
}

u32 str_split_words(char *s, char **words, u32 max)
{
	u32 n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		words[n++] = s;
		while (*s && *s != ' ')
			s++;
	}
	return n;
}
