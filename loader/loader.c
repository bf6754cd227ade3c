/* Serial chain-loader: announce on the UART, receive a kernel Image with a checksum, resend on error, boot it. */
#include <locklab/types.h>
#include <locklab/string.h>
#include <locklab/printf.h>
#include <locklab/console.h>
#include <locklab/fdt.h>
#include "fdt_bootargs.h"

/*
 * The framing (docs/output-format.md, "The serial chain-loader"): the host
 * sends a 28-byte header, all little-endian,
 *   "LLDR" | flags | payload length | Image length | bootargs length |
 *   CRC-32 of bootargs+payload | CRC-32 of the 24 bytes before it
 * then the boot options and the payload: the Image, or with flag 1 the
 * Image LZ-compressed (lz_decode below; 1.7 times fewer bytes for our
 * kernels, 11 s saved per kernel at 115200 baud). Anything before the magic (the
 * firmware's own log echoing back, line noise) is skipped. A header whose
 * CRC fails, sizes out of range, a gap of more than a second inside a frame,
 * a payload whose CRC fails or that is no arm64 Image: "loader: bad ..."
 * and the loader waits for the next frame (the host resends). While it
 * waits it says "loader: ready ..." every two seconds, so a host that opens
 * the port late still sees it.
 */
#define LOADER_MAGIC   0x52444c4cu /* "LLDR" read little-endian */
#define LOADER_VERSION 1
#define HDR_LEN	       28
#define FLAG_LZ	       1u
#define ARGS_MAX       1024
#define DTB_MAX	       (256 << 10) /* a Pi 5 tree is ~90 KiB, QEMU's ~8 KiB once unpadded */
#define READY_EVERY_S  2
#define GAP_MAX_S      1
/* Appended to the host's boot options: the kernel resets when done, and the board comes back here. */
#define LOADER_END  " end=reset"
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */

void loader_main(u64 dtb, u64 base, u64 home, u64 el) __noreturn;
void loader_jump(u64 entry, u64 dtb, u64 start, u64 end) __noreturn;
void loader_dcache_inval(u64 start, u64 end);

static u8 dtb_orig[DTB_MAX] __aligned(8);  /* the firmware's tree, out of the receive window */
static u8 dtb_final[DTB_MAX] __aligned(8); /* the one the kernel gets */
static char args[ARGS_MAX + sizeof(LOADER_END)];
static u64 cnt_freq;

static void say(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (const char *s = line; *s; s++)
		pl011_putc(*s);
	pl011_putc('\r');
	pl011_putc('\n');
}

static u64 ticks(void)
{
	u64 t;

	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(t));
	return t;
}

/*
 * A pause between looks at an empty receiver: under QEMU every UART access
 * takes the lock that the thread feeding the UART needs, and polling
 * without a break starves it (about 16 KB/s instead of a few hundred).
 * 20 us is a quarter of a byte's time at 115200 baud: nothing is lost.
 */
static void poll_pause(void)
{
	u64 until = ticks() + cnt_freq / 50000;

	while (ticks() < until)
		;
}

/* The next byte, or -1 after GAP_MAX_S seconds without one. */
static int get_byte(void)
{
	u64 deadline = ticks() + GAP_MAX_S * cnt_freq;
	int c;

	while ((c = pl011_try_getc()) < 0) {
		if (ticks() > deadline)
			return -1;
		poll_pause();
	}
	return c;
}

/* CRC-32 (IEEE 802.3, reflected, as zlib.crc32): bitwise, as fast as bytes arrive at 115200 baud. */
static u32 crc32_update(u32 crc, u8 b)
{
	crc ^= b;
	for (int i = 0; i < 8; i++)
		crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	return crc;
}

