/*
 * The aarch64 half of the ABI (kernel/include/ipclab/abi.h includes it): how a system
 * call passes its words in registers, and where the user half of an address space is.
 *
 * Register use of a system call (`svc #0`, see kernel/arch/aarch64/syscall_entry.S):
 *   in:  x8 = call number, x0 = destination (a0), x1 = tag (a1),
 *        x2 = receive specifier (a2), x3 = a3, x4 = a4,
 *        x19..x28 = message registers MR0..MR9
 *   out: x0 = error code, x1 = sender (thread ID or badge), x2 = tag,
 *        MR registers = message words (for lengths up to the variant's register words)
 *   Every system call destroys x9..x17 (AAPCS64 temporaries, which the entry code may
 *   use as scratch, as the syscall instruction destroys rcx and r11 on x86_64) and the
 *   condition flags; it keeps sp and x30, and a call that does not receive keeps
 *   every other register. An IPC that receives leaves x3..x18, x29 and the message
 *   registers past the received length undefined: they may hold the sender's
 *   register contents or the receiver's own earlier ones, never a kernel value (the
 *   fast path spends no instructions clearing them; the user stub saves x29 itself).
 * The message registers are the callee-saved x19..x28, so the C fast path leaves them
 * in the CPU without being told; it is also compiled never to touch x8 or x12..x18
 * and without a frame pointer (arch.mk), so the entry code saves and restores only
 * what the fast path can change (include/arch/regs.h).
 */
#ifndef IPCLAB_ABI_ARCH_H
#define IPCLAB_ABI_ARCH_H

/* Message registers: how many words a message can carry in physical registers. */
#define ABI_REG_WORDS 10

/* The user half: from 4 GiB (above RAM, which the kernel maps EL1-only from 1 GiB)
 * to the top of the 39-bit TTBR0 range. */
#define USER_BASE 0x100000000ull
/* The end of TTBR0's 39-bit range. The top page below it is reserved on every
 * architecture (on x86_64 it must be: see that abi_arch.h), so the ABI is the same. */
#define USER_CANONICAL_END 0x8000000000ull
#define USER_TOP (USER_CANONICAL_END - 0x1000ull)
/* The first byte of the kernel image (kernel.ld: 2 MiB into RAM, which every space maps EL1-only). No user address argument may
 * reach it: the guest's bad-address checks aim at it, and kernel_start() panics
 * if the kernel was linked anywhere else, so the two cannot drift apart. */
#define KERNEL_IMAGE_BASE 0x40200000ull
#define KIP_ADDRESS 0x7f00000000ull

#endif
