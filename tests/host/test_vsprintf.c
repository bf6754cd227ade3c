/* Host tests for kernel/lib/vsprintf.c: compares kl_vsnprintf with glibc's vsnprintf on tables and random formats. */

/*
 * The build passes -Dvsnprintf=kl_vsnprintf -Dsnprintf=kl_snprintf to every
 * file so the kernel's functions do not clash with libc's. This file needs
 * both, so it drops the macros before the libc headers (stdio.h then
 * declares the real snprintf/vsnprintf), and re-creates them only around
 * <locklab/printf.h> so that it declares kl_snprintf/kl_vsnprintf. One
 * translation unit, the same flags as every other test, no wrapper file.
 */
#undef vsnprintf
#undef snprintf
#include <stdio.h>
#include <stdint.h>
#include <limits.h>
#include <stddef.h>
#include "htest.h"
#define vsnprintf kl_vsnprintf
#define snprintf  kl_snprintf
#include <locklab/printf.h>
#undef vsnprintf
#undef snprintf

#define REF_SIZE    512
#define MAX_REPORTS 30 /* mismatches printed per run; all are still counted */

static unsigned long checks, reports;

/*
 * Formats with libc into a large buffer, then with kl_vsnprintf at several
 * buffer sizes (0, 1, 2, 3, mid, len-1, len, len+1, large). Each result must
 * have libc's return value, hold the reference's first size-1 bytes plus a
 * NUL, and leave the canary bytes after the buffer untouched.
 */
__attribute__((format(printf, 2, 0))) static int vcheck(int line, const char *fmt, va_list ap)
{
	char ref[REF_SIZE], got[REF_SIZE + 16];
	va_list aq;
	int ref_ret, len;

	va_copy(aq, ap);
	ref_ret = vsnprintf(ref, sizeof(ref), fmt, aq);
	va_end(aq);
	if (ref_ret < 0 || ref_ret >= REF_SIZE) {
		HT_FAIL("line %d: reference output of \"%s\" does not fit (%d)", line, fmt,
			ref_ret);
		return 0;
	}
	len = ref_ret;
	size_t sizes[] = { 0,
			   1,
			   2,
			   3,
			   (size_t)len / 2,
			   len ? (size_t)len - 1 : 0,
			   (size_t)len,
			   (size_t)len + 1,
			   REF_SIZE };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i], keep = size ? (size_t)MIN((size_t)len, size - 1) : 0;
		int ret;

		memset(got, 0xa5, sizeof(got));
		va_copy(aq, ap);
		/* size 0 may come with a NULL buffer, which C allows. */
		ret = kl_vsnprintf(size ? got : NULL, size, fmt, aq);
		va_end(aq);
		checks++;
		bool ok = ret == ref_ret &&
			  (size == 0 || (memcmp(got, ref, keep) == 0 && got[keep] == '\0'));
		for (size_t j = size; j < sizeof(got) && ok; j++)
			ok = (unsigned char)got[j] == 0xa5;
		if (!ok) {
			if (reports++ < MAX_REPORTS)
				HT_FAIL("line %d: fmt \"%s\" size %zu: want \"%.*s\" (%d), got \"%.*s\" (%d)",
					line, fmt, size, (int)keep, ref, ref_ret,
					(int)(size ? strnlen(got, size) : 0), got, ret);
			else
				ht_case_failed = 1;
			return 0;
		}
	}
	return 1;
}

/*
 * check() is format-checked at each call. check_loose() is the same without
 * it, for formats that C calls undefined or gcc's -Wformat flags as pointless
 * ("%+u", "%05s", "%.8p", "%-05d", "%hhd" of 300, a NULL %s) but whose glibc
 * output the kernel deliberately reproduces.
 */
#define DEFINE_CHECK(name, attr)                             \
	attr static int name(int line, const char *fmt, ...) \
	{                                                    \
		va_list ap;                                  \
		int ok;                                      \
		va_start(ap, fmt);                           \
		ok = vcheck(line, fmt, ap);                  \
		va_end(ap);                                  \
		return ok;                                   \
	}
DEFINE_CHECK(check, __attribute__((format(printf, 2, 3))))
DEFINE_CHECK(check_loose, )

#define CHECK(...)	 check(__LINE__, __VA_ARGS__)
#define CHECK_LOOSE(...) check_loose(__LINE__, __VA_ARGS__)

