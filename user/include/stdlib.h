/* malloc on brk, exit and atoi for user programs (user/lib/malloc.c, user/lib/stdlib.c). */
#ifndef USER_STDLIB_H
#define USER_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* 16-byte aligned blocks from the heap the brk call grows (never returned to the kernel). */
void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);

/* main's arguments, saved by crt0 (user/lib/crt0.S) */
extern long __argc;
extern char **__argv;

void exit(int status) __attribute__((noreturn));
int atoi(const char *s);
long atol(const char *s);

#endif
