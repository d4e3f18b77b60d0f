/*
 * FPU=lazy on x86_64: user threads may use the x87, MMX and SSE registers; the core
 * (core/fpu_lazy.c) decides whose state they hold, this file sets the CPU up and
 * answers the #NM of a first use. CR0: MP and TS set (the FPU starts off: every first
 * use traps), EM clear (no emulation), NE set (an unmasked x87 exception raises #MF in
 * the thread that caused it, a user fault, instead of the legacy external interrupt
 * the kernel does not route). CR4: OSFXSR (SSE, and FXSAVE with the XMM registers) and
 * OSXMMEXCPT (an unmasked SIMD exception is #XM, again a user fault).
 */
#include <arch/cpu.h>
#include <arch/fpu.h>

#include "fpu.h"
#include "thread.h"
#include "x86.h"

#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_NE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)

#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24
#define FCW_INIT 0x037f
#define MXCSR_INIT 0x1f80

static struct arch_fpu_state clean_state;

void arch_fpu_reset(void)
{
    arch_fpu_restore(&clean_state);
}

void fpu_init(void)
{
    uint64_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr0 = (cr0 | CR0_MP | CR0_NE | X86_CR0_TS) & ~CR0_EM;
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    __asm__ volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
    clean_state.fxsave[FXSAVE_FCW] = FCW_INIT & 0xff;
    clean_state.fxsave[FXSAVE_FCW + 1] = FCW_INIT >> 8;
    clean_state.fxsave[FXSAVE_MXCSR] = MXCSR_INIT & 0xff;
    clean_state.fxsave[FXSAVE_MXCSR + 1] = MXCSR_INIT >> 8;
    fpu_init_owner();
}

bool fpu_user_trap(void)
{
    fpu_first_use(current);
    return true;
}
