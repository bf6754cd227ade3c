/* Host tests for kernel/bootargs.c: every parsing rule, the kept defaults and the exact report texts. */
#include <stdint.h>
#include "htest.h"
#include <locklab/bootargs.h>

/* Reports are collected here so each test can look at their count and text. */
#define MAX_MSGS 16
static char msgs[MAX_MSGS][300];
static int nmsgs;

static void collect(const char *msg)
{
	/* Every report is one sentence that starts with the subsystem name. */
	HT_EXPECT(strncmp(msg, "bootargs: ", 10) == 0);
	HT_EXPECT(strlen(msg) < 256);
	/* No snprintf here: in this file it would be the kernel's one (see the -D flags). */
	if (nmsgs < MAX_MSGS && strlen(msg) < sizeof(msgs[0]))
		strcpy(msgs[nmsgs], msg);
	nmsgs++;
}

/* The options a test parses against; reset() restores the defaults before each parse. */
static bool quiet;
static u64 maxcpus;
static u64 addr;
static char ktest[64];
static char tiny[4];

static const struct bootarg_opt opts[] = {
	{ .name = "quiet", .type = BOOTARG_FLAG, .dest = &quiet },
	{ .name = "maxcpus", .type = BOOTARG_UINT, .dest = &maxcpus, .min = 1, .max = 8 },
	{ .name = "addr", .type = BOOTARG_UINT, .dest = &addr, .min = 0, .max = UINT64_MAX },
	{ .name = "ktest", .type = BOOTARG_STR, .dest = ktest, .str_size = sizeof(ktest) },
	{ .name = "tiny", .type = BOOTARG_STR, .dest = tiny, .str_size = sizeof(tiny) },
};

static void reset(void)
{
	quiet = false;
	maxcpus = 8;
	addr = 0x1000;
	strcpy(ktest, "");
	strcpy(tiny, "abc");
	nmsgs = 0;
	memset(msgs, 0, sizeof(msgs));
}

