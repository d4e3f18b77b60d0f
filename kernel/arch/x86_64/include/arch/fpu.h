/*
 * FPU=lazy on x86_64: what the core's owner logic (core/fpu.h) asks of the CPU. The
 * FPU is off for the running thread while CR0.TS is set: its first x87, MMX or SSE
 * instruction raises #NM (traps.c hands it to fpu_first_use()). The state is the
 * 512-byte FXSAVE image: x87, MMX, XMM0-15 and MXCSR. FXSAVE/FXRSTOR rather than
 * XSAVE: enabling CR4.OSXSAVE on a CPU model without XSAVEOPT hangs QEMU 7.2, and the
 * default qemu64 model has no AVX state to keep anyway.
 */
#ifndef IPCLAB_ARCH_X86_64_FPU_H
#define IPCLAB_ARCH_X86_64_FPU_H

#include <stdint.h>

#define X86_CR0_TS (1ull << 3)

struct arch_fpu_state {
    uint8_t fxsave[512];
} __attribute__((aligned(16)));

static inline void arch_fpu_enable(void)
{
    __asm__ volatile("clts" : : : "memory");
}

static inline void arch_fpu_disable(void)
{
    uint64_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0 | X86_CR0_TS) : "memory");
}

static inline void arch_fpu_save(struct arch_fpu_state *s)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*s) : : "memory");
}

static inline void arch_fpu_restore(const struct arch_fpu_state *s)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*s) : "memory");
}

/* The state a thread starts with: every register zero, x87 control word 0x37f and
 * MXCSR 0x1f80 (all exceptions masked, round to nearest), the values after FNINIT and
 * a reset. */
void arch_fpu_reset(void);

#endif
