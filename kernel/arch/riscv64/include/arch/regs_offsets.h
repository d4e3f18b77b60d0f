/* Byte offsets into struct arch_regs for the assembly; regs.c asserts they match. */
#ifndef IPCLAB_ARCH_RISCV64_REGS_OFFSETS_H
#define IPCLAB_ARCH_RISCV64_REGS_OFFSETS_H

#define REGS_X(n) ((n) * 8)     /* register xn, n >= 1 */
#define REGS_PC 0
#define REGS_KERNEL_SP 256
#define REGS_SIZE 264

#endif
