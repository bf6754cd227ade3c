/* Host tests for the user programs' libc (user/lib/): printf against glibc's, malloc on a fake brk, string functions, atoi. */

/*
 * tests/check.mk compiles user/lib/printf.c, malloc.c, string.c and stdlib.c natively
 * with every public name prefixed u_ (-Dprintf=u_printf ...), so they link
 * beside the host's C library; this file provides what they call of the
 * kernel: u_write (captured), u_sbrk (a static heap, ENOMEM in u_errno when
 * it refuses, as the wrapper) and u__exit (a longjmp back into the case). It uses glibc for everything else, and as the
 * reference the formatter must agree with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include "htest.h"

#define MIN(a, b) ((a) < (b) ? (a) : (b))

int u_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int u_snprintf(char *buf, size_t n, const char *fmt, ...);
int u_printf(const char *fmt, ...);
int u_dprintf(int fd, const char *fmt, ...);
void *u_malloc(size_t n);
void u_free(void *p);
void *u_calloc(size_t count, size_t size);
void *u_realloc(void *p, size_t n);
size_t u_strlen(const char *s);
int u_strcmp(const char *a, const char *b);
int u_strncmp(const char *a, const char *b, size_t n);
char *u_strcpy(char *dst, const char *src);
char *u_strchr(const char *s, int c);
void *u_memmove(void *dst, const void *src, size_t n);
int u_memcmp(const void *a, const void *b, size_t n);
const char *u_strerror(int err);
int u_atoi(const char *s);
long u_atol(const char *s);

/* ---- what the library calls of the kernel ---- */
static char out[8192];
static size_t out_len;
static int writes, write_fd, exit_status;
static jmp_buf exit_jmp;

long u_write(int fd, const void *buf, size_t n)
{
	writes++;
	write_fd = fd;
	n = MIN(n, sizeof(out) - out_len);
	memcpy(out + out_len, buf, n);
	out_len += n;
	return (long)n;
}

static _Alignas(4096) unsigned char heap[32 << 20];
static size_t brk_at, brk_limit = sizeof(heap);
static int sbrk_calls;
int u_errno;

void *u_sbrk(long incr)
{
	sbrk_calls++;
	if (incr < 0 || brk_at + (size_t)incr > brk_limit) {
		u_errno = 12; /* ENOMEM */
		return (void *)-1;
	}
	brk_at += (size_t)incr;
	return heap + brk_at - incr;
}

void u__exit(int status)
{
	exit_status = status;
	longjmp(exit_jmp, 1);
}

/* ---- printf ---- */
static unsigned long checks;

/* u_vsnprintf at several buffer sizes against glibc: the same return value, prefix and NUL, no overrun. */
__attribute__((format(printf, 2, 3))) static void check(int line, const char *fmt, ...)
{
	char ref[512], got[512 + 8];
	va_list ap, aq;
	int ref_ret;

	va_start(ap, fmt);
	va_copy(aq, ap);
	ref_ret = vsnprintf(ref, sizeof(ref), fmt, aq);
	va_end(aq);
	size_t sizes[] = { 0, 1, 2, (size_t)ref_ret / 2, (size_t)ref_ret, (size_t)ref_ret + 1, 512 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i], keep = size ? MIN((size_t)ref_ret, size - 1) : 0;
		int r;

		memset(got, '#', sizeof(got));
		va_copy(aq, ap);
		r = u_vsnprintf(got, size, fmt, aq);
		va_end(aq);
		checks++;
		if (r != ref_ret || memcmp(got, ref, keep) || (size && got[keep] != '\0') ||
		    got[size] != '#')
			HT_FAIL("line %d: \"%s\" size %zu: got %d \"%.*s\", glibc %d \"%s\"", line,
				fmt, size, r, (int)keep, got, ref_ret, ref);
	}
	va_end(ap);
}
#define CHECK(...) check(__LINE__, __VA_ARGS__)