/* Parses cmdline against opts and checks the returned count matches the reports. */
static int parse(const char *cmdline)
{
	int ret;

	reset();
	ret = bootargs_parse(cmdline, opts, ARRAY_SIZE(opts), collect);
	HT_EXPECT_EQ_S(ret, nmsgs);
	return ret;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void expect_defaults(void)
{
	HT_EXPECT(!quiet);
	HT_EXPECT_EQ_U(maxcpus, 8);
	HT_EXPECT_EQ_U(addr, 0x1000);
	HT_EXPECT_STREQ(ktest, "");
	HT_EXPECT_STREQ(tiny, "abc");
}

static void test_null_and_empty(void)
{
	HT_EXPECT_EQ_S(parse(NULL), 0);
	expect_defaults();
	HT_EXPECT_EQ_S(parse(""), 0);
	expect_defaults();
	HT_EXPECT_EQ_S(parse("   \t \t  "), 0);
	expect_defaults();
	HT_EXPECT_EQ_S(bootargs_parse("quiet", NULL, 0, NULL), 1); /* no options, no reporter */
}

static void test_spacing(void)
{
	HT_EXPECT_EQ_S(parse("  \t quiet \t\t maxcpus=4   ktest=x\t"), 0);
	HT_EXPECT(quiet);
	HT_EXPECT_EQ_U(maxcpus, 4);
	HT_EXPECT_STREQ(ktest, "x");
	HT_EXPECT_EQ_S(parse("quiet\tmaxcpus=3"), 0);
	HT_EXPECT(quiet && maxcpus == 3);
	/* A cmdline.txt with Windows line ends, or a second line: 'maxcpus='5\r'' was not a number. */
	HT_EXPECT_EQ_S(parse("ktest=y maxcpus=5\r\n"), 0);
	HT_EXPECT_EQ_U(maxcpus, 5);
	HT_EXPECT_STREQ(ktest, "y");
	HT_EXPECT_EQ_S(parse("quiet\r\nktest=\"a\nb\"\n"), 0);
	HT_EXPECT(quiet);
	HT_EXPECT_STREQ(ktest, "a\nb");
}

static void test_flags(void)
{
	static const char *const truthy[] = { "quiet=1",    "quiet=on", "quiet=yes",
					      "quiet=true", "quiet",	"quiet=\"yes\"" };
	static const char *const falsy[] = { "quiet=0", "quiet=off", "quiet=no", "quiet=false" };

	for (size_t i = 0; i < ARRAY_SIZE(truthy); i++) {
		HT_EXPECT_EQ_S(parse(truthy[i]), 0);
		HT_EXPECT(quiet);
	}
	for (size_t i = 0; i < ARRAY_SIZE(falsy); i++) {
		reset();
		quiet = true;
		HT_EXPECT_EQ_S(bootargs_parse(falsy[i], opts, ARRAY_SIZE(opts), collect), 0);
		HT_EXPECT(!quiet);
	}
	HT_EXPECT_EQ_S(parse("quiet=maybe"), 1);
	HT_EXPECT(!quiet);
	HT_EXPECT_STREQ(
		msgs[0],
		"bootargs: quiet='maybe' is not one of 0/1/on/off/yes/no/true/false (keeping false)");
	/* Words are exact: no case folding, no empty value, no prefixes. */
	HT_EXPECT_EQ_S(parse("quiet=ON quiet= quiet=y quiet=10 quiet=truex"), 5);
	HT_EXPECT(!quiet);
	HT_EXPECT_STREQ(
		msgs[1],
		"bootargs: quiet='' is not one of 0/1/on/off/yes/no/true/false (keeping false)");
	HT_EXPECT_EQ_S(parse("quiet quiet=nope"), 1);
	HT_EXPECT(quiet);
	HT_EXPECT_STREQ(
		msgs[0],
		"bootargs: quiet='nope' is not one of 0/1/on/off/yes/no/true/false (keeping true)");
}

static void test_uint_values(void)
{
	HT_EXPECT_EQ_S(parse("maxcpus=1"), 0);
	HT_EXPECT_EQ_U(maxcpus, 1);
	HT_EXPECT_EQ_S(parse("maxcpus=8"), 0);
	HT_EXPECT_EQ_U(maxcpus, 8);
	HT_EXPECT_EQ_S(parse("maxcpus=007"), 0); /* leading zeros are still decimal, not octal */
	HT_EXPECT_EQ_U(maxcpus, 7);
	HT_EXPECT_EQ_S(parse("maxcpus=0x5"), 0);
	HT_EXPECT_EQ_U(maxcpus, 5);
	HT_EXPECT_EQ_S(parse("maxcpus=\"6\""), 0);
	HT_EXPECT_EQ_U(maxcpus, 6);
	HT_EXPECT_EQ_S(parse("addr=0x40080000"), 0);
	HT_EXPECT_EQ_U(addr, 0x40080000);
	HT_EXPECT_EQ_S(parse("addr=0XaBcDeF"), 0);
	HT_EXPECT_EQ_U(addr, 0xabcdef);
	HT_EXPECT_EQ_S(parse("addr=0"), 0);
	HT_EXPECT_EQ_U(addr, 0);
	HT_EXPECT_EQ_S(parse("addr=18446744073709551615"), 0);
	HT_EXPECT_EQ_U(addr, UINT64_MAX);
	HT_EXPECT_EQ_S(parse("addr=0xffffffffffffffff"), 0);
	HT_EXPECT_EQ_U(addr, UINT64_MAX);
	HT_EXPECT_EQ_S(parse("addr=0x0000000000000000000001"), 0);
	HT_EXPECT_EQ_U(addr, 1);
}

static void test_uint_errors(void)
{
	static const char *const bad[] = {
		"maxcpus=abc", "maxcpus=",    "maxcpus=12abc", "maxcpus=-1",
		"maxcpus=+1",  "maxcpus=0x",  "maxcpus=0xg",   "maxcpus=4 5",
		"maxcpus=1.5", "maxcpus=0b1", "maxcpus=\"\"",  "maxcpus=0o7",
	};

	/* "maxcpus=4 5": the 4 is taken, then "5" is an unknown option. */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		HT_EXPECT_EQ_S(parse(bad[i]), 1);
		if (i != 7)
			HT_EXPECT_EQ_U(maxcpus, 8);
	}
	parse("maxcpus=abc");
	HT_EXPECT_STREQ(msgs[0], "bootargs: maxcpus='abc' is not a number in 1..8 (keeping 8)");
	parse("maxcpus=-1");
	HT_EXPECT_STREQ(msgs[0], "bootargs: maxcpus='-1' is not a number in 1..8 (keeping 8)");
	HT_EXPECT_EQ_S(parse("maxcpus=0 maxcpus=9 maxcpus=0x10"), 3);
	HT_EXPECT_EQ_U(maxcpus, 8);
	HT_EXPECT_STREQ(msgs[0], "bootargs: maxcpus='0' is outside the range 1..8 (keeping 8)");
	HT_EXPECT_STREQ(msgs[2], "bootargs: maxcpus='0x10' is outside the range 1..8 (keeping 8)");
	/* Overflow beyond u64 is out of range, while junk after the digits is "not a number". */
	HT_EXPECT_EQ_S(parse("addr=18446744073709551616"), 1);
	HT_EXPECT_EQ_U(addr, 0x1000);
	HT_EXPECT_STREQ(msgs[0], "bootargs: addr='18446744073709551616' is outside the range "
				 "0..18446744073709551615 (keeping 4096)");
	HT_EXPECT_EQ_S(parse("addr=0x10000000000000000 addr=99999999999999999999999x"), 2);
	HT_EXPECT_EQ_U(addr, 0x1000);
	HT_EXPECT(strstr(msgs[0], "is outside the range") != NULL);
	HT_EXPECT(strstr(msgs[1], "is not a number") != NULL);
	/* A UINT needs '='. */
	HT_EXPECT_EQ_S(parse("maxcpus"), 1);
	HT_EXPECT_EQ_U(maxcpus, 8);
	HT_EXPECT_STREQ(
		msgs[0],
		"bootargs: option 'maxcpus' needs a number in 1..8, as in maxcpus=<n> (keeping 8)");
}

