/* String and memory functions for user programs (user/lib/string.c). */
#ifndef USER_STRING_H
#define USER_STRING_H

#include <stddef.h>

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strchr(const char *s, int c);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
const char *strerror(int err); /* "ENOENT" for 2; "Success" for 0, as glibc; "E?" if unknown */

#endif
