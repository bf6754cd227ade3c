/* The console's input side: the PL011's receive interrupt, a line discipline (echo, backspace, Ctrl-U, Ctrl-C, Ctrl-D), the console as a file. */
#include <locklab/tty.h>
#include <locklab/console.h>
#include <locklab/errno.h>
#include <locklab/fcntl.h>
#include <locklab/file.h>
#include <locklab/initcall.h>
#include <locklab/klock.h>
#include <locklab/syscall.h>
#include <locklab/irq.h>
#include <locklab/platform.h>
#include <locklab/proc.h>
#include <locklab/spinlock.h>
#include <locklab/string.h>
#include <locklab/uaccess.h>
#include <locklab/wait.h>
#include <asm/atomic.h>

/*
 * The lock is a spinlock taken with interrupts off: the receive interrupt
 * takes it too. Readers sleep on readers outside it (wait_event with no
 * strategy lock; the condition takes the lock itself).
 */
static struct {
	struct spinlock lock;
	char line[TTY_LINE_MAX]; /* guarded by lock: the line being typed */
	u32 line_len;		 /* guarded by lock */
	bool too_long;		 /* guarded by lock: the line being typed outgrew line[] */
	bool lost; /* guarded by lock: whole lines found the ring full; LOST_MARK not yet in it */
	char ready[TTY_READY_MAX]; /* guarded by lock: whole lines and marks, a ring */
	u32 head, count;	   /* guarded by lock */
	bool copying;		   /* guarded by lock: a read copies the first line out */
	u64 dropped;		   /* guarded by lock: bytes lost to a full line or ring */
} tty = { .lock = SPINLOCK_INIT("tty") };

static struct wait_queue tty_readers = WAIT_QUEUE_INIT("tty_readers");
u32 tty_intr_seq;

static void echo(const char *s, size_t n)
{
	console_write(s, n);
}

/*
 * In the ring, in place of a line that outgrew line[]: its read returns
 * -EOVERFLOW. No typed byte can be confused with it: only printable
 * bytes, tab, newline and bytes from 0x80 up are kept.
 */
#define TOO_LONG_MARK '\0'
/*
 * In the ring where lines were lost to a full ring (typed or pasted faster
 * than read): its read returns -ENOBUFS, so a reader (the shell) can say
 * that input is missing rather than run what follows as if it were all.
 */
#define LOST_MARK '\1'
/*
 * Ctrl-D, as a terminal's EOF character: on an empty line EOF_MARK, whose
 * read returns 0 (end of file, in its place among the lines); after typed
 * bytes PUSH_MARK, which ends them as a line without a newline (a read
 * returns them as they are, the mark itself never).
 */
#define EOF_MARK  '\2'
#define PUSH_MARK '\3'

/* Puts LOST_MARK in the ring once there is room for it, after the lines before the loss; tty.lock held. */
static void lost_mark(void)
{
	if (!tty.lost || tty.count == TTY_READY_MAX)
		return;
	tty.ready[(tty.head + tty.count) % TTY_READY_MAX] = LOST_MARK;
	tty.count++;
	tty.lost = false;
}

/*
 * Appends n bytes to the ring if they all fit (a line goes whole or not at
 * all), after a pending LOST_MARK; else counts them lost; tty.lock held.
 */
static void ready_put(const char *s, u32 n)
{
	lost_mark();
	if (tty.lost || tty.count + n > TTY_READY_MAX) {
		tty.dropped += n;
		tty.lost = true;
		lost_mark();
		return;
	}
	for (u32 i = 0; i < n; i++)
		tty.ready[(tty.head + tty.count + i) % TTY_READY_MAX] = s[i];
	tty.count += n;
}

/*
 * Moves the typed line (with its newline) to the ring; tty.lock held. A
 * line that outgrew line[] goes as the mark instead: its first bytes
 * alone would be read as a whole line, and a shell would run a command
 * nobody typed.
 */
