/* malloc, free, calloc and realloc for user programs: an address-ordered free list over memory from brk. */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/*
 * Every block starts with a 16-byte header; payloads are 16-byte aligned
 * (the heap starts page-aligned, at 0x40000000). A free block is on the
 * free list, sorted by address, so free() merges it with the blocks on
 * either side and the list never holds two neighbours. An allocated
 * block's second word holds USED instead of a link: free() of anything
 * else (a double free, a pointer malloc never returned, a trampled
 * header) stops the program with status 134, as abort() would.
 * The heap only grows: memory goes back to the free list, never to the
 * kernel.
 */
#define HDR	 16
#define MIN_BLK	 32 /* header + 16 bytes: a split never leaves less */
#define GROW_MIN 65536
#define PAGE	 4096
#define USED	 0x75736564626c6b21UL /* "usedblk!" */

struct blk {
	size_t size; /* the whole block, header included; a multiple of 16 */
	union {
		struct blk *next; /* free: the next free block, higher address */
		uintptr_t used;	  /* allocated: USED */
	};
};

static struct blk *free_list;

static void heap_corrupt(const char *what)
{
	static const char msg[] = "malloc: heap corrupted: ";

	write(2, msg, sizeof(msg) - 1);
	write(2, what, strlen(what));
	write(2, "\n", 1);
	_exit(134);
}

/* Puts b on the free list in address order, merged with a free neighbour on either side. */
static void insert_free(struct blk *b)
{
	struct blk *prev = NULL, *cur = free_list;

	while (cur && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->next = cur;
	if (cur && (char *)b + b->size == (char *)cur) {
		b->size += cur->size;
		b->next = cur->next;
	}
	if (prev && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
	} else if (prev) {
		prev->next = b;
	} else {
		free_list = b;
	}
}

/* Adds at least need bytes at the break to the free list; 0, or -1 if brk refused. */
static int grow(size_t need)
{
	size_t n = need < GROW_MIN ? GROW_MIN : (need + PAGE - 1) & ~(size_t)(PAGE - 1);
	char *p = sbrk(0);
	struct blk *b;

	/* the first break might not be 16-aligned if something else moved it: round up */
	if ((uintptr_t)p & (HDR - 1)) {
		if (sbrk((long)(HDR - ((uintptr_t)p & (HDR - 1)))) == (void *)-1)
			return -1;
	}
	b = sbrk((long)n);
	if (b == (void *)-1)
		return -1;
	b->size = n;
	insert_free(b);
	return 0;
}

void *malloc(size_t n)
{
	size_t need;

	if (n > ((size_t)1 << 40)) {
		/* more than the heap could ever hold; the sums below stay in range */
		errno = ENOMEM; /* as when brk refuses: C's malloc says why it returns NULL */
		return NULL;
	}
	need = ((n + 15) & ~(size_t)15) + HDR;
	if (need < MIN_BLK)
		need = MIN_BLK;
	for (;;) {
		struct blk *prev = NULL;

		for (struct blk *b = free_list; b; prev = b, b = b->next) {
			struct blk *rest;

			if (b->size < need)
				continue;
			if (b->size - need >= MIN_BLK) {
				/* the front is taken, the rest stays in the list where b was */
				rest = (struct blk *)((char *)b + need);
				rest->size = b->size - need;
				rest->next = b->next;
				b->size = need;
			} else {
				rest = b->next;
			}
			if (prev)
				prev->next = rest;
			else
				free_list = rest;
			b->used = USED;
			return (char *)b + HDR;
		}
		if (grow(need) < 0)
			return NULL;
	}
}

void free(void *p)
{
	struct blk *b;

	if (!p)
		return;
	b = (struct blk *)((char *)p - HDR);
	if (((uintptr_t)p & 15) || b->used != USED || b->size < MIN_BLK || (b->size & 15))
		heap_corrupt("free() of a block that is not allocated");
	insert_free(b);
}

void *calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

/* Grows or shrinks in place when the block already fits; otherwise moves it. */
void *realloc(void *p, size_t n)
{
	struct blk *b;
	void *q;
	size_t have;

	if (!p)
		return malloc(n);
	if (!n) {
		free(p);
		return NULL;
	}
	b = (struct blk *)((char *)p - HDR);
	if (b->used != USED)
		heap_corrupt("realloc() of a block that is not allocated");
	have = b->size - HDR;
	if (n <= have)
		return p;
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	free(p);
	return q;
}
