/*
 * The riscv64 half of the ABI (kernel/include/ipclab/abi.h includes it): how a system
 * call passes its words in registers, and where the user half of an address space is.
 *
 * Register use of a system call (`ecall`, see kernel/arch/riscv64/syscall_entry.S):
 *   in:  a7 = call number, a0 = destination (a0), a1 = tag (a1),
 *        a2 = receive specifier (a2), a3 = a3, a4 = a4,
 *        s0..s11 = message registers MR0..MR11
 *   out: a0 = error code, a1 = sender (thread ID or badge), a2 = tag,
 *        MR registers = message words (for lengths up to the variant's register words)
 *   Every system call destroys t0..t6 (the temporaries, which the entry code may use
 *   as scratch, as the syscall instruction destroys rcx and r11 on x86_64); it keeps
 *   sp, ra, gp and tp, and a call that does not receive keeps every other register.
 *   An IPC that receives leaves a3..a7 and the message registers past the received
 *   length undefined: they may hold the sender's register contents or the receiver's
 *   own earlier ones, never a kernel value (the fast path spends no instructions
 *   clearing them).
 * The message registers are the callee-saved s0..s11, so the C fast path leaves them
 * in the CPU without being told; it is compiled without a frame pointer and never to
 * touch a7 or t0..t3 (arch.mk), so the entry code saves and restores only what the
 * fast path can change (include/arch/regs.h).
 */
#ifndef IPCLAB_ABI_ARCH_H
#define IPCLAB_ABI_ARCH_H

/* Message registers: how many words a message can carry in physical registers. */
#define ABI_REG_WORDS 12

/* The user half: from 4 GiB (above RAM, which the kernel maps supervisor-only from
 * 2 GiB) to the top of Sv39's lower half. */
#define USER_BASE 0x100000000ull
/* The end of Sv39's lower half. The top page below it is reserved on every
 * architecture (on x86_64 it must be: see that abi_arch.h), so the ABI is the same. */
#define USER_CANONICAL_END 0x4000000000ull
#define USER_TOP (USER_CANONICAL_END - 0x1000ull)
/* The first byte of the kernel image (kernel.ld: 2 MiB into RAM, past OpenSBI; every space maps it supervisor-only). No user address argument may
 * reach it: the guest's bad-address checks aim at it, and kernel_start() panics
 * if the kernel was linked anywhere else, so the two cannot drift apart. */
#define KERNEL_IMAGE_BASE 0x80200000ull
#define KIP_ADDRESS 0x3f00000000ull

#endif