static void test_printf_conversions(void)
{
	CHECK("plain text, no conversion");
	CHECK("%d %i %d %d", 0, -1, 2147483647, -2147483647 - 1);
	CHECK("%u %u %x %X %o", 0u, 4294967295u, 0xdeadbeefu, 0xabcu, 0755u);
	CHECK("%ld %lu %lx %lld %llu", -9223372036854775807L - 1, 18446744073709551615UL,
	      0xffffffff00000000UL, -5LL, 18446744073709551615ULL);
	CHECK("%zu %hd %hu %hhd %hhu", (size_t)123456789, -2, 65535, -1, 255);
	CHECK("[%s] [%c] [%%]", "str", 'x');
	CHECK("%p %p", (void *)0x400000, (void *)0xffffff8040200000UL);
}

static void test_printf_width_and_flags(void)
{
	CHECK("[%5d] [%-5d] [%05d]", 42, 42, 42);
	CHECK("[%5d] [%05d] [%-6d] [%08ld]", -42, -42, -42, -123456L);
	CHECK("[%8x] [%08x] [%-8x] [%016lx]", 0xbeefu, 0xbeefu, 0xbeefu, 0x1234UL);
	CHECK("[%10s] [%-10s] [%.2s] [%-6.3s] [%*s] [%-*s]", "right", "left", "cut", "abcdef", 7,
	      "star", 7, "star");
	CHECK("[%3c] [%-3c] [%1d] [%2s]", 'a', 'b', 12345, "longer");
	CHECK("[%*d] [%*d]", -6, 5, 6, 5);
	CHECK("%s", "a string longer than any small buffer used above, to be cut at every size");
}

/*
 * C's integer precision and the + space # flags: they were parsed and dropped, or printed as "%+d".
 * Some cases combine flags that C ignores (0 with a precision, space with +), which is what they check.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
static void test_printf_precision_and_more_flags(void)
{
	CHECK("[%.3d] [%.3d] [%.0d] [%.0x] [%.d] [%5.3d] [%-6.3d] [%05.2d]", 5, -5, 0, 0u, 0, 7, 7,
	      3);
	CHECK("[%.4x] [%10.4lx] [%.5u] [%.2hd] [%.10ld]", 0xabu, 0xbeefUL, 42u, -3, -123456789L);
	CHECK("[%+d] [%+d] [% d] [% d] [%+ d] [%+05d] [%-+6d|] [% .3d]", 5, -5, 5, -5, 5, 5, 5, 5);
	CHECK("[%#x] [%#X] [%#x] [%#010x] [%#-8x|] [%#.4x] [%#lx]", 255u, 255u, 0u, 255u, 255u, 1u,
	      0xffffff8040200000UL);
	CHECK("[%#o] [%#o] [%#.0o] [%#5o] [%#.4o]", 8u, 0u, 0u, 8u, 8u);
	CHECK("[%0*.*d] [%.*d] [%.*d]", 8, 3, -42, -1, 7, 2, 0);
}
#pragma GCC diagnostic pop

/* Edges: zero in every base, the most negative numbers, NULL for %s, %% beside fields, a 0 flag on %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
static void test_printf_edges(void)
{
	CHECK("[%x] [%X] [%o] [%u] [%d] [%5x] [%-5o|]", 0u, 0u, 0u, 0u, 0, 0u, 0u);
	CHECK("[%d] [%ld] [%lld] [%hd] [%hhd]", -2147483647 - 1, INT64_MIN, (long long)INT64_MIN,
	      -32768, -128);
	CHECK("[%+ld] [%025ld] [%-25ld|] [%.20ld]", INT64_MIN, INT64_MIN, INT64_MIN, INT64_MIN);
	CHECK("[%lu] [%lx] [%lo]", UINT64_MAX, UINT64_MAX, UINT64_MAX);
	CHECK("[%s] [%10s] [%-8s|]", (char *)NULL, (char *)NULL, (char *)NULL);
	CHECK("%%%d%%%s%%", 5, "x");
	CHECK("[%.*s] [%.*s] [%*.*s]", 0, "abc", -1, "abc", -6, 2, "abc");
	CHECK("[%c%c%c]", 'a', 0x7f, 0xe9);
}
#pragma GCC diagnostic pop

/* An unknown conversion comes out as written, its flags and width with it. */
static void test_printf_unknown_as_written(void)
{
	char got[64];

	/* built at run time, so the compiler's format check does not see a conversion it rejects */
	char fmt[] = "a%-5qb %5yc";

	HT_EXPECT_EQ_S(u_snprintf(got, sizeof(got), fmt), 11);
	HT_EXPECT(strcmp(got, "a%-5qb %5yc") == 0);
}

