/* snprintf/vsnprintf for the kernel: integer/string/pointer conversions, no floating point. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/printf.h>

/*
 * Output sink. len counts every character the full output needs, even those
 * that no longer fit, because the return value must be that full length.
 * Bytes are stored only below size - 1 so there is always room for the NUL.
 */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_mem(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (o->len + 1 < o->size)
			o->buf[o->len] = s[i];
		o->len++;
	}
}

/*
 * Writes c n times. Only the part that fits is stored and the rest is just
 * counted, so a huge width ("%2000000000d") costs O(size), not O(width).
 */
static void out_repeat(struct out *o, char c, size_t n)
{
	size_t room = o->len + 1 < o->size ? o->size - 1 - o->len : 0;
	size_t stored = MIN(n, room);

	for (size_t i = 0; i < stored; i++)
		o->buf[o->len + i] = c;
	o->len += n;
}

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

#define F_LEFT	0x01 /* '-' */
#define F_ZERO	0x02 /* '0' */
#define F_PLUS	0x04 /* '+' */
#define F_SPACE 0x08 /* ' ' */
#define F_ALT	0x10 /* '#' */

/* One parsed conversion specification. */
struct spec {
	unsigned flags;
	size_t width; /* 0 when absent: padding to 0 is a no-op anyway */
	bool has_prec;
	size_t prec;
	bool width_star, prec_star;
	enum length length;
	char conv;
};

/* Parses digits after *p, saturating at INT_MAX rather than overflowing. */
static size_t parse_count(const char **p)
{
	size_t v = 0;

	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (size_t)(**p - '0');
		if (v > INT32_MAX)
			v = INT32_MAX;
		(*p)++;
	}
	return v;
}

/*
 * Parses flags, width, precision, length and conversion after a '%'. Only
 * records that '*' was seen: arguments are fetched later, once the
 * conversion is known to be supported, so an unknown one consumes nothing.
 * Returns a pointer just past the conversion character (or at the NUL).
 */
static const char *parse_spec(const char *p, struct spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	for (;; p++) {
		if (*p == '-')
			sp->flags |= F_LEFT;
		else if (*p == '0')
			sp->flags |= F_ZERO;
		else if (*p == '+')
			sp->flags |= F_PLUS;
		else if (*p == ' ')
			sp->flags |= F_SPACE;
		else if (*p == '#')
			sp->flags |= F_ALT;
		else
			break;
	}
	if (*p == '*') {
		sp->width_star = true;
		p++;
	} else {
		sp->width = parse_count(&p);
	}
	if (*p == '.') {
		p++;
		sp->has_prec = true;
		if (*p == '*') {
			sp->prec_star = true;
			p++;
		} else {
			sp->prec = parse_count(&p); /* "%.d" means precision 0 */
		}
	}
	if (p[0] == 'h' && p[1] == 'h') {
		sp->length = LEN_HH;
		p += 2;
	} else if (p[0] == 'l' && p[1] == 'l') {
		sp->length = LEN_LL;
		p += 2;
	} else if (*p == 'h' || *p == 'l' || *p == 'z' || *p == 't' || *p == 'j') {
		sp->length = *p == 'h' ? LEN_H :
			     *p == 'l' ? LEN_L :
			     *p == 'z' ? LEN_Z :
			     *p == 't' ? LEN_T :
					 LEN_J;
		p++;
	}
	sp->conv = *p;
	if (*p)
		p++;
	return p;
}

static bool is_known_conv(char c)
{
	return c && strchr("diuxXocsp%", c) != NULL;
}

/* Reads a signed integer argument of the spec's length, narrowed as C requires for hh/h. */
static s64 fetch_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	/* %zd takes the signed type of size_t's width; ptrdiff_t is that type here. */
	case LEN_Z: return (ptrdiff_t)va_arg(*ap, size_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static u64 fetch_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return (size_t)va_arg(*ap, ptrdiff_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned int);
	}
}

/*
 * Emits one integer: [spaces][sign][0x][zeros][digits][spaces]. conv is one
 * of d/i/u/o/x/X; mag is the absolute value, negative its sign.
 */
