/*
 * The x86_64 half of the ABI (kernel/include/ipclab/abi.h includes it): how a system
 * call passes its words in registers, and where the user half of an address space is.
 *
 * Register use of a system call (see kernel/arch/x86_64/syscall_entry.S):
 *   in:  rax = call number, rdi = destination, rsi = tag, rdx = receive specifier,
 *        r8, r9, r10, rbx, r12, r13, r14, r15 = message registers MR0..MR7
 *   out: rax = error code, rdi = sender (thread ID or badge), rsi = tag,
 *        MR registers = message words (for lengths up to the variant's register words)
 *   rcx and r11 are destroyed by the syscall instruction itself; rsp is kept; the
 *   other system calls keep every other register. An IPC that receives leaves rbp and
 *   the message registers past the received length undefined: they may hold the
 *   sender's register contents (as in L4 X.2, the fast path spends no instructions
 *   clearing them; the user stub saves rbp itself). Under FRAME=full (the kernel's
 *   configuration string says frame=full) the kernel saves and restores every
 *   register, and an IPC leaves rbp and the message registers past the received
 *   length as the receiver had them.
 * Plain system calls take up to five arguments: rdi, rsi, rdx, r8, r9.
 */
#ifndef IPCLAB_ABI_ARCH_H
#define IPCLAB_ABI_ARCH_H

/* Message registers: how many words a message can carry in physical registers. */
#define ABI_REG_WORDS 8

/* The user half runs from USER_BASE (above the kernel's identity-mapped first GiB) to
 * one page short of the end of the lower canonical half. That last page is never
 * mapped: a syscall in its last bytes would return to 0x0000800000000000, which is not
 * canonical, and SYSRET then faults in ring 0 on Intel CPUs, on the user's stack (the
 * CVE-2012-0217 pattern). Without that page every return address is canonical. */
#define USER_BASE 0x40000000ull
#define USER_TOP 0x00007ffffffff000ull
/* The first address past the lower canonical half (USER_TOP is one page short of it). */
#define USER_CANONICAL_END 0x0000800000000000ull
#define KIP_ADDRESS 0x7f0000000000ull

#endif