static void test_strings(void)
{
	char longval[300], cmd[320];

	HT_EXPECT_EQ_S(parse("ktest=spinlock"), 0);
	HT_EXPECT_STREQ(ktest, "spinlock");
	HT_EXPECT_EQ_S(parse("ktest=\"a b  c\" quiet"), 0);
	HT_EXPECT_STREQ(ktest, "a b  c");
	HT_EXPECT(quiet);
	/* quotes may open mid-value; all are stripped */
	HT_EXPECT_EQ_S(parse("ktest=a\"b c\"d"), 0);
	HT_EXPECT_STREQ(ktest, "ab cd");
	HT_EXPECT_EQ_S(parse("ktest=\"x\ty\""), 0); /* a tab inside quotes is kept too */
	HT_EXPECT_STREQ(ktest, "x\ty");
	HT_EXPECT_EQ_S(parse("ktest=\"\""), 0);
	HT_EXPECT_STREQ(ktest, "");
	HT_EXPECT_EQ_S(parse("tiny="), 0); /* an empty STR value is allowed */
	HT_EXPECT_STREQ(tiny, "");
	HT_EXPECT_EQ_S(parse("ktest=a=b"), 0); /* only the first '=' splits */
	HT_EXPECT_STREQ(ktest, "a=b");
	/* Exactly str_size - 1 fits; one more is an error that keeps the old value. */
	HT_EXPECT_EQ_S(parse("tiny=xyz"), 0);
	HT_EXPECT_STREQ(tiny, "xyz");
	HT_EXPECT_EQ_S(parse("tiny=wxyz"), 1);
	HT_EXPECT_STREQ(tiny, "abc");
	HT_EXPECT_STREQ(msgs[0],
			"bootargs: tiny='wxyz' is longer than 3 characters (keeping 'abc')");
	/* the limit counts the value without its quotes */
	HT_EXPECT_EQ_S(parse("tiny=\"x y\""), 0);
	HT_EXPECT_STREQ(tiny, "x y");
	/* Over-long text is cut to 40 characters plus "..." in the message. */
	memset(longval, 'q', 260);
	longval[260] = '\0';
	strcpy(cmd, "ktest=");
	strcat(cmd, longval);
	HT_EXPECT_EQ_S(parse(cmd), 1);
	HT_EXPECT_STREQ(ktest, "");
	HT_EXPECT_STREQ(msgs[0], "bootargs: ktest='qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq...' "
				 "is longer than 63 characters (keeping '')");
	memset(longval, 'r', 63);
	longval[63] = '\0';
	strcpy(cmd, "ktest=");
	strcat(cmd, longval);
	HT_EXPECT_EQ_S(parse(cmd), 0);
	HT_EXPECT_STREQ(ktest, longval);
	HT_EXPECT_EQ_S(parse("ktest"), 1);
	HT_EXPECT_STREQ(msgs[0],
			"bootargs: option 'ktest' needs a value, as in ktest=<text> (keeping '')");
}

