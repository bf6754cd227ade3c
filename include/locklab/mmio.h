/* MMIO accessors: single-copy-atomic 32-bit device loads and stores. */
#ifndef LOCKLAB_MMIO_H
#define LOCKLAB_MMIO_H

#include <locklab/types.h>

/*
 * Device-nGnRE mappings keep device accesses in program order relative to
 * each other; ordering against Normal memory (e.g. a buffer a device reads)
 * needs an explicit barrier at the call site.
 */
static inline u32 mmio_read32(u64 addr)
{
	u32 v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(u64 addr, u32 v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

/* One byte lane of a 32-bit register (the GIC's byte-wide fields), read-modify-write. */
static inline void mmio_write32_byte(u64 addr, u8 v)
{
	u64 word = addr & ~3UL;
	u32 shift = (u32)(addr & 3) * 8;

	mmio_write32(word, (mmio_read32(word) & ~(0xffU << shift)) | (u32)v << shift);
}

static inline u64 mmio_read64(u64 addr)
{
	u64 v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write64(u64 addr, u64 v)
{
	__asm__ volatile("str %0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

#endif
