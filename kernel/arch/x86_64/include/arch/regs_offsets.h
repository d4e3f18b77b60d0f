/* Byte offsets into struct arch_regs for the assembly; regs.c asserts they match. */
#ifndef IPCLAB_ARCH_X86_64_REGS_OFFSETS_H
#define IPCLAB_ARCH_X86_64_REGS_OFFSETS_H

#define REGS_RAX 0
#define REGS_RDI 8
#define REGS_RSI 16
#define REGS_RDX 24
#define REGS_RIP 32
#define REGS_RFLAGS 40
#define REGS_RSP 48
#define REGS_RBX 56
#define REGS_RBP 64
#define REGS_R8 72
#define REGS_R9 80
#define REGS_R10 88
#define REGS_R12 96
#define REGS_R13 104
#define REGS_R14 112
#define REGS_R15 120
#define REGS_RCX 128
#define REGS_R11 136
#define REGS_RESUME_KIND 144

/* The partial frame a system call saves ends where rbx begins. */
#define REGS_PARTIAL_END REGS_RBX

#define RESUME_KIND_IRET 1

#endif