static void test_quotes(void)
{
	HT_EXPECT_EQ_S(parse("quiet ktest=\"abc"), 1);
	HT_EXPECT(quiet); /* options before the broken one still apply */
	HT_EXPECT_STREQ(ktest, "");
	HT_EXPECT_STREQ(msgs[0], "bootargs: unterminated quote in 'ktest=\"abc' (ignored)");
	/* The open quote swallows the rest of the line, so maxcpus is never seen. */
	HT_EXPECT_EQ_S(parse("ktest=\"a maxcpus=2"), 1);
	HT_EXPECT_EQ_U(maxcpus, 8);
	HT_EXPECT_STREQ(msgs[0], "bootargs: unterminated quote in 'ktest=\"a maxcpus=2' (ignored)");
	HT_EXPECT_EQ_S(parse("\""), 1);
	HT_EXPECT_STREQ(msgs[0], "bootargs: unterminated quote in '\"' (ignored)");
	/* Quotes are for values: a quoted name matches no option. */
	HT_EXPECT_EQ_S(parse("\"quiet\""), 1);
	HT_EXPECT(!quiet);
	HT_EXPECT(starts_with(msgs[0], "bootargs: unknown option '\"quiet\"' (ignored"));
}

static void test_unknown_options(void)
{
#define FLAG_OPT(n)                                             \
	{                                                       \
		.name = n, .type = BOOTARG_FLAG, .dest = &quiet \
	}
	static const struct bootarg_opt many[] = {
		FLAG_OPT("option_number_one"),	  FLAG_OPT("option_number_two"),
		FLAG_OPT("option_number_three"),  FLAG_OPT("option_number_four"),
		FLAG_OPT("option_number_five"),	  FLAG_OPT("option_number_six"),
		FLAG_OPT("option_number_seven"),  FLAG_OPT("option_number_eight"),
		FLAG_OPT("option_number_nine"),	  FLAG_OPT("option_number_ten"),
		FLAG_OPT("option_number_eleven"), FLAG_OPT("option_number_twelve"),
	};
	size_t len;

	HT_EXPECT_EQ_S(parse("foo=1"), 1);
	expect_defaults();
	HT_EXPECT_STREQ(
		msgs[0],
		"bootargs: unknown option 'foo=1' (ignored; known: quiet, maxcpus, addr, ktest, tiny)");
	/* Names match whole and case-sensitively: no prefixes, no extensions. */
	HT_EXPECT_EQ_S(parse("max=1 maxcpusx=1 quie QUIET Quiet=1 maxcpus"), 6);
	expect_defaults();
	/* With no table there is nothing to list: exactly the header's example. */
	reset();
	HT_EXPECT_EQ_S(bootargs_parse("foo=1", NULL, 0, collect), 1);
	HT_EXPECT_STREQ(msgs[0], "bootargs: unknown option 'foo=1' (ignored)");
	/* A long token is cut in the message; a long list of names ends in "...". */
	reset();
	HT_EXPECT_EQ_S(bootargs_parse("this_is_a_really_long_unknown_option_name=with_a_value",
				      many, ARRAY_SIZE(many), collect),
		       1);
	len = strlen(msgs[0]);
	HT_EXPECT(starts_with(
		msgs[0], "bootargs: unknown option 'this_is_a_really_long_unknown_option_nam...' "
			 "(ignored; known: option_number_one, option_number_two, "));
	/* The count is of the names not shown: those listed plus it make the table. */
	{
		size_t listed = 0, more = 0;
		const char *tail = strstr(msgs[0], ", ... and ");

		for (const char *c = strstr(msgs[0], "known: "); c && c < tail;
		     c = strchr(c + 1, ','))
			listed++;
		HT_EXPECT(tail && sscanf(tail, ", ... and %zu more)", &more) == 1);
		HT_EXPECT(len >= 5 && strcmp(msgs[0] + len - 5, "more)") == 0);
		HT_EXPECT_EQ_U(listed + more, ARRAY_SIZE(many));
	}
	HT_EXPECT(len < 256);
	/* Control characters are not echoed raw to the console. */
	HT_EXPECT_EQ_S(parse("fo\x01o"), 1);
	HT_EXPECT(starts_with(msgs[0], "bootargs: unknown option 'fo?o' (ignored"));
}

static void test_empty_name(void)
{
	HT_EXPECT_EQ_S(parse("=5"), 1);
	expect_defaults();
	HT_EXPECT_STREQ(msgs[0], "bootargs: option '=5' has an empty name (ignored)");
	HT_EXPECT_EQ_S(parse("= quiet"), 1);
	HT_EXPECT_STREQ(msgs[0], "bootargs: option '=' has an empty name (ignored)");
	HT_EXPECT(quiet);
}

