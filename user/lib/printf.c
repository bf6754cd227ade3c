/* The printf family for user programs: one formatter writing into a sink, a string or an fd through a buffer. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/*
 * A sink keeps the first cap characters in buf; when it has an fd, a full
 * buffer is written out and reused instead. total counts every character
 * produced, kept or not (snprintf's result).
 */
struct sink {
	char *buf;
	size_t cap;
	size_t pos;
	size_t total;
	int fd;	    /* -1: a string */
	int failed; /* a write() failed */
};

static void flush(struct sink *s)
{
	size_t done = 0;

	while (done < s->pos && !s->failed) {
		ssize_t r = write(s->fd, s->buf + done, s->pos - done);

		if (r <= 0)
			s->failed = 1;
		else
			done += (size_t)r;
	}
	s->pos = 0;
}

static void put(struct sink *s, char c)
{
	s->total++;
	if (s->pos == s->cap) {
		if (s->fd < 0)
			return;
		flush(s);
	}
	if (s->pos < s->cap)
		s->buf[s->pos++] = c;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

/* A field: body of len characters, after sign/prefix, padded to width as the flags say. */
static void field(struct sink *s, const char *prefix, const char *body, int len, int width,
		  int left, int zero)
{
	int plen = (int)strlen(prefix), fill = width - len - plen;

	if (!left && !zero)
		pad(s, ' ', fill);
	while (*prefix)
		put(s, *prefix++);
	if (!left && zero)
		pad(s, '0', fill);
	for (int i = 0; i < len; i++)
		put(s, body[i]);
	if (left)
		pad(s, ' ', fill);
}

/*
 * A number: prefix (sign, "0x"), then digits padded with zeros to prec
 * (C's minimum digit count; -1: none given), all padded to width. As in C,
 * a precision turns the 0 flag off: the zeros are the precision's.
 */
static void number(struct sink *s, const char *prefix, const char *body, int len, int prec,
		   int width, int left, int zero)
{
	int plen = (int)strlen(prefix), zeros = prec > len ? prec - len : 0, fill;

	if (prec >= 0)
		zero = 0;
	fill = width - plen - zeros - len;
	if (zero && !left && fill > 0) {
		zeros += fill;
		fill = 0;
	}
	if (!left)
		pad(s, ' ', fill);
	while (*prefix)
		put(s, *prefix++);
	pad(s, '0', zeros);
	for (int i = 0; i < len; i++)
		put(s, body[i]);
	if (left)
		pad(s, ' ', fill);
}

/* Digits of v in base (10, 16, 8), most significant first, into the end of buf[24]; the count. */
static int digits(char *buf, uint64_t v, unsigned int base, int upper)
{
	const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		buf[23 - n++] = d[v % base];
		v /= base;
	} while (v);
	return n;
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int left = 0, zero = 0, plus = 0, space = 0, alt = 0, width = 0, prec = -1, lng = 0;
		const char *start = fmt; /* an unknown conversion is printed from here */
		char num[24];
		const char *prefix = "";
		uint64_t v;
		int n;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else if (*fmt == '+')
				plus = 1;
			else if (*fmt == ' ')
				space = 1;
			else if (*fmt == '#')
				alt = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			if (*++fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		/* lng: -2 hh, -1 h, 0 int, 1 long (l, ll, z: all 64 bits here) */
		if (*fmt == 'h') {
			lng = -1;
			if (*++fmt == 'h') {
				lng = -2;
				fmt++;
			}
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t x = lng > 0 ? va_arg(ap, long) : va_arg(ap, int);

			if (lng == -1)
				x = (short)x;
			else if (lng == -2)
				x = (signed char)x;
			prefix = x < 0 ? "-" : plus ? "+" : space ? " " : "";
			v = x < 0 ? -(uint64_t)x : (uint64_t)x;
			n = v || prec ? digits(num, v, 10, 0) : 0; /* %.0d of 0 is no digits */
			number(s, prefix, num + 24 - n, n, prec, width, left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			v = lng > 0 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng == -2)
				v = (unsigned char)v;
			n = v || prec ? digits(num, v,
					       *fmt == 'u' ? 10 :
					       *fmt == 'o' ? 8 :
							     16,
					       *fmt == 'X') :
					0;
			/* '#': 0x before a hex number that is not 0; an octal one starts with a 0 */
			if (alt && v && (*fmt == 'x' || *fmt == 'X'))
				prefix = *fmt == 'x' ? "0x" : "0X";
			if (alt && *fmt == 'o' && prec <= n && (!n || num[24 - n] != '0'))
				prec = n + 1;
			number(s, prefix, num + 24 - n, n, prec, width, left, zero);
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			n = digits(num, v, 16, 0);
			number(s, "0x", num + 24 - n, n, -1, width, left, zero);
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			field(s, "", num, 1, width, left, 0);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			n = 0;
			while (str[n] && (prec < 0 || n < prec))
				n++;
			field(s, "", str, n, width, left, 0);
			break;
		}
		case '%': put(s, '%'); break;
		case '\0': /* a lone % at the end */ return;
		default: /* unknown: printed as written, flags and width too, so the mistake shows */
			while (start <= fmt)
				put(s, *start++);
			break;
		}
	}
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .cap = n ? n - 1 : 0, .fd = -1 };

	format(&s, fmt, ap);
	if (n)
		buf[s.pos] = '\0';
	return (int)s.total;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[256];
	struct sink s = { .buf = buf, .cap = sizeof(buf), .fd = fd };

	format(&s, fmt, ap);
	flush(&s);
	return s.failed ? -1 : (int)s.total;
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vdprintf(1, fmt, ap);
	va_end(ap);
	return r;
}

int puts(const char *s)
{
	return printf("%s\n", s) < 0 ? -1 : 0;
}