/*
 * For kernel-only behaviour that glibc does not share (unknown conversions)
 * or cannot be asked cheaply (huge widths). Not format-checked on purpose:
 * these formats are invalid C by design.
 */
static int kfmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = kl_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

static void test_plain_text(void)
{
	CHECK("%s", "");
	CHECK("hello, world");
	CHECK("100%%");
	CHECK("%%%%%%");
	CHECK("a%cb%cc", 'x', 'y');
	CHECK("%d %s %u %x", -3, "mid", 7u, 255u);
}

static void test_signed(void)
{
	CHECK("%d|%d|%d|%i", 0, 1, -1, 123456789);
	CHECK("%d|%d", INT_MAX, INT_MIN);
	CHECK("%ld|%lld|%lld", LONG_MIN, LLONG_MIN, LLONG_MAX);
	CHECK("%jd|%td|%zd", INTMAX_MIN, PTRDIFF_MIN, (size_t)-5);
	/* hh/h narrow the promoted int (loose: clang warns on out-of-range values). */
	CHECK_LOOSE("%hhd|%hhd|%hhi", 300, -129, 127);
	CHECK_LOOSE("%hd|%hd", 70000, -32769);
}

static void test_unsigned(void)
{
	CHECK("%u|%u|%lu|%llu", 0u, UINT_MAX, ULONG_MAX, ULLONG_MAX);
	CHECK("%llx|%llX|%llo", ULLONG_MAX, 0xdeadbeefcafebabeull, ULLONG_MAX);
	CHECK("%zu|%zx|%tx|%tu|%ju", SIZE_MAX, (size_t)0x1000, (ptrdiff_t)-1, (ptrdiff_t)-1,
	      UINTMAX_MAX);
	CHECK_LOOSE("%hhu|%hhx|%hu|%ho", 511u, 0x1ffu, 0x12345u, 0x1ffffu);
	CHECK("%x %X %o", 0xabcu, 0xabcu, 8u);
}

static void test_width_precision(void)
{
	CHECK("%5d|%-5d|%05d", 42, 42, 42);
	CHECK("%5d|%-5d|%05d", -42, -42, -42);
	CHECK("%1d|%2d", 12345, -12345);
	CHECK("%.3d|%.3d|%.0d|%.d", 7, -7, 0, 0);
	CHECK_LOOSE("%8.3d|%-8.3d|%08.3d", -7, -7, -7);
	CHECK("%.10llu", 1ull);
	CHECK("%20.15lld", LLONG_MIN);
	CHECK("%*d|%-*d|%*d", 6, 1, 6, 1, -6, 1);
	CHECK("%.*d|%.*d|%.*d", 4, 1, -1, 1, 0, 0);
	CHECK_LOOSE("%*.*x", 10, 6, 0xabcu);
	CHECK_LOOSE("%5.0d|%-5.0u|%05.0x", 0, 0u, 0u);
	CHECK_LOOSE("%3c|%-3c|%03c", 'a', 'b', 'c');
	CHECK("%.0u|%.0x|%.0o", 0u, 0u, 0u);
	CHECK("%040d", INT_MIN);
	CHECK_LOOSE("%-040lld|", LLONG_MIN);
}

static void test_flags(void)
{
	CHECK("%+d|%+d|%+d", 5, -5, 0);
	CHECK("% d|% d|% d", 5, -5, 0);
	CHECK_LOOSE("%+ d|% +d", 5, 5);
	/* sign flags only affect signed conversions */
	CHECK_LOOSE("%+u|% u|%+x|% X", 5u, 5u, 5u, 5u);
	CHECK_LOOSE("%+05d|% 05d|%-+5d|%-05d", 3, 3, 3, 3);
	CHECK("%+.0d|% .0d", 0, 0);
	CHECK("%#x|%#X|%#o", 0xffu, 0xffu, 8u);
	CHECK("%#x|%#X|%#o", 0u, 0u, 0u);
	CHECK("%#.0x|%#.0o|%#.3o|%#5.3o", 0u, 0u, 8u, 8u);
	CHECK_LOOSE("%#08x|%#-8x|%#8x|%#08o", 0xffu, 0xffu, 0xffu, 8u);
	CHECK("%#.5x|%#10.5X", 0xabu, 0xabu);
	CHECK("%#llx|%#llo", ULLONG_MAX, ULLONG_MAX);
	CHECK_LOOSE("%#hhx|%#hx", 0x1234u, 0x12345u);
	CHECK_LOOSE("%#d|%#u", 5, 5u); /* '#' means nothing for these */
	CHECK_LOOSE("%0-5d|%-05d", 1, 1);
	CHECK_LOOSE("%--5d|%005d|%++d", 1, 1, 1);
}

