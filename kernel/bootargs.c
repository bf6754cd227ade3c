/* Boot command-line parser: splits options, converts typed values, reports misuse in full sentences. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/printf.h>
#include <locklab/bootargs.h>

/*
 * Pure code (no allocation, no mutable globals) so it runs before any
 * allocator exists and in the host tests. Messages are built on the stack.
 */

#define MSG_SIZE     256
#define EXCERPT_MAX  40 /* longer user text is cut to this many chars + "..." */
#define EXCERPT_SIZE (EXCERPT_MAX + 4)

/* State shared by the helpers for one bootargs_parse() call. */
struct parse_ctx {
	const struct bootarg_opt *opts;
	size_t n;
	void (*report)(const char *msg);
	int problems;
};

/*
 * Line ends too, as Linux takes them: a cmdline.txt saved with Windows line
 * ends left "bench=all\r", whose value then named no workload.
 */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Next character of a value with its double quotes removed, or -1 at the
 * end. Values are read through this instead of being copied out, so a value
 * of any length can be checked without a buffer.
 */
static int value_next(const char *v, size_t len, size_t *pos)
{
	while (*pos < len && v[*pos] == '"')
		(*pos)++;
	if (*pos >= len)
		return -1;
	return (unsigned char)v[(*pos)++];
}

static size_t value_len(const char *v, size_t len)
{
	size_t pos = 0, n = 0;

	while (value_next(v, len, &pos) >= 0)
		n++;
	return n;
}

static bool value_equals(const char *v, size_t len, const char *word)
{
	size_t pos = 0;
	int c;

	while ((c = value_next(v, len, &pos)) >= 0) {
		if (c != (unsigned char)*word++)
			return false;
	}
	return *word == '\0';
}

static int excerpt_next(const char *s, size_t len, size_t *pos, bool strip_quotes)
{
	if (strip_quotes)
		return value_next(s, len, pos);
	return *pos < len ? (unsigned char)s[(*pos)++] : -1;
}

/*
 * Copies user text for a message: quotes optionally dropped, control bytes
 * shown as '?' (they would garble the console), cut at EXCERPT_MAX + "...".
 */
