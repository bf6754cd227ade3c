/* The console's line limit: a constant shared by the kernel (kernel/tty.c) and user code (/bin/sh's message). */
#ifndef LOCKLAB_TTY_LINE_H
#define LOCKLAB_TTY_LINE_H

/*
 * A line typed at the console, its newline included: at most
 * TTY_LINE_MAX - 1 bytes of text. A longer one is refused whole: its
 * read returns -EOVERFLOW in its place (docs/user.md, "At the console").
 */
#define TTY_LINE_MAX 256

#endif