static void test_strings(void)
{
	static const char *null_str;

	CHECK("%s|%s", "abc", "");
	CHECK("%10s|%-10s|", "abc", "abc");
	CHECK("%.2s|%.0s|%.10s", "abc", "abc", "abc");
	CHECK("%5.1s|%-5.1s|", "abc", "abc");
	CHECK("%*.*s|", -8, 2, "abcdef");
	CHECK("%.*s|%.*s", 3, "abcdef", -1, "abcdef");
	CHECK_LOOSE("%05s", "ab"); /* '0' does not pad text with zeros */
	/* NULL: "(null)", or nothing when the precision cannot hold it (glibc). */
	CHECK_LOOSE("%s|%10s|%-8s|%.6s|%.5s|%.0s|", null_str, null_str, null_str, null_str,
		    null_str, null_str);
	/* A precision bounds the read: the array below has no terminator. */
	static const char unterminated[3] = { 'x', 'y', 'z' };
	CHECK("%.3s|%.2s", unterminated, unterminated);
	CHECK("%c%c%c", 'a', 0x100 + 'b', -1);
}

static void test_pointers(void)
{
	int x;

	CHECK("%p|%p|%p", (void *)0x1234, (void *)&x, (void *)UINTPTR_MAX);
	CHECK("%p|%10p|%-10p|", (void *)0, (void *)0, (void *)0);
	CHECK_LOOSE("%.8p|%.8p", (void *)0, (void *)0x1);
	CHECK_LOOSE("%20p|%-20p|%020p|", (void *)0xabc, (void *)0xabc, (void *)0xabc);
	CHECK_LOOSE("%.0p|%#p", (void *)0x10, (void *)0x10);
}

static void test_truncation(void)
{
	char buf[8];

	/* vcheck already sweeps sizes for every case; here the exact edges by hand. */
	HT_EXPECT_EQ_S(kl_snprintf(NULL, 0, "%d", 12345), 5);
	memset(buf, 'x', sizeof(buf));
	HT_EXPECT_EQ_S(kl_snprintf(buf, 0, "abc"), 3);
	HT_EXPECT(buf[0] == 'x');
	HT_EXPECT_EQ_S(kl_snprintf(buf, 1, "abc"), 3);
	HT_EXPECT(buf[0] == '\0' && buf[1] == 'x');
	HT_EXPECT_EQ_S(kl_snprintf(buf, 3, "%s", "abcdef"), 6);
	HT_EXPECT_STREQ(buf, "ab");
	HT_EXPECT(buf[3] == 'x');
	HT_EXPECT_EQ_S(kl_snprintf(buf, sizeof(buf), "%-10d|", -1), 11);
	HT_EXPECT_STREQ(buf, "-1     ");
	HT_EXPECT_EQ_S(kl_snprintf(buf, 4, "%5s", "ab"), 5);
	HT_EXPECT_STREQ(buf, "   ");
	HT_EXPECT_EQ_S(kl_snprintf(buf, 5, "%#010x", 0xffu), 10);
	HT_EXPECT_STREQ(buf, "0x00");
	CHECK("%s%s%s", "0123456789", "abcdefghij", "ABCDEFGHIJ");
	CHECK("%50d|%-50s|", 1, "pad");
}