static void line_done(void)
{
	static const char mark = TOO_LONG_MARK;

	if (tty.too_long) {
		ready_put(&mark, 1);
	} else {
		tty.line[tty.line_len++] = '\n';
		ready_put(tty.line, tty.line_len);
	}
	tty.line_len = 0;
	tty.too_long = false;
}

/* A printable byte, tab or non-ASCII byte typed; tty.lock held. Past line[] the line is lost: the rest only counts, unechoed. */
static void line_add(char c)
{
	if (tty.too_long || tty.line_len == TTY_LINE_MAX - 1) {
		tty.too_long = true;
		tty.dropped++;
		return;
	}
	tty.line[tty.line_len++] = c;
	echo(&c, 1);
}

/*
 * Takes the last character off the typed line; tty.lock held, the line not
 * empty. A UTF-8 character goes whole (its continuation bytes, 10xxxxxx,
 * at most three, and the byte that starts it, 11xxxxxx): one Backspace,
 * one character on the screen, and no half of one left to reach the
 * program. A byte of that range with no such start before it (Latin-1's
 * ° is 0xb0), or one more than the start announces, is a character of its
 * own: it took the character before it along ("5°" and Backspace left
 * nothing, the 5 still on the screen).
 */
static void line_erase_char(void)
{
	u32 last = tty.line_len - 1, at = last, announced;
	u8 lead;

	while (at && last - at < 3 && ((u8)tty.line[at] & 0xc0) == 0x80)
		at--;
	lead = (u8)tty.line[at];
	/* the continuation bytes a start announces: 110xxxxx one, 1110xxxx two, 11110xxx three */
	announced = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
	if (at < last && (lead & 0xc0) == 0xc0 && last - at <= announced)
		tty.line_len = at;
	else
		tty.line_len = last;
}

void tty_input(char c)
{
	u64 flags = spin_lock_irqsave(&tty.lock);
	bool wake = false;

	switch (c) {
	case '\r':
	case '\n':
		echo("\n", 1);
		line_done();
		wake = true;
		break;
	case 0x7f: /* DEL, what most terminals send for Backspace */
	case '\b':
		/* A line too long is lost already: only Enter (to say so), Ctrl-U or Ctrl-C ends it. */
		if (tty.line_len && !tty.too_long) {
			line_erase_char();
			echo("\b \b", 3);
		}
		break;
	case 0x15: /* Ctrl-U, a terminal's KILL character: the line typed so far is gone */
		/* erased on the screen too, a character at a time, as Linux's ECHOKE */
		while (tty.line_len) {
			line_erase_char();
			echo("\b \b", 3);
		}
		tty.too_long = false;
		break;
	case 0x03: /* Ctrl-C */
		tty.line_len = 0;
		tty.too_long = false;
		echo("^C\n", 3);
		atomic_fetch_add_relaxed(&tty_intr_seq, 1U);
		wake = true;
		break;
	case 0x04:		  /* Ctrl-D */
		if (tty.too_long) /* lost already: only Enter (to say so), Ctrl-U or Ctrl-C ends it */
			break;
		tty.line[tty.line_len] = tty.line_len ? PUSH_MARK : EOF_MARK;
		ready_put(tty.line, tty.line_len + 1);
		tty.line_len = 0;
		wake = true;
		break;
	default:
		/*
		 * Bytes from 0x80 up are kept: a UTF-8 character typed (é is
		 * 0xc3 0xa9) must reach the program, not vanish from the line.
		 * The other controls (Escape, Ctrl-A...) are dropped.
		 */
		if ((c >= 0x20 && c < 0x7f) || c == '\t' || (u8)c >= 0x80)
			line_add(c);
	}
	spin_unlock_irqrestore(&tty.lock, flags);
	if (wake)
		wake_up(&tty_readers);
	if (c == 0x03)
		proc_session_wake(); /* members asleep elsewhere (a pipe, wait) end their sleep with -EINTR */
}