static u32 le32(const u8 *p)
{
	return p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/*
 * The compressed format, made for a decoder this short: a control byte
 * c < 0x80 is followed by c + 1 literal bytes; c >= 0x80 by a 2-byte
 * distance d, and copies (c & 0x7f) + 4 bytes from d bytes back in the
 * output (scripts/serial-load's lz_compress writes it). Returns the bytes
 * written, or 0 if the stream would overrun either buffer or reach back
 * before the output's start (the CRC passed, but the host may be wrong).
 */
static u32 lz_decode(u8 *dst, u32 dst_len, const u8 *src, u32 src_len)
{
	u32 i = 0, o = 0, n, d;

	while (i < src_len) {
		u8 c = src[i++];

		if (c < 0x80) {
			n = c + 1u;
			if (n > src_len - i || n > dst_len - o)
				return 0;
			memcpy(dst + o, src + i, n);
			i += n;
			o += n;
			continue;
		}
		n = (c & 0x7fu) + 4u;
		if (src_len - i < 2)
			return 0;
		d = src[i] | (u32)src[i + 1] << 8;
		i += 2;
		if (d == 0 || d > o || n > dst_len - o)
			return 0;
		for (; n; n--, o++)
			dst[o] = dst[o - d]; /* byte by byte: the copy may overlap its source */
	}
	return o;
}

static u64 le64(const u8 *p)
{
	return le32(p) | (u64)le32(p + 4) << 32;
}

/* Skips everything up to the magic, saying ready while nothing comes. */
static void wait_magic(u64 base, u64 max, u64 el, const char *board)
{
	u32 shift = 0;
	u64 next = 0;
	int c;

	for (;;) {
		if (ticks() >= next) {
			say("loader: ready version=%d board=%s el=%lu base=0x%lx max=0x%lx",
			    LOADER_VERSION, board, el, base, max);
			next = ticks() + READY_EVERY_S * cnt_freq;
		}
		c = pl011_try_getc();
		if (c < 0) {
			poll_pause();
			continue;
		}
		shift = (shift >> 8) | (u32)c << 24;
		if (shift == LOADER_MAGIC)
			return;
	}
}

/*
 * One frame: the Image into [base, base + max) and the boot options into
 * args; returns the Image's length, or 0 after saying what was wrong. A
 * compressed payload is received into the window's upper half and
 * decompressed into the lower, so it may be half as large.
 */
static u32 receive(u64 base, u64 max, u64 el, const char *board)
{
	u8 hdr[HDR_LEN] = { 'L', 'L', 'D', 'R' };
	u8 *dst = (u8 *)base, *wire;
	u32 flags, len, ilen, alen, want, crc = ~0u, i, room;
	int c;

	wait_magic(base, max, el, board);
	for (i = 4; i < HDR_LEN; i++) {
		if ((c = get_byte()) < 0) {
			say("loader: bad what=timeout got=%u want=%u", i, HDR_LEN);
			return 0;
		}
		hdr[i] = (u8)c;
	}
	for (i = 0; i < HDR_LEN - 4; i++)
		crc = crc32_update(crc, hdr[i]);
	if (~crc != le32(hdr + HDR_LEN - 4)) {
		say("loader: bad what=header crc=0x%08x want=0x%08x", ~crc,
		    le32(hdr + HDR_LEN - 4));
		return 0;
	}
	flags = le32(hdr + 4);
	len = le32(hdr + 8);
	ilen = le32(hdr + 12);
	alen = le32(hdr + 16);
	want = le32(hdr + 20);
	room = (flags & FLAG_LZ) ? (u32)(max / 2) : (u32)max;
	if (flags & ~FLAG_LZ) {
		say("loader: bad what=flags flags=0x%x known=0x%x", flags, FLAG_LZ);
		return 0;
	}
	if (ilen < 64 || ilen > room || len > room || (!(flags & FLAG_LZ) && len != ilen) ||
	    alen > ARGS_MAX) {
		say("loader: bad what=size size=%u image=%u args=%u max=0x%x args_max=%u", len,
		    ilen, alen, room, ARGS_MAX);
		return 0;
	}
	wire = (flags & FLAG_LZ) ? dst + max / 2 : dst;
	crc = ~0u;
	for (i = 0; i < alen + len; i++) {
		if ((c = get_byte()) < 0) {
			say("loader: bad what=timeout got=%u want=%u", HDR_LEN + i,
			    HDR_LEN + alen + len);
			return 0;
		}
		crc = crc32_update(crc, (u8)c);
		if (i < alen)
			args[i] = (char)c;
		else
			wire[i - alen] = (u8)c;
	}
	args[alen] = '\0';
	if (~crc != want) {
		say("loader: bad what=crc crc=0x%08x want=0x%08x", ~crc, want);
		return 0;
	}
	if ((flags & FLAG_LZ) && lz_decode(dst, ilen, wire, len) != ilen) {
		say("loader: bad what=lz size=%u image=%u", len, ilen);
		return 0;
	}
	if (le32(dst + 56) != IMAGE_MAGIC) {
		say("loader: bad what=image reason=no-arm64-image-magic size=%u", ilen);
		return 0;
	}
	return ilen;
}

void loader_main(u64 dtb, u64 base, u64 home, u64 el)
{
	struct early_console con;
	const char *board;
	u64 recv = (base + 0x1fffff) & ~0x1fffffUL, max = home - recv, load, image_size,
	    text_offset;
	u32 len;
	int n;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(cnt_freq));
	if (fdt_early_console((const void *)dtb, &con) != 0 || con.source == EARLY_CONSOLE_NONE)
		for (;;)
			__asm__ volatile("wfi"); /* no UART to speak on or listen to */
	pl011_init_at(con.base); /* the MMU is off: the physical address is the one to use */
	pl011_rx_enable();
	board = con.board ? con.board : "unknown";
	/* The firmware's tree, unpadded and out of the window the kernel will be written to. */
	n = fdt_copy_with_bootargs(dtb_orig, sizeof(dtb_orig), (const void *)dtb,
				   con.bootargs ? con.bootargs : "");
	if (n < 0) {
		say("loader: error what=dtb reason=\"%s\"", fdt_strerror(n));
		for (;;)
			__asm__ volatile("wfi");
	}
	loader_dcache_inval(recv, home); /* no dirty line may later land on what we write */
	for (;;) {
		len = receive(recv, max, el, board);
		if (!len)
			continue;
		text_offset = le64((u8 *)recv + 8);
		image_size = le64((u8 *)recv + 16);
		if (image_size < len)
			image_size = len; /* 0: an old header that does not say */
		/* Written so that no header value, however large, can wrap the sums. */
		if (text_offset >= max || image_size > max - text_offset) {
			say("loader: bad what=image reason=too-large text_offset=0x%lx image_size=0x%lx max=0x%lx",
			    text_offset, image_size, max);
			continue;
		}
		load = recv + text_offset;
		if (load != recv)
			memmove((void *)load, (void *)recv, len);
		strlcpy(args + strlen(args), LOADER_END, sizeof(LOADER_END));
		n = fdt_copy_with_bootargs(dtb_final, sizeof(dtb_final), dtb_orig, args);
		if (n < 0) {
			say("loader: bad what=dtb reason=\"%s\"", fdt_strerror(n));
			continue;
		}
		say("loader: ok size=%u load=0x%lx dtb=0x%lx el=%lu", len, load, (u64)dtb_final,
		    el);
		pl011_flush();
		loader_dcache_inval((u64)dtb_final, (u64)dtb_final + (u64)n);
		loader_jump(load, (u64)dtb_final, load, load + image_size);
	}
}
