/* Fixed-width integer types and basic macros shared by the kernel and host tests. */
#ifndef LOCKLAB_TYPES_H
#define LOCKLAB_TYPES_H

/* These three headers are provided by the compiler even with -ffreestanding. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define MIN(a, b)	 ((a) < (b) ? (a) : (b))
#define MAX(a, b)	 ((a) > (b) ? (a) : (b))

#define __unused     __attribute__((unused))
#define __noreturn   __attribute__((noreturn))
#define __aligned(n) __attribute__((aligned(n)))
/*
 * The cache line and exclusive reservation granule of the Cortex-A76
 * (Raspberry Pi 5): 64 bytes. Lock words waiters spin on sit alone in one.
 */
#define CACHE_LINE_BYTES    64
#define __cacheline_aligned __aligned(CACHE_LINE_BYTES)
#define __section(s)	    __attribute__((section(s)))
#define __printf(a, b)	    __attribute__((format(printf, a, b)))
#define __used		    __attribute__((used))

#endif