static void test_printf_writes_through_fd(void)
{
	char big[1000];

	out_len = 0;
	writes = 0;
	HT_EXPECT_EQ_S(u_printf("hello from pid %d\n", 7), 17);
	HT_EXPECT_EQ_S(writes, 1); /* a short line is one write() */
	HT_EXPECT_EQ_S(write_fd, 1);
	HT_EXPECT(out_len == 17 && !memcmp(out, "hello from pid 7\n", 17));
	/* longer than the 256-byte buffer: several writes, every byte in order */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	big[500] = 'M';
	out_len = 0;
	writes = 0;
	HT_EXPECT_EQ_S(u_dprintf(2, "<%s>", big), 1001);
	HT_EXPECT_EQ_S(write_fd, 2);
	HT_EXPECT(writes >= 4);
	HT_EXPECT(out_len == 1001 && out[0] == '<' && out[501] == 'M' && out[1000] == '>');
}

/* ---- malloc ---- */
static void heap_reset(size_t limit)
{
	/* a fresh library state is not possible (static free list): each case continues the heap */
	brk_limit = limit;
}

static unsigned char pat(int i, size_t j)
{
	return (unsigned char)(i * 31 + j * 7 + (j >> 9));
}

static void test_malloc_random_ops(void)
{
	enum { SLOTS = 128 };
	static unsigned char *slot[SLOTS];
	static size_t len[SLOTS];
	unsigned int seed = 1;
	unsigned long bad = 0;

	heap_reset(sizeof(heap));
	for (int round = 0; round < 20000; round++) {
		int i;
		size_t n;

		seed = seed * 1103515245 + 12345;
		i = (int)((seed >> 8) % SLOTS);
		for (size_t j = 0; j < len[i]; j++)
			bad += slot[i][j] != pat(i, j);
		seed = seed * 1103515245 + 12345;
		n = (seed >> 8) % 8 == 0 ? (seed >> 4) % 100000 : (seed >> 8) % 300;
		if (round % 3 == 0) {
			unsigned char *p = u_realloc(slot[i], n);

			if (n && !p) {
				HT_FAIL("realloc(%zu) failed", n);
				return;
			}
			for (size_t j = 0; j < MIN(n, len[i]); j++)
				bad += p[j] != pat(i, j);
			slot[i] = n ? p : NULL;
		} else {
			u_free(slot[i]);
			slot[i] = u_malloc(n);
		}
		len[i] = slot[i] ? n : 0;
		HT_EXPECT(((uintptr_t)slot[i] & 15) == 0);
		HT_EXPECT(!slot[i] || ((unsigned char *)slot[i] >= heap &&
				       (unsigned char *)slot[i] + n <= heap + brk_at));
		for (size_t j = 0; j < len[i]; j++)
			slot[i][j] = pat(i, j);
	}
	for (int i = 0; i < SLOTS; i++) {
		for (size_t j = 0; j < len[i]; j++)
			bad += slot[i][j] != pat(i, j);
		u_free(slot[i]);
		slot[i] = NULL;
		len[i] = 0;
	}
	HT_EXPECT_EQ_U(bad, 0);
}

