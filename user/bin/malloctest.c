/* malloctest: malloc, free, calloc and realloc over many sizes, every byte checked; "malloc ok" and 0, or 1. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 64

static unsigned char *slot[SLOTS];
static size_t len[SLOTS];
static unsigned int seed = 12345;

static unsigned int rnd(void)
{
	seed = seed * 1103515245 + 12345;
	return seed >> 8;
}

/* Each slot's bytes follow from its index and length, so any overlap or lost copy shows. */
static unsigned char pattern(int i, size_t j)
{
	return (unsigned char)(i * 37 + j * 11 + (j >> 8));
}

static void fill(int i)
{
	for (size_t j = 0; j < len[i]; j++)
		slot[i][j] = pattern(i, j);
}

static int check(int i, size_t n, const char *when)
{
	for (size_t j = 0; j < n; j++) {
		if (slot[i][j] != pattern(i, j)) {
			printf("malloctest: slot %d byte %lu of %lu wrong after %s\n", i,
			       (unsigned long)j, (unsigned long)n, when);
			return 1;
		}
	}
	return 0;
}

/* Sizes from 0 to ~200 KiB, most of them small. */
static size_t some_size(void)
{
	unsigned int r = rnd();

	switch (r % 8) {
	case 0: return r % 8;
	case 1: return 200000 - r % 10000;
	case 2:
	case 3: return r % 4096;
	default: return r % 256;
	}
}

int main(int argc, char **argv)
{
	unsigned char *z;

	for (int round = 0; round < 2000; round++) {
		int i = (int)(rnd() % SLOTS);

		if (slot[i] && check(i, len[i], "others' use"))
			return 1;
		switch (rnd() % 3) {
		case 0: /* free, then a fresh block */
			free(slot[i]);
			len[i] = some_size();
			slot[i] = malloc(len[i]);
			break;
		case 1: { /* resize: the common prefix must survive */
			size_t n = some_size();
			size_t keep = n < len[i] ? n : len[i];
			unsigned char *p = realloc(slot[i], n);

			if (n && !p) {
				printf("malloctest: realloc(%lu) failed\n", (unsigned long)n);
				return 1;
			}
			slot[i] = n ? p : NULL;
			if (slot[i] && check(i, keep, "realloc"))
				return 1;
			len[i] = n;
			break;
		}
		default: /* free and leave empty */
			free(slot[i]);
			slot[i] = NULL;
			len[i] = 0;
			continue;
		}
		if (len[i] && !slot[i]) {
			printf("malloctest: malloc(%lu) failed\n", (unsigned long)len[i]);
			return 1;
		}
		if (((uintptr_t)slot[i] & 15) != 0) {
			printf("malloctest: %p not 16-byte aligned\n", (void *)slot[i]);
			return 1;
		}
		if (slot[i])
			fill(i);
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slot[i] && check(i, len[i], "the last round"))
			return 1;
		free(slot[i]);
	}
	z = calloc(1000, 3);
	for (int j = 0; z && j < 3000; j++) {
		if (z[j]) {
			printf("malloctest: calloc byte %d not zero\n", j);
			return 1;
		}
	}
	if (!z || calloc((size_t)-1, 16) != NULL) {
		printf("malloctest: calloc wrong\n");
		return 1;
	}
	free(z);
	printf("malloc ok\n");
	return 0;
}