static void tty_rx_drain(void)
{
	int c;

	while ((c = pl011_try_getc()) >= 0)
		tty_input((char)c);
}

/*
 * Cleared before the drain, not after: QEMU's PL011 raises its receive
 * interrupt only as its FIFO fills from empty, so a byte landing between
 * the drain's last look and a later clear would lose its interrupt, and
 * every byte after it would wait for good.
 */
void tty_rx_interrupt(void)
{
	pl011_rx_irq_ack();
	tty_rx_drain();
}

/*
 * The ring's first line can be taken, or this read was interrupted. Not
 * while another reader copies that line out: it may yet stay (a bad
 * buffer), and this reader would take the line after it.
 */
static bool tty_readable(u32 intr_seq)
{
	u64 flags = spin_lock_irqsave(&tty.lock);
	bool ok = (tty.count && !tty.copying) || atomic_load_relaxed(&tty_intr_seq) != intr_seq;

	spin_unlock_irqrestore(&tty.lock, flags);
	return ok;
}

/*
 * Copies the next line from the ring (at most n bytes of it) into kbuf,
 * leaving it there: its length; 0 for Ctrl-D on an empty line;
 * -EOVERFLOW for a line that was too long, -ENOBUFS where lines were lost
 * to a full ring (marks, alone). *used: the ring bytes a read of it takes
 * (ready_drop). The ring is not empty; tty.lock held.
 */
static long ready_peek(char *kbuf, u64 n, u32 *used)
{
	char first = tty.ready[tty.head];
	u32 at = 0;
	long got = 0;

	if (first == TOO_LONG_MARK || first == LOST_MARK || first == EOF_MARK) {
		*used = 1;
		return first == TOO_LONG_MARK ? -EOVERFLOW : first == LOST_MARK ? -ENOBUFS : 0;
	}
	/* A mark only follows a newline or PUSH_MARK: the copy stops there first. */
	while ((u64)got < n && at < tty.count) {
		char c = tty.ready[(tty.head + at++) % TTY_READY_MAX];

		if (c == PUSH_MARK)
			break;
		kbuf[got++] = c;
		if (c == '\n')
			break;
	}
	/* A pushed line read to its last byte is over: its mark must not read as an empty line next. */
	if (at < tty.count && tty.ready[(tty.head + at) % TTY_READY_MAX] == PUSH_MARK)
		at++;
	*used = at;
	return got;
}

/* Takes the first used bytes off the ring, as a read of them; tty.lock held. */
static void ready_drop(u32 used)
{
	tty.head = (tty.head + used) % TTY_READY_MAX;
	tty.count -= used;
	lost_mark(); /* room again: the loss is said before any line typed after it */
}

u32 tty_readers_waiting(void)
{
	return wait_queue_waiters(&tty_readers);
}

/*
 * One line (or its first n bytes) per read, as a terminal in canonical
 * mode; -EOVERFLOW in place of a line longer than TTY_LINE_MAX - 1;
 * -ENOBUFS where lines were lost to a full ring; 0 for Ctrl-D on an
 * empty line, and the typed bytes without a newline for Ctrl-D after
 * them; -EINTR after Ctrl-C (typed since the read began, or for a
 * session member any Ctrl-C that reached it: proc_interrupted);
 * -EFAULT if buf cannot be written, the line kept for the next read (as
 * Linux's n_tty keeps it).
 */
