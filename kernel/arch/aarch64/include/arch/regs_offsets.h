/* Byte offsets into struct arch_regs for the assembly; regs.c asserts they match. */
#ifndef IPCLAB_ARCH_AARCH64_REGS_OFFSETS_H
#define IPCLAB_ARCH_AARCH64_REGS_OFFSETS_H

#define REGS_X(n) ((n) * 8)
#define REGS_X30 240
#define REGS_SP 248
#define REGS_PC 256
#define REGS_PSTATE 264
#define REGS_SIZE 272

#endif