static const char *excerpt(char out[EXCERPT_SIZE], const char *s, size_t len, bool strip_quotes)
{
	size_t pos = 0, n = 0;
	int c;

	while (n < EXCERPT_MAX && (c = excerpt_next(s, len, &pos, strip_quotes)) >= 0)
		out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	if (excerpt_next(s, len, &pos, strip_quotes) >= 0) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static void problem(struct parse_ctx *ctx, const char *msg)
{
	ctx->problems++;
	if (ctx->report)
		ctx->report(msg);
}

/*
 * Reports a misused option. fmt is the sentence up to, not including, its
 * closing parenthesis; the option's help line (if any) is appended inside
 * the parentheses so the report stays one sentence:
 *   "bootargs: x='abc' is not a number in 1..8 (keeping 8; x: CPUs to start)"
 */
__printf(3, 4) static void misuse(struct parse_ctx *ctx, const struct bootarg_opt *opt,
				  const char *fmt, ...)
{
	char msg[MSG_SIZE];
	va_list ap;
	int off;

	va_start(ap, fmt);
	off = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (off < 0 || (size_t)off >= sizeof(msg))
		off = (int)sizeof(msg) - 1;
	if (opt->help && opt->help[0])
		snprintf(msg + off, sizeof(msg) - (size_t)off, "; %s: %s)", opt->name, opt->help);
	else
		snprintf(msg + off, sizeof(msg) - (size_t)off, ")");
	problem(ctx, msg);
}

/*
 * "bootargs: unknown option 'tok' (ignored; known: a, b, c)". A list too long
 * for one message ends "a, b, ... and 7 more)": the count says how much is
 * not shown (help, early in the kernel's table, lists them all).
 */
static void report_unknown(struct parse_ctx *ctx, const char *tok, size_t len)
{
	static const char tail[] = ", ... and 9999 more)"; /* room kept for the longest tail */
	char msg[MSG_SIZE], ex[EXCERPT_SIZE];
	size_t off;

	off = (size_t)snprintf(msg, sizeof(msg), "bootargs: unknown option '%s' (ignored",
			       excerpt(ex, tok, len, false));
	for (size_t i = 0; i < ctx->n; i++) {
		const char *sep = i ? ", " : "; known: ";
		size_t need = strlen(sep) + strlen(ctx->opts[i].name);

		/* Keep room for the tail and the NUL whatever comes next. */
		if (off + need + sizeof(tail) > sizeof(msg)) {
			snprintf(msg + off, sizeof(msg) - off, ", ... and %zu more)", ctx->n - i);
			problem(ctx, msg);
			return;
		}
		off += (size_t)snprintf(msg + off, sizeof(msg) - off, "%s%s", sep,
					ctx->opts[i].name);
	}
	snprintf(msg + off, sizeof(msg) - off, ")");
	problem(ctx, msg);
}

enum num_result { NUM_OK, NUM_INVALID, NUM_OVERFLOW };

/* Decimal or 0x/0X hex, no sign, nothing after the digits; leading zeros are still decimal. */
static enum num_result parse_u64(const char *v, size_t len, u64 *out)
{
	size_t pos = 0, save;
	unsigned base = 10;
	bool overflow = false;
	u64 val = 0;
	int c = value_next(v, len, &pos);

	if (c < 0)
		return NUM_INVALID;
	if (c == '0') {
		save = pos;
		c = value_next(v, len, &pos);
		if (c == 'x' || c == 'X') {
			base = 16;
			c = value_next(v, len, &pos);
			if (c < 0)
				return NUM_INVALID; /* "0x" with no digits */
		} else {
			pos = save;
			c = '0';
		}
	}
	/* Keep scanning after an overflow: junk anywhere makes it "not a number" instead. */
	for (; c >= 0; c = value_next(v, len, &pos)) {
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return NUM_INVALID;
		if (val > (UINT64_MAX - d) / base)
			overflow = true;
		else
			val = val * base + d;
	}
	if (overflow)
		return NUM_OVERFLOW;
	*out = val;
	return NUM_OK;
}

static void apply_flag(struct parse_ctx *ctx, const struct bootarg_opt *opt, const char *v,
		       size_t len, bool has_value)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };
	bool *dest = opt->dest;
	char ex[EXCERPT_SIZE];

	if (!has_value) {
		*dest = true;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (value_equals(v, len, yes[i])) {
			*dest = true;
			return;
		}
		if (value_equals(v, len, no[i])) {
			*dest = false;
			return;
		}
	}
	misuse(ctx, opt, "bootargs: %s='%s' is not one of 0/1/on/off/yes/no/true/false (keeping %s",
	       opt->name, excerpt(ex, v, len, true), *dest ? "true" : "false");
}

static void apply_uint(struct parse_ctx *ctx, const struct bootarg_opt *opt, const char *v,
		       size_t len, bool has_value)
{
	u64 *dest = opt->dest, val = 0;
	unsigned long long lo = opt->min, hi = opt->max, keep = *dest;
	char ex[EXCERPT_SIZE];
	enum num_result r;

	if (!has_value) {
		misuse(ctx, opt,
		       "bootargs: option '%s' needs a number in %llu..%llu, as in %s=<n> (keeping %llu",
		       opt->name, lo, hi, opt->name, keep);
		return;
	}
	r = parse_u64(v, len, &val);
	if (r == NUM_INVALID)
		misuse(ctx, opt, "bootargs: %s='%s' is not a number in %llu..%llu (keeping %llu",
		       opt->name, excerpt(ex, v, len, true), lo, hi, keep);
	else if (r == NUM_OVERFLOW || val < opt->min || val > opt->max)
		misuse(ctx, opt, "bootargs: %s='%s' is outside the range %llu..%llu (keeping %llu",
		       opt->name, excerpt(ex, v, len, true), lo, hi, keep);
	else
		*dest = val;
}

