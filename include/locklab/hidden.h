/* Force-included first in every kernel file: hidden visibility so -fpie code never goes through a GOT. */
#ifndef LOCKLAB_HIDDEN_H
#define LOCKLAB_HIDDEN_H
/*
 * With default visibility, -fpie code reaches extern symbols through GOT
 * entries that need dynamic relocations of other kinds than RELATIVE. The
 * kernel is one static image, so every symbol is "local to the module".
 */
#ifndef __ASSEMBLY__
#pragma GCC visibility push(hidden)
#endif
#endif
