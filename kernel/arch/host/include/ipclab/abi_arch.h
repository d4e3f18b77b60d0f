/*
 * The ABI's architecture half for host-built unit tests and benchmarks: the same
 * register budget and user-half bounds as x86_64, so the portable core is exercised
 * with the numbers it meets in the guest. Nothing on the host enters user mode.
 */
#ifndef IPCLAB_ABI_ARCH_H
#define IPCLAB_ABI_ARCH_H

#define ABI_REG_WORDS 8
#define USER_BASE 0x40000000ull
#define USER_TOP 0x00007ffffffff000ull
/* The first address past the lower canonical half (USER_TOP is one page short of it). */
#define USER_CANONICAL_END 0x0000800000000000ull
/* The kernel image's first byte, as on x86_64 (kernel/arch/x86_64). */
#define KERNEL_IMAGE_BASE 0x100000ull
#define KIP_ADDRESS 0x7f0000000000ull

#endif