static void apply_str(struct parse_ctx *ctx, const struct bootarg_opt *opt, const char *v,
		      size_t len, bool has_value)
{
	char *dest = opt->dest;
	/* strnlen: never trust the old contents to be terminated within the buffer. */
	size_t old_len = opt->str_size ? strnlen(dest, opt->str_size - 1) : 0;
	size_t max = opt->str_size ? opt->str_size - 1 : 0;
	size_t need, pos = 0, i = 0;
	char ex[EXCERPT_SIZE], old[EXCERPT_SIZE];
	int c;

	excerpt(old, dest, old_len, false);
	if (!has_value) {
		misuse(ctx, opt,
		       "bootargs: option '%s' needs a value, as in %s=<text> (keeping '%s'",
		       opt->name, opt->name, old);
		return;
	}
	need = value_len(v, len);
	if (opt->str_size == 0 || need > max) {
		misuse(ctx, opt, "bootargs: %s='%s' is longer than %zu characters (keeping '%s'",
		       opt->name, excerpt(ex, v, len, true), max, old);
		return;
	}
	while ((c = value_next(v, len, &pos)) >= 0)
		dest[i++] = (char)c;
	dest[i] = '\0';
}

/* Handles one whitespace-delimited token (quotes already matched by the caller). */
static void parse_token(struct parse_ctx *ctx, const char *tok, size_t len)
{
	const char *eq = NULL;
	const struct bootarg_opt *opt = NULL;
	size_t name_len, vlen = 0;
	char ex[EXCERPT_SIZE], msg[MSG_SIZE];

	for (size_t i = 0; i < len; i++) {
		if (tok[i] == '=') {
			eq = tok + i;
			break;
		}
	}
	name_len = eq ? (size_t)(eq - tok) : len;
	if (name_len == 0) {
		snprintf(msg, sizeof(msg), "bootargs: option '%s' has an empty name (ignored)",
			 excerpt(ex, tok, len, false));
		problem(ctx, msg);
		return;
	}
	/* First match wins; a name containing quotes simply matches nothing. */
	for (size_t i = 0; i < ctx->n && !opt; i++) {
		const char *name = ctx->opts[i].name;

		if (strlen(name) == name_len && memcmp(name, tok, name_len) == 0)
			opt = &ctx->opts[i];
	}
	if (!opt) {
		report_unknown(ctx, tok, len);
		return;
	}
	if (eq)
		vlen = len - name_len - 1;
	switch (opt->type) {
	case BOOTARG_FLAG: apply_flag(ctx, opt, eq ? eq + 1 : NULL, vlen, eq != NULL); break;
	case BOOTARG_UINT: apply_uint(ctx, opt, eq ? eq + 1 : NULL, vlen, eq != NULL); break;
	case BOOTARG_STR: apply_str(ctx, opt, eq ? eq + 1 : NULL, vlen, eq != NULL); break;
	}
}

int bootargs_parse(const char *cmdline, const struct bootarg_opt *opts, size_t n,
		   void (*report)(const char *msg))
{
	struct parse_ctx ctx = { .opts = opts, .n = n, .report = report, .problems = 0 };
	const char *p = cmdline;

	if (!p)
		return 0;
	for (;;) {
		const char *start;
		bool quoted = false;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		/* A token ends at a blank outside double quotes; quotes may open anywhere in it. */
		start = p;
		for (; *p && (quoted || !is_blank(*p)); p++) {
			if (*p == '"')
				quoted = !quoted;
		}
		if (quoted) {
			char ex[EXCERPT_SIZE], msg[MSG_SIZE];

			snprintf(msg, sizeof(msg), "bootargs: unterminated quote in '%s' (ignored)",
				 excerpt(ex, start, (size_t)(p - start), false));
			problem(&ctx, msg);
			break; /* the quote ran to the end of the line */
		}
		parse_token(&ctx, start, (size_t)(p - start));
	}
	return ctx.problems;
}
