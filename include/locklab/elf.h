/* The ELF64 headers spawn reads (the System V ABI's layout, AArch64 little-endian executables only). */
#ifndef LOCKLAB_ELF_H
#define LOCKLAB_ELF_H

#include <locklab/types.h>

#define ELF_CLASS64    2   /* e_ident[4] */
#define ELF_DATA2LSB   1   /* e_ident[5]: little-endian */
#define ELF_ET_EXEC    2   /* e_type: a fixed-address executable */
#define ELF_EM_AARCH64 183 /* e_machine */
#define ELF_PT_LOAD    1   /* p_type */
#define ELF_PF_X       1   /* p_flags */
#define ELF_PF_W       2
#define ELF_PF_R       4

struct elf64_ehdr {
	u8 e_ident[16]; /* "\x7f" "ELF", class, data, version, ... */
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

#endif