static void format_number(struct out *o, const struct spec *sp, char conv, u64 mag, bool negative,
			  bool force_prefix)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *digit_set = conv == 'X' ? upper : lower;
	unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
	bool is_signed = conv == 'd' || conv == 'i';
	char digits[24]; /* 22 octal digits are enough for 64 bits */
	size_t ndigits = 0, nzeros = 0, npfx = 0, body, pad;
	char pfx[3];
	bool is_zero = mag == 0;

	/* Precision 0 with value 0 prints no digits at all (C99 7.19.6.1). */
	if (!(sp->has_prec && sp->prec == 0 && mag == 0)) {
		do {
			digits[sizeof(digits) - 1 - ndigits++] = digit_set[mag % base];
			mag /= base;
		} while (mag);
	}
	if (negative)
		pfx[npfx++] = '-';
	else if (is_signed && (sp->flags & F_PLUS))
		pfx[npfx++] = '+';
	else if (is_signed && (sp->flags & F_SPACE))
		pfx[npfx++] = ' ';
	/* "%#x" of 0 is plain "0"; %p always gets its 0x (NULL never gets here). */
	if (base == 16 && (force_prefix || ((sp->flags & F_ALT) && !is_zero))) {
		pfx[npfx++] = '0';
		pfx[npfx++] = conv == 'X' ? 'X' : 'x';
	}
	if (sp->has_prec && sp->prec > ndigits)
		nzeros = sp->prec - ndigits;
	/* "%#o" raises the precision just enough that the first digit is 0. */
	if (base == 8 && (sp->flags & F_ALT) && nzeros == 0 &&
	    (ndigits == 0 || digits[sizeof(digits) - ndigits] != '0'))
		nzeros = 1;

	body = npfx + nzeros + ndigits;
	pad = sp->width > body ? sp->width - body : 0;
	/* '0' pads between sign/prefix and digits; a precision or '-' disables it. */
	if (!(sp->flags & F_LEFT) && (sp->flags & F_ZERO) && !sp->has_prec) {
		nzeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, pfx, npfx);
	out_repeat(o, '0', nzeros);
	out_mem(o, digits + sizeof(digits) - ndigits, ndigits);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Emits n bytes of s padded with spaces to the width ('0' does not apply to text). */
static void format_text(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	size_t pad = sp->width > n ? sp->width - n : 0;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

/* Fetches the arguments of one supported conversion and emits it. */
static void format_one(struct out *o, struct spec *sp, va_list *ap)
{
	if (sp->width_star) {
		int w = va_arg(*ap, int);

		/* A negative '*' width means '-' plus its magnitude; avoid -INT_MIN. */
		if (w < 0) {
			sp->flags |= F_LEFT;
			sp->width = (size_t) - (long long)w;
		} else {
			sp->width = (size_t)w;
		}
	}
	if (sp->prec_star) {
		int p = va_arg(*ap, int);

		/* A negative '*' precision is taken as if it were omitted. */
		sp->has_prec = p >= 0;
		sp->prec = p >= 0 ? (size_t)p : 0;
	}

	switch (sp->conv) {
	case 'd':
	case 'i': {
		s64 v = fetch_signed(ap, sp->length);
		/* Negate in u64 so that INT64_MIN does not overflow. */
		u64 mag = v < 0 ? 0 - (u64)v : (u64)v;

		format_number(o, sp, sp->conv, mag, v < 0, false);
		break;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		format_number(o, sp, sp->conv, fetch_unsigned(ap, sp->length), false, false);
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);

		format_text(o, sp, &c, 1);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);

		if (!s)
			s = sp->has_prec && sp->prec < 6 ? "" : "(null)";
		format_text(o, sp, s, sp->has_prec ? strnlen(s, sp->prec) : strlen(s));
		break;
	}
	case 'p': {
		uintptr_t v = (uintptr_t)va_arg(*ap, void *);

		if (!v) {
			format_text(o, sp, "(nil)", 5);
		} else {
			sp->flags &= ~(unsigned)(F_PLUS | F_SPACE);
			format_number(o, sp, 'x', v, false, true);
		}
		break;
	}
	default: /* '%' */ out_mem(o, "%", 1); break;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	va_list args;

	/*
	 * Work on a copy so helpers can take a va_list pointer: taking the
	 * address of a va_list parameter is not portable (it is an array type
	 * on x86-64, so &ap would have the wrong type).
	 */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp;

		if (*fmt != '%') {
			while (*fmt && *fmt != '%')
				fmt++;
			out_mem(&o, start, (size_t)(fmt - start));
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (is_known_conv(sp.conv))
			format_one(&o, &sp, &args);
		else
			out_mem(&o, start, (size_t)(fmt - start)); /* unknown: copy it as text */
	}
	va_end(args);

	if (size)
		buf[MIN(o.len, size - 1)] = '\0';
	return o.len > INT32_MAX ? -1 : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}