/* Everything freed merges back: the whole heap is one block again, and malloc does not grow it. */
static void test_malloc_free_merges(void)
{
	size_t have = brk_at;
	int calls = sbrk_calls;
	void *p[64], *all;

	for (int i = 0; i < 64; i++)
		p[i] = u_malloc(1000 + i * 37);
	for (int i = 0; i < 64; i += 2) /* every other first, then the rest: merges on both sides */
		u_free(p[i]);
	for (int i = 1; i < 64; i += 2)
		u_free(p[i]);
	all = u_malloc(have - 16 - 16); /* the heap less its header and an alignment allowance */
	HT_EXPECT(all != NULL);
	HT_EXPECT_EQ_U(brk_at, have);
	HT_EXPECT_EQ_S(sbrk_calls, calls);
	u_free(all);
}

static void test_malloc_out_of_memory(void)
{
	void *p;

	heap_reset(brk_at + 8192); /* no room to grow by the 64 KiB minimum */
	u_errno = 0;
	p = u_malloc(brk_at + (1 << 20));
	HT_EXPECT(p == NULL);
	HT_EXPECT_EQ_S(u_errno, 12);
	/* refused before any sbrk: errno must still say ENOMEM (it was left as it was) */
	u_errno = 0;
	HT_EXPECT(u_malloc((size_t)1 << 41) == NULL);
	HT_EXPECT_EQ_S(u_errno, 12);
	u_errno = 0;
	HT_EXPECT(u_calloc((size_t)-1, 16) == NULL);
	HT_EXPECT_EQ_S(u_errno, 12);
	heap_reset(sizeof(heap));
	p = u_calloc(1000, 3);
	HT_EXPECT(p != NULL);
	for (int j = 0; p && j < 3000; j++)
		HT_EXPECT(((unsigned char *)p)[j] == 0);
	u_free(p);
}

/* malloc(0), realloc's NULL, 0 and huge sizes, calloc with a 0 count. */
static void test_malloc_edges(void)
{
	char *a, *b, *p, *q;

	heap_reset(sizeof(heap));
	a = u_malloc(0);
	b = u_malloc(0);
	HT_EXPECT(a && b && a != b && !((uintptr_t)a & 15) && !((uintptr_t)b & 15));
	u_free(a);
	u_free(b);
	p = u_realloc(NULL, 10);
	HT_EXPECT(p != NULL);
	if (!p)
		return;
	memcpy(p, "0123456789", 10);
	HT_EXPECT(u_realloc(p, 5) == p); /* a block big enough is kept */
	u_errno = 0;
	HT_EXPECT(u_realloc(p, SIZE_MAX) == NULL); /* refused: the block stays, unchanged */
	HT_EXPECT_EQ_S(u_errno, 12);
	HT_EXPECT(u_malloc(SIZE_MAX - 8) == NULL);
	q = u_realloc(p, 5000); /* moved: the bytes come along */
	HT_EXPECT(q != NULL && !memcmp(q, "0123456789", 10));
	HT_EXPECT(u_realloc(q, 0) == NULL); /* freed: a second free is caught */
	exit_status = -1;
	if (!setjmp(exit_jmp))
		u_free(q);
	HT_EXPECT_EQ_S(exit_status, 134);
	p = u_calloc(0, SIZE_MAX);
	HT_EXPECT(p != NULL);
	u_free(p);
}

static void test_double_free_stops(void)
{
	void *p = u_malloc(100);

	out_len = 0;
	exit_status = -1;
	u_free(p);
	if (!setjmp(exit_jmp))
		u_free(p);
	HT_EXPECT_EQ_S(exit_status, 134);
	HT_EXPECT(out_len > 8 && !memcmp(out, "malloc: ", 8));
	exit_status = -1;
	if (!setjmp(exit_jmp))
		u_free((char *)u_malloc(64) + 16); /* inside a block */
	HT_EXPECT_EQ_S(exit_status, 134);
}