/* Formats glibc would either reject at compile time or treat differently: kernel-only rules. */
static void test_unknown_conversions(void)
{
	char buf[64];

	HT_EXPECT_EQ_S(kfmt(buf, sizeof(buf), "%q"), 2);
	HT_EXPECT_STREQ(buf, "%q");
	HT_EXPECT_EQ_S(kfmt(buf, sizeof(buf), "a%5.2qb"), 7);
	HT_EXPECT_STREQ(buf, "a%5.2qb");
	/* An unknown conversion consumes nothing, not even for its '*'. */
	kfmt(buf, sizeof(buf), "%*q%d", 7);
	HT_EXPECT_STREQ(buf, "%*q7");
	kfmt(buf, sizeof(buf), "%f|%e|%g|%n|%d", 3);
	HT_EXPECT_STREQ(buf, "%f|%e|%g|%n|3");
	kfmt(buf, sizeof(buf), "%lf %Lf %hq %d", 4);
	HT_EXPECT_STREQ(buf, "%lf %Lf %hq 4");
	HT_EXPECT_EQ_S(kfmt(buf, sizeof(buf), "abc%"), 4);
	HT_EXPECT_STREQ(buf, "abc%");
	kfmt(buf, sizeof(buf), "%-08.3l");
	HT_EXPECT_STREQ(buf, "%-08.3l");
	kfmt(buf, sizeof(buf), "%5%|%-5%");
	HT_EXPECT_STREQ(buf, "%|%");
	HT_EXPECT_EQ_S(kfmt(buf, 3, "%q%q"), 4);
	HT_EXPECT_STREQ(buf, "%q");
}

static void test_huge_widths(void)
{
	char buf[16];

	/* Padding past the buffer is only counted, so these return at once. */
	HT_EXPECT_EQ_S(kfmt(buf, sizeof(buf), "%2147483647d", 1), INT_MAX);
	HT_EXPECT(strlen(buf) == sizeof(buf) - 1 && buf[0] == ' ');
	HT_EXPECT_EQ_S(kfmt(buf, sizeof(buf), "%*d", INT_MIN, 1), -1); /* 2^31 chars > INT_MAX */
	HT_EXPECT(buf[0] == '1' && buf[1] == ' ');
	HT_EXPECT_EQ_S(kfmt(NULL, 0, "%99999999999999999999d", 1), INT_MAX); /* width saturates */
	HT_EXPECT_EQ_S(kfmt(NULL, 0, "%.2147483647d", 1), INT_MAX);
	HT_EXPECT_EQ_S(kfmt(NULL, 0, "%2147483647d%d", 1, 2), -1);
}

/* Deterministic generator (64-bit LCG, Knuth's MMIX constants) so failures reproduce. */
static uint64_t lcg_state;

static uint32_t rnd(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(lcg_state >> 32);
}

static uint32_t rnd_below(uint32_t n)
{
	return rnd() % n;
}

/* Random 64-bit values biased towards edges and short numbers. */
static uint64_t rnd_value(void)
{
	static const uint64_t edges[] = {
		0,
		1,
		7,
		8,
		9,
		10,
		15,
		16,
		0x7f,
		0x80,
		0xff,
		0x100,
		0x7fff,
		0x8000,
		0xffff,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		0x100000000ull,
		0x7fffffffffffffffull,
		0x8000000000000000ull,
		0xffffffffffffffffull,
		(uint64_t)-1 - 1,
		(uint64_t)-100,
	};
	uint32_t kind = rnd_below(3), shift = rnd_below(64);
	uint64_t v = ((uint64_t)rnd() << 32) | rnd();

	if (kind == 0)
		return edges[rnd_below(sizeof(edges) / sizeof(edges[0]))];
	return kind == 1 ? v >> shift : v;
}

enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J, L_COUNT };

/* Calls check() with the '*' arguments the format asked for, then val. */
#define CHECK_STARS(val)                                           \
	(ok = star_w && star_p ? check(__LINE__, fmt, w, p, val) : \
	      star_w	       ? check(__LINE__, fmt, w, val) :    \
	      star_p	       ? check(__LINE__, fmt, p, val) :    \
				 check(__LINE__, fmt, val))

