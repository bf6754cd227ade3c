/* Freestanding string and memory helpers (kernel/lib/string.c); standard signatures. */
#ifndef LOCKLAB_STRING_H
#define LOCKLAB_STRING_H

#include <locklab/types.h>

void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);
/* Is name one of the elements of the comma-separated list ("a,b,c")? */
bool strlist_has(const char *list, const char *name);
/* Splits s (modified: spaces become NULs) into at most max words; returns how many. */
u32 str_split_words(char *s, char **words, u32 max);

#endif