static void test_overrides(void)
{
	HT_EXPECT_EQ_S(parse("maxcpus=2 maxcpus=3"), 0);
	HT_EXPECT_EQ_U(maxcpus, 3);
	HT_EXPECT_EQ_S(parse("ktest=a ktest=b quiet=1 quiet=0"), 0);
	HT_EXPECT_STREQ(ktest, "b");
	HT_EXPECT(!quiet);
	/* A bad later value keeps the last good one, and says which. */
	HT_EXPECT_EQ_S(parse("maxcpus=2 maxcpus=abc"), 1);
	HT_EXPECT_EQ_U(maxcpus, 2);
	HT_EXPECT_STREQ(msgs[0], "bootargs: maxcpus='abc' is not a number in 1..8 (keeping 2)");
	HT_EXPECT_EQ_S(
		parse("ktest=old ktest=\"this value is far too long for sixty-three characters, surely it is\""),
		1);
	HT_EXPECT_STREQ(ktest, "old");
	HT_EXPECT_STREQ(msgs[0], "bootargs: ktest='this value is far too long for sixty-thr...' "
				 "is longer than 63 characters (keeping 'old')");
}

static void test_problem_count(void)
{
	/* One report per bad token, good tokens in between still apply. */
	HT_EXPECT_EQ_S(parse("=1 quiet foo maxcpus=99 ktest=ok tiny=toolong maxcpus=2 \"x"), 5);
	HT_EXPECT(quiet);
	HT_EXPECT_EQ_U(maxcpus, 2);
	HT_EXPECT_STREQ(ktest, "ok");
	HT_EXPECT_STREQ(tiny, "abc");
	/* A NULL reporter still gets the count. */
	reset();
	HT_EXPECT_EQ_S(bootargs_parse("a b c maxcpus=0", opts, ARRAY_SIZE(opts), NULL), 4);
	HT_EXPECT_EQ_S(nmsgs, 0);
}

static void test_help_text(void)
{
	u64 cpus = 4;
	const struct bootarg_opt helped[] = {
		{ .name = "cpus",
		  .type = BOOTARG_UINT,
		  .dest = &cpus,
		  .min = 1,
		  .max = 8,
		  .help = "number of CPUs to start" },
	};

	reset();
	HT_EXPECT_EQ_S(bootargs_parse("cpus=x cpus", helped, 1, collect), 2);
	HT_EXPECT_EQ_U(cpus, 4);
	HT_EXPECT_STREQ(
		msgs[0],
		"bootargs: cpus='x' is not a number in 1..8 (keeping 4; cpus: number of CPUs to start)");
	HT_EXPECT_STREQ(msgs[1], "bootargs: option 'cpus' needs a number in 1..8, as in cpus=<n> "
				 "(keeping 4; cpus: number of CPUs to start)");
}

/*
 * Deterministic garbage from option-like pieces (fixed-seed LCG): under
 * ASan/UBSan this shows no input reads or writes out of bounds, the count
 * always matches the reports and every report is well formed (see collect).
 */
static void test_random_cmdlines(void)
{
	static const char *const pieces[] = {
		"quiet",
		"maxcpus",
		"addr",
		"ktest",
		"tiny",
		"=",
		"\"",
		" ",
		"\t",
		"0x",
		"1",
		"9",
		"f",
		"yes",
		"abc",
		"-",
		"==",
		"\x7f",
		"18446744073709551616",
		"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
	};
	uint64_t state = 0xb007a465ull;
	char cmd[512];

	for (int i = 0; i < 5000; i++) {
		size_t len = 0;

		cmd[0] = '\0';
		for (int k = (int)((state >> 33) % 24); k > 0; k--) {
			state = state * 6364136223846793005ull + 1442695040888963407ull;
			const char *piece = pieces[(state >> 33) % ARRAY_SIZE(pieces)];

			if (len + strlen(piece) + 1 > sizeof(cmd))
				break;
			strcpy(cmd + len, piece);
			len += strlen(piece);
		}
		state = state * 6364136223846793005ull + 1442695040888963407ull;
		parse(cmd);
		HT_EXPECT(maxcpus >= 1 && maxcpus <= 8);
		HT_EXPECT(strlen(ktest) < sizeof(ktest) && strlen(tiny) < sizeof(tiny));
	}
}

int main(void)
{
	static const struct ht_case cases[] = {
		HT_CASE(test_null_and_empty),  HT_CASE(test_spacing),
		HT_CASE(test_flags),	       HT_CASE(test_uint_values),
		HT_CASE(test_uint_errors),     HT_CASE(test_strings),
		HT_CASE(test_quotes),	       HT_CASE(test_unknown_options),
		HT_CASE(test_empty_name),      HT_CASE(test_overrides),
		HT_CASE(test_problem_count),   HT_CASE(test_help_text),
		HT_CASE(test_random_cmdlines), HT_END,
	};

	return ht_run("bootargs", cases);
}