/* Passes v as exactly the type the length modifier names (signed or unsigned). */
#define CHECK_TYPED(sgn, v)                                           \
	do {                                                          \
		switch (len) {                                        \
		case L_L:                                             \
			if (sgn)                                      \
				CHECK_STARS((long)(v));               \
			else                                          \
				CHECK_STARS((unsigned long)(v));      \
			break;                                        \
		case L_LL:                                            \
			if (sgn)                                      \
				CHECK_STARS((long long)(v));          \
			else                                          \
				CHECK_STARS((unsigned long long)(v)); \
			break;                                        \
		case L_Z:                                             \
			if (sgn)                                      \
				CHECK_STARS((ptrdiff_t)(v));          \
			else                                          \
				CHECK_STARS((size_t)(v));             \
			break;                                        \
		case L_T:                                             \
			if (sgn)                                      \
				CHECK_STARS((ptrdiff_t)(v));          \
			else                                          \
				CHECK_STARS((size_t)(v));             \
			break;                                        \
		case L_J:                                             \
			if (sgn)                                      \
				CHECK_STARS((intmax_t)(v));           \
			else                                          \
				CHECK_STARS((uintmax_t)(v));          \
			break;                                        \
		default:                                              \
			if (sgn)                                      \
				CHECK_STARS((int)(v));                \
			else                                          \
				CHECK_STARS((unsigned)(v));           \
			break;                                        \
		}                                                     \
	} while (0)

static void test_random_formats(void)
{
	static const char *const len_str[L_COUNT] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const char *const texts[] = { "", "x", "ab ", "%%", "[", "]%%" };
	static const char *const strs[] = {
		"",
		"a",
		"hello world",
		"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
		NULL,
	};
	static const char convs[] = "diuxXocsp";
	unsigned long failed = 0, runs = 20000, before = checks;

	lcg_state = 0x10c71ab5eedull;
	for (unsigned long i = 0; i < runs; i++) {
		char fmt[64];
		size_t n = 0;
		char conv = convs[rnd_below(sizeof(convs) - 1)];
		bool star_w = false, star_p = false;
		int w = 0, p = 0, ok = 1, len = L_NONE;
		uint64_t v = rnd_value();

		n += (size_t)sprintf(fmt + n, "%s%%", texts[rnd_below(6)]);
		/* '+'/' ' are left out for %p: glibc prints them, ours is "%#lx". */
		for (int f = (int)rnd_below(5); f > 0; f--)
			fmt[n++] = "-0#+ "[rnd_below(conv == 'p' ? 3 : 5)];
		if (rnd_below(3) == 1) {
			n += (size_t)sprintf(fmt + n, "%u", 1 + rnd_below(25));
		} else if (rnd_below(2)) {
			fmt[n++] = '*';
			star_w = true;
			w = (int)rnd_below(51) - 25;
		}
		if (rnd_below(4) == 2) {
			n += (size_t)sprintf(fmt + n, rnd_below(4) ? ".%u" : ".", rnd_below(25));
		} else if (rnd_below(3) == 0) {
			n += (size_t)sprintf(fmt + n, ".*");
			star_p = true;
			p = (int)rnd_below(30) - 4;
		}
		/* %c/%s/%p take no length modifier here (l would mean wide characters). */
		if (!strchr("csp", conv))
			len = (int)rnd_below(L_COUNT);
		n += (size_t)sprintf(fmt + n, "%s%c%s", len_str[len], conv, texts[rnd_below(6)]);

		if (conv == 'd' || conv == 'i')
			CHECK_TYPED(1, v);
		else if (conv == 'c')
			CHECK_STARS((int)(' ' + v % 95));
		else if (conv == 's')
			CHECK_STARS(strs[v % 5]);
		else if (conv == 'p')
			CHECK_STARS((void *)(uintptr_t)(v % 4 == 0 ? 0 : v));
		else
			CHECK_TYPED(0, v);
		if (!ok) {
			failed++;
			if (reports <= MAX_REPORTS)
				printf("  # random case %lu: value 0x%llx, *width %d, *prec %d\n",
				       i, (unsigned long long)v, w, p);
		}
	}
	printf("  # %lu random formats, %lu comparisons, %lu failed\n", runs, checks - before,
	       failed);
}

int main(void)
{
	static const struct ht_case cases[] = {
		HT_CASE(test_plain_text),
		HT_CASE(test_signed),
		HT_CASE(test_unsigned),
		HT_CASE(test_width_precision),
		HT_CASE(test_flags),
		HT_CASE(test_strings),
		HT_CASE(test_pointers),
		HT_CASE(test_truncation),
		HT_CASE(test_unknown_conversions),
		HT_CASE(test_huge_widths),
		HT_CASE(test_random_formats),
		HT_END,
	};
	int ret = ht_run("vsprintf", cases);

	printf("# %lu comparisons against libc in total\n", checks);
	return ret;
}
