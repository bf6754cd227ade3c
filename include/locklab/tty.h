/* The console's input side: a line discipline fed by the UART's receive interrupt, and the console as a file. */
#ifndef LOCKLAB_TTY_H
#define LOCKLAB_TTY_H

#include <locklab/types.h>
#include <locklab/tty_line.h> /* TTY_LINE_MAX: a line being typed, its newline included */

#define TTY_READY_MAX 1024 /* typed lines no one has read yet */

/*
 * One byte typed (drivers: the receive interrupt; tests: directly).
 * Printable bytes, tab and bytes from 0x80 up are echoed and kept; Enter
 * (CR or LF) ends the line, which becomes readable; Backspace/DEL erases
 * one character (a UTF-8 one whole), Ctrl-U the line. A line that
 * outgrows TTY_LINE_MAX stops echoing and is refused whole at Enter:
 * its read returns -EOVERFLOW instead of a cut line. Ctrl-C
 * throws the line away, wakes a reader with -EINTR and ends the console
 * session's foreground processes (tty_intr_seq); Ctrl-D makes the bytes
 * typed so far readable without a newline, and on an empty line is end of
 * file (a read of 0) in its place among the lines. Others are ignored.
 */
void tty_input(char c);
void tty_rx_interrupt(void); /* kernel/irq.c: the console UART's interrupt */

/* Ctrl-Cs typed so far (atomic): a session member started before the last one is ended (user.c). */
extern u32 tty_intr_seq;

struct file;
/* A new open file on the console: read a line, write bytes. NULL without memory. */
struct file *tty_open(void);
/* The same, installed in the caller's fd table: the fd, or -ENOMEM, -EMFILE. */
int tty_open_fd(void);
/*
 * Readers inside a console read() now (for tests): a Ctrl-C typed once
 * one is counted here interrupts that read; one typed before it began
 * does not (only what is typed during a read is its concern).
 */
u32 tty_readers_waiting(void);
/* Installs the console as fds 0, 1 and 2 of the calling process: 0, or -EBUSY if one is taken, -ENOMEM. */
long tty_install_stdio(void);

#endif