/* ---- strings ---- */
static void test_strings(void)
{
	char buf[32] = "0123456789";

	HT_EXPECT_EQ_U(u_strlen(""), 0);
	HT_EXPECT_EQ_U(u_strlen("hello"), 5);
	HT_EXPECT(u_strcmp("abc", "abd") < 0 && u_strcmp("b", "a") > 0 && !u_strcmp("x", "x"));
	HT_EXPECT(u_strcmp("ab", "abc") < 0 && u_strcmp("\xff", "a") > 0); /* unsigned */
	HT_EXPECT(!u_strncmp("abcX", "abcY", 3) && u_strncmp("abcX", "abcY", 4) < 0);
	HT_EXPECT(!u_strncmp("ab", "ab", 10));
	HT_EXPECT_STREQ(u_strchr("hello", 'l'), "llo");
	HT_EXPECT(u_strchr("hello", 'z') == NULL);
	HT_EXPECT_STREQ(u_strchr("hello", '\0'), "");
	HT_EXPECT_STREQ(u_strcpy(buf + 20, "copy"), "copy");
	u_memmove(buf + 2, buf, 5); /* forwards overlap */
	HT_EXPECT(!memcmp(buf, "0101234789", 10));
	u_memmove(buf, buf + 3, 5); /* backwards overlap */
	HT_EXPECT(!memcmp(buf, "1234734789", 10));
	HT_EXPECT(u_memcmp("ab\x80", "ab\x01", 3) > 0 && !u_memcmp("a", "b", 0));
	HT_EXPECT_STREQ(u_strerror(2), "ENOENT");
	HT_EXPECT_STREQ(u_strerror(9999), "E?");
	/* 0, errno after a call that did not fail: glibc's "Success" (it was "E?", as if unknown) */
	HT_EXPECT_STREQ(u_strerror(0), "Success");
#ifdef __GLIBC__
	HT_EXPECT_STREQ(u_strerror(0), strerror(0));
#endif
}

/* ---- stdlib ---- */
static void test_atoi_atol(void)
{
	HT_EXPECT_EQ_S(u_atol("0"), 0);
	HT_EXPECT_EQ_S(u_atol("+7"), 7);
	HT_EXPECT_EQ_S(u_atol("12abc"), 12);
	HT_EXPECT_EQ_S(u_atol(""), 0);
	HT_EXPECT_EQ_S(u_atol("- 5"), 0);
	HT_EXPECT_EQ_S(u_atoi("2147483647"), 2147483647);
	HT_EXPECT_EQ_S(u_atoi("-2147483648"), -2147483647 - 1);
	HT_EXPECT_EQ_S(u_atol("9223372036854775807"), INT64_MAX);
	/* its last digit overflowed a signed sum (UBSan stopped the test here) */
	HT_EXPECT_EQ_S(u_atol("-9223372036854775808"), INT64_MIN);
	/* isspace's blanks, all of them: \v, \f and \r stopped it at 0 */
	HT_EXPECT_EQ_S(u_atol(" \t\n\v\f\r-42"), -42);
}

int main(void)
{
	static const struct ht_case cases[] = {
		HT_CASE(test_printf_conversions),
		HT_CASE(test_printf_width_and_flags),
		HT_CASE(test_printf_precision_and_more_flags),
		HT_CASE(test_printf_edges),
		HT_CASE(test_printf_unknown_as_written),
		HT_CASE(test_printf_writes_through_fd),
		HT_CASE(test_malloc_random_ops),
		HT_CASE(test_malloc_free_merges),
		HT_CASE(test_malloc_out_of_memory),
		HT_CASE(test_malloc_edges),
		HT_CASE(test_double_free_stops),
		HT_CASE(test_strings),
		HT_CASE(test_atoi_atol),
		HT_END,
	};
	int ret = ht_run("ulibc", cases);

	printf("# %lu printf comparisons against glibc\n", checks);
	return ret;
}