static long tty_read(struct file *f, void *buf, u64 n)
{
	u32 seq = atomic_load_relaxed(&tty_intr_seq);
	char kbuf[TTY_LINE_MAX];
	u32 used = 0;
	u64 flags;
	long r;
	bool fault, more;

	(void)f;
	if (n == 0)
		return 0;
	/*
	 * The wake-up's test and the take are two holds of tty.lock: with two
	 * readers woken for one line, the one that comes second finds the ring
	 * empty (or the line being copied). Only a Ctrl-C typed since this
	 * read began is -EINTR; anything else means another reader was first,
	 * and this one sleeps again.
	 */
	for (r = -EAGAIN; r == -EAGAIN;) {
		wait_event(&tty_readers, tty_readable(seq) || proc_interrupted(), NULL);
		flags = spin_lock_irqsave(&tty.lock);
		if (proc_interrupted()) {
			/*
			 * A member Ctrl-C reached before this read began (it was
			 * at EL0 on another CPU, or in the kernel): it ends at its
			 * return, so it must neither sleep until the next line nor
			 * take one, which was typed for the shell.
			 */
			r = -EINTR;
		} else if (tty.count && !tty.copying) {
			r = ready_peek(kbuf, MIN(n, sizeof(kbuf)), &used);
			if (r > 0)
				tty.copying = true;
			else
				ready_drop(used); /* a mark: nothing to copy */
		} else if (atomic_load_relaxed(&tty_intr_seq) != seq) {
			r = -EINTR;
		}
		spin_unlock_irqrestore(&tty.lock, flags);
	}
	if (r <= 0)
		return r;
	/*
	 * Outside the lock: the copy may fault a page in and sleep. The line
	 * leaves the ring only once it is in buf, so a bad buffer loses
	 * nothing typed; copying keeps other readers off it meanwhile.
	 */
	fault = copy_to_user(buf, kbuf, (u64)r) != 0;
	flags = spin_lock_irqsave(&tty.lock);
	if (!fault)
		ready_drop(used);
	tty.copying = false;
	more = tty.count != 0;
	spin_unlock_irqrestore(&tty.lock, flags);
	if (more)
		wake_up(&tty_readers); /* a reader that slept while this one copied */
	return fault ? -EFAULT : r;
}

static long tty_write(struct file *f, const void *buf, u64 n)
{
	char kbuf[128];

	(void)f;
	for (u64 done = 0; done < n;) {
		u64 chunk = MIN(n - done, sizeof(kbuf));

		if (copy_from_user(kbuf, (const u8 *)buf + done, chunk))
			return done ? (long)done : -EFAULT;
		console_write(kbuf, chunk);
		done += chunk;
	}
	return (long)n;
}

static const struct file_ops tty_ops = {
	.read = tty_read,
	.write = tty_write,
};

struct file *tty_open(void)
{
	struct file *f;

	kernel_enter(); /* kmalloc wants the kernel scope */
	f = file_alloc(&tty_ops, NULL, O_RDWR);
	kernel_exit();
	return f;
}

/* fd_install into the caller's table, in the kernel scope (the fd table's lock under BKL). */
static int tty_fd(struct file *f)
{
	int fd;

	kernel_enter();
	fd = fd_install(f);
	if (fd < 0)
		file_put(f);
	kernel_exit();
	return fd;
}

int tty_open_fd(void)
{
	struct file *f = tty_open();

	return f ? tty_fd(f) : -ENOMEM;
}

long tty_install_stdio(void)
{
	for (int want = 0; want < 3; want++) {
		int fd = tty_open_fd();

		if (fd < 0)
			return fd;
		if (fd != want) {
			sys_close(fd);
			return -EBUSY;
		}
	}
	return 0;
}

/* Receive interrupts on, routed to the boot CPU (this one). */
static void tty_init(void)
{
	u32 intid = platform()->uart_intid;

	if (!platform()->have_uart)
		return;
	if (!intid) {
		printk("tty: the console UART has no interrupt in the device tree: no console input");
		return;
	}
	/*
	 * What arrived during boot goes first, in order, before the interrupt
	 * can take the rest; the GIC passes it on last, so the drain is never
	 * interrupted by its own handler (whatever the firmware left unmasked).
	 */
	pl011_rx_enable();
	pl011_rx_irq_ack();
	tty_rx_drain();
	pl011_rx_irq_enable();
	irq_enable_spi(intid);
}
initcall(tty_init, INITCALL_ROOTFS);
